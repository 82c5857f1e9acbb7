// Helpers shared by the RDB codec tests (rdb_codec_test.cc,
// rdb_snapshot_test.cc): a key's content as canonical text through the
// engine's public type APIs (so a value written and read back can be
// compared whatever its encoding), quicklist node statistics, hex, and a
// DUMP payload trailer for handmade payloads.
//
// Why text through the type APIs and not the value bytes: a value loaded
// from RDB may legitimately change encoding (Redis's conversions on load)
// or table order; what must not change is what the commands see.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/crc64.h"
#include "engine/encoding/quicklist.h"
#include "engine/keyspace.h"
#include "engine/types/hash.h"
#include "engine/types/list.h"
#include "engine/types/set.h"
#include "engine/types/string.h"
#include "engine/types/zset.h"
#include "persistence/rdb_format.h"

namespace vireo::persistence::rdb::testutil {

inline std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += {d[c >> 4], d[c & 15]};
  return out;
}

inline std::string FromHex(std::string_view hex) {
  std::string b;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    b.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return b;
}

// A length-prefixed item, so that concatenations are unambiguous.
inline void Put(std::string* out, std::string_view s) {
  *out += std::to_string(s.size());
  *out += ':';
  out->append(s);
  *out += ',';
}

inline std::string ScoreBits(double d) {
  uint64_t b;
  memcpy(&b, &d, 8);
  return std::to_string(b);
}

class ZsetCollector : public engine::zset::Sink {
 public:
  std::string out;
  void Begin(int64_t) override {}
  void Item(std::string_view m, double score) override {
    Put(&out, m);
    Put(&out, ScoreBits(score));
  }
  void End(size_t) override {}
};

// The value at (db, key) as text: type letter, then the elements (list and
// zset in order, hash pairs and set members sorted). "" when missing.
inline std::string Content(engine::Keyspace& ks, int db, std::string_view key) {
  engine::Entry* e = ks.Find(db, key, engine::kLookupNoTouch | engine::kLookupNoStats);
  if (!e) return "";
  std::string out;
  switch (e->otype()) {
    case engine::ObjType::kString: {
      char buf[32];
      out = "s";
      Put(&out, *engine::str::Get(ks, db, key, buf, engine::kLookupNoTouch));
      break;
    }
    case engine::ObjType::kList: {
      out = "l";
      engine::list::Range(ks, db, key, 0, -1, [&](std::string_view s, size_t, size_t) { Put(&out, s); });
      break;
    }
    case engine::ObjType::kHash: {
      std::vector<std::string> pairs;
      char a[32], b[32];
      engine::hash::ForEach(e, [&](engine::hash::Elem f, engine::hash::Elem v) {
        std::string p;
        Put(&p, f.ToString(a));
        Put(&p, v.ToString(b));
        pairs.push_back(std::move(p));
      });
      std::sort(pairs.begin(), pairs.end());
      out = "h";
      for (auto& p : pairs) out += p;
      break;
    }
    case engine::ObjType::kSet: {
      std::vector<std::string> members;
      engine::set::FnSink sink([&](std::string_view m) { members.emplace_back(m); });
      engine::set::ForEachMember(e, sink);
      std::sort(members.begin(), members.end());
      out = "S";
      for (auto& m : members) Put(&out, m);
      break;
    }
    case engine::ObjType::kZset: {
      ZsetCollector c;
      engine::zset::RangeSpec spec;
      spec.start = 0;
      spec.end = -1;
      engine::zset::Range(ks, db, key, spec, c);
      out = "z" + c.out;
      break;
    }
    default:
      out = "?";
  }
  return out;
}

// Every key of every db as text (key, TTL, content), sorted.
inline std::string Dataset(engine::Keyspace& ks) {
  std::vector<std::string> keys;
  std::vector<std::string> lines;
  for (int db = 0; db < ks.num_dbs(); db++) {
    keys.clear();
    ks.db(db).keys().ForEach([&](engine::Entry* e) { keys.emplace_back(e->key()); });
    for (auto& k : keys) {
      engine::Entry* e = ks.Find(db, k, engine::kLookupNoTouch | engine::kLookupNoStats);
      std::string line = std::to_string(db) + "/";
      Put(&line, k);
      line += "ttl=" + std::to_string(e ? ks.GetExpire(db, e) : -2) + " ";
      line += Content(ks, db, k);
      lines.push_back(std::move(line));
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (auto& l : lines) out += l + "\n";
  return out;
}

struct NodeStats {
  size_t nodes = 0, plain = 0, compressed = 0;
};

inline NodeStats ListNodes(const engine::Entry* e) {
  NodeStats s;
  const auto* ql = engine::list::QL(e);
  for (const engine::ql::Node* n = ql->head; n; n = n->next) {
    s.nodes++;
    if (n->plain()) s.plain++;
    if (n->compressed()) s.compressed++;
  }
  return s;
}

// `body` (type byte + value) with the DUMP trailer: RDB version, CRC64.
inline std::string WithTrailer(std::string body, int version = kVersion) {
  body.push_back(static_cast<char>(version & 0xFF));
  body.push_back(static_cast<char>((version >> 8) & 0xFF));
  uint64_t crc = base::Crc64(0, body.data(), body.size());
  body.append(reinterpret_cast<const char*>(&crc), 8);
  return body;
}

}  // namespace vireo::persistence::rdb::testutil
