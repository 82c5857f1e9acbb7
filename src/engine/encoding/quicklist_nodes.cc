// See quicklist.h: the node-level half of the quicklist — the saved form of
// nodes for RDB/DUMP, their validation for RESTORE, the consistency check the
// tests use, and Redis's DEBUG QUICKLIST / DEBUG LISTPACK printouts.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "base/lzf.h"
#include "engine/encoding/listpack.h"
#include "engine/encoding/quicklist.h"

namespace vireo::engine::ql {

// ============================================================== nodes

void NodeData(const Node* n, const uint8_t** data, size_t* len, bool* compressed) {
  if (n->encoding == kEncLzf) {
    auto* lzf = reinterpret_cast<const Lzf*>(n->entry);
    *data = lzf->compressed;
    *len = lzf->sz;
    *compressed = true;
  } else {
    *data = n->entry;
    *len = n->sz;
    *compressed = false;
  }
}

bool Decompress(const Node* n, uint8_t* out) {
  if (n->encoding != kEncLzf) {
    memcpy(out, n->entry, n->sz);
    return true;
  }
  auto* lzf = reinterpret_cast<const Lzf*>(n->entry);
  return base::LzfDecompress(lzf->compressed, lzf->sz, out, n->sz) == n->sz;
}

bool ValidateNode(unsigned container, const uint8_t* data, size_t size, bool deep) {
  if (container == kPlain) return true;
  if (container != kPacked) return false;
  // Why deep when the header does not count its elements (65535): the
  // recount below, and AppendListpack's, walk every entry.
  if (!deep && size > 6 && (data[4] | data[5] << 8) == 65535) deep = true;
  uint32_t count = 0;
  if (!lp::ValidateIntegrity(data, size, deep, &count)) return false;
  // A node counts its elements in 16 bits (Redis would truncate; refused).
  uint32_t n = deep ? count : lp::Length(data);
  return n <= 65535;
}

bool CheckConsistency(const Quicklist* ql) {
  unsigned long count = 0, len = 0;
  const Node* prev = nullptr;
  for (const Node* n = ql->head; n; n = n->next) {
    if (n->prev != prev) return false;
    if (n->count == 0) return false;
    if (!n->plain()) {
      if (n->encoding == kEncRaw) {
        if (lp::Bytes(n->entry) != n->sz || lp::Length(n->entry) != n->count) return false;
      }
    } else if (n->count != 1) {
      return false;
    }
    count += n->count;
    len++;
    prev = n;
  }
  if (prev != ql->tail || count != ql->count || len != ql->len) return false;
  if (ql->head && (ql->head->compressed() || ql->tail->compressed())) return false;
  // Nodes within the depth are raw.
  if (ql->compress) {
    const Node* f = ql->head;
    const Node* r = ql->tail;
    for (unsigned d = 0; d < ql->compress && f; d++, f = f->next, r = r->prev) {
      if (f->compressed() || r->compressed()) return false;
    }
  }
  return true;
}

// ============================================================== repr

void LpRepr(const uint8_t* l) {
  printf("{total bytes %zu} {num entries %lu}\n", static_cast<size_t>(lp::Bytes(l)),
         static_cast<unsigned long>(lp::Length(l)));
  int index = 0;
  for (const uint8_t* p = lp::First(l); p; p = lp::Next(l, p)) {
    size_t total = lp::EntrySize(p);
    // Header bytes (Redis's lpCurrentEncodedSizeBytes) and backlen size.
    // Redis's lpCurrentEncodedSizeBytes, and the split of `total` into
    // encoding+data and its backlen (lpEncodeBacklen's size classes).
    uint8_t b = p[0];
    unsigned hdr = (b & 0xF0) == 0xE0 ? 2 : b == 0xF0 ? 5 : 1;
    size_t back = 1, encoded = total - 1;
    for (size_t bl = 1; bl <= 5; bl++) {
      size_t enc = total - bl;
      size_t need = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
      if (need == bl) {
        encoded = enc;
        back = bl;
        break;
      }
    }
    printf("{\n\taddr: 0x%08lx,\n\tindex: %2d,\n\toffset: %1lu,\n\thdr+entrylen+backlen: %2lu,\n"
           "\thdrlen: %3u,\n\tbacklen: %2lu,\n\tpayload: %1u\n",
           reinterpret_cast<unsigned long>(p), index, static_cast<unsigned long>(p - l),
           static_cast<unsigned long>(total), hdr, static_cast<unsigned long>(back),
           static_cast<unsigned>(encoded - hdr));
    printf("\tbytes: ");
    for (size_t i = 0; i < total; i++) printf("%02x|", p[i]);
    printf("\n");
    char buf[32];
    std::string_view v = lp::Get(p).ToString(buf);
    printf("\t[str]");
    if (v.size() > 40) {
      fwrite(v.data(), 40, 1, stdout);
      printf("...");
    } else if (!v.empty()) {
      fwrite(v.data(), v.size(), 1, stdout);
    }
    printf("\n}\n");
    index++;
  }
  printf("{end}\n\n");
}

void Repr(Quicklist* ql, bool full) {
  printf("{count : %ld}\n", static_cast<long>(ql->count));
  printf("{len : %ld}\n", static_cast<long>(ql->len));
  printf("{fill : %d}\n", ql->fill);
  printf("{compress : %d}\n", static_cast<int>(ql->compress));
  printf("{bookmark_count : %d}\n", 0);
  int i = 0;
  for (Node* node = ql->head; node; node = node->next) {
    printf("{quicklist node(%d)\n", i++);
    printf("{container : %s, encoding: %s, size: %zu, count: %d, recompress: %d, "
           "attempted_compress: %d}\n",
           node->plain() ? "PLAIN" : "PACKED", node->encoding == kEncRaw ? "RAW" : "LZF",
           node->sz, static_cast<int>(node->count), static_cast<int>(node->recompress),
           static_cast<int>(node->attempted_compress));
    if (full) {
      // Why: like quicklistRepr, the node is decompressed for printing and
      // stays so (its recompress flag is clear, so nothing compresses it back).
      detail::DecompressNode(node);
      if (!node->plain()) {
        printf("{ listpack:\n");
        LpRepr(node->entry);
        printf("}\n");
      } else {
        printf("{ entry : %.*s }\n", static_cast<int>(node->sz),
               reinterpret_cast<const char*>(node->entry));
      }
      printf("}\n");
    }
  }
  fflush(stdout);
}

}  // namespace vireo::engine::ql
