// See listener.h.
#include "net/listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vireo::net {

namespace {
// Redis's MAX_ACCEPTS_PER_CALL.
constexpr int kMaxAcceptsPerCall = 1000;

std::string FormatAddr(const sockaddr* sa) {
  char ip[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET) {
    auto* s = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
    return std::string(ip) + ":" + std::to_string(ntohs(s->sin_port));
  }
  auto* s = reinterpret_cast<const sockaddr_in6*>(sa);
  inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
  // Why: Redis's formatAddr brackets IPv6 addresses: "[::1]:6379".
  return "[" + std::string(ip) + "]:" + std::to_string(ntohs(s->sin6_port));
}

std::string SockName(int fd, bool peer) {
  sockaddr_storage sa;
  socklen_t len = sizeof(sa);
  int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len)
                : getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  if (rc != 0 || (sa.ss_family != AF_INET && sa.ss_family != AF_INET6)) return "?:0";
  return FormatAddr(reinterpret_cast<sockaddr*>(&sa));
}
}  // namespace

std::string PeerAddress(int fd) { return SockName(fd, true); }
std::string LocalAddress(int fd) { return SockName(fd, false); }

std::unique_ptr<Listener> Listener::OpenTcp(EventLoop* loop, const std::string& addr, int port,
                                            int backlog, std::string* err, int* err_no) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  const char* host = addr.c_str();
  // Why: as Redis's anetTcpServer, "*" binds every IPv4 address and "::*"
  // every IPv6 one.
  if (addr == "*") {
    hints.ai_family = AF_INET;
    host = nullptr;
  } else if (addr == "::*") {
    hints.ai_family = AF_INET6;
    host = nullptr;
  } else {
    hints.ai_family = AF_UNSPEC;
  }
  std::string service = std::to_string(port);
  addrinfo* res = nullptr;
  int rv = getaddrinfo(host, service.c_str(), &hints, &res);
  if (rv != 0) {
    *err = gai_strerror(rv);
    *err_no = rv == EAI_SYSTEM ? errno : EADDRNOTAVAIL;
    return nullptr;
  }
  std::unique_ptr<Listener> l;
  for (addrinfo* p = res; p; p = p->ai_next) {
    int fd = socket(p->ai_family, p->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, p->ai_protocol);
    if (fd < 0) {
      *err_no = errno;
      *err = std::string("socket: ") + strerror(errno);
      continue;
    }
    int one = 1;
    if (p->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, p->ai_addr, p->ai_addrlen) != 0) {
      *err_no = errno;
      *err = std::string("bind: ") + strerror(errno);
      ::close(fd);
      break;
    }
    if (listen(fd, backlog) != 0) {
      *err_no = errno;
      *err = std::string("listen: ") + strerror(errno);
      ::close(fd);
      break;
    }
    l.reset(new Listener(loop, fd));
    // The address as bound (the port is known even when 0 was asked).
    l->laddr_ = SockName(fd, false);
    break;
  }
  freeaddrinfo(res);
  return l;
}

std::unique_ptr<Listener> Listener::OpenUnix(EventLoop* loop, const std::string& path, int perm,
                                             int backlog, std::string* err) {
  sockaddr_un sa{};
  if (path.size() >= sizeof(sa.sun_path)) {
    *err = "unix socket path too long";
    return nullptr;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = strerror(errno);
    return nullptr;
  }
  unlink(path.c_str());
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, path.data(), path.size());
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || listen(fd, backlog) != 0) {
    *err = strerror(errno);
    ::close(fd);
    return nullptr;
  }
  if (perm) chmod(path.c_str(), static_cast<mode_t>(perm));
  std::unique_ptr<Listener> l(new Listener(loop, fd));
  l->unix_ = true;
  l->path_ = path;
  l->laddr_ = path + ":0";
  return l;
}

Listener::~Listener() {
  if (started_) loop_->Remove(fd_);
  ::close(fd_);
}

bool Listener::Start(AcceptFn fn) {
  on_accept_ = std::move(fn);
  started_ = loop_->Add(fd_, EventLoop::kReadable, this);
  return started_;
}

void Listener::OnEvents(uint32_t) {
  for (int i = 0; i < kMaxAcceptsPerCall; i++) {
    int fd = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN: drained; other errors: Redis logs and goes on
    }
    on_accept_(fd, this);
  }
}

}  // namespace vireo::net
