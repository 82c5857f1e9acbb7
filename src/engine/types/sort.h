// SORT / SORT_RO (Redis 7.0's sort.c) as one engine operation: loading the
// elements of a list, set or sorted set, the BY and GET pattern lookups
// (string keys and `key->field` hash fields), the numeric or ALPHA
// ordering with Redis's tie rules, LIMIT, and STORE into a list.
//
// Why in the engine: SORT reads other keys (the patterns) and may write one
// (STORE); those lookups must follow the keyspace's rules (lazy expiry,
// hit/miss statistics) and the store must report its change, like every
// other write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/keyspace.h"
#include "engine/op_status.h"

namespace vireo::engine::sort {

struct Spec {
  bool has_by = false;
  std::string_view by;                // BY pattern (the last one given)
  // Some BY had no '*' (BY nosort): keep the native order. Why separate:
  // Redis sets it on such a BY and never clears it on a later one.
  bool dontsort = false;
  std::vector<std::string_view> gets; // GET patterns, in order
  int64_t limit_start = 0;
  int64_t limit_count = -1;           // -1: to the end
  bool desc = false;
  bool alpha = false;
  bool has_store = false;
  std::string_view store;
  // A script's SORT: unsorted sets get sorted, as with STORE (Redis's
  // CLIENT_SCRIPT rule, so replicas see the same order).
  bool from_script = false;
};

// The reply of a SORT without STORE: one value per element, or per GET
// pattern and element (nullopt: a GET that found nothing, a null reply).
using Output = std::vector<std::optional<std::string>>;

// kWrongType (the key is not a list, set or sorted set), kNotDouble ("One
// or more scores can't be converted into double"), or kOk with the output
// in *out, or with STORE the stored length in *stored (a result of 0
// deletes the destination).
OpStatus Sort(Keyspace& ks, int db, std::string_view key, const Spec& spec, Output* out,
              int64_t* stored);

}  // namespace vireo::engine::sort
