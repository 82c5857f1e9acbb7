// Unit tests for the config module: the redis.conf grammar (SplitArgs),
// Load() with its exact FATAL CONFIG FILE ERROR reports, the command line,
// CONFIG GET / SET / REWRITE and InactiveUsed(). Every expected string was
// checked against a real redis-server 7.0.15.
#include "server/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/split_args.h"

namespace vireo::server {
namespace {

using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;

// ---------------------------------------------------------------------------
// SplitArgs / Repr / SplitLen (Redis's sdssplitargs / sdscatrepr / sdssplitlen)
// ---------------------------------------------------------------------------
std::vector<std::string> Split(std::string_view line) {
  auto r = base::SplitArgs(line);
  EXPECT_TRUE(r.has_value()) << line;
  return r ? *r : std::vector<std::string>{};
}

TEST(SplitArgsTest, Blanks) {
  EXPECT_EQ(Split("set key value"), (std::vector<std::string>{"set", "key", "value"}));
  EXPECT_EQ(Split("  a\t b \r\n"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(Split("").empty());
  EXPECT_TRUE(Split("   ").empty());
  // \v and \f are skipped between arguments but do not end one.
  EXPECT_EQ(Split("\va\vb"), (std::vector<std::string>{"a\vb"}));
}

TEST(SplitArgsTest, DoubleQuotesAndEscapes) {
  EXPECT_EQ(Split("\"a b\" c"), (std::vector<std::string>{"a b", "c"}));
  EXPECT_EQ(Split(R"("\x41\x7a\x5A")"), (std::vector<std::string>{"AzZ"}));
  EXPECT_EQ(Split(R"("\n\r\t\b\a")"), (std::vector<std::string>{"\n\r\t\b\a"}));
  EXPECT_EQ(Split(R"("\\ \" \q")"), (std::vector<std::string>{"\\ \" q"}));
  // Not two hex digits: \x is just 'x'.
  EXPECT_EQ(Split(R"("\x4g")"), (std::vector<std::string>{"x4g"}));
  EXPECT_EQ(Split(R"("\x00")"), (std::vector<std::string>{std::string(1, '\0')}));
  EXPECT_EQ(Split("\"\" ''"), (std::vector<std::string>{"", ""}));
  // A quote may open in the middle of an argument.
  EXPECT_EQ(Split("foo\"bar baz\""), (std::vector<std::string>{"foobar baz"}));
}

TEST(SplitArgsTest, SingleQuotes) {
  EXPECT_EQ(Split(R"('a\'b' 'c\nd')"), (std::vector<std::string>{"a'b", "c\\nd"}));
  EXPECT_EQ(Split("'a \"b\"'"), (std::vector<std::string>{"a \"b\""}));
}

TEST(SplitArgsTest, Unbalanced) {
  EXPECT_FALSE(base::SplitArgs("\"abc").has_value());
  EXPECT_FALSE(base::SplitArgs("'abc").has_value());
  EXPECT_FALSE(base::SplitArgs("\"abc\\\"").has_value());
  // The closing quote must be followed by a blank or the end.
  EXPECT_FALSE(base::SplitArgs("\"a\"b").has_value());
  EXPECT_FALSE(base::SplitArgs("'a'b").has_value());
  EXPECT_TRUE(base::SplitArgs("\"a\"\tb").has_value());
}

TEST(SplitArgsTest, EndsAtNul) {
  using namespace std::string_view_literals;
  EXPECT_EQ(Split("a\0b c"sv), (std::vector<std::string>{"a"}));
}

TEST(ReprTest, EscapesLikeSdscatrepr) {
  EXPECT_EQ(base::Repr("plain"), "\"plain\"");
  EXPECT_EQ(base::Repr("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(base::Repr("\n\r\t\a\b"), R"("\n\r\t\a\b")");
  EXPECT_EQ(base::Repr(std::string("\x01\xff\x00", 3)), R"("\x01\xff\x00")");
  EXPECT_EQ(base::Repr(""), "\"\"");
}

TEST(SplitLenTest, KeepsEmptyTokens) {
  EXPECT_EQ(base::SplitLen("a  b", ' '), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(base::SplitLen("a ", ' '), (std::vector<std::string>{"a", ""}));
  EXPECT_TRUE(base::SplitLen("", ' ').empty());
}

// ---------------------------------------------------------------------------
// Fixture: each test runs in its own temporary working directory (the `dir`
// directive and relative includes depend on the cwd).
// ---------------------------------------------------------------------------
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char cwd[PATH_MAX];
    ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
    old_cwd_ = cwd;
    char tmpl[] = "/tmp/vireo_config_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(chdir(dir_.c_str()), 0);
    // The CWD may be a symlink-free path different from the template.
    ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
    dir_ = cwd;
  }
  void TearDown() override {
    ASSERT_EQ(chdir(old_cwd_.c_str()), 0);
    std::filesystem::remove_all(dir_);
  }

  static void WriteFile(const std::string& path, const std::string& content) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << content;
  }
  static std::string ReadFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

  // Loads `text`, expecting success.
  static void LoadOk(ConfigManager* m, std::string_view text) {
    std::string report;
    ASSERT_TRUE(m->Load(text, &report)) << report;
  }
  // Loads `text`, expecting failure; returns the report.
  static std::string LoadErr(std::string_view text) {
    ConfigManager m;
    std::string report;
    EXPECT_FALSE(m.Load(text, &report)) << text;
    return report;
  }
  static std::string Report(int line, const std::string& text, const std::string& reason) {
    return "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line " +
           std::to_string(line) + "\n>>> '" + text + "'\n" + reason + "\n";
  }
  static std::string Get1(const ConfigManager& m, std::string_view name) {
    auto r = m.Get({name});
    return r.size() == 1 ? r[0].second : "<missing>";
  }
  // Returns "OK" or the error line.
  static std::string Set(ConfigManager* m, const Pairs& pairs, bool local = false) {
    std::string err;
    return m->Set(pairs, &err, local) ? "OK" : err;
  }

  std::string old_cwd_;
  std::string dir_;
};

// ---------------------------------------------------------------------------
// Load(): grammar and values
// ---------------------------------------------------------------------------
TEST_F(ConfigTest, CommentsBlankLinesAndTrimming) {
  ConfigManager m;
  LoadOk(&m, "# comment\n\n   port 7000   \n\t# indented comment\r\n\r\n  TimeOut 5\r\n");
  EXPECT_EQ(m.cfg().port, 7000);
  EXPECT_EQ(Get1(m, "port"), "7000");
  EXPECT_EQ(m.cfg().timeout, 5);
}

TEST_F(ConfigTest, QuotedArguments) {
  ConfigManager m;
  LoadOk(&m, "requirepass \"a b\\x21\"\nmasterauth 'it\\'s'\nsyslog-ident \"\"\n");
  EXPECT_EQ(m.cfg().requirepass, "a b!");
  EXPECT_EQ(m.cfg().masterauth, "it's");
  EXPECT_EQ(LoadErr("masterauth 'it''s'"),
            Report(1, "masterauth 'it''s'", "Unbalanced quotes in configuration line"));
  EXPECT_EQ(m.cfg().syslog_ident, "");
}

TEST_F(ConfigTest, MemoryUnits) {
  const std::pair<const char*, const char*> cases[] = {
      {"1k", "1000"},        {"1kb", "1024"},   {"1KB", "1024"},   {"1Kb", "1024"},
      {"100mb", "104857600"}, {"1m", "1000000"}, {"1GB", "1073741824"}, {"1g", "1000000000"},
      {"5b", "5"},           {"5B", "5"},       {"0", "0"},        {"kb", "0"},
      {"17179869184gb", "0"},  // 2^64: Redis 7.0.15 does not check the overflow
  };
  for (const auto& [in, out] : cases) {
    ConfigManager m;
    LoadOk(&m, std::string("maxmemory ") + in);
    EXPECT_EQ(Get1(m, "maxmemory"), out) << in;
    EXPECT_EQ(std::to_string(m.cfg().maxmemory), out) << in;
  }
  for (const char* bad : {"1x", "-1", "1.5mb", "1 kb", "1kbb", "+1"}) {
    std::string line = std::string("maxmemory \"") + bad + "\"";
    EXPECT_EQ(LoadErr(line), Report(1, line, "argument must be a memory value")) << bad;
  }
  ConfigManager m;
  LoadOk(&m, "proto-max-bulk-len 1gb\nclient-query-buffer-limit 2mb\nhash-max-ziplist-value 1kb");
  EXPECT_EQ(m.cfg().proto_max_bulk_len, 1ll << 30);
  EXPECT_EQ(m.cfg().client_query_buffer_limit, 2ll << 20);
  EXPECT_EQ(m.cfg().hash_max_listpack_value, 1024);
}

TEST_F(ConfigTest, YesNoAndEnums) {
  ConfigManager m;
  LoadOk(&m, "daemonize YES\nprotected-mode No\nloglevel WARNING\nmaxmemory-policy allkeys-lru\n"
             "enable-debug-command local\nsyslog-facility LOCAL3\noom-score-adj relative");
  EXPECT_TRUE(m.cfg().daemonize);
  EXPECT_FALSE(m.cfg().protected_mode);
  EXPECT_EQ(m.cfg().loglevel, kLogWarning);
  EXPECT_EQ(Get1(m, "loglevel"), "warning");
  EXPECT_EQ(m.cfg().maxmemory_policy, kMaxmemoryAllkeysLru);
  EXPECT_EQ(m.cfg().enable_debug_command, kProtectedLocal);
  EXPECT_EQ(Get1(m, "syslog-facility"), "local3");
  // "yes" and "relative" are the same value; Redis prints the first name.
  EXPECT_EQ(Get1(m, "oom-score-adj"), "yes");
  EXPECT_EQ(LoadErr("daemonize maybe"), Report(1, "daemonize maybe", "argument must be 'yes' or 'no'"));
  EXPECT_EQ(LoadErr("maxmemory-policy foo"),
            Report(1, "maxmemory-policy foo",
                   "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, "
                   "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"));
  EXPECT_EQ(LoadErr("loglevel notice warning"), Report(1, "loglevel notice warning", "wrong number of arguments"));
}

TEST_F(ConfigTest, BitflagEnum) {
  ConfigManager m;
  LoadOk(&m, "shutdown-on-sigint now save\nshutdown-on-sigterm default save");
  EXPECT_EQ(Get1(m, "shutdown-on-sigint"), "save now");
  EXPECT_EQ(m.cfg().shutdown_on_sigint, kShutdownSave | kShutdownNow);
  EXPECT_EQ(Get1(m, "shutdown-on-sigterm"), "save");
  EXPECT_EQ(LoadErr("shutdown-on-sigint save nosave"),
            Report(1, "shutdown-on-sigint save nosave",
                   "shutdown options SAVE and NOSAVE can't be used simultaneously"));
}

TEST_F(ConfigTest, NumericParsingAndBounds) {
  const std::pair<const char*, const char*> errors[] = {
      {"port abc", "argument couldn't be parsed into an integer"},
      {"port 99999", "argument must be between 0 and 65535 inclusive"},
      {"timeout 010", "argument couldn't be parsed into an integer"},
      {"timeout +5", "argument couldn't be parsed into an integer"},
      {"timeout -0", "argument couldn't be parsed into an integer"},
      {"timeout 5.0", "argument couldn't be parsed into an integer"},
      {"io-threads 0", "argument must be between 1 and 128 inclusive"},
      {"slowlog-max-len -1", "argument must be between 0 and 9223372036854775807 inclusive"},
      {"maxclients 0", "argument must be between 1 and 4294967295 inclusive"},
      {"proto-max-bulk-len 1", "argument must be between 1048576 and 9223372036854775807 inclusive"},
      {"unixsocketperm 999", "argument couldn't be parsed as an octal number"},
      {"unixsocketperm 1000", "argument must be between 0 and 777 inclusive"},
      {"maxmemory-clients 10%x", "argument must be a memory or percent value"},
      {"maxmemory-clients 200%", "percentage argument must be less or equal to 100"},
  };
  for (const auto& [line, reason] : errors) EXPECT_EQ(LoadErr(line), Report(1, line, reason));

  ConfigManager m;
  LoadOk(&m, "unixsocketperm 0755\nmaxmemory-clients 10%\nslowlog-log-slower-than -1\nlist-max-ziplist-size -5");
  EXPECT_EQ(Get1(m, "unixsocketperm"), "755");
  EXPECT_EQ(m.cfg().unixsocketperm, 0755);
  EXPECT_EQ(Get1(m, "maxmemory-clients"), "10%");
  EXPECT_EQ(m.cfg().maxmemory_clients, -10);
  EXPECT_EQ(m.cfg().slowlog_log_slower_than, -1);
  EXPECT_EQ(m.cfg().list_max_listpack_size, -5);
}

TEST_F(ConfigTest, HzIsClamped) {
  ConfigManager a, b;
  LoadOk(&a, "hz 0");
  EXPECT_EQ(a.cfg().hz, 1);
  LoadOk(&b, "hz 100000");
  EXPECT_EQ(Get1(b, "hz"), "500");
}

TEST_F(ConfigTest, AliasesSetTheCanonicalDirective) {
  ConfigManager m;
  LoadOk(&m, "slaveof 1.2.3.4 6380\nslave-read-only no\nhash-max-ziplist-entries 7\nlua-time-limit 100\n"
             "SLAVE-PRIORITY 5\nmin-slaves-to-write 2");
  EXPECT_EQ(Get1(m, "replicaof"), "1.2.3.4 6380");
  EXPECT_EQ(Get1(m, "slaveof"), "1.2.3.4 6380");
  EXPECT_EQ(m.cfg().masterhost, "1.2.3.4");
  EXPECT_EQ(m.cfg().masterport, 6380);
  EXPECT_FALSE(m.cfg().replica_read_only);
  EXPECT_EQ(m.cfg().hash_max_listpack_entries, 7);
  EXPECT_EQ(m.cfg().busy_reply_threshold, 100);
  EXPECT_EQ(Get1(m, "replica-priority"), "5");
  EXPECT_EQ(Get1(m, "min-replicas-to-write"), "2");
}

TEST_F(ConfigTest, SpecialDirectives) {
  ConfigManager m;
  EXPECT_EQ(Get1(m, "save"), "3600 1 300 100 60 10000");
  EXPECT_EQ(Get1(m, "bind"), "* -::*");
  LoadOk(&m, "save 100 1\nsave 200 2\nbind 127.0.0.1 ::1\n"
             "client-output-buffer-limit normal 1mb 2kb 3 slave 1gb 8mb 60\n"
             "notify-keyspace-events KEA\noom-score-adj-values -5 0 2000\n"
             "latency-tracking-info-percentiles 50 99.99 0");
  EXPECT_EQ(Get1(m, "save"), "100 1 200 2");
  EXPECT_EQ(m.cfg().save_params.size(), 2u);
  EXPECT_EQ(Get1(m, "bind"), "127.0.0.1 ::1");
  EXPECT_EQ(m.cfg().bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(Get1(m, "client-output-buffer-limit"),
            "normal 1048576 2048 3 slave 1073741824 8388608 60 pubsub 33554432 8388608 60");
  EXPECT_EQ(m.cfg().cobl_normal.hard, 1048576u);
  EXPECT_EQ(Get1(m, "notify-keyspace-events"), "AKE");
  EXPECT_EQ(Get1(m, "oom-score-adj-values"), "-5 0 2000");
  EXPECT_EQ(Get1(m, "latency-tracking-info-percentiles"), "50 99.99 0");

  ConfigManager e;
  LoadOk(&e, "save 100 1\nsave \"\"\nbind \"\"");
  EXPECT_EQ(Get1(e, "save"), "");
  EXPECT_TRUE(e.cfg().bind.empty());

  EXPECT_EQ(LoadErr("save 1"), Report(1, "save 1", "Invalid save parameters"));
  EXPECT_EQ(LoadErr("client-output-buffer-limit master 1 1 1"),
            Report(1, "client-output-buffer-limit master 1 1 1",
                   "Invalid client class specified in buffer limit configuration."));
  EXPECT_EQ(LoadErr("bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"),
            Report(1, "bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "Too many bind addresses specified."));
  EXPECT_EQ(LoadErr("notify-keyspace-events Q"),
            Report(1, "notify-keyspace-events Q", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."));
  EXPECT_EQ(LoadErr("replicaof 127.0.0.1 abc"), Report(1, "replicaof 127.0.0.1 abc", "Invalid master port"));
}

TEST_F(ConfigTest, DirChangesTheWorkingDirectory) {
  std::filesystem::create_directory("sub");
  ConfigManager m;
  LoadOk(&m, "dir sub");
  EXPECT_EQ(Get1(m, "dir"), dir_ + "/sub");
  EXPECT_EQ(m.cfg().dir, dir_ + "/sub");
  EXPECT_EQ(LoadErr("dir /nonexistent"), Report(1, "dir /nonexistent", "No such file or directory"));
}

TEST_F(ConfigTest, BadDirectivesAndArity) {
  EXPECT_EQ(LoadErr("port 6400\nfoo bar\n"), Report(2, "foo bar", "Bad directive or wrong number of arguments"));
  EXPECT_EQ(LoadErr("port 1 2"), Report(1, "port 1 2", "wrong number of arguments"));
  EXPECT_EQ(LoadErr("  port  "), Report(1, "port", "wrong number of arguments"));
  EXPECT_EQ(LoadErr("port \"6379"), Report(1, "port \"6379", "Unbalanced quotes in configuration line"));
  EXPECT_EQ(LoadErr("include"), Report(1, "include", "Bad directive or wrong number of arguments"));
  EXPECT_EQ(LoadErr("user"), Report(1, "user", "Bad directive or wrong number of arguments"));
  EXPECT_EQ(LoadErr("sentinel monitor x"), Report(1, "sentinel monitor x", "sentinel directive while not in sentinel mode"));
  EXPECT_EQ(LoadErr("foo.bar"), Report(1, "foo.bar", "Module config specified without value"));
  EXPECT_EQ(LoadErr("list-max-ziplist-entries 5 6"),
            Report(1, "list-max-ziplist-entries 5 6", "Bad directive or wrong number of arguments"));
  // Errors found after the last line have no line information.
  EXPECT_EQ(LoadErr("logfile /nonexistent/x.log"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory\n");
  EXPECT_EQ(LoadErr("cluster-enabled yes\nreplicaof 1.2.3.4 5"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode\n");
}

TEST_F(ConfigTest, DeprecatedDirectivesAreIgnored) {
  ConfigManager m;
  LoadOk(&m, "list-max-ziplist-entries 5\nlist-max-ziplist-value 6\nlua-replicate-commands yes\nsentinel");
  EXPECT_EQ(m.cfg().list_max_listpack_size, -2);
}

TEST_F(ConfigTest, Include) {
  WriteFile("inc.conf", "timeout 5\ntcp-keepalive 9\n");
  ConfigManager m;
  LoadOk(&m, "include inc.conf\ntimeout 7\n");
  EXPECT_EQ(m.cfg().timeout, 7);  // later lines win
  EXPECT_EQ(m.cfg().tcp_keepalive, 9);

  // Relative paths are resolved against the cwd, which `dir` changes.
  std::filesystem::create_directory("sub");
  WriteFile("sub/inc2.conf", "hz 20\n");
  ConfigManager d;
  LoadOk(&d, "dir sub\ninclude inc2.conf\n");
  EXPECT_EQ(d.cfg().hz, 20);
}

TEST_F(ConfigTest, IncludeGlob) {
  std::filesystem::create_directory("conf.d");
  WriteFile("conf.d/a.conf", "timeout 1\n");
  WriteFile("conf.d/b.conf", "tcp-keepalive 2\n");
  ConfigManager m;
  LoadOk(&m, "include conf.d/*.conf\ninclude nothing/*.conf\n");
  EXPECT_EQ(m.cfg().timeout, 1);
  EXPECT_EQ(m.cfg().tcp_keepalive, 2);
}

TEST_F(ConfigTest, IncludeErrors) {
  ConfigManager m;
  std::string report;
  EXPECT_FALSE(m.Load("include nope.conf", &report));
  EXPECT_EQ(m.last_load_error_kind(), ConfigManager::LoadErrorKind::kLogMessage);
  EXPECT_EQ(report, "Fatal error, can't open config file 'nope.conf': No such file or directory");

  // An error inside an included file reports that file's line.
  WriteFile("bad.conf", "\nport abc\n");
  ConfigManager b;
  EXPECT_FALSE(b.Load("# one\n# two\ninclude bad.conf\n", &report));
  EXPECT_EQ(b.last_load_error_kind(), ConfigManager::LoadErrorKind::kFatalReport);
  EXPECT_EQ(report, Report(2, "port abc", "argument couldn't be parsed into an integer"));
}

TEST_F(ConfigTest, NonConfigDirectives) {
  ConfigManager m;
  LoadOk(&m, "rename-command flushall \"\"\nuser alice on >pw ~* +get\nloadmodule /x/y.so a b\nmy.opt 1 2\n");
  ASSERT_EQ(m.renamed_commands().size(), 1u);
  EXPECT_EQ(m.renamed_commands()[0].from, "flushall");
  EXPECT_EQ(m.renamed_commands()[0].to, "");
  ASSERT_EQ(m.user_directives().size(), 1u);
  EXPECT_EQ(m.user_directives()[0][0], "alice");
  ASSERT_EQ(m.loadmodule_directives().size(), 1u);
  EXPECT_EQ(m.loadmodule_directives()[0], (std::vector<std::string>{"/x/y.so", "a", "b"}));
  ASSERT_EQ(m.module_configs().size(), 1u);
  EXPECT_EQ(m.module_configs()[0].second, "1 2");

  ConfigManager h;
  h.SetRenameCommandHandler([](std::string_view from, std::string_view, std::string* err) {
    if (from == "nosuch") {
      *err = "No such command in rename-command";
      return false;
    }
    return true;
  });
  std::string report;
  EXPECT_FALSE(h.Load("rename-command get x\nrename-command nosuch foo", &report));
  EXPECT_EQ(report, Report(2, "rename-command nosuch foo", "No such command in rename-command"));
}

// ---------------------------------------------------------------------------
// BuildFromArgs(): redis-server's command line
// ---------------------------------------------------------------------------
class ArgvBuilder {
 public:
  explicit ArgvBuilder(std::vector<std::string> args) : args_(std::move(args)) {
    for (std::string& a : args_) ptrs_.push_back(a.data());
  }
  int argc() const { return static_cast<int>(ptrs_.size()); }
  char** argv() { return ptrs_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<char*> ptrs_;
};

TEST_F(ConfigTest, CommandLineOptions) {
  ConfigManager m;
  ArgvBuilder a({"vireo-server", "--port", "7000", "--save", "--loglevel", "verbose", "--bind", "1.2.3.4", "::1",
                 "--requirepass", "a b\"c", "--hz 20", "--maxmemory-policy"});
  std::string text, file, err;
  ASSERT_TRUE(m.BuildFromArgs(a.argc(), a.argv(), &text, &file, &err));
  EXPECT_EQ(text,
            "\nport \"7000\" \nsave \"\"\nloglevel \"verbose\" \nbind \"1.2.3.4\" \"::1\" \n"
            "requirepass \"a b\\\"c\" \nhz 20 \nmaxmemory-policy ");
  EXPECT_TRUE(file.empty());
  EXPECT_TRUE(m.config_file().empty());

  // An option right after a value-less option is taken as its value.
  ConfigManager n;
  ArgvBuilder b({"vireo-server", "--loglevel", "--bogus"});
  ASSERT_TRUE(n.BuildFromArgs(b.argc(), b.argv(), &text, &file, &err));
  EXPECT_EQ(text, "\nloglevel \"--bogus\" ");
  std::string report;
  EXPECT_FALSE(n.Load(text, &report));
  EXPECT_EQ(report, Report(2, "loglevel \"--bogus\"",
                           "argument(s) must be one of the following: debug, verbose, notice, warning"));
}

TEST_F(ConfigTest, CommandLineWithConfigFile) {
  WriteFile("x.conf", "port 7000\n# c\n");
  ConfigManager m;
  ArgvBuilder a({"vireo-server", "x.conf", "--port", "abc"});
  std::string text, file, err;
  ASSERT_TRUE(m.BuildFromArgs(a.argc(), a.argv(), &text, &file, &err));
  EXPECT_EQ(file, dir_ + "/x.conf");
  EXPECT_EQ(m.config_file(), dir_ + "/x.conf");
  EXPECT_EQ(text, "port 7000\n# c\n\nport \"abc\" ");
  // Options are lines after the file's: line 4 here.
  std::string report;
  EXPECT_FALSE(m.Load(text, &report));
  EXPECT_EQ(report, Report(4, "port \"abc\"", "argument couldn't be parsed into an integer"));

  // "../" is folded like Redis's getAbsolutePath().
  std::filesystem::create_directory("sub");
  ASSERT_EQ(chdir("sub"), 0);
  ConfigManager r;
  ArgvBuilder b({"vireo-server", "../x.conf"});
  ASSERT_TRUE(r.BuildFromArgs(b.argc(), b.argv(), &text, &file, &err));
  EXPECT_EQ(file, dir_ + "/x.conf");

  ConfigManager missing;
  ArgvBuilder c({"vireo-server", "nope.conf"});
  EXPECT_FALSE(missing.BuildFromArgs(c.argc(), c.argv(), &text, &file, &err));
  EXPECT_EQ(err, "Fatal error, can't open config file '" + dir_ + "/sub/nope.conf': No such file or directory");
}

// ---------------------------------------------------------------------------
// CONFIG GET
// ---------------------------------------------------------------------------
TEST_F(ConfigTest, DefaultsMatchRedis) {
  // CONFIG GET * of redis-server 7.0.15 started without arguments (dir aside).
  static const std::pair<const char*, const char*> kDefaults[] = {
      {"acl-pubsub-default", "resetchannels"}, {"aclfile", ""},
      {"acllog-max-len", "128"}, {"active-defrag-cycle-max", "25"},
      {"active-defrag-cycle-min", "1"}, {"active-defrag-ignore-bytes", "104857600"},
      {"active-defrag-max-scan-fields", "1000"}, {"active-defrag-threshold-lower", "10"},
      {"active-defrag-threshold-upper", "100"}, {"active-expire-effort", "1"},
      {"activedefrag", "no"}, {"activerehashing", "yes"},
      {"always-show-logo", "no"}, {"aof-disable-auto-gc", "no"},
      {"aof-load-truncated", "yes"}, {"aof-rewrite-incremental-fsync", "yes"},
      {"aof-timestamp-enabled", "no"}, {"aof-use-rdb-preamble", "yes"},
      {"aof_rewrite_cpulist", ""}, {"appenddirname", "appendonlydir"},
      {"appendfilename", "appendonly.aof"}, {"appendfsync", "everysec"},
      {"appendonly", "no"}, {"auto-aof-rewrite-min-size", "67108864"},
      {"auto-aof-rewrite-percentage", "100"}, {"bgsave_cpulist", ""},
      {"bind", "* -::*"}, {"bind-source-addr", ""},
      {"bio_cpulist", ""}, {"busy-reply-threshold", "5000"},
      {"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}, {"client-query-buffer-limit", "1073741824"},
      {"cluster-allow-pubsubshard-when-down", "yes"}, {"cluster-allow-reads-when-down", "no"},
      {"cluster-allow-replica-migration", "yes"}, {"cluster-announce-bus-port", "0"},
      {"cluster-announce-hostname", ""}, {"cluster-announce-ip", ""},
      {"cluster-announce-port", "0"}, {"cluster-announce-tls-port", "0"},
      {"cluster-config-file", "nodes.conf"}, {"cluster-enabled", "no"},
      {"cluster-link-sendbuf-limit", "0"}, {"cluster-migration-barrier", "1"},
      {"cluster-node-timeout", "15000"}, {"cluster-port", "0"},
      {"cluster-preferred-endpoint-type", "ip"}, {"cluster-replica-no-failover", "no"},
      {"cluster-replica-validity-factor", "10"}, {"cluster-require-full-coverage", "yes"},
      {"cluster-slave-no-failover", "no"}, {"cluster-slave-validity-factor", "10"},
      {"crash-log-enabled", "yes"}, {"crash-memcheck-enabled", "yes"},
      {"daemonize", "no"}, {"databases", "16"},
      {"dbfilename", "dump.rdb"}, {"disable-thp", "yes"},
      {"dynamic-hz", "yes"}, {"enable-debug-command", "no"},
      {"enable-module-command", "no"}, {"enable-protected-configs", "no"},
      {"hash-max-listpack-entries", "512"}, {"hash-max-listpack-value", "64"},
      {"hash-max-ziplist-entries", "512"}, {"hash-max-ziplist-value", "64"},
      {"hll-sparse-max-bytes", "3000"}, {"hz", "10"},
      {"ignore-warnings", ""}, {"io-threads", "1"},
      {"io-threads-do-reads", "no"}, {"jemalloc-bg-thread", "yes"},
      {"latency-monitor-threshold", "0"}, {"latency-tracking", "yes"},
      {"latency-tracking-info-percentiles", "50 99 99.9"}, {"lazyfree-lazy-eviction", "no"},
      {"lazyfree-lazy-expire", "no"}, {"lazyfree-lazy-server-del", "no"},
      {"lazyfree-lazy-user-del", "no"}, {"lazyfree-lazy-user-flush", "no"},
      {"lfu-decay-time", "1"}, {"lfu-log-factor", "10"},
      {"list-compress-depth", "0"}, {"list-max-listpack-size", "-2"},
      {"list-max-ziplist-size", "-2"}, {"logfile", ""},
      {"loglevel", "notice"}, {"lua-time-limit", "5000"},
      {"masterauth", ""}, {"masteruser", ""},
      {"maxclients", "10000"}, {"maxmemory", "0"},
      {"maxmemory-clients", "0"}, {"maxmemory-eviction-tenacity", "10"},
      {"maxmemory-policy", "noeviction"}, {"maxmemory-samples", "5"},
      {"min-replicas-max-lag", "10"}, {"min-replicas-to-write", "0"},
      {"min-slaves-max-lag", "10"}, {"min-slaves-to-write", "0"},
      {"no-appendfsync-on-rewrite", "no"}, {"notify-keyspace-events", ""},
      {"oom-score-adj", "no"}, {"oom-score-adj-values", "0 200 800"},
      {"pidfile", ""}, {"port", "6379"},
      {"proc-title-template", "{title} {listen-addr} {server-mode}"}, {"propagation-error-behavior", "ignore"},
      {"protected-mode", "yes"}, {"proto-max-bulk-len", "536870912"},
      {"rdb-del-sync-files", "no"}, {"rdb-save-incremental-fsync", "yes"},
      {"rdbchecksum", "yes"}, {"rdbcompression", "yes"},
      {"repl-backlog-size", "1048576"}, {"repl-backlog-ttl", "3600"},
      {"repl-disable-tcp-nodelay", "no"}, {"repl-diskless-load", "disabled"},
      {"repl-diskless-sync", "yes"}, {"repl-diskless-sync-delay", "5"},
      {"repl-diskless-sync-max-replicas", "0"}, {"repl-ping-replica-period", "10"},
      {"repl-ping-slave-period", "10"}, {"repl-timeout", "60"},
      {"replica-announce-ip", ""}, {"replica-announce-port", "0"},
      {"replica-announced", "yes"}, {"replica-ignore-disk-write-errors", "no"},
      {"replica-ignore-maxmemory", "yes"}, {"replica-lazy-flush", "no"},
      {"replica-priority", "100"}, {"replica-read-only", "yes"},
      {"replica-serve-stale-data", "yes"}, {"replicaof", ""},
      {"requirepass", ""}, {"sanitize-dump-payload", "no"},
      {"save", "3600 1 300 100 60 10000"}, {"server_cpulist", ""},
      {"set-max-intset-entries", "512"}, {"set-proc-title", "yes"},
      {"shutdown-on-sigint", "default"}, {"shutdown-on-sigterm", "default"},
      {"shutdown-timeout", "10"}, {"slave-announce-ip", ""},
      {"slave-announce-port", "0"}, {"slave-ignore-maxmemory", "yes"},
      {"slave-lazy-flush", "no"}, {"slave-priority", "100"},
      {"slave-read-only", "yes"}, {"slave-serve-stale-data", "yes"},
      {"slaveof", ""}, {"slowlog-log-slower-than", "10000"},
      {"slowlog-max-len", "128"}, {"socket-mark-id", "0"},
      {"stop-writes-on-bgsave-error", "yes"}, {"stream-node-max-bytes", "4096"},
      {"stream-node-max-entries", "100"}, {"supervised", "no"},
      {"syslog-enabled", "no"}, {"syslog-facility", "local0"},
      {"syslog-ident", "redis"}, {"tcp-backlog", "511"},
      {"tcp-keepalive", "300"}, {"timeout", "0"},
      {"tls-auth-clients", "yes"}, {"tls-ca-cert-dir", ""},
      {"tls-ca-cert-file", ""}, {"tls-cert-file", ""},
      {"tls-ciphers", ""}, {"tls-ciphersuites", ""},
      {"tls-client-cert-file", ""}, {"tls-client-key-file", ""},
      {"tls-client-key-file-pass", ""}, {"tls-cluster", "no"},
      {"tls-dh-params-file", ""}, {"tls-key-file", ""},
      {"tls-key-file-pass", ""}, {"tls-port", "0"},
      {"tls-prefer-server-ciphers", "no"}, {"tls-protocols", ""},
      {"tls-replication", "no"}, {"tls-session-cache-size", "20480"},
      {"tls-session-cache-timeout", "300"}, {"tls-session-caching", "yes"},
      {"tracking-table-max-keys", "1000000"}, {"unixsocket", ""},
      {"unixsocketperm", "0"}, {"zset-max-listpack-entries", "128"},
      {"zset-max-listpack-value", "64"}, {"zset-max-ziplist-entries", "128"},
      {"zset-max-ziplist-value", "64"},
  };
  ConfigManager m;
  std::map<std::string, std::string> got;
  for (auto& [k, v] : m.Get({"*"})) got[k] = v;
  EXPECT_EQ(got.size(), std::size(kDefaults) + 1);  // + dir
  EXPECT_EQ(got["dir"], dir_);
  for (const auto& [k, v] : kDefaults) EXPECT_EQ(got[k], v) << k;
}

TEST_F(ConfigTest, GetPatternsAliasesAndHidden) {
  ConfigManager m;
  // An exact name is echoed as typed, once per case-insensitive name.
  EXPECT_EQ(m.Get({"PORT"}), (std::vector<std::pair<std::string, std::string>>{{"PORT", "6379"}}));
  EXPECT_EQ(m.Get({"Port", "port"}).size(), 1u);
  EXPECT_EQ(m.Get({"slave-read-only"})[0].first, "slave-read-only");
  // Patterns match aliases too.
  std::map<std::string, std::string> ro;
  for (auto& [k, v] : m.Get({"*read-only*"})) ro[k] = v;
  EXPECT_EQ(ro, (std::map<std::string, std::string>{{"replica-read-only", "yes"}, {"slave-read-only", "yes"}}));
  // Each config once across patterns.
  auto ports = m.Get({"port", "*port"});
  EXPECT_EQ(std::count_if(ports.begin(), ports.end(), [](auto& p) { return p.first == "port"; }), 1);
  EXPECT_EQ(ports.size(), 8u);
  // Hidden configs need their exact name.
  EXPECT_TRUE(m.Get({"*exit*"}).empty());
  EXPECT_EQ(Get1(m, "use-exit-on-panic"), "no");
  EXPECT_EQ(Get1(m, "loading-process-events-interval-bytes"), "2097152");
  EXPECT_TRUE(m.Get({"nope"}).empty());
  EXPECT_EQ(m.Get({"[a-c]*"}).size(), 54u);
  EXPECT_TRUE(m.Exists("SLAVEOF"));
  EXPECT_FALSE(m.Exists("include"));
}

// ---------------------------------------------------------------------------
// CONFIG SET
// ---------------------------------------------------------------------------
TEST_F(ConfigTest, SetErrors) {
  ConfigManager m;
  const std::string kFailed = "ERR CONFIG SET failed (possibly related to argument ";
  EXPECT_EQ(Set(&m, {{"foo", "bar"}}), "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(Set(&m, {{"daemonize", "yes"}}), kFailed + "'daemonize') - can't set immutable config");
  EXPECT_EQ(Set(&m, {{"slaveof", "a 1"}}), kFailed + "'slaveof') - can't set immutable config");
  EXPECT_EQ(Set(&m, {{"dir", "/tmp"}}), kFailed + "'dir') - can't set protected config");
  EXPECT_EQ(Set(&m, {{"port", "99999"}}), kFailed + "'port') - argument must be between 0 and 65535 inclusive");
  EXPECT_EQ(Set(&m, {{"PORT", "abc"}}), kFailed + "'port') - argument couldn't be parsed into an integer");
  EXPECT_EQ(Set(&m, {{"port", "7000"}, {"PORT", "7000"}}), kFailed + "'PORT') - duplicate parameter");
  // The first problem wins: an unknown name after an immutable one is not
  // reported, and the other way round.
  EXPECT_EQ(Set(&m, {{"daemonize", "yes"}, {"foo", "1"}}), kFailed + "'daemonize') - can't set immutable config");
  EXPECT_EQ(Set(&m, {{"foo", "1"}, {"daemonize", "yes"}}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(Set(&m, {{"maxmemory", "1x"}}), kFailed + "'maxmemory') - argument must be a memory value");
  EXPECT_EQ(Set(&m, {{"save", "3600  1"}}), kFailed + "'save') - Invalid save parameters");
  EXPECT_EQ(Set(&m, {{"loglevel", "notice warning"}}),
            kFailed + "'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning");
  EXPECT_EQ(Set(&m, {{"oom-score-adj-values", ""}}), kFailed + "'oom-score-adj-values') - wrong number of arguments");
  EXPECT_EQ(Set(&m, {{"slave-priority", "x"}}), kFailed + "'slave-priority') - argument couldn't be parsed into an integer");
  m.set_loading(true);
  EXPECT_EQ(Set(&m, {{"appendonly", "yes"}}), "LOADING Redis is loading the dataset in memory");
}

TEST_F(ConfigTest, SetValues) {
  ConfigManager m;
  EXPECT_EQ(Set(&m, {{"maxmemory", "1GB"}, {"timeout", "5"}, {"loglevel", "WARNING"}}), "OK");
  EXPECT_EQ(m.cfg().maxmemory, 1ull << 30);
  EXPECT_EQ(m.cfg().timeout, 5);
  EXPECT_EQ(Get1(m, "loglevel"), "warning");
  EXPECT_EQ(Set(&m, {{"hz", "0"}}), "OK");
  EXPECT_EQ(Get1(m, "hz"), "1");
  EXPECT_EQ(Set(&m, {{"save", ""}, {"bind", "127.0.0.1 ::1"}}), "OK");
  EXPECT_EQ(Get1(m, "save"), "");
  EXPECT_EQ(m.cfg().bind.size(), 2u);
  EXPECT_EQ(Set(&m, {{"client-output-buffer-limit", "pubsub 1mb 2mb 3"}}), "OK");
  EXPECT_EQ(m.cfg().cobl_pubsub.hard, 1u << 20);
  EXPECT_EQ(Set(&m, {{"shutdown-on-sigint", "now save"}}), "OK");
  EXPECT_EQ(Get1(m, "shutdown-on-sigint"), "save now");
  // A name and its alias are distinct entries: no duplicate, last one wins.
  EXPECT_EQ(Set(&m, {{"lua-time-limit", "100"}, {"busy-reply-threshold", "200"}}), "OK");
  EXPECT_EQ(m.cfg().busy_reply_threshold, 200);
  // 2^64 - 1 is accepted by maxmemory and printed back as is.
  EXPECT_EQ(Set(&m, {{"maxmemory", "18446744073709551615"}}), "OK");
  EXPECT_EQ(Get1(m, "maxmemory"), "18446744073709551615");
}

TEST_F(ConfigTest, SetIsAtomic) {
  ConfigManager m;
  EXPECT_NE(Set(&m, {{"hz", "5"}, {"timeout", "7"}, {"port", "abc"}}), "OK");
  EXPECT_EQ(m.cfg().hz, 10);
  EXPECT_EQ(m.cfg().timeout, 0);
}

TEST_F(ConfigTest, ProtectedConfigs) {
  std::filesystem::create_directory("sub");
  ConfigManager yes;
  LoadOk(&yes, "enable-protected-configs yes");
  EXPECT_EQ(Set(&yes, {{"dir", "sub"}}), "OK");
  EXPECT_EQ(Get1(yes, "dir"), dir_ + "/sub");
  EXPECT_EQ(Set(&yes, {{"dir", "/nonexistent"}}),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory");
  EXPECT_EQ(Set(&yes, {{"dbfilename", "a/b"}}),
            "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename");
  ConfigManager local;
  LoadOk(&local, "enable-protected-configs local");
  EXPECT_NE(Set(&local, {{"dbfilename", "x.rdb"}}, false), "OK");
  EXPECT_EQ(Set(&local, {{"dbfilename", "x.rdb"}}, true), "OK");
  EXPECT_EQ(local.cfg().dbfilename, "x.rdb");
}

TEST_F(ConfigTest, HooksRunAndRollBack) {
  ConfigManager m;
  int port_calls = 0, shared_calls = 0;
  bool fail_maxclients = false;
  m.OnChange("port", [&](std::string*) {
    port_calls++;
    return true;
  });
  m.OnChange({"min-replicas-to-write", "min-slaves-max-lag"}, [&](std::string*) {
    shared_calls++;
    return true;
  });
  m.OnChange("maxclients", [&](std::string* err) {
    if (!fail_maxclients) return true;
    *err = "The operating system is not able to handle the specified number of clients, try with 1024";
    return false;
  });
  EXPECT_EQ(Set(&m, {{"port", "7000"}}), "OK");
  EXPECT_EQ(port_calls, 1);
  EXPECT_EQ(Set(&m, {{"port", "7000"}}), "OK");  // unchanged: no hook
  EXPECT_EQ(port_calls, 1);
  EXPECT_EQ(Set(&m, {{"min-slaves-to-write", "1"}, {"min-replicas-max-lag", "3"}}), "OK");
  EXPECT_EQ(shared_calls, 1);  // one shared hook, run once

  fail_maxclients = true;
  EXPECT_EQ(Set(&m, {{"port", "7001"}, {"maxclients", "100000"}, {"timeout", "9"}}),
            "ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not "
            "able to handle the specified number of clients, try with 1024");
  EXPECT_EQ(m.cfg().port, 7000);
  EXPECT_EQ(m.cfg().maxclients, 10000);
  EXPECT_EQ(m.cfg().timeout, 0);
  EXPECT_EQ(port_calls, 3);  // applied, then re-applied after the rollback

  m.OnChange("timeout", [](std::string*) { return false; });
  EXPECT_EQ(Set(&m, {{"timeout", "9"}}), "ERR CONFIG SET failed (possibly related to argument 'timeout')");
}

TEST_F(ConfigTest, Facts) {
  ConfigManager m;
  EXPECT_TRUE(m.IsActive("port"));
  EXPECT_TRUE(m.IsActive("client-output-buffer-limit"));
  EXPECT_TRUE(m.IsActive("appendonly"));
  EXPECT_TRUE(m.IsActive("masterauth"));
  EXPECT_TRUE(m.IsActive("slave-read-only"));  // an alias of an active directive
  EXPECT_TRUE(m.IsActive("cluster-enabled"));
  EXPECT_FALSE(m.IsActive("tls-cluster"));
  EXPECT_FALSE(m.IsActive("no-such-thing"));
  EXPECT_TRUE(m.IsSensitive("requirepass"));
  EXPECT_TRUE(m.IsSensitive("MASTERAUTH"));
  EXPECT_FALSE(m.IsSensitive("port"));
}

// ---------------------------------------------------------------------------
// InactiveUsed()
// ---------------------------------------------------------------------------
TEST_F(ConfigTest, InactiveUsed) {
  ConfigManager m;
  LoadOk(&m, "appendonly yes\nslaveof 1.2.3.4 5\nport 7000\nappendonly yes\nsave \"\"\nloadmodule /x.so\n"
             "hash-max-ziplist-entries 7\nmaxmemory 0\nmy.opt 1\nsentinel\nrename-command a b\n"
             "maxmemory-policy noeviction\n");
  EXPECT_EQ(m.InactiveUsed(),
            (std::vector<std::string>{"loadmodule", "my.opt",
                                      "rename-command"}));  // active (slaveof, an alias) is not named;
                                                            // a bare `sentinel` (from --sentinel) is no directive
  ConfigManager h;
  h.SetRenameCommandHandler([](std::string_view, std::string_view, std::string*) { return true; });
  LoadOk(&h, "rename-command a b\nappendonly yes\nappendonly no\n");
  EXPECT_TRUE(h.InactiveUsed().empty());
}

// ---------------------------------------------------------------------------
// CONFIG REWRITE
// ---------------------------------------------------------------------------
TEST_F(ConfigTest, RewriteWithoutConfigFile) {
  ConfigManager m;
  std::string err;
  EXPECT_FALSE(m.Rewrite(&err));
  EXPECT_EQ(err, "ERR The server is running without a config file");
}

// Loads `path` through the command line as redis-server would.
static void LoadFromFile(ConfigManager* m, const std::string& path) {
  std::string arg0 = "vireo-server", arg1 = path;
  char* argv[] = {arg0.data(), arg1.data()};
  std::string text, file, err, report;
  ASSERT_TRUE(m->BuildFromArgs(2, argv, &text, &file, &err)) << err;
  ASSERT_TRUE(m->Load(text, &report)) << report;
}

TEST_F(ConfigTest, RewriteKeepsCommentsAndReplacesInPlace) {
  WriteFile("inc.conf", "timeout 5\n");
  WriteFile("r.conf",
            "# top comment\n"
            "   # indented comment\n"
            "bind 127.0.0.1\n"
            "save \"\"\n"
            "slave-read-only no\n"
            "hash-max-ziplist-entries 100\n"
            "lua-time-limit 300\n"
            "maxmemory 1gb\n"
            "  maxmemory 2mb\n"
            "\n\n"
            "rename-command flushall \"\"\n"
            "include inc.conf\n"
            "dbfilename \"du mp.rdb\"\n"
            "tcp-keepalive 300\n"
            "loglevel Notice\n"
            "slaveof 127.0.0.1 9999\n"
            "client-output-buffer-limit pubsub 32mb 8mb 60\n"
            "client-output-buffer-limit slave 1gb 8mb 60\n"
            "bind 127.0.0.1 ::1\n");
  ConfigManager m;
  LoadFromFile(&m, "r.conf");
  ASSERT_EQ(Set(&m, {{"maxmemory", "3mb"}, {"timeout", "10"}, {"notify-keyspace-events", "Kx"}}), "OK");
  std::string err;
  ASSERT_TRUE(m.Rewrite(&err)) << err;
  // Same bytes as redis-server 7.0.15 (its appended lines come in hash
  // order; ours in table order).
  EXPECT_EQ(ReadFile("r.conf"),
            "# top comment\n"
            "# indented comment\n"
            "bind 127.0.0.1 ::1\n"
            "save \"\"\n"
            "replica-read-only no\n"
            "hash-max-listpack-entries 100\n"
            "busy-reply-threshold 300\n"
            "maxmemory 3mb\n"
            "\n"
            "rename-command flushall \"\"\n"
            "include inc.conf\n"
            "dbfilename \"du mp.rdb\"\n"
            "tcp-keepalive 300\n"
            "loglevel notice\n"
            "replicaof 127.0.0.1 9999\n"
            "client-output-buffer-limit normal 0 0 0\n"
            "client-output-buffer-limit replica 1gb 8mb 60\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "timeout 10\n"
            "dir \"" + dir_ + "\"\n"
            "notify-keyspace-events \"xK\"\n"
            "latency-tracking-info-percentiles 50 99 99.9\n"
            "user default on nopass ~* &* +@all\n");
  // A second rewrite is stable (the signature is not added twice).
  std::string before = ReadFile("r.conf");
  ASSERT_TRUE(m.Rewrite(&err)) << err;
  EXPECT_EQ(ReadFile("r.conf"), before + "\n");
}

TEST_F(ConfigTest, RewriteUnknownLinesDuplicatesAndPassword) {
  WriteFile("r.conf", "port 7000\nreplica-read-only yes\n");
  ConfigManager m;
  LoadFromFile(&m, "r.conf");
  // Lines added to the file after it was loaded.
  WriteFile("r.conf", ReadFile("r.conf") +
                          "unknownish line here\nbad \"quote\nsentinel monitor x\nuser alice on >pw ~* +get\n"
                          "SLAVE-READ-ONLY no\nfoo.bar 1\n  # Generated by CONFIG REWRITE\nloadmodule /x.so\n");
  ASSERT_EQ(Set(&m, {{"requirepass", "foobar"}, {"bind", "* -::*"}}), "OK");
  std::string err;
  ASSERT_TRUE(m.Rewrite(&err)) << err;
  EXPECT_EQ(ReadFile("r.conf"),
            "port 7000\n"
            "replica-read-only yes\n"
            "# ??? unknownish line here\n"
            "# ??? bad \"quote\n"
            "sentinel monitor x\n"
            "user default on #c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2 ~* &* +@all\n"
            "\n"
            "# ??? foo.bar 1\n"
            "# Generated by CONFIG REWRITE\n"
            "\n"
            "requirepass \"foobar\"\n"
            "dir \"" + dir_ + "\"\n"
            "save 3600 1\n"
            "save 300 100\n"
            "save 60 10000\n"
            "latency-tracking-info-percentiles 50 99 99.9\n");
}

TEST_F(ConfigTest, RewriteCreatesMissingFile) {
  WriteFile("r.conf", "");
  ConfigManager m;
  LoadFromFile(&m, "r.conf");
  std::filesystem::remove("r.conf");
  ASSERT_EQ(Set(&m, {{"save", ""}, {"maxmemory-clients", "5%"}, {"unixsocketperm", "0"}}).substr(0, 3), "ERR");
  ASSERT_EQ(Set(&m, {{"save", ""}, {"maxmemory-clients", "5%"}, {"proto-max-bulk-len", "1000000000"}}), "OK");
  std::string err;
  ASSERT_TRUE(m.Rewrite(&err)) << err;
  EXPECT_EQ(ReadFile("r.conf"),
            "# Generated by CONFIG REWRITE\n"
            "proto-max-bulk-len 1000000000\n"
            "maxmemory-clients 5%\n"
            "dir \"" + dir_ + "\"\n"
            "save \"\"\n"
            "latency-tracking-info-percentiles 50 99 99.9\n"
            "user default on nopass ~* &* +@all\n");
}

}  // namespace
}  // namespace vireo::server
