// CRC16 and the cluster hash slot of a key, as Redis Cluster computes them
// (crc16.c and keyHashSlot in cluster.c).
//
// Why this exact variant: a key's slot decides which node serves it, so
// every client library, redis-cli and every redis-server of a mixed cluster
// computes the same number; ours must be bit-identical. The CRC is
// CRC-16/XMODEM (CCITT polynomial 0x1021, initial value 0, no reflection,
// no final xor); check value: Crc16("123456789") == 0x31c3. The slot is its
// low 14 bits (16384 slots).
//
// Hash tags (keyHashSlot): when the key holds a '{' and a '}' somewhere
// after the first '{', with at least one byte between them, only those bytes
// are hashed, so "{user1000}.following" and "{user1000}.followers" share a
// slot. Only the first '{' counts, and the first '}' after it: "foo{}{bar}"
// has an empty tag and hashes the whole key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vireo::base {

// Redis Cluster's slot count (CLUSTER_SLOTS).
inline constexpr int kClusterSlots = 16384;

// CRC-16/XMODEM of `len` bytes.
uint16_t Crc16(const void* data, size_t len);

// The cluster hash slot of `key` (0..16383), with Redis's hash-tag rule.
int KeyHashSlot(std::string_view key);

}  // namespace vireo::base
