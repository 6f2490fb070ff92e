// Workload: the simulation's random client. From one seed it builds a world (distribution
// policies of every mode, queues, a classification policy, 20-60 workers) and then issues random
// commands against the engine: job, worker, offer and policy commands, right and wrong ones.
// Each command knows which answers the engine may give (Ok, or a named error) and reports any
// other. It tells the Checker about the declines and accepts it makes. All its choices come
// from its own seeded Random, so a seed replays exactly. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/random.h"
#include "core/engine.h"
#include "sim_checker.h"

namespace sb::sim {

class Workload {
 public:
  // `describe` is told what each command is about to do, before the engine sees it, so that a
  // crash inside the engine can still say which command caused it.
  Workload(std::uint64_t seed, core::Engine& engine, Checker& checker,
           std::function<void(const std::string&)> describe);

  // Creates the world at `now`. Returns a failure when the engine refused any of it.
  std::optional<std::string> BuildWorld(Timestamp now, core::Effects& effects);
  // How far the clock moves before the next command.
  Duration NextAdvance();
  // Runs one random command at `now`. Returns a failure when the engine's answer is not one the
  // command allows.
  std::optional<std::string> RunCommand(Timestamp now, core::Effects& effects);

  // Commands run, by name and outcome ("CancelJob ok", "CancelJob Conflict"), for the summary.
  const std::map<std::string, std::uint64_t>& tally() const { return tally_; }

 private:
  using Outcome = std::optional<ErrorCode>;  // nullopt: Ok

  // --- Random building blocks ----------------------------------------------------------------
  bool Chance(double p) { return random_.UniformDouble() < p; }
  int Between(int lo, int hi) { return lo + static_cast<int>(random_.Uniform(hi - lo + 1)); }
  template <class T>
  const T& Pick(const std::vector<T>& items) {
    return items[random_.Uniform(items.size())];
  }
  Value RandomLabelValue(const std::string& key);
  LabelMap RandomLabels();
  core::WorkerSelector RandomSelector();
  std::vector<core::WorkerSelector> RandomSelectors();
  core::DistributionPolicySpec RandomPolicy();
  core::WorkerSpec RandomWorker();
  core::JobSpec RandomJob(Timestamp now);
  std::vector<std::string> RandomQueues();
  std::optional<std::string> BuildExceptionPolicy(Timestamp now, core::Effects& effects);

  // --- Choosing targets -----------------------------------------------------------------------
  // A random job id (of the ones alive) whose job satisfies `keep`; "" when there is none.
  std::string PickJob(const std::function<bool(const core::Job&)>& keep);
  std::string PickWorker(const std::function<bool(const core::Worker&)>& keep);

  // --- Commands -------------------------------------------------------------------------------
  std::optional<std::string> CreateJob(Timestamp now, core::Effects& effects);
  std::optional<std::string> UpdateJob(Timestamp now, core::Effects& effects);
  std::optional<std::string> CancelJob(Timestamp now, core::Effects& effects);
  std::optional<std::string> CompleteJob(Timestamp now, core::Effects& effects);
  std::optional<std::string> CloseJob(Timestamp now, core::Effects& effects);
  std::optional<std::string> UnassignJob(Timestamp now, core::Effects& effects);
  std::optional<std::string> DeleteJob(Timestamp now, core::Effects& effects);
  std::optional<std::string> ReclassifyJob(Timestamp now, core::Effects& effects);
  std::optional<std::string> AcceptOffer(Timestamp now, core::Effects& effects);
  std::optional<std::string> DeclineOffer(Timestamp now, core::Effects& effects);
  std::optional<std::string> LateAccept(Timestamp now, core::Effects& effects);
  std::optional<std::string> ToggleWorker(Timestamp now, core::Effects& effects);
  std::optional<std::string> UpdateWorker(Timestamp now, core::Effects& effects);
  std::optional<std::string> CreateWorker(Timestamp now, core::Effects& effects);
  std::optional<std::string> DeleteWorker(Timestamp now, core::Effects& effects);
  std::optional<std::string> UpdatePolicy(Timestamp now, core::Effects& effects);
  std::optional<std::string> RepointQueue(Timestamp now, core::Effects& effects);

  // Records the outcome and checks it is one of `allowed`.
  template <class R>
  std::optional<std::string> Expect(const std::string& command, const R& result,
                                    std::initializer_list<Outcome> allowed);

  Random random_;
  core::Engine& engine_;
  Checker& checker_;
  std::function<void(const std::string&)> describe_;
  std::vector<std::string> policy_ids_;
  std::vector<std::string> queue_ids_;
  std::vector<std::string> worker_ids_;
  std::vector<std::string> job_ids_;
  int next_job_ = 0;
  int next_worker_ = 0;
  std::map<std::string, std::uint64_t> tally_;
};

}  // namespace sb::sim
