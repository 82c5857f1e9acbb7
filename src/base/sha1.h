// SHA-1 (FIPS 180-1), for the places Redis uses it: DEBUG DIGEST and
// DEBUG DIGEST-VALUE (and later script SHAs and replication ids).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vireo::base {

class Sha1 {
 public:
  Sha1();
  void Update(const void* data, size_t len);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // Writes the 20-byte digest; the object must not be updated afterwards.
  void Final(uint8_t out[20]);

 private:
  void Block(const uint8_t* p);
  uint32_t h_[5];
  uint64_t bytes_ = 0;
  uint8_t buf_[64];
  size_t buf_len_ = 0;
};

// 40 lowercase hex characters of SHA-1(data).
std::string Sha1Hex(std::string_view data);

}  // namespace vireo::base
