// SqliteEventStore: the events side of the SQLite store. Its own connection, so the dispatcher
// reads the outbox from a WAL snapshot while the committer appends to it. Its writes are short
// transactions (a delivery batch, a subscription, an outbox trim in chunks), so the committer
// never waits long for the write lock. synchronous=FULL like the engine side: a subscription
// answered as created, and a delivery recorded as settled, survive a power loss.
#include "store/sqlite_event_store.h"

#include <algorithm>

#include "store/sqlite_common.h"

namespace sb::store {
namespace {

using sqlite::Exec;
using sqlite::ForEachRow;
using sqlite::InTransaction;
using sqlite::Statement;

// An outbox trim deletes at most this many rows per transaction.
constexpr std::uint64_t kTrimChunk = 5000;

class SqliteEventStore final : public EventStore {
 public:
  explicit SqliteEventStore(sqlite3* db) : db_(db) {}
  ~SqliteEventStore() override {
    s_.reset();  // finalize the statements before closing
    sqlite3_close(db_);
  }

  Status Prepare() {
    SB_TRY(Exec(db_, "PRAGMA synchronous=FULL;"));
    s_ = std::make_unique<Statements>();
    SB_TRY(s_->read.Prepare(
        db_, "SELECT seq, data, at FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
    SB_TRY(s_->last.Prepare(db_, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"));
    SB_TRY(s_->before.Prepare(
        db_, "SELECT seq FROM outbox WHERE at <= ?1 ORDER BY at DESC, seq DESC LIMIT 1"));
    SB_TRY(s_->first.Prepare(db_, "SELECT min(seq) FROM outbox"));
    SB_TRY(s_->trim.Prepare(db_, "DELETE FROM outbox WHERE seq <= ?1"));
    SB_TRY(s_->put_sub.Prepare(
        db_, "INSERT OR REPLACE INTO event_subscriptions (id, data) VALUES (?1, ?2)"));
    SB_TRY(s_->put_progress.Prepare(
        db_, "INSERT OR REPLACE INTO event_progress (subscription_id, seq) VALUES (?1, ?2)"));
    SB_TRY(s_->put_retry.Prepare(
        db_,
        "INSERT OR REPLACE INTO event_retries (subscription_id, seq, event, attempts,"
        " next_attempt_at, last_outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    SB_TRY(s_->erase_retry.Prepare(
        db_, "DELETE FROM event_retries WHERE subscription_id = ?1 AND seq = ?2"));
    SB_TRY(s_->put_dead.Prepare(
        db_,
        "INSERT OR REPLACE INTO event_dead_letters (subscription_id, seq, event, reason,"
        " attempts, last_outcome, last_attempt_at, dead_lettered_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    SB_TRY(s_->list_dead.Prepare(
        db_,
        "SELECT subscription_id, seq, event, reason, attempts, last_outcome, last_attempt_at,"
        " dead_lettered_at FROM event_dead_letters WHERE subscription_id = ?1 AND seq > ?2"
        " ORDER BY seq LIMIT ?3"));
    SB_TRY(s_->count_dead.Prepare(
        db_, "SELECT count(*) FROM event_dead_letters WHERE subscription_id = ?1"));
    SB_TRY(s_->trim_dead.Prepare(
        db_,
        "DELETE FROM event_dead_letters WHERE subscription_id = ?1 AND seq <= (SELECT seq FROM"
        " event_dead_letters WHERE subscription_id = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)"));
    return Ok{};
  }

  Result<std::vector<OutboxEvent>> ReadOutbox(std::uint64_t after_seq, std::size_t limit) override {
    s_->read.BindInt(1, static_cast<std::int64_t>(after_seq));
    s_->read.BindInt(2, static_cast<std::int64_t>(limit));
    std::vector<OutboxEvent> out;
    SB_TRY(ForEachRow(s_->read, [&](Statement& row) {
      out.push_back({static_cast<std::uint64_t>(row.Int(0)), row.Text(1),
                     Timestamp::FromUnixMicros(row.Int(2))});
    }));
    return out;
  }

  Result<std::uint64_t> LastOutboxSeq() override { return SingleSeq(s_->last); }

  Result<std::uint64_t> LastOutboxSeqAtOrBefore(Timestamp t) override {
    s_->before.BindInt(1, t.unix_micros());
    return SingleSeq(s_->before);
  }

  Status TrimOutbox(std::uint64_t through_seq) override {
    auto first = SingleSeq(s_->first);
    if (!first) return std::move(first).error();
    for (std::uint64_t done = *first; done <= through_seq && *first != 0; done += kTrimChunk) {
      const std::uint64_t upto = std::min(through_seq, done + kTrimChunk - 1);
      SB_TRY(InTransaction(db_, [&] {
        s_->trim.BindInt(1, static_cast<std::int64_t>(upto));
        return s_->trim.Run();
      }));
    }
    return Ok{};
  }

  Result<std::vector<SubscriptionRecord>> LoadSubscriptions() override {
    Statement select;
    SB_TRY(select.Prepare(db_, "SELECT id, data FROM event_subscriptions ORDER BY id"));
    std::vector<SubscriptionRecord> out;
    SB_TRY(ForEachRow(select, [&](Statement& row) { out.push_back({row.Text(0), row.Text(1)}); }));
    return out;
  }

  Status PutSubscription(const SubscriptionRecord& subscription,
                         std::optional<std::uint64_t> start_progress) override {
    return InTransaction(db_, [&]() -> Status {
      s_->put_sub.BindText(1, subscription.id);
      s_->put_sub.BindBlob(2, subscription.data);
      SB_TRY(s_->put_sub.Run());
      if (!start_progress) return Ok{};
      return PutProgress(subscription.id, *start_progress);
    });
  }

  Status DeleteSubscription(std::string_view id) override {
    return InTransaction(db_, [&]() -> Status {
      for (const char* sql : {"DELETE FROM event_subscriptions WHERE id = ?1",
                              "DELETE FROM event_progress WHERE subscription_id = ?1",
                              "DELETE FROM event_retries WHERE subscription_id = ?1",
                              "DELETE FROM event_dead_letters WHERE subscription_id = ?1"}) {
        Statement erase;
        SB_TRY(erase.Prepare(db_, sql));
        erase.BindText(1, id);
        SB_TRY(erase.Run());
      }
      return Ok{};
    });
  }

  Result<std::map<std::string, std::uint64_t>> LoadProgress() override {
    Statement select;
    SB_TRY(select.Prepare(db_, "SELECT subscription_id, seq FROM event_progress"));
    std::map<std::string, std::uint64_t> out;
    SB_TRY(ForEachRow(select, [&](Statement& row) {
      out[row.Text(0)] = static_cast<std::uint64_t>(row.Int(1));
    }));
    return out;
  }

  Result<std::vector<RetryRecord>> LoadRetries() override {
    Statement select;
    SB_TRY(select.Prepare(db_,
                          "SELECT subscription_id, seq, event, attempts, next_attempt_at,"
                          " last_outcome FROM event_retries ORDER BY subscription_id, seq"));
    std::vector<RetryRecord> out;
    SB_TRY(ForEachRow(select, [&](Statement& row) {
      out.push_back({row.Text(0), static_cast<std::uint64_t>(row.Int(1)), row.Text(2),
                     static_cast<int>(row.Int(3)), Timestamp::FromUnixMicros(row.Int(4)),
                     row.Text(5)});
    }));
    return out;
  }

  Status ApplyDelivery(const DeliveryBatch& batch) override {
    if (batch.empty()) return Ok{};
    return InTransaction(db_, [&]() -> Status {
      for (const auto& [id, seq] : batch.progress) SB_TRY(PutProgress(id, seq));
      for (const RetryRecord& r : batch.retries) SB_TRY(PutRetry(r));
      for (const RetryKey& key : batch.retries_done)
        SB_TRY(EraseRetry(key.subscription_id, key.seq));
      for (const DeadLetterRecord& d : batch.dead_letters) {
        SB_TRY(PutDeadLetter(d));
        SB_TRY(EraseRetry(d.subscription_id, d.seq));
      }
      return Ok{};
    });
  }

  Result<std::vector<DeadLetterRecord>> ListDeadLetters(std::string_view subscription_id,
                                                        std::uint64_t after_seq,
                                                        std::size_t limit) override {
    Statement& select = s_->list_dead;
    select.BindText(1, subscription_id);
    select.BindInt(2, static_cast<std::int64_t>(after_seq));
    select.BindInt(3, static_cast<std::int64_t>(limit));
    std::vector<DeadLetterRecord> out;
    SB_TRY(ForEachRow(select, [&](Statement& row) {
      out.push_back({row.Text(0), static_cast<std::uint64_t>(row.Int(1)), row.Text(2), row.Text(3),
                     static_cast<int>(row.Int(4)), row.Text(5),
                     Timestamp::FromUnixMicros(row.Int(6)), Timestamp::FromUnixMicros(row.Int(7))});
    }));
    return out;
  }

  Result<std::uint64_t> CountDeadLetters(std::string_view subscription_id) override {
    s_->count_dead.BindText(1, subscription_id);
    return SingleSeq(s_->count_dead);
  }

  Status TrimDeadLetters(std::string_view subscription_id, std::size_t keep) override {
    return InTransaction(db_, [&] {
      s_->trim_dead.BindText(1, subscription_id);
      s_->trim_dead.BindInt(2, static_cast<std::int64_t>(keep));
      return s_->trim_dead.Run();
    });
  }

 private:
  struct Statements {
    Statement read, last, before, first, trim, put_sub, put_progress, put_retry, erase_retry,
        put_dead, list_dead, count_dead, trim_dead;
  };

  // The first column of the first row as an unsigned number; 0 when there is no row or NULL.
  static Result<std::uint64_t> SingleSeq(Statement& statement) {
    std::uint64_t value = 0;
    bool first = true;
    SB_TRY(ForEachRow(statement, [&](Statement& row) {
      if (first) value = static_cast<std::uint64_t>(std::max<std::int64_t>(0, row.Int(0)));
      first = false;
    }));
    return value;
  }

  Status PutProgress(std::string_view id, std::uint64_t seq) {
    s_->put_progress.BindText(1, id);
    s_->put_progress.BindInt(2, static_cast<std::int64_t>(seq));
    return s_->put_progress.Run();
  }

  Status PutRetry(const RetryRecord& r) {
    Statement& put = s_->put_retry;
    put.BindText(1, r.subscription_id);
    put.BindInt(2, static_cast<std::int64_t>(r.seq));
    put.BindBlob(3, r.event);
    put.BindInt(4, r.attempts);
    put.BindInt(5, r.next_attempt_at.unix_micros());
    put.BindText(6, r.last_outcome);
    return put.Run();
  }

  Status EraseRetry(std::string_view subscription_id, std::uint64_t seq) {
    s_->erase_retry.BindText(1, subscription_id);
    s_->erase_retry.BindInt(2, static_cast<std::int64_t>(seq));
    return s_->erase_retry.Run();
  }

  Status PutDeadLetter(const DeadLetterRecord& d) {
    Statement& put = s_->put_dead;
    put.BindText(1, d.subscription_id);
    put.BindInt(2, static_cast<std::int64_t>(d.seq));
    put.BindBlob(3, d.event);
    put.BindText(4, d.reason);
    put.BindInt(5, d.attempts);
    put.BindText(6, d.last_outcome);
    put.BindInt(7, d.last_attempt_at.unix_micros());
    put.BindInt(8, d.dead_lettered_at.unix_micros());
    return put.Run();
  }

  sqlite3* db_;
  std::unique_ptr<Statements> s_;
};

}  // namespace

Result<std::unique_ptr<EventStore>> OpenSqliteEventStore(sqlite3* db) {
  auto store = std::make_unique<SqliteEventStore>(db);
  SB_TRY(store->Prepare());
  return std::unique_ptr<EventStore>(std::move(store));
}

}  // namespace sb::store
