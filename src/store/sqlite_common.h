// Small helpers shared by the two SQLite connections of SqliteStore (the engine side in
// sqlite_store.cc, the events side in sqlite_event_store.cc): errors, one-shot SQL, and a
// prepared statement that resets itself after each use. Private to the store module.
// Not thread-safe: each connection and its statements belong to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace sb::store::sqlite {

inline Error SqliteError(sqlite3* db, std::string_view what) {
  return Error::Internal("store: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

inline Status Exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return Error::Internal(std::string("store: ") + text);
  }
  return Ok{};
}

// Runs `write` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it fails.
template <class F>
Status InTransaction(sqlite3* db, F&& write) {
  SB_TRY(Exec(db, "BEGIN IMMEDIATE"));
  Status written = write();
  if (!written) {
    Exec(db, "ROLLBACK").ok();
    return written;
  }
  return Exec(db, "COMMIT");
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

// Calls `row` for each result row of `statement` (already bound), then resets it.
template <class F>
Status ForEachRow(Statement& statement, F&& row) {
  for (;;) {
    auto rc = statement.Step();
    if (!rc) return std::move(rc).error();
    if (*rc == SQLITE_DONE) {
      statement.Reset();
      return Ok{};
    }
    row(statement);
  }
}

}  // namespace sb::store::sqlite
