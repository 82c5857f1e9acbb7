// CRC-64/Jones as Redis computes it (crc64.c): polynomial 0xad93d23594c935a9,
// reflected input and output, initial value 0, no final xor.
//
// Why this exact variant: the last 8 bytes of an RDB file and of a DUMP
// payload are this checksum (little endian) and redis-server, redis-check-rdb
// and RESTORE verify it, so ours must be bit-identical. Check value:
// Crc64(0, "123456789") == 0xe9c6d914c4b8d9ca. Slicing-by-8 tables make it
// cheap enough to run over every byte of a snapshot.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vireo::base {

// Continues `crc` over `len` bytes (start with 0).
uint64_t Crc64(uint64_t crc, const void* data, size_t len);

}  // namespace vireo::base
