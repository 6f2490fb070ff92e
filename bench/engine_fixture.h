// Building blocks for the engine benchmarks: an engine with its own forward-moving clock, and
// the specs (policies, queues, workers, jobs) the benchmarks assemble their scenarios from. All
// setup goes through the Engine's public commands, as a client's would. A command that fails
// during setup is a bug in the benchmark, so it aborts with the engine's message; nothing here
// judges speed. Not thread-safe (one benchmark thread owns a BenchEngine).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/engine.h"

namespace sb::bench {

// Aborts with `what` and the error's message when `status` failed.
void Require(const Status& status, std::string_view what);
// The value of `result` (by value: the Result is usually a temporary), or abort.
template <class T>
T Require(Result<T> result, std::string_view what) {
  if (!result) Require(Status(result.error()), what);
  return std::move(result).value();
}

// An engine and the time it is at. Every command is handed a later instant than the one
// before (1 us apart), so idle times and queue order are distinct and deterministic.
class BenchEngine {
 public:
  BenchEngine();
  core::Engine& engine() { return *engine_; }
  core::Effects& effects() { return effects_; }
  // The next instant; clears the effects of the previous command.
  Timestamp Tick();

  void AddQueue(const std::string& queue_id, core::DistributionModeKind mode);
  void AddWorker(const std::string& worker_id, core::WorkerSpec spec);
  void AddJob(const std::string& job_id, core::JobSpec spec);

 private:
  std::unique_ptr<core::Engine> engine_;
  core::Effects effects_;
  Timestamp now_ = Timestamp::FromUnixSeconds(1'700'000'000);
};

inline constexpr double kOfferLifetimeSeconds = 300;  // long enough that no offer expires

std::string ModeName(core::DistributionModeKind mode);
// "w000042": zero-padded, so id order is numeric order (round robin walks workers by id).
std::string NumberedId(std::string_view prefix, std::uint64_t n);

core::WorkerSelector Selector(std::string key, core::LabelOperator op, Value value);
// A worker serving `queues` on one "voice" channel (one job at a time), available for offers.
core::WorkerSpec VoiceWorker(std::vector<std::string> queues, LabelMap labels);
core::JobSpec VoiceJob(std::string queue_id, int priority,
                       std::vector<core::WorkerSelector> selectors);

// The first event of `type` in `effects`, or nullptr.
const core::Event* FindEvent(const core::Effects& effects, core::EventType type);

// Wall time of one call, for benchmarks that time one command of several (UseManualTime).
template <class F>
double SecondsOf(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace sb::bench
