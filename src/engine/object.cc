// See object.h.
#include "engine/object.h"

#include "base/numbers.h"

namespace vireo::engine {

const char* EncodingName(Enc e) {
  switch (e) {
    case Enc::kRaw: return "raw";
    case Enc::kInt: return "int";
    case Enc::kHashtable: return "hashtable";
    case Enc::kIntset: return "intset";
    case Enc::kSkiplist: return "skiplist";
    case Enc::kEmbstr: return "embstr";
    case Enc::kQuicklist: return "quicklist";
    case Enc::kStream: return "stream";
    case Enc::kListpack: return "listpack";
  }
  return "unknown";
}

const char* TypeName(ObjType t) {
  switch (t) {
    case ObjType::kString: return "string";
    case ObjType::kList: return "list";
    case ObjType::kSet: return "set";
    case ObjType::kZset: return "zset";
    case ObjType::kHash: return "hash";
    case ObjType::kModule: return "module";
    case ObjType::kStream: return "stream";
  }
  return "unknown";
}

HeapString* HeapString::Create(std::string_view s, size_t cap) {
  if (cap < s.size()) cap = s.size();
  auto* h = static_cast<HeapString*>(base::Alloc(sizeof(HeapString) + cap));
  h->len = s.size();
  h->cap = base::AllocSize(h) - sizeof(HeapString);
  if (!s.empty()) memcpy(h->data, s.data(), s.size());
  return h;
}

HeapString* HeapString::Reserve(HeapString* h, size_t need) {
  if (h->cap >= need) return h;
  // Why: sdsMakeRoomFor's greedy growth keeps repeated APPENDs amortized O(1).
  size_t cap = need < 1024 * 1024 ? need * 2 : need + 1024 * 1024;
  h = static_cast<HeapString*>(base::Realloc(h, sizeof(HeapString) + cap));
  h->cap = base::AllocSize(h) - sizeof(HeapString);
  return h;
}

static Entry* AllocEntry(std::string_view key, size_t extra) {
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
  memcpy(e->data, key.data(), key.size());
  return e;
}

Entry* NewStringEntry(std::string_view key, std::string_view val, Enc enc) {
  if (val.size() <= kInlineMax) {
    Entry* e = AllocEntry(key, val.size());
    e->enc = static_cast<uint8_t>(enc);
    e->inline_len = static_cast<uint32_t>(val.size());
    if (!val.empty()) memcpy(e->data + key.size(), val.data(), val.size());
    return e;
  }
  Entry* e = AllocEntry(key, 0);
  e->enc = static_cast<uint8_t>(enc);
  e->flags |= Entry::kFlagHeapStr;
  e->v.str = HeapString::Create(val, val.size());
  return e;
}

Entry* NewIntEntry(std::string_view key, int64_t v) {
  Entry* e = AllocEntry(key, 0);
  e->enc = static_cast<uint8_t>(Enc::kInt);
  e->v.ival = v;
  return e;
}

void FreeEntry(Entry* e) {
  if (e->flags & Entry::kFlagHeapStr) base::Free(e->v.str);
  base::Free(e);
}

std::string_view StringValue(const Entry* e, char* buf) {
  if (e->is_int()) return {buf, base::Int64ToChars(e->v.ival, buf)};
  return e->str();
}

size_t Entry::AllocatedSize() const { return base::AllocSize(this); }

size_t EntryMemoryUsage(const Entry* e) {
  size_t n = base::AllocSize(e);
  if (e->flags & Entry::kFlagHeapStr) n += base::AllocSize(e->v.str);
  return n;
}

Enc ChooseStringEncoding(std::string_view s, int64_t* iv) {
  // Why: tryObjectEncoding only tries integers up to 20 chars and keeps
  // strings of <= 44 bytes as embstr.
  if (s.size() <= 20 && base::StringToInt64(s, iv)) return Enc::kInt;
  return s.size() <= kEmbstrSizeLimit ? Enc::kEmbstr : Enc::kRaw;
}

}  // namespace vireo::engine
