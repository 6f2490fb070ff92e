// Start-up time with a large stored state: builds an engine with N jobs (default 1,000,000:
// most of them finished, as in a contact centre that keeps its history, plus thousands queued
// and assigned), commits its state to a fresh SQLite store in batches, then measures what a
// restart does - read every record back and rebuild the engine (tables, indexes, timers).
// Prints figures; asserts nothing about speed.
//
// Usage: restore_bench [jobs]   (SB_RESTORE_JOBS overrides the default)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "core/engine.h"
#include "engine_fixture.h"
#include "store/store.h"

namespace sb::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

constexpr int kQueues = 20;
constexpr int kWorkers = 5'000;

// Jobs: 1% stay queued, 0.5% assigned; the rest closed.
void BuildState(BenchEngine& b, std::size_t jobs) {
  for (int q = 0; q < kQueues; ++q) b.AddQueue(NumberedId("q", q), core::DistributionModeKind::kLongestIdle);
  for (int w = 0; w < kWorkers; ++w) {
    b.AddWorker(NumberedId("w", w), VoiceWorker({NumberedId("q", w % kQueues)},
                                                {{"Skill", Value(w % 10)}, {"Site", Value("north")}}));
  }
  for (std::size_t j = 0; j < jobs; ++j) {
    const std::string id = NumberedId("job", j);
    core::JobSpec spec = VoiceJob(NumberedId("q", static_cast<int>(j % kQueues)), 1,
                                  {Selector("Skill", core::LabelOperator::kGreaterThanOrEqual, Value(0))});
    spec.labels = {{"Customer", Value(static_cast<std::int64_t>(j))}, {"Region", Value("emea")}};
    b.AddJob(id, spec);
    if (j % 100 == 0) continue;  // stays queued (or offered)
    const core::Job* job = b.engine().FindJob(id);
    if (job->open_offer_ids.empty()) {
      Require(b.engine().CancelJob(id, {}, b.Tick(), b.effects()), "cancel");
      continue;
    }
    const core::Offer* offer = b.engine().FindOffer(job->open_offer_ids.front());
    const std::string worker = offer->worker_id;
    const auto accepted = Require(b.engine().AcceptJobOffer(worker, offer->offer_id, b.Tick(), b.effects()), "accept");
    if (j % 200 == 1) continue;  // stays assigned
    Require(b.engine().CompleteJob(id, accepted.assignment_id, {}, b.Tick(), b.effects()), "complete");
    Require(b.engine().CloseJob(id, accepted.assignment_id, {}, b.Tick(), b.effects()), "close");
  }
}

Status Persist(const core::Engine& engine, store::Store& store) {
  store::Batch batch;
  for (core::StateRecord& r : engine.ExportAll()) {
    batch.records.push_back({static_cast<int>(r.kind), std::move(r.id), std::move(r.data)});
    if (batch.records.size() == 50'000) {
      SB_TRY(store.Commit(batch));
      batch = {};
    }
  }
  batch.engine_meta = engine.ExportMeta();
  return store.Commit(batch);
}

}  // namespace
}  // namespace sb::bench

int main(int argc, char** argv) {
  using namespace sb;
  using namespace sb::bench;
  std::size_t jobs = 1'000'000;
  if (const char* env = std::getenv("SB_RESTORE_JOBS")) jobs = std::strtoull(env, nullptr, 10);
  if (argc > 1) jobs = std::strtoull(argv[1], nullptr, 10);
  // SB_RESTORE_DIR: restart from a store a previous run kept (with SB_RESTORE_KEEP=1).
  const char* given_dir = std::getenv("SB_RESTORE_DIR");
  const bool keep = std::getenv("SB_RESTORE_KEEP") != nullptr;
  const std::string dir = given_dir ? given_dir
                                    : (std::filesystem::temp_directory_path() /
                                       ("sb-restore-" + std::to_string(std::random_device{}()))).string();
  auto start = Clock::now();
  if (!given_dir) {
    BenchEngine b;
    BuildState(b, jobs);
    std::printf("built %zu jobs, %d workers, %d queues in %.1f s\n", jobs, kWorkers, kQueues,
                Seconds(start));
    start = Clock::now();
    auto store = Require(store::OpenSqliteStore(dir), "open store");
    Require(Persist(b.engine(), *store), "persist");
    const auto db_bytes = std::filesystem::file_size(dir + "/switchboard.db");
    std::printf("stored in %.1f s (%.0f MB on disk)\n", Seconds(start), db_bytes / 1e6);
  }

  start = Clock::now();
  auto store = Require(store::OpenSqliteStore(dir), "reopen store");
  std::vector<core::StateRecord> records;
  Require(store->LoadRecords([&](const store::Record& r) -> Status {
    records.push_back({static_cast<core::EntityKind>(r.kind), r.id, r.data});
    return Ok{};
  }), "load records");
  const auto meta = Require(store->LoadEngineMeta(), "load meta");
  const double read_s = Seconds(start);
  const std::size_t record_count = records.size();
  auto rebuild = Clock::now();
  core::Engine restored(core::EngineOptions{});
  Require(restored.Restore(std::move(records), *meta), "restore");
  const double rebuild_s = Seconds(rebuild);
  std::printf("restart: read %zu records in %.2f s, rebuilt the engine in %.2f s: ready in %.2f s\n",
              record_count, read_s, rebuild_s, Seconds(start));
  if (keep) {
    std::printf("kept %s\n", dir.c_str());
  } else if (!given_dir) {
    std::filesystem::remove_all(dir);
  }
  return 0;
}
