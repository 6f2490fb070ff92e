// Store: where the engine's state survives a restart. The engine describes each change as
// records - one per entity, its whole current state as opaque bytes - and the events it raised;
// a Store writes a batch of them atomically and durably, and at start-up hands every record
// back. It knows nothing of jobs or workers: a record is (kind, id, bytes), and an event is
// bytes. Implementations: SqliteStore (embedded, the default) and MemoryStore (throwaway).
// A future PostgreSQL backend implements the same interface.
//
// Thread-safety: a Store is used by one thread at a time (the committer); not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace sb::store {

struct Record {
  int kind = 0;
  std::string id;
  std::optional<std::string> data;  // nullopt: the entity was deleted
};

struct OutboxEvent {
  std::uint64_t seq = 0;  // assigned by the store, increasing
  std::string data;
};

// One atomic unit of durable change. Later records for the same (kind, id) win.
struct Batch {
  std::vector<Record> records;
  std::vector<std::string> events;  // appended to the outbox in this order
  std::optional<std::string> engine_meta;  // the engine's own counters, when they changed

  bool empty() const { return records.empty() && events.empty() && !engine_meta; }
  // Appends `other` after this batch's contents (group commit merges batches).
  void Append(Batch&& other);
};

class Store {
 public:
  virtual ~Store() = default;

  // Calls `visit` for every stored record (deleted ones are gone), in no particular order.
  virtual Status LoadRecords(const std::function<Status(const Record&)>& visit) = 0;
  virtual Result<std::optional<std::string>> LoadEngineMeta() = 0;
  // Writes `batch` atomically. Returns once it is durable (for a durable store: fsync'd).
  virtual Status Commit(const Batch& batch) = 0;

  // The outbox: events in order, from `after_seq` on, at most `limit`.
  virtual Result<std::vector<OutboxEvent>> ReadOutbox(std::uint64_t after_seq, std::size_t limit) = 0;
  // Forgets outbox events up to and including `seq` (all subscribers have them).
  virtual Status TrimOutbox(std::uint64_t through_seq) = 0;

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
