// Outbound TCP sockets (see tcp.h).
#include "net/tcp.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vireo::net {

bool ParseNumericAddress(const std::string& host, int port, sockaddr_storage* ss, socklen_t* len) {
  memset(ss, 0, sizeof(*ss));
  auto* v4 = reinterpret_cast<sockaddr_in*>(ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    *len = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    *len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

bool ResolveAddress(const std::string& host, int port, sockaddr_storage* ss, socklen_t* len,
                    std::string* err) {
  if (ParseNumericAddress(host, port, ss, len)) return true;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || res == nullptr) {
    *err = rc != 0 ? gai_strerror(rc) : "no address";
    return false;
  }
  memset(ss, 0, sizeof(*ss));
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  *len = static_cast<socklen_t>(res->ai_addrlen);
  freeaddrinfo(res);
  if (ss->ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(ss)->sin_port = htons(static_cast<uint16_t>(port));
  } else if (ss->ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(ss)->sin6_port = htons(static_cast<uint16_t>(port));
  } else {
    *err = "unsupported address family";
    return false;
  }
  return true;
}

bool NormalizeIp(const std::string& ip, std::string* out) {
  sockaddr_storage ss;
  socklen_t len;
  if (!ParseNumericAddress(ip, 0, &ss, &len)) return false;
  char buf[INET6_ADDRSTRLEN];
  const void* addr = ss.ss_family == AF_INET
                         ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&ss)->sin_addr)
                         : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr);
  if (!inet_ntop(ss.ss_family, addr, buf, sizeof(buf))) return false;
  *out = buf;
  return true;
}

int TcpConnect(const std::string& host, int port, const std::string& source_addr, std::string* err,
               int* connect_errno) {
  *connect_errno = 0;
  if (port <= 0 || port > 65535) {
    *err = "invalid port";
    return -1;
  }
  sockaddr_storage ss;
  socklen_t sslen = 0;
  if (!ResolveAddress(host, port, &ss, &sslen, err)) return -1;
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = strerror(errno);
    return -1;
  }
  int one = 1;
  // Why both, as Redis's anetTcpNonBlockConnect callers do: messages are
  // small and latency matters (Nagle off), and a dead peer behind a silent
  // network must eventually be noticed (keepalive).
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  if (!source_addr.empty()) {
    sockaddr_storage src;
    socklen_t srclen = 0;
    if (!ParseNumericAddress(source_addr, 0, &src, &srclen) || src.ss_family != ss.ss_family) {
      ::close(fd);
      *err = "invalid source address " + source_addr;
      return -1;
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), srclen) != 0) {
      *err = strerror(errno);
      ::close(fd);
      return -1;
    }
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), sslen) != 0 && errno != EINPROGRESS) {
    *connect_errno = errno;
    *err = strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace vireo::net
