// Unit tests for engine/Db: the key table, the expire index and the
// invariant that ties them (an ExpireNode exists iff its entry has
// kFlagHasExpire, and it points at the live entry).
#include "engine/db.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/memory.h"
#include "engine/object.h"
#include "engine/types/string.h"
#include "engine/value.h"

namespace vireo::engine {
using str::ChooseStringEncoding;
using str::NewIntEntry;
using str::NewStringEntry;
namespace {

Entry* Str(const std::string& key, const std::string& val) {
  int64_t iv;
  Enc enc = ChooseStringEncoding(val, &iv);
  if (enc == Enc::kInt) return NewIntEntry(key, iv);
  return NewStringEntry(key, val, enc);
}

std::string Val(const Entry* e) {
  char buf[32];
  return std::string(str::Value(e, buf));
}

// Checks the Db invariant over the whole content.
void CheckInvariant(Db& db) {
  size_t with_flag = 0;
  db.keys().ForEach([&](Entry* e) {
    if (e->has_expire()) with_flag++;
  });
  EXPECT_EQ(with_flag, db.expires_size());
  db.expires().ForEach([&](ExpireNode* n) {
    Entry* live = db.Find(n->entry->key());
    EXPECT_EQ(live, n->entry) << "expire node of " << n->entry->key() << " points at a stale entry";
    if (live) {
      EXPECT_TRUE(live->has_expire());
    }
  });
}

TEST(EngineDb, AddFindDelete) {
  Db db(3);
  EXPECT_EQ(db.id(), 3);
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.Find("k"), nullptr);
  db.Add(Str("k", "hello"));
  db.Add(Str("n", "12345"));
  db.Add(Str("big", std::string(1000, 'x')));
  EXPECT_EQ(db.size(), 3u);
  ASSERT_NE(db.Find("k"), nullptr);
  EXPECT_EQ(Val(db.Find("k")), "hello");
  EXPECT_EQ(db.Find("n")->encoding(), Enc::kInt);
  EXPECT_EQ(Val(db.Find("n")), "12345");
  EXPECT_EQ(Val(db.Find("big")), std::string(1000, 'x'));
  EXPECT_EQ(db.Find("big")->encoding(), Enc::kRaw);
  EXPECT_EQ(db.Find("k")->encoding(), Enc::kEmbstr);
  EXPECT_EQ(db.GetExpire(db.Find("k")), -1);
  EXPECT_TRUE(db.Delete("k"));
  EXPECT_FALSE(db.Delete("k"));
  EXPECT_EQ(db.Find("k"), nullptr);
  EXPECT_EQ(db.size(), 2u);
}

TEST(EngineDb, SetGetRemoveExpire) {
  Db db(0);
  db.Add(Str("k", "v"));
  Entry* e = db.Find("k");
  EXPECT_FALSE(e->has_expire());
  EXPECT_EQ(db.GetExpire(e), -1);
  EXPECT_FALSE(db.RemoveExpire(e));

  db.SetExpire(e, 1000);
  EXPECT_TRUE(e->has_expire());
  EXPECT_EQ(db.GetExpire(e), 1000);
  EXPECT_EQ(db.expires_size(), 1u);
  // Updating keeps one node.
  db.SetExpire(e, 2000);
  EXPECT_EQ(db.GetExpire(e), 2000);
  EXPECT_EQ(db.expires_size(), 1u);
  CheckInvariant(db);

  EXPECT_TRUE(db.RemoveExpire(e));
  EXPECT_FALSE(e->has_expire());
  EXPECT_EQ(db.GetExpire(e), -1);
  EXPECT_EQ(db.expires_size(), 0u);
  EXPECT_FALSE(db.RemoveExpire(e));
  CheckInvariant(db);
}

TEST(EngineDb, IsExpiredAt) {
  EXPECT_TRUE(Db::IsExpiredAt(999, 1000));
  EXPECT_FALSE(Db::IsExpiredAt(1000, 1000));
  EXPECT_FALSE(Db::IsExpiredAt(1001, 1000));
}

TEST(EngineDb, ReplaceEntryKeepTtl) {
  Db db(0);
  db.Add(Str("k", "old"));
  db.SetExpire(db.Find("k"), 5000);
  Entry** link = db.FindLink("k");
  ASSERT_NE(link, nullptr);
  Entry* fresh = Str("k", "new");
  db.ReplaceEntry(link, fresh, /*keep_ttl=*/true);
  EXPECT_EQ(db.Find("k"), fresh);
  EXPECT_EQ(Val(fresh), "new");
  EXPECT_TRUE(fresh->has_expire());
  EXPECT_EQ(db.GetExpire(fresh), 5000);
  EXPECT_EQ(db.expires_size(), 1u);
  // The expire node now points at the new entry.
  ExpireNode* n = db.expires().Find("k");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->entry, fresh);
  EXPECT_EQ(db.size(), 1u);
  CheckInvariant(db);
}

