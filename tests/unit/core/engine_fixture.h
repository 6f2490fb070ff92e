// EngineTest: a gtest fixture around one Engine on a simulated clock. Time is a Timestamp the
// test moves forward by hand (Advance); nothing sleeps and nothing reads a clock. Each command
// helper clears `effects_` first, so after a call `effects_` holds exactly what that command
// did. Builders make the specs the tests need in one line each. After every command the helpers
// run the engine's invariant checker. Not thread-safe (a fixture per test).
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/engine.h"

namespace sb::core::testing {

// The first instant every test starts from: 2023-11-14T22:13:20Z.
inline constexpr Timestamp kStart = Timestamp::FromUnixSeconds(1'700'000'000);

// --- Spec builders --------------------------------------------------------------------------
DistributionPolicySpec Policy(DistributionModeKind kind, int min_offers = 1, int max_offers = 1,
                              std::optional<double> offer_expires_after_seconds = 60,
                              bool bypass_selectors = false);
WorkerSelector Sel(std::string key, LabelOperator op, Value value);
JobSpec JobIn(std::string queue_id, std::string channel_id = "voice",
              std::vector<WorkerSelector> selectors = {}, int priority = kDefaultJobPriority);
WorkerSpec WorkerIn(std::vector<std::string> queues, int capacity = 1,
                    std::vector<Channel> channels = {{"voice", 1, std::nullopt}},
                    LabelMap labels = {}, bool available = true);

class EngineTest : public ::testing::Test {
 protected:
  explicit EngineTest(std::uint64_t seed = 7) : engine_(EngineOptions{seed, 0, Limits{}}) {}

  // --- Time ---------------------------------------------------------------------------------
  void Advance(double seconds);
  void AdvanceTo(Timestamp at);

  // --- Commands that must succeed (they fail the test otherwise) ----------------------------
  void AddPolicy(const std::string& id, DistributionPolicySpec spec);
  void AddQueue(const std::string& id, const std::string& policy_id, LabelMap labels = {});
  const Worker& PutWorker(const std::string& id, WorkerSpec spec);
  const Job& PutJob(const std::string& id, JobSpec spec);
  AcceptJobOfferResult Accept(const std::string& worker_id, const std::string& offer_id);
  void Decline(const std::string& worker_id, const std::string& offer_id,
               std::optional<Timestamp> retry_offer_at = std::nullopt);
  void Complete(const std::string& job_id, const std::string& assignment_id);
  void Close(const std::string& job_id, const std::string& assignment_id,
             CloseJobOptions options = {});
  void Cancel(const std::string& job_id, CancelJobOptions options = {});
  // Offers the single open offer `worker_id` holds for `job_id` and accepts it; returns the
  // assignment id.
  std::string AcceptOfferFor(const std::string& job_id, const std::string& worker_id);
  // Creates queue "q" over a longestIdle policy "p" (offer expiry 60 s).
  void BasicQueue(DistributionPolicySpec policy = Policy(DistributionModeKind::kLongestIdle));

  // --- Looking ------------------------------------------------------------------------------
  const Job& JobNamed(const std::string& id) const;
  const Worker& WorkerNamed(const std::string& id) const;
  // Events of `type` the last command raised, in order.
  std::vector<Event> Events(EventType type) const;
  // Worker ids of the RouterWorkerOfferIssued events of the last command, in order.
  std::vector<std::string> OfferedWorkers() const;
  // The open offer `worker_id` holds for `job_id`, or "" when there is none.
  std::string OfferId(const std::string& job_id, const std::string& worker_id) const;
  // Ids of the workers holding an open offer for the job, in the order offered.
  std::vector<std::string> WorkersOffered(const std::string& job_id) const;

  Engine engine_;
  Timestamp now_ = kStart;
  Effects effects_;
};

// Expects a failed result with `code`; returns the error's target for further checks.
template <class R>
std::string ExpectError(const R& result, ErrorCode code) {
  EXPECT_FALSE(result.ok());
  if (result.ok()) return {};
  EXPECT_EQ(result.error().code, code) << result.error().message;
  return result.error().target;
}

}  // namespace sb::core::testing
