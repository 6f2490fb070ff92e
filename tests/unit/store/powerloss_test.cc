// Simulated power loss. A SQLite VFS shim, registered as the default VFS for the test, forwards
// every call to the real one and remembers, for each file, its contents as of its last fsync
// (xSync) - what a disk would still hold if the power failed at that moment. The test commits
// batches through the real SqliteStore, takes the disk image after a random fsync, rolls the
// files back to it, reopens the store and checks that every commit acknowledged before that
// fsync is there, whole. Writes not yet fsync'd are lost, as they would be.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>

#include <unistd.h>

#include "store/store.h"

namespace sb::store {
namespace {

using DiskImage = std::map<std::string, std::optional<std::string>>;  // nullopt: never synced

sqlite3_vfs* g_real = nullptr;
DiskImage g_durable;                   // the current durable image
std::vector<DiskImage> g_after_sync;   // the image after each fsync, in order

struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
  std::string path;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

std::string ReadAll(sqlite3_file* real) {
  sqlite3_int64 size = 0;
  real->pMethods->xFileSize(real, &size);
  std::string data(static_cast<std::size_t>(size), '\0');
  if (size > 0) real->pMethods->xRead(real, data.data(), static_cast<int>(size), 0);
  return data;
}

int Close(sqlite3_file* f) {
  auto* shim = reinterpret_cast<ShimFile*>(f);
  const int rc = shim->real->pMethods ? shim->real->pMethods->xClose(shim->real) : SQLITE_OK;
  std::free(shim->real);
  shim->path.~basic_string();
  return rc;
}
int Read(sqlite3_file* f, void* b, int n, sqlite3_int64 o) { return Real(f)->pMethods->xRead(Real(f), b, n, o); }
int Write(sqlite3_file* f, const void* b, int n, sqlite3_int64 o) { return Real(f)->pMethods->xWrite(Real(f), b, n, o); }
int Truncate(sqlite3_file* f, sqlite3_int64 s) { return Real(f)->pMethods->xTruncate(Real(f), s); }
int Sync(sqlite3_file* f, int flags) {
  const int rc = Real(f)->pMethods->xSync(Real(f), flags);
  auto* shim = reinterpret_cast<ShimFile*>(f);
  if (rc == SQLITE_OK && !shim->path.empty()) {
    g_durable[shim->path] = ReadAll(shim->real);
    g_after_sync.push_back(g_durable);
  }
  return rc;
}
int FileSize(sqlite3_file* f, sqlite3_int64* s) { return Real(f)->pMethods->xFileSize(Real(f), s); }
int Lock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int Unlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int CheckLock(sqlite3_file* f, int* r) { return Real(f)->pMethods->xCheckReservedLock(Real(f), r); }
int FileControl(sqlite3_file* f, int op, void* a) { return Real(f)->pMethods->xFileControl(Real(f), op, a); }
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); }
int ShmMap(sqlite3_file* f, int p, int s, int e, void volatile** m) { return Real(f)->pMethods->xShmMap(Real(f), p, s, e, m); }
int ShmLock(sqlite3_file* f, int o, int n, int fl) { return Real(f)->pMethods->xShmLock(Real(f), o, n, fl); }
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int d) { return Real(f)->pMethods->xShmUnmap(Real(f), d); }

const sqlite3_io_methods kMethods = {
    2, Close, Read, Write, Truncate, Sync, FileSize, Lock, Unlock, CheckLock, FileControl,
    SectorSize, DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap, nullptr, nullptr};

