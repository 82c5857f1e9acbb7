// The Redis Cluster bus message codec: redis-server 7.0.15's clusterMsg
// (cluster.h) as bytes, and back. It owns the wire layout of every message
// type (PING/PONG/MEET with gossip and the hostname extension, FAIL,
// PUBLISH, UPDATE, MODULE, the failover ones), framing a byte stream into
// packets, and the packet checks Redis applies before it acts on one
// (clusterReadHandler's signature/length check, clusterProcessPacket's
// version and per-type length checks). It is a pure codec: no sockets, no
// node table, so the bus (links, the node table, failover) and the fuzzer
// share it.
//
// Layout (all multi-byte integers big-endian, as Redis's htons/htonl/
// htonu64, except MODULE's module_id, see below):
//
//   offset size  field                 offset size field
//   0      4     sig "RCmb"            2168   46   myip (zero padded)
//   4      4     totlen                2214   2    extensions
//   8      2     ver (1)               2216   30   notused1
//   10     2     port                  2246   2    pport
//   12     2     type                  2248   2    cport
//   14     2     count (gossip)        2250   2    flags
//   16     8     currentEpoch          2252   1    state
//   24     8     configEpoch           2253   3    mflags
//   32     8     offset                2256        data (per type)
//   40     40    sender
//   80     2048  myslots
//   2128   40    slaveof (all zero: no master)
//
// The header is CLUSTERMSG_MIN_LEN = 2256 bytes; sizeof(clusterMsg) itself
// is 4352 (the data union is as big as its UPDATE member), which matters
// only to Redis's stack buffers, never to a length on the wire.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vireo::cluster {

inline constexpr int kSlots = 16384;       // CLUSTER_SLOTS
inline constexpr size_t kNameLen = 40;     // CLUSTER_NAMELEN
inline constexpr size_t kIpLen = 46;       // NET_IP_STR_LEN
inline constexpr uint16_t kProtoVer = 1;   // CLUSTER_PROTO_VER

// Byte sizes on the wire (the C structs' sizeof, checked by the tests
// against hand-computed offsets and against real packets).
inline constexpr size_t kHeaderLen = 2256;      // CLUSTERMSG_MIN_LEN
inline constexpr size_t kGossipLen = 104;       // clusterMsgDataGossip
inline constexpr size_t kPingExtHeaderLen = 8;  // clusterMsgPingExt: length, type, unused
inline constexpr size_t kFailLen = 40;          // clusterMsgDataFail
inline constexpr size_t kPublishHeadLen = 8;    // channel_len + message_len, then the bytes
inline constexpr size_t kUpdateLen = 2096;      // configEpoch + nodename + slots
inline constexpr size_t kModuleHeadLen = 13;    // module_id + len + type, then the payload
inline constexpr size_t kClusterMsgSize = 4352; // sizeof(clusterMsg)

enum MsgType : uint16_t {
  kMsgPing = 0,
  kMsgPong = 1,
  kMsgMeet = 2,
  kMsgFail = 3,
  kMsgPublish = 4,
  kMsgFailoverAuthRequest = 5,
  kMsgFailoverAuthAck = 6,
  kMsgUpdate = 7,
  kMsgMfStart = 8,
  kMsgModule = 9,
  kMsgPublishShard = 10,
  kMsgTypeCount = 11,
};

// Redis's clusterGetMessageTypeString: "ping", "pong", "meet", "fail",
// "publish", "auth-req", "auth-ack", "update", "mfstart", "module",
// "publishshard" (CLUSTER INFO's cluster_stats_messages_<name>_sent), and
// "unknown" for any other type.
const char* MsgTypeName(uint16_t type);

// clusterNode flags (CLUSTER_NODE_*), as the header and gossip carry them.
enum NodeFlag : uint16_t {
  kNodeMaster = 1,
  kNodeSlave = 2,
  kNodePFail = 4,
  kNodeFail = 8,
  kNodeMyself = 16,
  kNodeHandshake = 32,
  kNodeNoAddr = 64,
  kNodeMeet = 128,
  kNodeMigrateTo = 256,
  kNodeNoFailover = 512,
};

// Header mflags[0] bits (CLUSTERMSG_FLAG0_*). kMfExtData says that ping
// extensions follow the gossip; Encode sets it itself when it writes one.
enum : uint8_t { kMfPaused = 1, kMfForceAck = 2, kMfExtData = 4 };

// Ping extension types (clusterMsgPingtypes): 7.0 knows only the hostname.
enum : uint16_t { kExtHostname = 0 };

