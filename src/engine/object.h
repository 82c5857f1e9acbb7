// Keyspace entries: one allocation holds the key, the value header and a
// short string value. The per-type operations on values (free, dup, memory,
// digest) are in value.h; string construction and commands in types/string.h.
//
// Why this shape: Redis spends a dictEntry (24 bytes, 32 with jemalloc), an
// sds key and a robj (16) per key, plus the string's own allocation. Vireo
// keeps the chain pointer, the value header and the key in one block, and
// stores strings of up to kInlineMax bytes in the same block after the key,
// so a key with a 100-byte value costs one allocation. Integers are stored
// in the header. Longer strings (and APPEND/SETRANGE targets, which need
// room to grow, like Redis's sds) live in a HeapString.
//
// OBJECT ENCODING answers Redis's names: the *logical* encoding (int, embstr,
// raw) is tracked in `enc` following Redis's rules for when each is produced,
// independently of where the bytes physically are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/memory.h"

namespace vireo::engine {

// Redis's OBJ_* type numbers (they appear in RDB and in DEBUG OBJECT).
enum class ObjType : uint8_t { kString = 0, kList = 1, kSet = 2, kZset = 3, kHash = 4, kModule = 5, kStream = 6 };
inline constexpr size_t kNumObjTypes = 7;
// Redis's OBJ_ENCODING_* numbers.
enum class Enc : uint8_t {
  kRaw = 0,
  kInt = 1,
  kHashtable = 2,
  kIntset = 6,
  kSkiplist = 7,
  kEmbstr = 8,
  kQuicklist = 9,
  kStream = 10,
  kListpack = 11,
};

const char* EncodingName(Enc e);
const char* TypeName(ObjType t);

// Redis's OBJ_SHARED_INTEGERS: "refcount" of small integers is INT_MAX.
inline constexpr int64_t kSharedIntegers = 10000;
// Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
inline constexpr size_t kEmbstrSizeLimit = 44;
// Longest string stored inside the entry itself.
inline constexpr size_t kInlineMax = 256;

// A growable string for long and appended-to values.
struct HeapString {
  size_t len;
  size_t cap;
  char data[];  // cap bytes

  static HeapString* Create(std::string_view s, size_t cap);
  // Ensures room for `need` bytes, growing greedily like sdsMakeRoomFor
  // (double up to 1MB, then +1MB). May move; returns the new pointer.
  static HeapString* Reserve(HeapString* h, size_t need);
  std::string_view view() const { return {data, len}; }
};

struct Entry {
  Entry* next;          // hash chain
  uint32_t key_len;
  uint8_t type;         // ObjType
  uint8_t enc;          // Enc (logical)
  uint8_t flags;        // kFlag* below
  uint8_t reserved;
  uint32_t lru;         // LRU clock (seconds resolution) or LFU data
  uint32_t inline_len;  // bytes of an inline string after the key
  union {
    int64_t ival;       // enc == kInt
    HeapString* str;    // kFlagHeapStr
    void* ptr;          // other types
  } v;
  char data[];          // key bytes, then inline string bytes

  static constexpr uint8_t kFlagHasExpire = 1;   // an ExpireNode exists
  static constexpr uint8_t kFlagHeapStr = 2;     // string bytes in v.str

  std::string_view key() const { return {data, key_len}; }
  ObjType otype() const { return static_cast<ObjType>(type); }
  Enc encoding() const { return static_cast<Enc>(enc); }
  bool has_expire() const { return flags & kFlagHasExpire; }

  bool is_int() const { return enc == static_cast<uint8_t>(Enc::kInt); }
  // String value bytes (not valid for kInt; use StringValue for that).
  std::string_view str() const {
    if (flags & kFlagHeapStr) return v.str->view();
    return {data + key_len, inline_len};
  }
  size_t AllocatedSize() const;
};

// Allocates an entry block for `key` with `extra` bytes after the key
// (inline value bytes), header zeroed: type string, encoding raw, no flags.
inline Entry* AllocEntry(std::string_view key, size_t extra) {
  auto* e = static_cast<Entry*>(base::Alloc(sizeof(Entry) + key.size() + extra));
  e->next = nullptr;
  e->key_len = static_cast<uint32_t>(key.size());
  e->type = static_cast<uint8_t>(ObjType::kString);
  e->enc = static_cast<uint8_t>(Enc::kRaw);
  e->flags = 0;
  e->reserved = 0;
  e->lru = 0;
  e->inline_len = 0;
  e->v.ptr = nullptr;
  if (!key.empty()) memcpy(e->data, key.data(), key.size());
  return e;
}

}  // namespace vireo::engine