TEST(EngineDb, ReplaceEntryDropTtl) {
  Db db(0);
  db.Add(Str("k", "old"));
  db.SetExpire(db.Find("k"), 5000);
  Entry* fresh = Str("k", "new");
  db.ReplaceEntry(db.FindLink("k"), fresh, /*keep_ttl=*/false);
  EXPECT_EQ(db.Find("k"), fresh);
  EXPECT_FALSE(fresh->has_expire());
  EXPECT_EQ(db.GetExpire(fresh), -1);
  EXPECT_EQ(db.expires_size(), 0u);
  EXPECT_EQ(db.expires().Find("k"), nullptr);
  CheckInvariant(db);
}

TEST(EngineDb, ReplaceEntryWithoutTtl) {
  for (bool keep : {false, true}) {
    Db db(0);
    db.Add(Str("k", "1"));
    Entry* fresh = Str("k", "2");
    // A stale flag on the new entry must not survive.
    fresh->flags |= Entry::kFlagHasExpire;
    db.ReplaceEntry(db.FindLink("k"), fresh, keep);
    EXPECT_FALSE(fresh->has_expire());
    EXPECT_EQ(db.GetExpire(fresh), -1);
    EXPECT_EQ(db.expires_size(), 0u);
    EXPECT_EQ(Val(db.Find("k")), "2");
    CheckInvariant(db);
  }
}

TEST(EngineDb, ExpireNodePointerSurvivesRehashAfterReplace) {
  // After ReplaceEntry(keep_ttl) the old entry is freed: the expire table
  // must never read its key again, even while it rehashes (the hash of an
  // ExpireNode is computed from node->entry->key()).
  Db db(0);
  const int n = 3000;
  for (int i = 0; i < n; i++) {
    std::string k = "key:" + std::to_string(i);
    db.Add(Str(k, "v"));
    db.SetExpire(db.Find(k), 1000 + i);
  }
  for (int i = 0; i < n; i += 2) {
    std::string k = "key:" + std::to_string(i);
    db.ReplaceEntry(db.FindLink(k), Str(k, "replaced" + std::to_string(i)), i % 4 == 0);
  }
  // Grow both tables through several rehashes.
  for (int i = n; i < 4 * n; i++) {
    std::string k = "key:" + std::to_string(i);
    db.Add(Str(k, "w"));
    db.SetExpire(db.Find(k), 1000 + i);
  }
  CheckInvariant(db);
  for (int i = 0; i < 4 * n; i++) {
    std::string k = "key:" + std::to_string(i);
    Entry* e = db.Find(k);
    ASSERT_NE(e, nullptr) << k;
    bool dropped = i < n && i % 2 == 0 && i % 4 != 0;
    EXPECT_EQ(db.GetExpire(e), dropped ? -1 : 1000 + i) << k;
    if (i < n && i % 2 == 0) {
      EXPECT_EQ(Val(e), "replaced" + std::to_string(i));
    }
  }
  EXPECT_EQ(db.expires_size(), static_cast<size_t>(4 * n - n / 4));
}

