// SqliteStore: the embedded durable store. One SQLite database in the data directory, in WAL
// mode with synchronous=FULL, so a commit returns only after its WAL frames are fsync'd. Three
// tables: `entities` (the current state of every entity, one row each - there is no log to
// replay or compact beyond SQLite's own WAL checkpoints), `outbox` (events awaiting delivery)
// and `meta`. The schema version lives in PRAGMA user_version and is migrated forward on open;
// a newer version is refused. A lock file keeps a second process out of the directory.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "store/store.h"

namespace sb::store {
namespace {

constexpr char kDatabaseFile[] = "switchboard.db";
constexpr char kLockFile[] = "LOCK";

// Each entry moves the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    // 0 -> 1
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE entities (kind INTEGER NOT NULL, id TEXT NOT NULL, data BLOB NOT NULL,"
    "                       PRIMARY KEY (kind, id)) WITHOUT ROWID;"
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL);",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

Error SqliteError(sqlite3* db, std::string_view what) {
  return Error::Internal("store: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

// A prepared statement, reset after each use.
class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  Status Prepare(sqlite3* db, const char* sql) {
    db_ = db;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      return SqliteError(db, "prepare");
    }
    return Ok{};
  }
  void BindInt(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void BindText(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void BindBlob(int index, std::string_view data) {
    sqlite3_bind_blob(stmt_, index, data.data(), static_cast<int>(data.size()), SQLITE_STATIC);
  }
  // SQLITE_ROW or SQLITE_DONE; anything else is an error.
  Result<int> Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      Reset();
      return SqliteError(db_, "step");
    }
    return rc;
  }
  Status Run() {
    auto rc = Step();
    Reset();
    if (!rc) return std::move(rc).error();
    return Ok{};
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  ~SqliteStore() override {
    // Statements are finalized by their destructors, which run after this body; close last.
    statements_.reset();
    if (db_) sqlite3_close(db_);
    if (lock_fd_ >= 0) close(lock_fd_);
  }

  Status Open(const std::string& directory) {
    directory_ = directory;
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) return Error::Internal("store: cannot create " + directory + ": " + ec.message());
    SB_TRY(Lock());
    const std::string path = directory + "/" + kDatabaseFile;
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      return SqliteError(db_, "open " + path);
    }
    SB_TRY(Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;"));
    SB_TRY(Migrate());
    statements_ = std::make_unique<Statements>();
    SB_TRY(statements_->upsert.Prepare(db_, "INSERT OR REPLACE INTO entities (kind, id, data) VALUES (?1, ?2, ?3)"));
    SB_TRY(statements_->erase.Prepare(db_, "DELETE FROM entities WHERE kind = ?1 AND id = ?2"));
    SB_TRY(statements_->append.Prepare(db_, "INSERT INTO outbox (data) VALUES (?1)"));
    SB_TRY(statements_->meta.Prepare(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES ('engine', ?1)"));
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
    SB_TRY(Exec("BEGIN IMMEDIATE"));
    Status written = Write(batch);
    if (!written) {
      Exec("ROLLBACK").ok();
      return written;
    }
    return Exec("COMMIT");  // with WAL and synchronous=FULL, fsync'd before this returns
  }

  Result<std::vector<OutboxEvent>> ReadOutbox(std::uint64_t after_seq, std::size_t limit) override {
    Statement select;
    SB_TRY(select.Prepare(db_, "SELECT seq, data FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
    select.BindInt(1, static_cast<std::int64_t>(after_seq));
    select.BindInt(2, static_cast<std::int64_t>(limit));
    std::vector<OutboxEvent> out;
    for (;;) {
      auto rc = select.Step();
      if (!rc) return std::move(rc).error();
      if (*rc == SQLITE_DONE) return out;
      out.push_back({static_cast<std::uint64_t>(select.Int(0)), select.Text(1)});
    }
  }

  Status TrimOutbox(std::uint64_t through_seq) override {
    Statement erase;
    SB_TRY(erase.Prepare(db_, "DELETE FROM outbox WHERE seq <= ?1"));
    erase.BindInt(1, static_cast<std::int64_t>(through_seq));
    return erase.Run();
  }

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

  Status Exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      return Error::Internal(std::string("store: ") + text);
    }
    return Ok{};
  }

  Status Migrate() {
    Statement version;
    SB_TRY(version.Prepare(db_, "PRAGMA user_version"));
    auto rc = version.Step();
    if (!rc) return std::move(rc).error();
    const int current = static_cast<int>(version.Int(0));
    if (current > kSchemaVersion) {
      return Error::Conflict("store: " + directory_ + " was written by a newer Switchboard (schema " +
                             std::to_string(current) + "); this version reads schemas up to " +
                             std::to_string(kSchemaVersion));
    }
    for (int v = current; v < kSchemaVersion; ++v) {
      SB_TRY(Exec("BEGIN IMMEDIATE"));
      const std::string sql = std::string(kMigrations[v]) + "PRAGMA user_version = " + std::to_string(v + 1) + ";";
      if (auto applied = Exec(sql.c_str()); !applied) {
        Exec("ROLLBACK").ok();
        return applied;
      }
      SB_TRY(Exec("COMMIT"));
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
    for (const std::string& event : batch.events) {
      statements_->append.BindBlob(1, event);
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
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& directory) {
  auto store = std::make_unique<SqliteStore>();
  SB_TRY(store->Open(directory));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace sb::store
