#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>

#include "temp_dir.h"

namespace sb::store {
namespace {

class TempDir : public sb::testing::TempDir {
 public:
  TempDir() : sb::testing::TempDir("sb-store-") {}
};

std::map<std::pair<int, std::string>, std::string> LoadAll(Store& store) {
  std::map<std::pair<int, std::string>, std::string> out;
  EXPECT_TRUE(store.LoadRecords([&](const Record& r) -> Status {
    out[{r.kind, r.id}] = *r.data;
    return Ok{};
  }).ok());
  return out;
}

Batch Records(std::vector<Record> records) {
  Batch batch;
  batch.records = std::move(records);
  return batch;
}

// Outbox entries raised at 1 s, 2 s, ... after the epoch.
std::vector<OutboxEntry> Entries(std::vector<std::string> data) {
  std::vector<OutboxEntry> out;
  for (std::size_t i = 0; i < data.size(); ++i) {
    out.push_back({std::move(data[i]), Timestamp::FromUnixSeconds(static_cast<std::int64_t>(i) + 1)});
  }
  return out;
}

void ExerciseStore(Store& store) {
  ASSERT_TRUE(store.Commit(Records({{1, "a", std::string("one")}, {2, "a", std::string("two\0x", 5)}})).ok());
  ASSERT_TRUE(store.Commit(Records({{1, "a", std::string("uno")}, {1, "b", std::string("b")}})).ok());
  ASSERT_TRUE(store.Commit(Records({{1, "b", std::nullopt}})).ok());
  const auto all = LoadAll(store);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all.at({1, "a"}), "uno");
  EXPECT_EQ(all.at({2, "a"}), std::string("two\0x", 5));

  Batch events;
  events.events = Entries({"e1", "e2", "e3"});
  events.engine_meta = "meta";
  ASSERT_TRUE(store.Commit(events).ok());
  auto outbox = store.events().ReadOutbox(0, 10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 3u);
  EXPECT_LT((*outbox)[0].seq, (*outbox)[1].seq);
  EXPECT_EQ((*outbox)[2].data, "e3");
  EXPECT_EQ((*outbox)[2].at, Timestamp::FromUnixSeconds(3));
  ASSERT_TRUE(store.events().TrimOutbox((*outbox)[1].seq).ok());
  outbox = store.events().ReadOutbox(0, 10);
  ASSERT_EQ(outbox->size(), 1u);
  EXPECT_EQ((*outbox)[0].data, "e3");
  EXPECT_EQ(*store.LoadEngineMeta(), std::optional<std::string>("meta"));
}

TEST(StoreTest, MemoryStoreKeepsStateInProcess) {
  auto store = NewMemoryStore();
  EXPECT_FALSE(store->durable());
  ExerciseStore(*store);
}

TEST(StoreTest, SqliteStoreKeepsStateAcrossReopen) {
  TempDir dir;
  {
    auto store = OpenSqliteStore(dir.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_TRUE((*store)->durable());
    ExerciseStore(**store);
  }
  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  const auto all = LoadAll(**store);
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(all.at({1, "a"}), "uno");
  EXPECT_EQ(*(*store)->LoadEngineMeta(), std::optional<std::string>("meta"));
  // Outbox sequence numbers are never reused, even after a trim and a reopen.
  Batch more;
  more.events = Entries({"e4"});
  ASSERT_TRUE((*store)->Commit(more).ok());
  auto outbox = (*store)->events().ReadOutbox(0, 10);
  ASSERT_EQ(outbox->size(), 2u);
  EXPECT_EQ((*outbox)[1].seq, 4u);
}

TEST(StoreTest, ADirectoryIsOpenOnce) {
  TempDir dir;
  auto first = OpenSqliteStore(dir.path());
  ASSERT_TRUE(first.ok());
  auto second = OpenSqliteStore(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("in use"), std::string::npos);
}

TEST(StoreTest, RefusesAStoreFromANewerVersion) {
  TempDir dir;
  { ASSERT_TRUE(OpenSqliteStore(dir.path()).ok()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/switchboard.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto store = OpenSqliteStore(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("newer Switchboard"), std::string::npos);
}

TEST(StoreTest, BatchesMergeInOrder) {
  Batch a = Records({{1, "x", std::string("1")}});
  a.events = Entries({"a"});
  Batch b = Records({{1, "x", std::string("2")}});
  b.events = Entries({"b"});
  b.engine_meta = "m";
  a.Append(std::move(b));
  auto store = NewMemoryStore();
  ASSERT_TRUE(store->Commit(a).ok());
  EXPECT_EQ(LoadAll(*store).at({1, "x"}), "2");
  EXPECT_EQ((*store->events().ReadOutbox(0, 10))[1].data, "b");
}

}  // namespace
}  // namespace sb::store