TEST(EngineDb, Unlink) {
  Db db(0);
  db.Add(Str("a", "1"));
  db.Add(Str("b", "2"));
  db.SetExpire(db.Find("a"), 100);
  Entry* a = db.Unlink("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->key(), "a");
  EXPECT_FALSE(a->has_expire());  // flag cleared with the node
  EXPECT_EQ(db.Find("a"), nullptr);
  EXPECT_EQ(db.expires_size(), 0u);
  EXPECT_EQ(db.size(), 1u);
  EXPECT_EQ(db.Unlink("a"), nullptr);
  EXPECT_EQ(db.Unlink("zzz"), nullptr);
  // The unlinked entry is still usable (RENAME / MOVE re-add it).
  Db other(1);
  other.Add(a);
  EXPECT_EQ(Val(other.Find("a")), "1");
  other.SetExpire(a, 200);
  EXPECT_EQ(other.GetExpire(a), 200);
  CheckInvariant(db);
  CheckInvariant(other);
}

TEST(EngineDb, DeleteRemovesTtl) {
  Db db(0);
  db.Add(Str("a", "1"));
  db.SetExpire(db.Find("a"), 100);
  EXPECT_TRUE(db.Delete("a"));
  EXPECT_EQ(db.expires_size(), 0u);
  EXPECT_EQ(db.expires().Find("a"), nullptr);
  // Re-adding the key starts without TTL.
  db.Add(Str("a", "2"));
  EXPECT_EQ(db.GetExpire(db.Find("a")), -1);
  CheckInvariant(db);
}

TEST(EngineDb, Clear) {
  Db db(0);
  for (int i = 0; i < 1000; i++) {
    std::string k = "k" + std::to_string(i);
    db.Add(Str(k, std::string(i % 400, 'v')));
    if (i % 3 == 0) db.SetExpire(db.Find(k), i);
  }
  db.avg_ttl = 77;
  db.expires_cursor = 99;
  EXPECT_EQ(db.size(), 1000u);
  EXPECT_EQ(db.expires_size(), 334u);
  db.Clear();
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.expires_size(), 0u);
  EXPECT_EQ(db.avg_ttl, 0);
  EXPECT_EQ(db.expires_cursor, 0u);
  EXPECT_EQ(db.Find("k1"), nullptr);
  // Usable afterwards.
  db.Add(Str("x", "y"));
  db.SetExpire(db.Find("x"), 5);
  EXPECT_EQ(db.GetExpire(db.Find("x")), 5);
}

TEST(EngineDb, SwapContent) {
  Db a(0), b(1);
  a.Add(Str("a1", "x"));
  a.Add(Str("a2", "y"));
  a.SetExpire(a.Find("a1"), 111);
  a.avg_ttl = 10;
  a.expires_cursor = 5;
  b.Add(Str("b1", "z"));
  b.avg_ttl = 20;
  a.SwapContent(b);
  EXPECT_EQ(a.id(), 0);  // ids stay
  EXPECT_EQ(b.id(), 1);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_NE(a.Find("b1"), nullptr);
  EXPECT_EQ(a.Find("a1"), nullptr);
  EXPECT_EQ(b.GetExpire(b.Find("a1")), 111);
  EXPECT_EQ(b.expires_size(), 1u);
  EXPECT_EQ(a.expires_size(), 0u);
  EXPECT_EQ(a.avg_ttl, 20);
  EXPECT_EQ(b.avg_ttl, 10);
  EXPECT_EQ(b.expires_cursor, 5u);
  EXPECT_EQ(a.expires_cursor, 0u);
  CheckInvariant(a);
  CheckInvariant(b);
  // Swapping back restores.
  a.SwapContent(b);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(a.GetExpire(a.Find("a1")), 111);
}

TEST(EngineDb, MoveContentTo) {
  Db a(0), b(1);
  for (int i = 0; i < 100; i++) {
    std::string k = "k" + std::to_string(i);
    a.Add(Str(k, "v"));
    if (i % 2) a.SetExpire(a.Find(k), i);
  }
  a.avg_ttl = 42;
  a.MoveContentTo(b);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.expires_size(), 0u);
  EXPECT_EQ(b.size(), 100u);
  EXPECT_EQ(b.expires_size(), 50u);
  EXPECT_EQ(b.avg_ttl, 42);
  EXPECT_EQ(a.avg_ttl, 0);
  EXPECT_EQ(b.GetExpire(b.Find("k7")), 7);
  CheckInvariant(b);
}

TEST(EngineDb, NoLeaks) {
  // Every path frees what it owns: used_memory returns to where it was.
  const size_t before = base::UsedMemory();
  {
    Db db(0);
    for (int i = 0; i < 2000; i++) {
      std::string k = "key" + std::to_string(i);
      db.Add(Str(k, std::string(i % 600, 'a')));
      if (i % 2) db.SetExpire(db.Find(k), i);
    }
    for (int i = 0; i < 2000; i += 3) {
      std::string k = "key" + std::to_string(i);
      db.ReplaceEntry(db.FindLink(k), Str(k, std::to_string(i)), i % 2 == 1);
    }
    for (int i = 0; i < 2000; i += 5) db.Delete("key" + std::to_string(i));
    for (int i = 1; i < 2000; i += 7) {
      Entry* e = db.Unlink("key" + std::to_string(i));
      if (e) FreeEntry(e);
    }
    for (int i = 0; i < 2000; i += 11) {
      Entry* e = db.Find("key" + std::to_string(i));
      if (e) db.RemoveExpire(e);
    }
    CheckInvariant(db);
  }
  EXPECT_EQ(base::UsedMemory(), before);
}

}  // namespace
}  // namespace vireo::engine
