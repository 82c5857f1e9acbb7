// The templates of hash.h (iteration over either encoding).
#pragma once

#include "engine/encoding/listpack.h"
#include "engine/encoding/strmap.h"
#include "engine/object.h"

namespace vireo::engine::hash {

namespace internal {
inline Elem ElemOf(std::string_view s) {
  Elem e;
  // Why never null: a null `s` means "integer" in lp::Elem; an empty value
  // in a node still has a valid address.
  e.s = reinterpret_cast<const uint8_t*>(s.data() ? s.data() : "");
  e.len = static_cast<uint32_t>(s.size());
  return e;
}
}  // namespace internal

template <typename Fn>
void ForEach(const Entry* e, Fn&& fn) {
  if (e->encoding() == Enc::kListpack) {
    const auto* l = static_cast<const uint8_t*>(e->v.ptr);
    for (const uint8_t* p = lp::First(l); p;) {
      const uint8_t* vp = lp::Next(l, p);
      fn(lp::Get(p), lp::Get(vp));
      p = lp::Next(l, vp);
    }
    return;
  }
  static_cast<const StrMap*>(e->v.ptr)->ForEach([&](const StrMapNode* n) {
    fn(internal::ElemOf(n->field()), internal::ElemOf(n->value()));
  });
}

}  // namespace vireo::engine::hash
