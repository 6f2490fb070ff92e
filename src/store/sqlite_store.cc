// SqliteStore: the embedded durable store. One SQLite database in the data directory, in WAL
// mode with synchronous=FULL, so a commit returns only after its WAL frames are fsync'd. Tables:
// `entities` (the current state of every entity, one row each - there is no log to replay or
// compact beyond SQLite's own WAL checkpoints), `outbox` (events, in commit order), `meta`, and
// since schema 2 the events side's `event_subscriptions`, `event_progress`, `event_retries` and
// `event_dead_letters`. The engine side and the events side use two connections, so the
// dispatcher reads and trims while the committer commits (WAL lets readers and one writer
// proceed together; writers wait for each other through a busy timeout). The schema version
// lives in PRAGMA user_version and is migrated forward on open; a newer version is refused. A
// lock file keeps a second process out of the directory.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite_common.h"
#include "store/sqlite_event_store.h"
#include "store/store.h"

namespace sb::store {
namespace {

using sqlite::Exec;
using sqlite::SqliteError;
using sqlite::Statement;

constexpr char kDatabaseFile[] = "switchboard.db";
constexpr char kLockFile[] = "LOCK";
// How long a writer waits for the other connection's write transaction before failing.
constexpr int kBusyTimeoutMs = 10'000;

// Each entry moves the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    // 0 -> 1
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE entities (kind INTEGER NOT NULL, id TEXT NOT NULL, data BLOB NOT NULL,"
    "                       PRIMARY KEY (kind, id)) WITHOUT ROWID;"
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL);",
    // 1 -> 2: the events side. Outbox rows written by version 1 get at = 0 (long past).
    "ALTER TABLE outbox ADD COLUMN at INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX outbox_at ON outbox (at, seq);"
    "CREATE TABLE event_subscriptions (id TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE event_progress (subscription_id TEXT PRIMARY KEY, seq INTEGER NOT NULL)"
    "    WITHOUT ROWID;"
    "CREATE TABLE event_retries (subscription_id TEXT NOT NULL, seq INTEGER NOT NULL,"
    "    event BLOB NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,"
    "    last_outcome TEXT NOT NULL, PRIMARY KEY (subscription_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE event_dead_letters (subscription_id TEXT NOT NULL, seq INTEGER NOT NULL,"
    "    event BLOB NOT NULL, reason TEXT NOT NULL, attempts INTEGER NOT NULL,"
    "    last_outcome TEXT NOT NULL, last_attempt_at INTEGER NOT NULL,"
    "    dead_lettered_at INTEGER NOT NULL, PRIMARY KEY (subscription_id, seq)) WITHOUT ROWID;",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

Result<sqlite3*> OpenConnection(const std::string& path) {
  // Job data is private to its owner: create the file 0600 before SQLite does (its WAL and
  // shared-memory files take the database file's mode).
  if (const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); fd >= 0) close(fd);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    Error error = SqliteError(db, "open " + path);
    sqlite3_close(db);
    return error;
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return db;
}

class SqliteStore final : public Store {
 public:
  ~SqliteStore() override {
    // Statements are finalized by their destructors, which run after this body; close last.
    events_.reset();
    statements_.reset();
    if (db_) sqlite3_close(db_);
    if (lock_fd_ >= 0) close(lock_fd_);
  }

