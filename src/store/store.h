// Store: where the engine's state survives a restart. The engine describes each change as
// records - one per entity, its whole current state as opaque bytes - and the events it raised;
// a Store writes a batch of them atomically and durably, and at start-up hands every record
// back. It knows nothing of jobs or workers: a record is (kind, id, bytes), and an event is
// bytes with a time. Implementations: SqliteStore (embedded, the default) and MemoryStore
// (throwaway). A future PostgreSQL backend implements the same two interfaces.
//
// Two sides, two threads. `Store` is the engine side: it loads state and commits batches; one
// thread at a time uses it (the committer). `EventStore` (from Store::events()) is the events
// side: the outbox read and trimmed, webhook subscriptions, their delivery progress, pending
// retries and dead letters. One other thread at a time may use it (the events dispatcher),
// concurrently with the engine side. Neither is otherwise thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/time.h"

namespace sb::store {

struct Record {
  int kind = 0;
  std::string id;
  std::optional<std::string> data;  // nullopt: the entity was deleted
};

// An event appended to the outbox: its encoded form and the time it was raised (for retention).
struct OutboxEntry {
  std::string data;
  Timestamp at;
};

// An event in the outbox, with the sequence number the store gave it.
struct OutboxEvent {
  std::uint64_t seq = 0;  // assigned by the store, increasing, never reused
  std::string data;
  Timestamp at;
};

// One atomic unit of durable change. Later records for the same (kind, id) win.
struct Batch {
  std::vector<Record> records;
  std::vector<OutboxEntry> events;         // appended to the outbox in this order
  std::optional<std::string> engine_meta;  // the engine's own counters, when they changed

  bool empty() const { return records.empty() && events.empty() && !engine_meta; }
  // Appends `other` after this batch's contents (group commit merges batches).
  void Append(Batch&& other);
};

// --- The events side ------------------------------------------------------------------------

// A webhook subscription as the events module stores it: an id and opaque bytes.
struct SubscriptionRecord {
  std::string id;
  std::string data;
};

// An event that failed delivery to a subscription and waits for another attempt. It carries
// its own copy of the event, so the outbox can be trimmed past it.
struct RetryRecord {
  std::string subscription_id;
  std::uint64_t seq = 0;
  std::string event;  // the outbox entry's data
  int attempts = 0;   // made so far
  Timestamp next_attempt_at;
  std::string last_outcome;  // "HTTP 503", "timeout", ...
};

// An event given up on: kept, with why, until its subscription is deleted or it is pushed out
// by newer dead letters beyond the subscription's limit.
struct DeadLetterRecord {
  std::string subscription_id;
  std::uint64_t seq = 0;
  std::string event;
  std::string reason;  // "MaxDeliveryAttemptsExceeded", "TimeToLiveExceeded", ...
  int attempts = 0;
  std::string last_outcome;
  Timestamp last_attempt_at;
  Timestamp dead_lettered_at;
};

struct RetryKey {
  std::string subscription_id;
  std::uint64_t seq = 0;
};

// One atomic unit of delivery bookkeeping. A subscription's progress moves past an event only
// in the same unit that records the event's retry or dead letter, so a crash can repeat a
// delivery but never lose one.
struct DeliveryBatch {
  std::map<std::string, std::uint64_t> progress;  // subscription -> every seq <= this is settled
  std::vector<RetryRecord> retries;               // inserted or replaced
  std::vector<RetryKey> retries_done;             // deleted
  std::vector<DeadLetterRecord> dead_letters;     // inserted; each also deletes its retry

  bool empty() const {
    return progress.empty() && retries.empty() && retries_done.empty() && dead_letters.empty();
  }
};

class EventStore {
 public:
  virtual ~EventStore() = default;

  // The outbox: events in order, from `after_seq` on, at most `limit`.
  virtual Result<std::vector<OutboxEvent>> ReadOutbox(std::uint64_t after_seq,
                                                      std::size_t limit) = 0;
  // The highest sequence number ever given (0 for an empty store), trimmed or not.
  virtual Result<std::uint64_t> LastOutboxSeq() = 0;
  // The highest seq of an event raised at or before `t`, or 0 if none is left.
  virtual Result<std::uint64_t> LastOutboxSeqAtOrBefore(Timestamp t) = 0;
  // Forgets outbox events up to and including `seq`.
  virtual Status TrimOutbox(std::uint64_t through_seq) = 0;

  virtual Result<std::vector<SubscriptionRecord>> LoadSubscriptions() = 0;
  // Inserts or replaces a subscription. `start_progress` sets its progress (a new
  // subscription's starting point); nullopt keeps the progress it has.
  virtual Status PutSubscription(const SubscriptionRecord& subscription,
                                 std::optional<std::uint64_t> start_progress) = 0;
  // Deletes a subscription with its progress, retries and dead letters.
  virtual Status DeleteSubscription(std::string_view id) = 0;
  virtual Result<std::map<std::string, std::uint64_t>> LoadProgress() = 0;
  virtual Result<std::vector<RetryRecord>> LoadRetries() = 0;
  virtual Status ApplyDelivery(const DeliveryBatch& batch) = 0;

  // Dead letters of one subscription in seq order, after `after_seq`, at most `limit`.
  virtual Result<std::vector<DeadLetterRecord>> ListDeadLetters(std::string_view subscription_id,
                                                                std::uint64_t after_seq,
                                                                std::size_t limit) = 0;
  virtual Result<std::uint64_t> CountDeadLetters(std::string_view subscription_id) = 0;
  // Keeps only the newest `keep` dead letters of the subscription.
  virtual Status TrimDeadLetters(std::string_view subscription_id, std::size_t keep) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Calls `visit` for every stored record (deleted ones are gone), in no particular order.
  virtual Status LoadRecords(const std::function<Status(const Record&)>& visit) = 0;
  virtual Result<std::optional<std::string>> LoadEngineMeta() = 0;
  // Writes `batch` atomically. Returns once it is durable (for a durable store: fsync'd).
  virtual Status Commit(const Batch& batch) = 0;

  // The events side, owned by this store (valid while it lives).
  virtual EventStore& events() = 0;

  virtual bool durable() const = 0;
  virtual std::string Describe() const = 0;  // for the start-up log line
};

// Opens (creating if needed) the SQLite store in `directory`: WAL, synchronous=FULL, schema
// migrated to the current version; refuses a store written by a newer version, and a directory
// another process has open.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& directory);

// Keeps nothing beyond the process: for tests and throwaway use. Not durable.
std::unique_ptr<Store> NewMemoryStore();

}  // namespace sb::store
