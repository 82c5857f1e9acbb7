// What the in-process command tests share: a real Server without sockets,
// a propagation sink that records what would reach the AOF and replicas,
// and the reply bytes of a socket-less client.
#pragma once

#include <gtest/gtest.h>
#include <sys/uio.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/registry.h"
#include "server/client.h"
#include "server/server.h"

namespace vireo::server::testing {

// Drains the client's reply buffer.
inline std::string Replies(Client& c) {
  std::string s;
  protocol::ReplyBuffer& out = c.out();
  while (!out.empty()) {
    struct iovec iov[16];
    int n = out.FillIov(iov, 16);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
      s.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
      total += iov[i].iov_len;
    }
    out.Consume(total);
  }
  return s;
}

// Records each propagated command as "db:ARG ARG ..." (or "ARG ARG ..."
// without with_db).
class RecordingSink : public PropagationSink {
 public:
  explicit RecordingSink(bool with_db = true) : with_db_(with_db) {}
  std::vector<std::string> fed;
  // Records what replicas and the AOF would both receive.
  int target() const override { return server::kPropagateAll; }
  void Feed(int dbid, std::span<const std::string_view> argv) override {
    std::string line = with_db_ ? std::to_string(dbid) + ":" : std::string();
    for (size_t i = 0; i < argv.size(); i++) {
      if (i) line += ' ';
      line += argv[i];
    }
    fed.push_back(line);
  }
  // What was recorded since the last call.
  std::vector<std::string> Take() {
    auto f = std::move(fed);
    fed.clear();
    return f;
  }

 private:
  bool with_db_;
};

// A fixture with an initialized Server whose propagation goes to `sink`.
class InProcessServer : public ::testing::Test {
 protected:
  explicit InProcessServer(bool sink_with_db = true) : sink(sink_with_db) {
    commands::RegisterAllCommands(srv.commands());
    std::string err;
    EXPECT_TRUE(srv.Init(&err)) << err;
    srv.propagator().AddSink(&sink);
    srv.UpdateTime();
  }
  ~InProcessServer() override { srv.propagator().RemoveSink(&sink); }

  // Runs one command for `c` and returns its reply bytes.
  std::string Run(Client& c, std::vector<std::string_view> args) {
    srv.UpdateTime();
    c.Execute(args);
    return Replies(c);
  }

  Server srv;
  RecordingSink sink;
};

}  // namespace vireo::server::testing