// A slot bitmap in Redis's layout: slot i is bit (i & 7) of byte i / 8.
using SlotBitmap = std::array<uint8_t, kSlots / 8>;
inline bool SlotBit(const SlotBitmap& b, int slot) { return (b[slot >> 3] >> (slot & 7)) & 1; }
inline void SetSlotBit(SlotBitmap& b, int slot, bool on) {
  uint8_t mask = static_cast<uint8_t>(1u << (slot & 7));
  if (on) {
    b[slot >> 3] |= mask;
  } else {
    b[slot >> 3] &= static_cast<uint8_t>(~mask);
  }
}

// One clusterMsgDataGossip entry: what the sender knows of another node.
// ping_sent / pong_received are in seconds (Redis sends its ms / 1000).
struct Gossip {
  std::string name;  // 40 bytes as sent
  uint32_t ping_sent = 0;
  uint32_t pong_received = 0;
  std::string ip;    // up to the first NUL of the 46-byte field
  uint16_t port = 0;
  uint16_t cport = 0;
  uint16_t flags = 0;
  uint16_t pport = 0;
  bool operator==(const Gossip&) const = default;
};

struct Message {
  // --- header (clusterMsg minus data)
  uint16_t ver = kProtoVer;
  uint16_t port = 0;
  uint16_t type = 0;
  uint64_t current_epoch = 0;
  uint64_t config_epoch = 0;
  uint64_t offset = 0;
  std::string sender;   // 40 bytes as sent (Encode zero pads a shorter one)
  SlotBitmap slots{};
  std::string slaveof;  // 40 bytes, or empty: all zero on the wire = no master
  std::string myip;     // empty = all zero (the receiver uses the socket's address)
  uint16_t pport = 0;
  uint16_t cport = 0;
  uint16_t flags = 0;
  uint8_t state = 0;    // CLUSTER_OK 0, CLUSTER_FAIL 1
  uint8_t mflags0 = 0;  // the raw mflags[0] byte (kMf*)

  // --- PING / PONG / MEET
  std::vector<Gossip> gossip;
  std::string hostname;  // the hostname extension (empty: none sent)
  // Types of the extensions other than the hostname, in order: Redis skips
  // them with "Received unknown extension type %d". Not re-encoded.
  std::vector<uint16_t> unknown_ext_types;

  // --- FAIL
  std::string fail_name;  // 40 bytes

  // --- PUBLISH / PUBLISHSHARD
  std::string channel, payload;

  // --- UPDATE
  uint64_t update_config_epoch = 0;
  std::string update_name;  // 40 bytes
  SlotBitmap update_slots{};

  // --- MODULE
  uint64_t module_id = 0;
  uint8_t module_type = 0;
  std::string module_payload;

  // --- a type this version does not know (>= kMsgTypeCount): the bytes
  // after the header, which Redis accepts unchecked.
  std::string body;

  bool operator==(const Message&) const = default;
};

// Framing of the byte stream a link reads, as clusterReadHandler: it needs
// the first 8 bytes ("RCmb" + totlen); then kBad for a wrong signature or
// a totlen below the 2256-byte header (Redis closes the link: "Bad message
// length or signature received from Cluster bus."), kNeedMore until
// *totlen bytes are in, kReady when buf starts with a whole frame of
// *totlen bytes. *totlen is set whenever 8 bytes were there. A totlen is
// not capped, as in Redis (a peer may announce a 4 GB packet).
enum class Frame { kNeedMore, kReady, kBad };
Frame PeekFrame(std::string_view buf, uint32_t* totlen);

// Checks one whole frame as clusterProcessPacket does before acting on it
// (version 1, then the length each type must have: the gossip count and
// the extensions walk for PING/PONG/MEET, the channel and message lengths
// for PUBLISH, ...) and fills *out. On failure returns false with *err
// (Redis's log text where it logs one) and the caller drops the packet.
// *out then holds whatever header fields were read: Redis counts
// stats_bus_messages_received[type] before any check, and drops a packet
// of another version without logging (out->ver != kProtoVer).
// Where Redis would read past the packet (an extension header or a
// hostname running off the end, lengths that wrap around 32 bits) the
// packet is rejected.
bool Decode(std::string_view frame, Message* out, std::string* err);

// The wire bytes of m, as clusterBuildMessageHdr + the type's sender
// (clusterSendPing, clusterSendFail, ...) write them: totlen, count and
// extensions computed, unused bytes zero, the hostname extension padded to
// 8 bytes as getHostnamePingExtSize. Fields longer than their slot are cut
// (names at 40 bytes, myip at 45 as strncpy, a gossip ip at 46).
std::string Encode(const Message& m);

}  // namespace vireo::cluster
