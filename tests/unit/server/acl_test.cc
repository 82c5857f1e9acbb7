// ACL rule parser, describer and matcher (server/acl.h), and the check at
// dispatch through an in-process server.
//
// Covers: the rule language (flags, passwords, key / channel patterns,
// commands, categories, first-args, selectors, reset) and its errors; the
// description Redis prints back; key extraction from key specs (index,
// keyword, keynum, the SET / SORT fallbacks) with read/write flags; the
// selector check order; PSUBSCRIBE's literal channel match; NOPERM and the
// ACL LOG through the dispatcher, and the superuser fast path.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "in_process.h"
#include "server/acl.h"

namespace vireo::server {
namespace {

using acl::ApplyRule;
using acl::User;

User Make(std::initializer_list<const char*> rules) {
  User u;
  u.name = "u";
  for (const char* r : rules) {
    std::string err;
    EXPECT_TRUE(ApplyRule(&u, r, &err)) << r << ": " << err;
  }
  return u;
}

std::string RuleError(std::initializer_list<const char*> rules) {
  User u;
  std::string err;
  for (const char* r : rules)
    if (!ApplyRule(&u, r, &err)) return err;
  return "";
}

TEST(AclRules, NewUserIsOffWithNothing) {
  User u;
  EXPECT_EQ(acl::DescribeUser(u), "off resetchannels -@all");
  EXPECT_FALSE(u.superuser);
}

TEST(AclRules, DefaultUserIsSuperuser) {
  auto d = acl::MakeDefaultUser();
  EXPECT_TRUE(d->superuser);
  EXPECT_EQ(acl::DescribeUser(*d), "on nopass ~* &* +@all");
}

TEST(AclRules, PasswordsAreSha256AndDeduplicated) {
  User u = Make({">p1", ">p1", ">p2", "<p1"});
  ASSERT_EQ(u.passwords.size(), 1u);
  EXPECT_EQ(u.passwords[0], "3946ca64ff78d93ca61090a437cbb6b3d2ca0d488f5f9ccf3059608368b27693");  // sha256("p2")
  u = Make({"nopass"});
  EXPECT_TRUE(u.flags & acl::kUserNopass);
  u = Make({"nopass", ">x"});
  EXPECT_FALSE(u.flags & acl::kUserNopass);
  EXPECT_EQ(RuleError({"<nope"}), "The password you are trying to remove from the user does not exist");
  EXPECT_EQ(RuleError({"#abc"}),
            "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
            "characters");
}

TEST(AclRules, KeyPatternsMergeFlags) {
  User u = Make({"%R~a*", "%W~a*", "%W~b*", "~c*"});
  EXPECT_EQ(acl::DescribeUser(u), "off ~a* %W~b* ~c* resetchannels -@all");
  EXPECT_EQ(RuleError({"allkeys", "~x"}).substr(0, 28), "Adding a pattern after the *");
  EXPECT_EQ(RuleError({"%X~x"}), "Syntax error");
  EXPECT_EQ(RuleError({"%RR~x"}), "Syntax error");
  u = Make({"~a", "allkeys"});
  EXPECT_TRUE(u.selectors[0].keys.empty());
}

TEST(AclRules, CommandsAndCategories) {
  User u = Make({"+@all", "-@dangerous"});
  EXPECT_EQ(acl::DescribeCommandRules(u.selectors[0]), "+@all -@dangerous");
  u = Make({"allcommands", "-config|set"});
  EXPECT_EQ(acl::DescribeCommandRules(u.selectors[0]), "+@all -config|set");
  u = Make({"nocommands", "+select|0", "+SELECT|0"});
  EXPECT_EQ(acl::DescribeCommandRules(u.selectors[0]), "-@all +select|0");
  EXPECT_EQ(RuleError({"+nosuch"}), "Unknown command or category name in ACL");
  EXPECT_EQ(RuleError({"+@nosuch"}), "Unknown command or category name in ACL");
  EXPECT_EQ(RuleError({"+config|get|x"}), "Allowing first-arg of a subcommand is not supported");
  EXPECT_EQ(RuleError({"+debug|"}), "Syntax error");
  EXPECT_EQ(RuleError({"bogus"}), "Syntax error");
}

TEST(AclRules, SelectorsAndReset) {
  User u = Make({"on", "(~a* +get)", "(%R~b* +@read)"});
  ASSERT_EQ(u.selectors.size(), 3u);
  EXPECT_EQ(acl::DescribeUser(u),
            "on resetchannels -@all (~a* resetchannels -@all +get) (%R~b* resetchannels -@all +@read)");
  u = Make({"clearselectors"});
  EXPECT_EQ(u.selectors.size(), 1u);
  u = Make({"on", ">x", "~*", "&*", "+@all", "(~a +get)", "reset"});
  EXPECT_EQ(acl::DescribeUser(u), "off sanitize-payload resetchannels -@all");
}

TEST(AclRules, MergeSelectorArguments) {
  std::vector<std::string> out;
  size_t bad = 0;
  EXPECT_TRUE(acl::MergeSelectorArgs({"on", "(~a", "+get)", "(+set)"}, &out, &bad));
  EXPECT_EQ(out, (std::vector<std::string>{"on", "(~a +get)", "(+set)"}));
  EXPECT_FALSE(acl::MergeSelectorArgs({"on", "(~a", "+get"}, &out, &bad));
  EXPECT_EQ(bad, 1u);
}

class AclCheck : public testing::InProcessServer {
 protected:
  int Check(const User& u, std::vector<std::string_view> argv, int* idx = nullptr) {
    Command* cmd = srv.commands().Lookup(argv);
    EXPECT_NE(cmd, nullptr);
    int i = 0;
    int r = acl::CheckCommand(u, cmd, argv, &i);
    if (idx) *idx = i;
    return r;
  }
  std::vector<acl::KeyRef> Keys(std::vector<std::string_view> argv) {
    std::vector<acl::KeyRef> out;
    acl::GetKeys(srv.commands().Lookup(argv), argv, &out);
    return out;
  }
};

TEST_F(AclCheck, KeysFromSpecs) {
  auto k = Keys({"mset", "a", "1", "b", "2"});
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k[0].pos, 1);
  EXPECT_EQ(k[1].pos, 3);
  k = Keys({"zunionstore", "d", "2", "x", "y", "weights", "1", "2"});
  ASSERT_EQ(k.size(), 3u);
  EXPECT_EQ(k[2].pos, 4);
  k = Keys({"zunionstore", "d", "nan", "x"});  // invalid numkeys: no keys
  EXPECT_TRUE(k.empty());
  k = Keys({"sort", "l", "by", "w*", "store", "dst"});
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k[1].pos, 5);
  k = Keys({"set", "k", "v", "get"});
  ASSERT_EQ(k.size(), 1u);
  EXPECT_TRUE(k[0].flags & kKsAccess);
  k = Keys({"set", "k", "v"});
  EXPECT_FALSE(k[0].flags & kKsAccess);
}

