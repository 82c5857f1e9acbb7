// The cluster bus message codec (see bus_message.h): clusterMsg's bytes,
// Redis 7.0.15's framing and packet checks, and the writers of each type.
#include "cluster/bus_message.h"

#include <fmt/format.h>

#include <cstring>

namespace vireo::cluster {
namespace {

// Header field offsets (cluster.h's static_asserts on offsetof(clusterMsg)).
constexpr size_t kOffTotlen = 4;
constexpr size_t kOffVer = 8;
constexpr size_t kOffPort = 10;
constexpr size_t kOffType = 12;
constexpr size_t kOffCount = 14;
constexpr size_t kOffCurrentEpoch = 16;
constexpr size_t kOffConfigEpoch = 24;
constexpr size_t kOffOffset = 32;
constexpr size_t kOffSender = 40;
constexpr size_t kOffSlots = 80;
constexpr size_t kOffSlaveof = 2128;
constexpr size_t kOffMyip = 2168;
constexpr size_t kOffExtensions = 2214;
constexpr size_t kOffPport = 2246;
constexpr size_t kOffCport = 2248;
constexpr size_t kOffFlags = 2250;
constexpr size_t kOffState = 2252;
constexpr size_t kOffMflags = 2253;
static_assert(kOffMflags + 3 == kHeaderLen);
static_assert(kOffSlots + kSlots / 8 == kOffSlaveof);

// Offsets inside one clusterMsgDataGossip.
constexpr size_t kGossipPingSent = 40;
constexpr size_t kGossipPongReceived = 44;
constexpr size_t kGossipIp = 48;
constexpr size_t kGossipPort = 94;
constexpr size_t kGossipCport = 96;
constexpr size_t kGossipFlags = 98;
constexpr size_t kGossipPport = 100;  // then notused1[2]
static_assert(kGossipPport + 4 == kGossipLen);
static_assert(kGossipIp + kIpLen == kGossipPort);
static_assert(kUpdateLen == 8 + kNameLen + kSlots / 8);

// The smallest frame clusterReadHandler lets through ("RCmb" + totlen).
constexpr size_t kFramePrefix = 8;

// --- big-endian fields ------------------------------------------------------

uint16_t Get16(std::string_view b, size_t off) {
  auto p = reinterpret_cast<const uint8_t*>(b.data()) + off;
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

uint32_t Get32(std::string_view b, size_t off) {
  auto p = reinterpret_cast<const uint8_t*>(b.data()) + off;
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

uint64_t Get64(std::string_view b, size_t off) { return uint64_t(Get32(b, off)) << 32 | Get32(b, off + 4); }

void Put16(std::string& b, size_t off, uint16_t v) {
  b[off] = static_cast<char>(v >> 8);
  b[off + 1] = static_cast<char>(v);
}

void Put32(std::string& b, size_t off, uint32_t v) {
  Put16(b, off, static_cast<uint16_t>(v >> 16));
  Put16(b, off + 2, static_cast<uint16_t>(v));
}

void Put64(std::string& b, size_t off, uint64_t v) {
  Put32(b, off, static_cast<uint32_t>(v >> 32));
  Put32(b, off + 4, static_cast<uint32_t>(v));
}

// A fixed-size field written zero padded (the buffer is zeroed first, as
// Redis memsets the header) and cut at its size.
void PutFixed(std::string& b, size_t off, std::string_view s, size_t size) {
  size_t n = s.size() < size ? s.size() : size;
  if (n) memcpy(&b[off], s.data(), n);
}

// A C string inside a fixed field: up to its first NUL, at most max bytes.
std::string GetCString(std::string_view b, size_t off, size_t max) {
  std::string_view f = b.substr(off, max);
  return std::string(f.substr(0, f.find('\0')));
}

bool AllZero(std::string_view b) {
  for (char c : b)
    if (c) return false;
  return true;
}

bool IsPingType(uint16_t t) { return t == kMsgPing || t == kMsgPong || t == kMsgMeet; }

// getHostnamePingExtSize: the 8-byte extension header plus the hostname,
// its NUL and padding up to a multiple of 8 (EIGHT_BYTE_ALIGN).
size_t HostnameExtSize(size_t len) { return kPingExtHeaderLen + (len + 1 + 7) / 8 * 8; }

// Redis's log line for a packet whose totlen is not the one its type needs.
bool BadLength(std::string* err, uint16_t type, uint64_t totlen, uint64_t explen) {
  *err = fmt::format("Received invalid {} packet of length {} but expected length {}", MsgTypeName(type), totlen,
                     explen);
  return false;
}

// clusterProcessPacket's extension walk over a PING/PONG/MEET. *explen comes
// in as header + gossip and leaves with the extensions' lengths added.
bool WalkPingExtensions(std::string_view f, uint16_t type, uint16_t extensions, uint64_t* explen,
                        std::string* err) {
  const uint64_t totlen = f.size();
  uint64_t pos = *explen;  // where Redis's ext pointer is
  while (extensions--) {
    // Redis reads the header wherever the pointer is; one outside the
    // packet is past the bytes it read (its result undefined): reject.
    if (pos + kPingExtHeaderLen > totlen) {
      *err = fmt::format(
          "Received invalid {} packet with extension data that exceeds total packet length ({})",
          MsgTypeName(type), totlen);
      return false;
    }
    uint32_t len32 = Get32(f, pos);
    // Why uint16_t: Redis keeps getPingExtLength's 32-bit length in a
    // uint16_t extlen for the checks and explen, while getNextPingExt
    // advances by all 32 bits. A non-last extension longer than 65535
    // therefore puts the next header past the end (rejected above); a last
    // one is accepted on its low 16 bits, as Redis does.
    auto extlen = static_cast<uint16_t>(len32);
    if (extlen % 8 != 0) {
      *err = fmt::format("Received a {} packet without proper padding ({} bytes)", MsgTypeName(type),
                         int(extlen));
      return false;
    }
    // explen <= pos < totlen here, so Redis's unsigned subtraction cannot wrap.
    if (totlen - *explen < extlen) {
      *err = fmt::format(
          "Received invalid {} packet with extension data that exceeds total packet length ({})",
          MsgTypeName(type), totlen);
      return false;
    }
    *explen += extlen;
    pos += len32;
  }
  return true;
}

// clusterProcessPingExtensions over a packet the walk accepted: the last
// hostname extension wins, unknown types are listed for the caller's log.
bool ReadPingExtensions(std::string_view f, uint16_t extensions, size_t pos, Message* out, std::string* err) {
  while (extensions--) {
    uint32_t len32 = Get32(f, pos);
    uint16_t ext_type = Get16(f, pos + 4);
    if (ext_type == kExtHostname) {
      // Redis takes the hostname as a C string at the extension's data, so
      // it runs up to the first NUL even past this extension; none before
      // the end of the packet would be read past it.
      size_t start = pos + kPingExtHeaderLen;
      size_t nul = f.find('\0', start);
      if (nul == std::string_view::npos) {
        *err = fmt::format("Received a {} packet whose hostname extension is not NUL terminated",
                           MsgTypeName(out->type));
        return false;
      }
      out->hostname.assign(f.substr(start, nul - start));
    } else {
      out->unknown_ext_types.push_back(ext_type);
    }
    pos += len32;
  }
  return true;
}

void DecodeGossip(std::string_view g, Gossip* e) {
  e->name.assign(g.substr(0, kNameLen));
  e->ping_sent = Get32(g, kGossipPingSent);
  e->pong_received = Get32(g, kGossipPongReceived);
  e->ip = GetCString(g, kGossipIp, kIpLen);
  e->port = Get16(g, kGossipPort);
  e->cport = Get16(g, kGossipCport);
  e->flags = Get16(g, kGossipFlags);
  e->pport = Get16(g, kGossipPport);
}

bool DecodePing(std::string_view f, Message* out, std::string* err) {
  uint16_t count = Get16(f, kOffCount);
  uint16_t extensions = Get16(f, kOffExtensions);
  uint64_t explen = kHeaderLen + uint64_t(kGossipLen) * count;
  bool ext_data = out->mflags0 & kMfExtData;
  if (ext_data) {
    if (!WalkPingExtensions(f, out->type, extensions, &explen, err)) return false;
  } else if (extensions != 0 && explen == f.size()) {
    // Redis checks the extensions only under the EXT_DATA flag, but
    // clusterProcessPingExtensions walks `extensions` of them anyway:
    // past the end of this packet.
    *err = fmt::format("Received a {} packet with {} extensions but no extension data",
                       MsgTypeName(out->type), extensions);
    return false;
  }
  if (explen != f.size()) return BadLength(err, out->type, f.size(), explen);
  out->gossip.resize(count);
  for (size_t i = 0; i < count; i++)
    DecodeGossip(f.substr(kHeaderLen + i * kGossipLen, kGossipLen), &out->gossip[i]);
  if (!ext_data) return true;
  return ReadPingExtensions(f, extensions, kHeaderLen + size_t(count) * kGossipLen, out, err);
}

// PUBLISH and MODULE carry their lengths in the body: a frame too short to
// hold them fails as a length mismatch against the smallest valid one.
bool DecodeBody(std::string_view f, Message* out, std::string* err) {
  const uint64_t totlen = f.size();
  std::string_view d = f.substr(kHeaderLen);
  switch (out->type) {
    case kMsgPing:
    case kMsgPong:
    case kMsgMeet:
      return DecodePing(f, out, err);
    case kMsgFail:
      if (totlen != kHeaderLen + kFailLen) return BadLength(err, out->type, totlen, kHeaderLen + kFailLen);
      out->fail_name.assign(d.substr(0, kNameLen));
      return true;
    case kMsgPublish:
    case kMsgPublishShard: {
      if (d.size() < kPublishHeadLen) return BadLength(err, out->type, totlen, kHeaderLen + kPublishHeadLen);
      uint32_t channel_len = Get32(d, 0), message_len = Get32(d, 4);
      // 64-bit sum: Redis's 32-bit explen can wrap to match a short frame
      // with lengths it would then copy from far past the packet.
      uint64_t explen = kHeaderLen + kPublishHeadLen + uint64_t(channel_len) + message_len;
      if (totlen != explen) return BadLength(err, out->type, totlen, explen);
      out->channel.assign(d.substr(kPublishHeadLen, channel_len));
      out->payload.assign(d.substr(kPublishHeadLen + channel_len, message_len));
      return true;
    }
    case kMsgFailoverAuthRequest:
    case kMsgFailoverAuthAck:
    case kMsgMfStart:
      if (totlen != kHeaderLen) return BadLength(err, out->type, totlen, kHeaderLen);
      return true;
    case kMsgUpdate:
      if (totlen != kHeaderLen + kUpdateLen) return BadLength(err, out->type, totlen, kHeaderLen + kUpdateLen);
      out->update_config_epoch = Get64(d, 0);
      out->update_name.assign(d.substr(8, kNameLen));
      memcpy(out->update_slots.data(), d.data() + 8 + kNameLen, out->update_slots.size());
      return true;
    case kMsgModule: {
      if (d.size() < kModuleHeadLen) return BadLength(err, out->type, totlen, kHeaderLen + kModuleHeadLen);
      uint32_t len = Get32(d, 8);
      uint64_t explen = kHeaderLen + kModuleHeadLen + uint64_t(len);  // 64-bit, as for PUBLISH
      if (totlen != explen) return BadLength(err, out->type, totlen, explen);
      // Why memcpy: Redis sends module_id unconverted ("Already endian
      // adjusted"), in the host's byte order, and compares it raw.
      memcpy(&out->module_id, d.data(), 8);
      out->module_type = static_cast<uint8_t>(d[12]);
      out->module_payload.assign(d.substr(kModuleHeadLen, len));
      return true;
    }
    default:
      // "We don't know this type of packet, so we assume it's well formed":
      // Redis still applies its header (epochs, offset) before logging it.
      out->body.assign(d);
      return true;
  }
}

// The body size Encode writes for m (everything after the header).
size_t BodySize(const Message& m) {
  switch (m.type) {
    case kMsgPing:
    case kMsgPong:
    case kMsgMeet:
      return kGossipLen * m.gossip.size() + (m.hostname.empty() ? 0 : HostnameExtSize(m.hostname.size()));
    case kMsgFail:
      return kFailLen;
    case kMsgPublish:
    case kMsgPublishShard:
      return kPublishHeadLen + m.channel.size() + m.payload.size();
    case kMsgFailoverAuthRequest:
    case kMsgFailoverAuthAck:
    case kMsgMfStart:
      return 0;
    case kMsgUpdate:
      return kUpdateLen;
    case kMsgModule:
      return kModuleHeadLen + m.module_payload.size();
    default:
      return m.body.size();
  }
}

// clusterSetGossipEntry: notused1 stays zero.
void EncodeGossip(std::string& b, size_t off, const Gossip& g) {
  PutFixed(b, off, g.name, kNameLen);
  Put32(b, off + kGossipPingSent, g.ping_sent);
  Put32(b, off + kGossipPongReceived, g.pong_received);
  PutFixed(b, off + kGossipIp, g.ip, kIpLen);
  Put16(b, off + kGossipPort, g.port);
  Put16(b, off + kGossipCport, g.cport);
  Put16(b, off + kGossipFlags, g.flags);
  Put16(b, off + kGossipPport, g.pport);
}

void EncodeBody(const Message& m, std::string& b) {
  const size_t d = kHeaderLen;
  switch (m.type) {
    case kMsgPing:
    case kMsgPong:
    case kMsgMeet: {
      size_t off = d;
      for (const Gossip& g : m.gossip) {
        EncodeGossip(b, off, g);
        off += kGossipLen;
      }
      if (!m.hostname.empty()) {
        // writeHostnamePingExt: length, type, the name, NUL padding.
        Put32(b, off, static_cast<uint32_t>(HostnameExtSize(m.hostname.size())));
        Put16(b, off + 4, kExtHostname);
        PutFixed(b, off + kPingExtHeaderLen, m.hostname, m.hostname.size());
      }
      break;
    }
    case kMsgFail:
      PutFixed(b, d, m.fail_name, kNameLen);
      break;
    case kMsgPublish:
    case kMsgPublishShard:
      Put32(b, d, static_cast<uint32_t>(m.channel.size()));
      Put32(b, d + 4, static_cast<uint32_t>(m.payload.size()));
      PutFixed(b, d + kPublishHeadLen, m.channel, m.channel.size());
      PutFixed(b, d + kPublishHeadLen + m.channel.size(), m.payload, m.payload.size());
      break;
    case kMsgUpdate:
      Put64(b, d, m.update_config_epoch);
      PutFixed(b, d + 8, m.update_name, kNameLen);
      memcpy(&b[d + 8 + kNameLen], m.update_slots.data(), m.update_slots.size());
      break;
    case kMsgModule:
      memcpy(&b[d], &m.module_id, 8);  // host byte order, as Redis (see Decode)
      Put32(b, d + 8, static_cast<uint32_t>(m.module_payload.size()));
      b[d + 12] = static_cast<char>(m.module_type);
      PutFixed(b, d + kModuleHeadLen, m.module_payload, m.module_payload.size());
      break;
    case kMsgFailoverAuthRequest:
    case kMsgFailoverAuthAck:
    case kMsgMfStart:
      break;
    default:
      PutFixed(b, d, m.body, m.body.size());
      break;
  }
}

}  // namespace

const char* MsgTypeName(uint16_t type) {
  switch (type) {
    case kMsgPing: return "ping";
    case kMsgPong: return "pong";
    case kMsgMeet: return "meet";
    case kMsgFail: return "fail";
    case kMsgPublish: return "publish";
    case kMsgPublishShard: return "publishshard";
    case kMsgFailoverAuthRequest: return "auth-req";
    case kMsgFailoverAuthAck: return "auth-ack";
    case kMsgUpdate: return "update";
    case kMsgMfStart: return "mfstart";
    case kMsgModule: return "module";
    default: return "unknown";
  }
}

Frame PeekFrame(std::string_view buf, uint32_t* totlen) {
  if (buf.size() < kFramePrefix) return Frame::kNeedMore;
  *totlen = Get32(buf, kOffTotlen);
  // clusterReadHandler checks both once the first 8 bytes are in.
  if (memcmp(buf.data(), "RCmb", 4) != 0 || *totlen < kHeaderLen) return Frame::kBad;
  return buf.size() < *totlen ? Frame::kNeedMore : Frame::kReady;
}

bool Decode(std::string_view frame, Message* out, std::string* err) {
  *out = Message{};
  uint32_t totlen = 0;
  Frame fr = PeekFrame(frame, &totlen);
  if (fr == Frame::kBad) {
    *err = "Bad message length or signature received from Cluster bus.";
    return false;
  }
  if (fr == Frame::kNeedMore || totlen != frame.size()) {
    *err = fmt::format("Cluster bus frame of {} bytes announces {} bytes", frame.size(), totlen);
    return false;
  }
  std::string_view f = frame;
  out->ver = Get16(f, kOffVer);
  out->port = Get16(f, kOffPort);
  out->type = Get16(f, kOffType);
  out->current_epoch = Get64(f, kOffCurrentEpoch);
  out->config_epoch = Get64(f, kOffConfigEpoch);
  out->offset = Get64(f, kOffOffset);
  out->sender.assign(f.substr(kOffSender, kNameLen));
  memcpy(out->slots.data(), f.data() + kOffSlots, out->slots.size());
  // CLUSTER_NODE_NULL_NAME (40 zero bytes) is "no master".
  std::string_view slaveof = f.substr(kOffSlaveof, kNameLen);
  if (!AllZero(slaveof)) out->slaveof.assign(slaveof);
  // nodeIp2String copies the field and forces its last byte to NUL.
  out->myip = GetCString(f, kOffMyip, kIpLen - 1);
  out->pport = Get16(f, kOffPport);
  out->cport = Get16(f, kOffCport);
  out->flags = Get16(f, kOffFlags);
  out->state = static_cast<uint8_t>(f[kOffState]);
  out->mflags0 = static_cast<uint8_t>(f[kOffMflags]);
  if (out->ver != kProtoVer) {
    // Redis drops it without a log line ("Can't handle messages of
    // different versions").
    *err = fmt::format("Cluster bus packet of protocol version {}", out->ver);
    return false;
  }
  return DecodeBody(f, out, err);
}

std::string Encode(const Message& m) {
  std::string b(kHeaderLen + BodySize(m), '\0');
  memcpy(b.data(), "RCmb", 4);
  Put32(b, kOffTotlen, static_cast<uint32_t>(b.size()));
  Put16(b, kOffVer, m.ver);
  Put16(b, kOffPort, m.port);
  Put16(b, kOffType, m.type);
  uint8_t mflags0 = m.mflags0;
  if (IsPingType(m.type)) {
    Put16(b, kOffCount, static_cast<uint16_t>(m.gossip.size()));
    if (!m.hostname.empty()) {
      Put16(b, kOffExtensions, 1);
      mflags0 |= kMfExtData;
    }
  }
  Put64(b, kOffCurrentEpoch, m.current_epoch);
  Put64(b, kOffConfigEpoch, m.config_epoch);
  Put64(b, kOffOffset, m.offset);
  PutFixed(b, kOffSender, m.sender, kNameLen);
  memcpy(&b[kOffSlots], m.slots.data(), m.slots.size());
  PutFixed(b, kOffSlaveof, m.slaveof, kNameLen);
  // strncpy(hdr->myip, announce_ip, NET_IP_STR_LEN-1): the last byte stays NUL.
  PutFixed(b, kOffMyip, m.myip, kIpLen - 1);
  Put16(b, kOffPport, m.pport);
  Put16(b, kOffCport, m.cport);
  Put16(b, kOffFlags, m.flags);
  b[kOffState] = static_cast<char>(m.state);
  b[kOffMflags] = static_cast<char>(mflags0);
  EncodeBody(m, b);
  return b;
}

}  // namespace vireo::cluster
