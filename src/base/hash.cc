// See hash.h.
#include "base/hash.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>

namespace vireo::base {

uint64_t g_hash_seed = 0x9e3779b97f4a7c15ull;

namespace {
uint64_t s[4] = {0x180ec6d33cfd0abaull, 0xd5a61266f0c9392cull, 0xa9582618e03fc9aaull,
                 0x39abdc4529b1661cull};
inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

uint64_t Random64() {
  const uint64_t result = Rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = Rotl(s[3], 45);
  return result;
}

void SeedRandom(uint64_t seed) {
  // splitmix64 to fill the state
  for (auto& x : s) {
    seed += 0x9e3779b97f4a7c15ull;
    uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    x = z ^ (z >> 31);
  }
}

void RandomHex(char* out, int len) {
  static const char kHex[] = "0123456789abcdef";
  unsigned char buf[64];
  int fd = open("/dev/urandom", O_RDONLY);
  bool ok = false;
  if (fd >= 0 && len <= 128) {
    ok = read(fd, buf, static_cast<size_t>((len + 1) / 2)) == (len + 1) / 2;
  }
  if (fd >= 0) close(fd);
  for (int i = 0; i < len; i++) {
    unsigned v = ok ? buf[i / 2] : static_cast<unsigned>(Random64());
    out[i] = kHex[(i % 2) ? (v & 15) : ((v >> 4) & 15)];
  }
}

}  // namespace vireo::base
