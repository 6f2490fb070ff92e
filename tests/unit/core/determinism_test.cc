// Determinism: the same commands at the same times with the same seed give the same effects,
// ids included; another seed gives other ids but the same decisions.
#include <sstream>

#include "engine_fixture.h"

namespace sb::core::testing {
namespace {

// Runs a fixed scenario (concurrent offers, accept, decline, expiry, unassign, close) on a fresh
// engine and returns every event it raised, one line each.
std::vector<std::string> RunScenario(std::uint64_t seed) {
  Engine engine(EngineOptions{seed, 0, Limits{}});
  Effects effects;
  Timestamp now = kStart;
  std::vector<std::string> log;
  auto record = [&] {
    for (const Event& e : effects.events) {
      std::ostringstream line;
      line << EventTypeName(e.type) << '|' << e.at.unix_micros() << '|' << e.job_id << '|'
           << e.worker_id << '|' << e.queue_id << '|' << e.offer_id << '|' << e.assignment_id << '|'
           << e.detail;
      log.push_back(line.str());
    }
    effects.Clear();
    engine.CheckInvariants();
  };
  auto tick = [&](int seconds) {
    now = now + Duration::Seconds(seconds);
    engine.AdvanceTo(now, effects);
    record();
  };
  auto open_offer = [&](const std::string& worker_id) {
    const Worker* worker = engine.FindWorker(worker_id);
    return worker->open_offer_ids.empty() ? std::string() : worker->open_offer_ids.front();
  };

  SB_ASSERT(engine
                .UpsertDistributionPolicy("p", Policy(DistributionModeKind::kLongestIdle, 1, 2, 30),
                                          now, effects)
                .ok());
  QueueSpec queue;
  queue.distribution_policy_id = "p";
  SB_ASSERT(engine.UpsertQueue("q", queue, now, effects).ok());
  for (const char* id : {"w1", "w2", "w3"}) {
    SB_ASSERT(engine.UpsertWorker(id, WorkerIn({"q"}, 2), now, effects).ok());
    tick(1);
  }
  for (int i = 0; i < 4; ++i) {
    SB_ASSERT(
        engine.UpsertJob("j" + std::to_string(i), JobIn("q", "voice", {}, i), now, effects).ok());
    record();
  }
  const std::string offer = open_offer("w1");
  auto accepted = engine.AcceptJobOffer("w1", offer, now, effects);
  SB_ASSERT(accepted.ok());
  record();
  SB_ASSERT(engine.DeclineJobOffer("w2", open_offer("w2"), {}, now, effects).ok());
  record();
  tick(45);  // offers expire; workers deregister
  SB_ASSERT(engine.UnassignJob(accepted->job_id, accepted->assignment_id, {}, now, effects).ok());
  record();
  SB_ASSERT(engine.UpsertWorker("w2", WorkerIn({"q"}, 2), now, effects).ok());
  record();
  tick(5);
  return log;
}

// The events with their ids blanked: what was decided, not what it was called.
std::vector<std::string> WithoutIds(std::vector<std::string> log) {
  for (std::string& line : log) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string field; std::getline(in, field, '|');) fields.push_back(field);
    fields.resize(8);
    line = fields[0] + '|' + fields[1] + '|' + fields[2] + '|' + fields[3] + '|' + fields[4] + '|' +
           fields[7];
  }
  return log;
}

TEST(DeterminismTest, SameSeedSameEffectsAndIds) {
  const std::vector<std::string> first = RunScenario(42);
  const std::vector<std::string> second = RunScenario(42);
  ASSERT_GT(first.size(), 20u);
  EXPECT_EQ(first, second);
}

TEST(DeterminismTest, OtherSeedOtherIdsSameDecisions) {
  const std::vector<std::string> first = RunScenario(42);
  const std::vector<std::string> other = RunScenario(43);
  EXPECT_NE(first, other);
  EXPECT_EQ(WithoutIds(first), WithoutIds(other));
}

}  // namespace
}  // namespace sb::core::testing
