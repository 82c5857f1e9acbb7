// Hashing and randomness for the keyspace.
//
// Keys are hashed with XXH3 seeded at startup (Redis uses SipHash with a
// random key for the same reason: hash flooding resistance); the random
// generator is a small xorshift, used for RANDOMKEY and sampling.
#pragma once

#include <cstdint>
#include <string_view>

#include <xxhash.h>

namespace vireo::base {

extern uint64_t g_hash_seed;

inline uint64_t HashBytes(std::string_view s) {
  return XXH3_64bits_withSeed(s.data(), s.size(), g_hash_seed);
}

// Process-wide fast PRNG (xoshiro256**); not for cryptography.
uint64_t Random64();
void SeedRandom(uint64_t seed);
// 40 lowercase hex chars from /dev/urandom (run_id, replication ids).
void RandomHex(char* out, int len);

}  // namespace vireo::base