TEST_F(AclCheck, ReadWritePatterns) {
  User u = Make({"on", "+@all", "%R~r:*", "%W~w:*"});
  EXPECT_EQ(Check(u, {"get", "r:1"}), acl::kOk);
  EXPECT_EQ(Check(u, {"get", "w:1"}), acl::kDeniedKey);
  EXPECT_EQ(Check(u, {"set", "w:1", "v"}), acl::kOk);
  EXPECT_EQ(Check(u, {"set", "w:1", "v", "get"}), acl::kDeniedKey);
  int idx = 0;
  EXPECT_EQ(Check(u, {"copy", "r:1", "w:2"}), acl::kOk);
  EXPECT_EQ(Check(u, {"copy", "w:1", "r:2"}, &idx), acl::kDeniedKey);
  EXPECT_EQ(idx, 1);
}

TEST_F(AclCheck, PrefixOnlyUserFastPath) {
  User u = Make({"on", "+@all", "~app:*", "~b*"});
  EXPECT_TRUE(u.prefix_keys_only);
  int idx = 0;
  EXPECT_EQ(Check(u, {"get", "app:1"}), acl::kOk);
  EXPECT_EQ(Check(u, {"get", "b"}), acl::kOk);
  EXPECT_EQ(Check(u, {"get", "c"}), acl::kDeniedKey);
  EXPECT_EQ(Check(u, {"set", "app:1", "v", "get"}), acl::kOk);
  EXPECT_FALSE(Make({"on", "+@all", "~b"}).prefix_keys_only);  // not a "literal*" pattern
  EXPECT_FALSE(Make({"on", "+@all", "~a?*"}).prefix_keys_only);
  EXPECT_EQ(Check(u, {"set", "x", "v"}, &idx), acl::kDeniedKey);
  EXPECT_EQ(idx, 1);
  EXPECT_EQ(Check(u, {"mset", "app:1", "v", "x", "v"}, &idx), acl::kDeniedKey);
  EXPECT_EQ(idx, 3);
  EXPECT_EQ(Check(u, {"ping"}), acl::kOk);
  EXPECT_FALSE(Make({"on", "+@all", "%R~app:*"}).prefix_keys_only);
  EXPECT_FALSE(Make({"on", "+@all", "-ping", "~app:*"}).prefix_keys_only);
  EXPECT_FALSE(Make({"on", "+@all", "~app:*", "(~x* +get)"}).prefix_keys_only);
}

TEST_F(AclCheck, SelectorsAreTriedInOrderAndTheLastDenialWins) {
  User u = Make({"on", "~a*", "+get", "(~b* +set)"});
  EXPECT_EQ(Check(u, {"get", "a1"}), acl::kOk);
  EXPECT_EQ(Check(u, {"set", "b1", "v"}), acl::kOk);
  EXPECT_EQ(Check(u, {"set", "a1", "v"}), acl::kDeniedKey);
  EXPECT_EQ(Check(u, {"incr", "a1"}), acl::kDeniedCmd);
}

