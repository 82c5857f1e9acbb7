// Zipmap: the small-hash encoding of Redis 2.4 and older, read-only here.
// RDB files written by those versions store small hashes as
// RDB_TYPE_HASH_ZIPMAP; Redis 7.0.15's rdbLoadObject still loads them,
// validating the zipmap and converting it into a listpack of field,value
// pairs (then into a hash table when the hash is too big for a listpack).
// This module is that validator and converter; the RDB loader decides the
// final encoding from what ToListpack reports.
//
// Layout (zipmap.c): <zmlen u8: pair count, 254 or more = count them>
// (<len>field <len><free>value <free bytes>)* <0xFF>. A <len> is one byte
// when < 254, else 0xFE followed by a u32 in host (little-endian) order;
// <free> is one byte counting unused bytes after the value.
//
// Both functions are safe on arbitrary bytes (they are fuzzed).
#pragma once

#include <cstddef>
#include <cstdint>

namespace vireo::persistence::zipmap {

inline constexpr uint8_t kEnd = 0xFF;

// Redis's zipmapValidateIntegrity. Shallow: at least 2 bytes and the last
// one 0xFF. Deep, also every length, field, value and free run inside the
// zipmap, every 5-byte length >= 254, at least one pair, and zmlen equal
// to the pair count unless it is 254.
bool ValidateIntegrity(const uint8_t* zm, size_t size, bool deep);

// A new listpack of field,value pairs, built as the RDB_TYPE_HASH_ZIPMAP
// branch of rdbLoadObject does (lpAppend of each field and value: text
// that is a canonical int64 is stored as an integer). Call it on a zipmap
// ValidateIntegrity(deep) accepted. *maxlen receives the longest field or
// value (the loader converts to a hash table when it exceeds
// hash-max-listpack-value, or the pairs hash-max-listpack-entries; pairs =
// lp::Length / 2).
//
// nullptr when the conversion fails:
//   *has_dups = true: a field repeats, or a pair would grow the listpack
//     past 1GB — Redis's one error, "Hash zipmap with dup elements, or big
//     length (%u)", whose %u (the field's length) goes to *bad_flen;
//   *has_dups = false: the walk left the zipmap (never after a successful
//     ValidateIntegrity).
uint8_t* ToListpack(const uint8_t* zm, size_t size, bool* has_dups, size_t* maxlen,
                    uint32_t* bad_flen = nullptr);

}  // namespace vireo::persistence::zipmap