  Status Open(const std::string& directory) {
    directory_ = directory;
    std::error_code ec;
    if (std::filesystem::create_directories(directory, ec)) {
      std::filesystem::permissions(directory, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::replace, ec);
    }
    if (ec) return Error::Internal("store: cannot create " + directory + ": " + ec.message());
    SB_TRY(Lock());
    const std::string path = directory + "/" + kDatabaseFile;
    auto db = OpenConnection(path);
    if (!db) return std::move(db).error();
    db_ = *db;
    SB_TRY(Exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;"));
    SB_TRY(Migrate());
    statements_ = std::make_unique<Statements>();
    SB_TRY(statements_->upsert.Prepare(
        db_, "INSERT OR REPLACE INTO entities (kind, id, data) VALUES (?1, ?2, ?3)"));
    SB_TRY(statements_->erase.Prepare(db_, "DELETE FROM entities WHERE kind = ?1 AND id = ?2"));
    SB_TRY(statements_->append.Prepare(db_, "INSERT INTO outbox (data, at) VALUES (?1, ?2)"));
    SB_TRY(statements_->meta.Prepare(
        db_, "INSERT OR REPLACE INTO meta (key, value) VALUES ('engine', ?1)"));
    auto events_db = OpenConnection(path);
    if (!events_db) return std::move(events_db).error();
    auto events = OpenSqliteEventStore(*events_db);
    if (!events) return std::move(events).error();
    events_ = std::move(*events);
    return Ok{};
  }

  Status LoadRecords(const std::function<Status(const Record&)>& visit) override {
    Statement select;
    SB_TRY(select.Prepare(db_, "SELECT kind, id, data FROM entities"));
    for (;;) {
      auto rc = select.Step();
      if (!rc) return std::move(rc).error();
      if (*rc == SQLITE_DONE) return Ok{};
      SB_TRY(visit(Record{static_cast<int>(select.Int(0)), select.Text(1), select.Text(2)}));
    }
  }

  Result<std::optional<std::string>> LoadEngineMeta() override {
    Statement select;
    SB_TRY(select.Prepare(db_, "SELECT value FROM meta WHERE key = 'engine'"));
    auto rc = select.Step();
    if (!rc) return std::move(rc).error();
    if (*rc == SQLITE_DONE) return std::optional<std::string>();
    return std::optional<std::string>(select.Text(0));
  }

  Status Commit(const Batch& batch) override {
    // With WAL and synchronous=FULL, fsync'd before COMMIT returns.
    return sqlite::InTransaction(db_, [&] { return Write(batch); });
  }

  EventStore& events() override { return *events_; }

  bool durable() const override { return true; }
  std::string Describe() const override {
    return "sqlite " + directory_ + "/" + kDatabaseFile + " (WAL, synchronous=FULL)";
  }

 private:
  struct Statements {
    Statement upsert, erase, append, meta;
  };

  Status Lock() {
    const std::string path = directory_ + "/" + kLockFile;
    lock_fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) return Error::Internal("store: cannot open " + path);
    if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      return Error::Conflict("store: the data directory " + directory_ +
                             " is in use by another Switchboard process");
    }
    return Ok{};
  }

  Status Migrate() {
    Statement version;
    SB_TRY(version.Prepare(db_, "PRAGMA user_version"));
    auto rc = version.Step();
    if (!rc) return std::move(rc).error();
    const int current = static_cast<int>(version.Int(0));
    version.Reset();
    if (current > kSchemaVersion) {
      return Error::Conflict("store: " + directory_ +
                             " was written by a newer Switchboard (schema " +
                             std::to_string(current) + "); this version reads schemas up to " +
                             std::to_string(kSchemaVersion));
    }
    for (int v = current; v < kSchemaVersion; ++v) {
      const std::string sql = std::string(kMigrations[v]) + "PRAGMA user_version = " +
                              std::to_string(v + 1) + ";";
      SB_TRY(sqlite::InTransaction(db_, [&] { return Exec(db_, sql.c_str()); }));
    }
    return Ok{};
  }

  Status Write(const Batch& batch) {
    for (const Record& record : batch.records) {
      Statement& statement = record.data ? statements_->upsert : statements_->erase;
      statement.BindInt(1, record.kind);
      statement.BindText(2, record.id);
      if (record.data) statement.BindBlob(3, *record.data);
      SB_TRY(statement.Run());
    }
    for (const OutboxEntry& event : batch.events) {
      statements_->append.BindBlob(1, event.data);
      statements_->append.BindInt(2, event.at.unix_micros());
      SB_TRY(statements_->append.Run());
    }
    if (batch.engine_meta) {
      statements_->meta.BindBlob(1, *batch.engine_meta);
      SB_TRY(statements_->meta.Run());
    }
    return Ok{};
  }

  std::string directory_;
  sqlite3* db_ = nullptr;
  int lock_fd_ = -1;
  std::unique_ptr<Statements> statements_;
  std::unique_ptr<EventStore> events_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& directory) {
  auto store = std::make_unique<SqliteStore>();
  SB_TRY(store->Open(directory));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace sb::store