TEST_F(AclCheck, FirstArgsAndSubcommands) {
  User u = Make({"on", "~*", "nocommands", "+select|0", "+config|get"});
  EXPECT_EQ(Check(u, {"select", "0"}), acl::kOk);
  EXPECT_EQ(Check(u, {"select", "1"}), acl::kDeniedCmd);
  EXPECT_EQ(Check(u, {"config", "get", "x"}), acl::kOk);
  EXPECT_EQ(Check(u, {"config", "set", "x", "y"}), acl::kDeniedCmd);
  EXPECT_EQ(Check(u, {"auth", "a", "b"}), acl::kOk);  // no-auth commands always run
}

TEST(AclChannels, PatternsMatchLiterallyForPsubscribe) {
  User u = Make({"resetchannels", "&news.*"});
  EXPECT_TRUE(acl::ChannelAllowed(u, "news.sport", false));
  EXPECT_FALSE(acl::ChannelAllowed(u, "news.*x", true));
  EXPECT_TRUE(acl::ChannelAllowed(u, "news.*", true));
  EXPECT_FALSE(acl::ChannelAllowed(u, "other", false));
  u = Make({"allchannels"});
  EXPECT_TRUE(acl::ChannelAllowed(u, "anything*", true));
}

TEST_F(AclCheck, DispatchRepliesNopermAndLogs) {
  acl::Acl& a = acl::Get();
  ASSERT_EQ(a.SetUser("t1", {"on", "nopass", "~app:*", "+get", "+multi", "+exec"}), "");
  Client c{&srv};
  c.user = a.Find("t1");
  a.ResetLog();
  EXPECT_EQ(Run(c, {"GET", "app:1"}), "$-1\r\n");
  EXPECT_EQ(Run(c, {"GET", "x"}),
            "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n");
  EXPECT_EQ(Run(c, {"INCR", "app:1"}),
            "-NOPERM this user has no permissions to run the 'incr' command\r\n");
  EXPECT_EQ(Run(c, {"GET", "x"}).substr(0, 7), "-NOPERM");
  ASSERT_EQ(a.log().size(), 2u);
  EXPECT_EQ(a.log()[0].reason, acl::kDeniedKey);
  EXPECT_EQ(a.log()[0].count, 2u);
  EXPECT_EQ(a.log()[0].object, "x");
  EXPECT_EQ(a.log()[1].object, "incr");
  // queue-time check in MULTI, and EXEC aborts
  EXPECT_EQ(Run(c, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Run(c, {"INCR", "app:1"}).substr(0, 7), "-NOPERM");
  EXPECT_EQ(a.log()[0].context, acl::kCtxMulti);
  EXPECT_EQ(Run(c, {"EXEC"}).substr(0, 10), "-EXECABORT");
  // internal clients (no user) and superusers are not checked
  Client internal{&srv};
  EXPECT_EQ(Run(internal, {"INCR", "n"}), ":1\r\n");
  c.user = a.default_user();
  EXPECT_EQ(Run(c, {"INCR", "n"}), ":2\r\n");
  EXPECT_TRUE(a.DelUser("t1", nullptr));
  a.ResetLog();
}

// The pub/sub side installs the lister; here a map stands in for it.
std::map<const Client*, std::pair<std::vector<std::string>, std::vector<std::string>>>* g_subs;
void FakeLister(Client& c, std::vector<std::string>* channels, std::vector<std::string>* patterns) {
  auto it = g_subs->find(&c);
  if (it == g_subs->end()) return;
  *channels = it->second.first;
  *patterns = it->second.second;
}

TEST_F(AclCheck, SetuserKillsSubscribersThatLostTheirChannels) {
  acl::Acl& a = acl::Get();
  std::map<const Client*, std::pair<std::vector<std::string>, std::vector<std::string>>> subs;
  g_subs = &subs;
  a.SetSubscriptionLister(FakeLister);
  ASSERT_EQ(a.SetUser("ps", {"on", "nopass", "+@all", "resetchannels", "&foo", "&bar:*"}), "");
  Client chan{&srv}, pat{&srv}, other{&srv};
  for (Client* c : {&chan, &pat, &other}) {
    srv.LinkClient(c);
    c->user = a.Find("ps");
  }
  subs[&chan] = {{"foo"}, {}};
  subs[&pat] = {{}, {"bar:*"}};
  // a superset of the old channels kills nobody
  ASSERT_EQ(a.SetUser("ps", {"&baz"}), "");
  EXPECT_FALSE(chan.closed() || pat.closed() || other.closed());
  // losing the literal "bar:*" kills the PSUBSCRIBE client only
  ASSERT_EQ(a.SetUser("ps", {"resetchannels", "&foo", "&bar:1"}), "");
  EXPECT_FALSE(chan.closed());
  EXPECT_TRUE(pat.closed());
  EXPECT_FALSE(other.closed());
  ASSERT_EQ(a.SetUser("ps", {"resetchannels"}), "");
  EXPECT_TRUE(chan.closed());
  EXPECT_FALSE(other.closed());
  a.SetSubscriptionLister(nullptr);
  EXPECT_TRUE(a.DelUser("ps", nullptr));
  EXPECT_TRUE(other.closed());  // its user was deleted
  EXPECT_EQ(other.user, a.default_user());
  EXPECT_FALSE(other.authenticated);
}

}  // namespace
}  // namespace vireo::server
