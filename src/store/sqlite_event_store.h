// The events side of SqliteStore, on its own connection to the same database (see
// sqlite_store.cc). Private to the store module.
#pragma once

#include <sqlite3.h>

#include <memory>

#include "store/store.h"

namespace sb::store {

// Takes ownership of `db` (an open connection to a database already at the current schema),
// even when it fails.
Result<std::unique_ptr<EventStore>> OpenSqliteEventStore(sqlite3* db);

}  // namespace sb::store
