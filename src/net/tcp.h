// Outbound TCP sockets: address parsing and resolution, and Redis's
// anetTcpNonBlockConnect (non-blocking, Nagle off, keepalive, an optional
// source address). Shared by RedisLink (Sentinel's links) and the cluster
// bus, whose links are raw sockets with their own framing.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

namespace vireo::net {

// A numeric address (IPv4, then IPv6) with `port` into *ss; false when
// `host` is not one.
bool ParseNumericAddress(const std::string& host, int port, sockaddr_storage* ss, socklen_t* len);
// A numeric address, else the first address getaddrinfo gives (blocking,
// as Redis's anetResolve).
bool ResolveAddress(const std::string& host, int port, sockaddr_storage* ss, socklen_t* len,
                    std::string* err);
// The canonical text of a numeric IPv4/IPv6 address ("::1", "127.0.0.1");
// false when `ip` is not one (Redis's clusterStartHandshake normalization).
bool NormalizeIp(const std::string& ip, std::string* out);

// A socket connecting to host:port (the connect may still be in progress:
// wait for writability and read SO_ERROR). *connect_errno gets the errno
// of a connect that failed at once (loopback refuses immediately), with
// the socket already closed and -1 returned; other failures return -1
// with *err set and *connect_errno 0.
int TcpConnect(const std::string& host, int port, const std::string& source_addr, std::string* err,
               int* connect_errno);

}  // namespace vireo::net