int Open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out) {
  auto* shim = reinterpret_cast<ShimFile*>(f);
  new (&shim->path) std::string(name ? name : "");
  shim->real = static_cast<sqlite3_file*>(std::calloc(1, static_cast<std::size_t>(g_real->szOsFile)));
  const int rc = g_real->xOpen(g_real, name, shim->real, flags, out);
  shim->base.pMethods = &kMethods;  // xClose runs even when the open failed
  if (rc == SQLITE_OK && name && !g_durable.count(shim->path)) g_durable[shim->path] = std::nullopt;
  return rc;
}
int Delete(sqlite3_vfs*, const char* name, int sync) {
  g_durable.erase(name);
  return g_real->xDelete(g_real, name, sync);
}
int Access(sqlite3_vfs*, const char* n, int f, int* r) { return g_real->xAccess(g_real, n, f, r); }
int FullPathname(sqlite3_vfs*, const char* n, int s, char* o) { return g_real->xFullPathname(g_real, n, s, o); }
void* DlOpen(sqlite3_vfs*, const char* n) { return g_real->xDlOpen(g_real, n); }
void DlError(sqlite3_vfs*, int n, char* m) { g_real->xDlError(g_real, n, m); }
void (*DlSym(sqlite3_vfs*, void* h, const char* s))(void) { return g_real->xDlSym(g_real, h, s); }
void DlClose(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int Randomness(sqlite3_vfs*, int n, char* o) { return g_real->xRandomness(g_real, n, o); }
int Sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int CurrentTime(sqlite3_vfs*, double* t) { return g_real->xCurrentTime(g_real, t); }
int LastError(sqlite3_vfs*, int n, char* m) { return g_real->xGetLastError(g_real, n, m); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* t) { return g_real->xCurrentTimeInt64(g_real, t); }

sqlite3_vfs g_shim;

void RegisterShim() {
  if (g_real) return;
  g_real = sqlite3_vfs_find(nullptr);
  g_shim = sqlite3_vfs{2, static_cast<int>(sizeof(ShimFile)), g_real->mxPathname, nullptr,
                       "powerloss", nullptr, Open, Delete, Access, FullPathname, DlOpen,
                       DlError, DlSym, DlClose, Randomness, Sleep, CurrentTime, LastError,
                       CurrentTimeInt64, nullptr, nullptr, nullptr};
  ASSERT_EQ(sqlite3_vfs_register(&g_shim, /*makeDflt=*/1), SQLITE_OK);
}

// Puts the files back as the disk image says, and drops the volatile shared-memory index.
void LoseEverythingBut(const DiskImage& image, const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string path = entry.path().string();
    if (path.ends_with("-shm")) std::filesystem::remove(path);
  }
  for (const auto& [path, contents] : image) {
    if (path.ends_with("-shm")) continue;
    if (!contents) {
      std::filesystem::remove(path);  // created, never made durable
      continue;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(contents->data(), static_cast<std::streamsize>(contents->size()));
  }
}

TEST(PowerLossTest, EveryAcknowledgedCommitSurvives) {
  RegisterShim();
  for (std::uint32_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 random(seed);
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sb-powerloss-" + std::to_string(getpid()) + "-" + std::to_string(seed));
    std::filesystem::remove_all(dir);  // a failed run may have left it
    g_durable.clear();
    g_after_sync.clear();
    std::vector<std::map<std::string, std::string>> acked;  // what each acknowledged commit holds
    std::vector<std::size_t> acked_at_sync;                  // syncs done when it was acknowledged
    std::map<std::string, std::string> state;
    {
      auto store = OpenSqliteStore(dir.string());
      ASSERT_TRUE(store.ok()) << store.error().message;
      const std::size_t syncs_before = g_after_sync.size();
      for (int commit = 0; commit < 40; ++commit) {
        Batch batch;
        for (int i = 0; i < 1 + static_cast<int>(random() % 5); ++i) {
          const std::string id = "e" + std::to_string(random() % 30);
          std::string data(50 + random() % 3000, static_cast<char>('a' + commit % 26));
          batch.records.push_back({4, id, data});
          state[id] = data;
        }
        batch.events.push_back({"event " + std::to_string(commit), Timestamp::FromUnixSeconds(commit)});
        ASSERT_TRUE((*store)->Commit(batch).ok());
        acked.push_back(state);
        acked_at_sync.push_back(g_after_sync.size());
      }
      ASSERT_GT(g_after_sync.size(), syncs_before);
      // The power fails after a random fsync.
      const std::size_t crash = syncs_before + random() % (g_after_sync.size() - syncs_before);
      const DiskImage disk = g_after_sync[crash];
      store->reset();  // closing writes more; the power cut throws it away
      LoseEverythingBut(disk, dir);
      std::size_t survived = 0;
      while (survived < acked.size() && acked_at_sync[survived] <= crash + 1) ++survived;
      auto reopened = OpenSqliteStore(dir.string());
      ASSERT_TRUE(reopened.ok()) << reopened.error().message;
      std::map<std::string, std::string> loaded;
      ASSERT_TRUE((*reopened)->LoadRecords([&](const Record& r) -> Status {
        loaded[r.id] = *r.data;
        return Ok{};
      }).ok());
      // Everything acknowledged before the cut is there: the last acknowledged commit's state,
      // or a later one (a commit in flight may have made it to the disk whole).
      if (survived > 0) {
        bool matches_some_later = false;
        for (std::size_t k = survived - 1; k < acked.size() && !matches_some_later; ++k) {
          matches_some_later = loaded == acked[k];
        }
        EXPECT_TRUE(matches_some_later) << "crash after fsync " << crash << ", " << survived
                                        << " commits acknowledged by then";
      }
    }
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace sb::store
