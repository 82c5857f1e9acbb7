// Listener: a listening socket (TCP or unix) on the EventLoop, accepting up
// to 1000 connections per readiness event (Redis's MAX_ACCEPTS_PER_CALL) and
// handing each non-blocking socket to the owner.
//
// Opening follows Redis's anet: getaddrinfo on the bind address ("*" is any
// IPv4 address, "::*" any IPv6 one), SO_REUSEADDR, IPV6_V6ONLY for IPv6
// sockets, bind, listen(backlog). Which addresses to open, and what to do
// when one fails, is the server's policy (server.cc).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "net/event_loop.h"

namespace vireo::net {

// "ip:port" of a connected TCP socket's peer / local end, as Redis formats
// them ("[::1]:6379" for IPv6); "?:0" when unknown.
std::string PeerAddress(int fd);
std::string LocalAddress(int fd);

class Listener final : public EventLoop::Handler {
 public:
  // fd: an accepted non-blocking socket, owned by the callee.
  using AcceptFn = std::function<void(int fd, Listener* from)>;

  // A TCP listener on `addr` ("*", "::*", an address or a host name) and
  // `port`. On failure returns nullptr with *err ("bind: Address already in
  // use") and *err_no set.
  static std::unique_ptr<Listener> OpenTcp(EventLoop* loop, const std::string& addr, int port,
                                           int backlog, std::string* err, int* err_no);
  // A unix socket listener at `path` (an old socket file is removed first);
  // perm != 0 chmods it.
  static std::unique_ptr<Listener> OpenUnix(EventLoop* loop, const std::string& path, int perm,
                                            int backlog, std::string* err);
  ~Listener() override;

  // Starts accepting; false when the loop refuses the socket.
  bool Start(AcceptFn fn);

  bool unix_socket() const { return unix_; }
  // "ip:port" as Redis prints local addresses ("[::1]:6379"), or "path:0".
  const std::string& laddr() const { return laddr_; }
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }

  void OnEvents(uint32_t events) override;

 private:
  Listener(EventLoop* loop, int fd) : loop_(loop), fd_(fd) {}

  EventLoop* loop_;
  int fd_;
  bool unix_ = false;
  bool started_ = false;
  std::string laddr_;
  std::string path_;
  AcceptFn on_accept_;
};

}  // namespace vireo::net
