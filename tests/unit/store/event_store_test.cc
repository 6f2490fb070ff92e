// The events side of both stores: outbox bounds and trimming, subscriptions with their
// progress, retries, dead letters; a version 1 SQLite store read after migration; and the
// outbox read and trimmed from a second thread while the engine side commits.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include "store/store.h"
#include "temp_dir.h"

namespace sb::store {
namespace {

class TempDir : public sb::testing::TempDir {
 public:
  TempDir() : sb::testing::TempDir("sb-evstore-") {}
};

Timestamp At(int seconds) { return Timestamp::FromUnixSeconds(seconds); }

Batch Events(int first, int count) {
  Batch batch;
  for (int i = first; i < first + count; ++i)
    batch.events.push_back({"e" + std::to_string(i), At(i)});
  return batch;
}

void ExerciseOutbox(Store& store) {
  EventStore& events = store.events();
  EXPECT_EQ(*events.LastOutboxSeq(), 0u);
  ASSERT_TRUE(store.Commit(Events(1, 10)).ok());
  EXPECT_EQ(*events.LastOutboxSeq(), 10u);
  EXPECT_EQ(*events.LastOutboxSeqAtOrBefore(At(4)), 4u);
  EXPECT_EQ(*events.LastOutboxSeqAtOrBefore(At(0)), 0u);
  ASSERT_TRUE(events.TrimOutbox(6).ok());
  EXPECT_EQ(*events.LastOutboxSeqAtOrBefore(At(4)), 0u);  // trimmed
  EXPECT_EQ(*events.LastOutboxSeq(), 10u);                // the sequence is not reset
  auto rest = events.ReadOutbox(0, 100);
  ASSERT_EQ(rest->size(), 4u);
  EXPECT_EQ((*rest)[0].seq, 7u);
  EXPECT_EQ((*rest)[0].data, "e7");
  ASSERT_TRUE(events.TrimOutbox(100).ok());
  EXPECT_TRUE(events.ReadOutbox(0, 100)->empty());
}

RetryRecord Retry(std::string sub, std::uint64_t seq, int attempts) {
  return {std::move(sub),     seq,       "event" + std::to_string(seq), attempts,
          At(100 + attempts), "HTTP 503"};
}

DeadLetterRecord Dead(std::string sub, std::uint64_t seq) {
  return {std::move(sub),
          seq,
          "event" + std::to_string(seq),
          "MaxDeliveryAttemptsExceeded",
          3,
          "timeout",
          At(200),
          At(201)};
}

void ExerciseDelivery(EventStore& events) {
  ASSERT_TRUE(events.PutSubscription({"a", "{a}"}, 5).ok());
  ASSERT_TRUE(events.PutSubscription({"b", "{b}"}, 7).ok());
  ASSERT_TRUE(events.PutSubscription({"a", "{a2}"}, std::nullopt).ok());  // keeps progress
  auto subs = events.LoadSubscriptions();
  ASSERT_EQ(subs->size(), 2u);
  EXPECT_EQ((*subs)[0].data, "{a2}");
  EXPECT_EQ(events.LoadProgress()->at("a"), 5u);

  DeliveryBatch batch;
  batch.progress["a"] = 9;
  batch.retries = {Retry("a", 6, 1), Retry("a", 8, 1), Retry("b", 8, 2)};
  ASSERT_TRUE(events.ApplyDelivery(batch).ok());
  DeliveryBatch next;
  next.retries = {Retry("a", 6, 2)};
  next.retries_done = {{"a", 8}};
  next.dead_letters = {Dead("b", 8), Dead("b", 3), Dead("b", 4)};
  ASSERT_TRUE(events.ApplyDelivery(next).ok());

  auto retries = events.LoadRetries();
  ASSERT_EQ(retries->size(), 1u);  // a/8 done, b/8 dead-lettered
  EXPECT_EQ((*retries)[0].attempts, 2);
  EXPECT_EQ((*retries)[0].event, "event6");
  EXPECT_EQ((*retries)[0].next_attempt_at, At(102));
  EXPECT_EQ(events.LoadProgress()->at("a"), 9u);

  auto dead = events.ListDeadLetters("b", 3, 10);
  ASSERT_EQ(dead->size(), 2u);
  EXPECT_EQ((*dead)[0].seq, 4u);
  EXPECT_EQ((*dead)[1].reason, "MaxDeliveryAttemptsExceeded");
  EXPECT_EQ((*dead)[1].dead_lettered_at, At(201));
  EXPECT_EQ(*events.CountDeadLetters("b"), 3u);
  ASSERT_TRUE(events.TrimDeadLetters("b", 2).ok());
  EXPECT_EQ(events.ListDeadLetters("b", 0, 10)->front().seq, 4u);  // the oldest went
  ASSERT_TRUE(events.TrimDeadLetters("b", 5).ok());
  EXPECT_EQ(*events.CountDeadLetters("b"), 2u);

  ASSERT_TRUE(events.DeleteSubscription("a").ok());
  EXPECT_EQ(events.LoadSubscriptions()->size(), 1u);
  EXPECT_EQ(events.LoadProgress()->count("a"), 0u);
  EXPECT_TRUE(events.LoadRetries()->empty());
  EXPECT_EQ(*events.CountDeadLetters("b"), 2u);  // b's stay
}

TEST(EventStoreTest, MemoryOutbox) {
  auto store = NewMemoryStore();
  ExerciseOutbox(*store);
}

TEST(EventStoreTest, SqliteOutbox) {
  TempDir dir;
  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  ExerciseOutbox(**store);
}

TEST(EventStoreTest, MemoryDelivery) {
  auto store = NewMemoryStore();
  ExerciseDelivery(store->events());
}

TEST(EventStoreTest, SqliteDeliverySurvivesReopen) {
  TempDir dir;
  {
    auto store = OpenSqliteStore(dir.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    ExerciseDelivery((*store)->events());
  }
  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok());
  EventStore& events = (*store)->events();
  EXPECT_EQ(events.LoadSubscriptions()->size(), 1u);
  EXPECT_EQ(events.LoadProgress()->at("b"), 7u);
  EXPECT_EQ(*events.CountDeadLetters("b"), 2u);
}

// A store written by schema version 1 (before the events side existed) opens, migrates, and
// keeps its records and outbox.
TEST(EventStoreTest, ReadsAVersionOneStore) {
  TempDir dir;
  std::filesystem::create_directories(dir.path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/switchboard.db").c_str(), &db), SQLITE_OK);
  const char* v1 =
      "PRAGMA journal_mode=WAL;"
      "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
      "CREATE TABLE entities (kind INTEGER NOT NULL, id TEXT NOT NULL, data BLOB NOT NULL,"
      "                       PRIMARY KEY (kind, id)) WITHOUT ROWID;"
      "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL);"
      "INSERT INTO meta VALUES ('engine', 'm1');"
      "INSERT INTO entities VALUES (4, 'job-1', 'j1');"
      "INSERT INTO outbox (data) VALUES ('old');"
      "PRAGMA user_version = 1;";
  ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(*(*store)->LoadEngineMeta(), std::optional<std::string>("m1"));
  int records = 0;
  ASSERT_TRUE((*store)
                  ->LoadRecords([&](const Record& r) -> Status {
                    EXPECT_EQ(r.id, "job-1");
                    ++records;
                    return Ok{};
                  })
                  .ok());
  EXPECT_EQ(records, 1);
  EventStore& events = (*store)->events();
  auto outbox = events.ReadOutbox(0, 10);
  ASSERT_EQ(outbox->size(), 1u);
  EXPECT_EQ((*outbox)[0].data, "old");
  EXPECT_EQ((*outbox)[0].at, Timestamp::FromUnixMicros(0));
  ASSERT_TRUE((*store)->Commit(Events(5, 1)).ok());
  EXPECT_EQ(*events.LastOutboxSeq(), 2u);
  EXPECT_TRUE(events.PutSubscription({"s", "{}"}, 2).ok());
}

// The dispatcher's thread reads and trims the outbox while the committer's thread commits:
// every event is seen once, in order, and nothing is lost.
void ReadWhileCommitting(Store& store) {
  constexpr int kBatches = 200;
  constexpr int kPerBatch = 5;
  std::atomic<bool> done{false};
  std::thread committer([&] {
    for (int b = 0; b < kBatches; ++b)
      ASSERT_TRUE(store.Commit(Events(b * kPerBatch, kPerBatch)).ok());
    done = true;
  });
  std::uint64_t last = 0;
  int seen = 0;
  for (;;) {
    const bool finished = done.load();
    auto read = store.events().ReadOutbox(last, 64);
    ASSERT_TRUE(read.ok()) << read.error().message;
    for (const OutboxEvent& e : *read) {
      ASSERT_EQ(e.seq, last + 1);
      ASSERT_EQ(e.data, "e" + std::to_string(seen));
      last = e.seq;
      ++seen;
    }
    if (!read->empty()) {
      ASSERT_TRUE(store.events().TrimOutbox(last).ok());
    }
    if (finished && read->empty()) break;
  }
  committer.join();
  EXPECT_EQ(seen, kBatches * kPerBatch);
}

TEST(EventStoreTest, MemoryOutboxFromASecondThread) {
  auto store = NewMemoryStore();
  ReadWhileCommitting(*store);
}

TEST(EventStoreTest, SqliteOutboxFromASecondThread) {
  TempDir dir;
  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok());
  ReadWhileCommitting(**store);
}

}  // namespace
}  // namespace sb::store
