// See object.h.
#include "engine/object.h"


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

size_t Entry::AllocatedSize() const { return base::AllocSize(this); }

}  // namespace vireo::engine
