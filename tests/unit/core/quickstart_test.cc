// The service's quickstart, end to end: one job, one worker, offer, accept, complete, close.
#include "engine_fixture.h"

namespace sb::core::testing {
namespace {

class QuickstartTest : public EngineTest {
 protected:
  void SetUp() override {
    AddPolicy("policy-1", Policy(DistributionModeKind::kLongestIdle, 1, 1, 60));
    AddQueue("queue-1", "policy-1");
  }
  WorkerSpec SkilledWorker() {
    return WorkerIn({"queue-1"}, 1, {{"voice", 1, std::nullopt}}, {{"Some-Skill", Value(11)}});
  }
  JobSpec SkillJob() {
    return JobIn("queue-1", "voice", {Sel("Some-Skill", LabelOperator::kGreaterThan, Value(10))});
  }
  // Runs the quickstart up to the accepted offer; returns the assignment id.
  std::string RunToAssigned() {
    PutJob("job-1", SkillJob());
    PutWorker("worker-1", SkilledWorker());
    return AcceptOfferFor("job-1", "worker-1");
  }
};

TEST_F(QuickstartTest, OneOfferIsIssuedToTheMatchingWorker) {
  const Job& job = PutJob("job-1", SkillJob());
  EXPECT_EQ(job.status, JobStatus::kQueued);
  ASSERT_TRUE(job.enqueued_at.has_value());
  EXPECT_EQ(*job.enqueued_at, now_);
  EXPECT_TRUE(job.open_offer_ids.empty());

  Advance(5);
  const Worker& worker = PutWorker("worker-1", SkilledWorker());
  const auto issued = Events(EventType::kWorkerOfferIssued);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].job_id, "job-1");
  EXPECT_EQ(issued[0].worker_id, "worker-1");
  EXPECT_EQ(issued[0].queue_id, "queue-1");
  EXPECT_EQ(issued[0].at, now_);
  EXPECT_EQ(Events(EventType::kWorkerRegistered).size(), 1u);

  const Offer* offer = engine_.FindOffer(issued[0].offer_id);
  ASSERT_NE(offer, nullptr);
  EXPECT_EQ(offer->capacity_cost, 1);
  EXPECT_EQ(offer->offered_at, now_);
  EXPECT_EQ(offer->expires_at, now_ + Duration::Seconds(60));
  EXPECT_EQ(worker.state, WorkerState::kActive);
  EXPECT_EQ(worker.open_offer_ids, std::vector<std::string>{issued[0].offer_id});
  EXPECT_DOUBLE_EQ(worker.LoadRatio(), 1.0);  // the open offer reserves the capacity
  EXPECT_EQ(JobNamed("job-1").open_offer_ids, std::vector<std::string>{issued[0].offer_id});
  EXPECT_EQ(JobNamed("job-1").status, JobStatus::kQueued);
}

TEST_F(QuickstartTest, WorkerFirstThenJobAlsoMatches) {
  PutWorker("worker-1", SkilledWorker());
  EXPECT_TRUE(Events(EventType::kWorkerOfferIssued).empty());
  PutJob("job-1", SkillJob());
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"worker-1"});
  ASSERT_EQ(Events(EventType::kJobReceived).size(), 1u);
  ASSERT_EQ(Events(EventType::kJobQueued).size(), 1u);
}

TEST_F(QuickstartTest, AcceptCompleteCloseFreesTheWorker) {
  PutJob("job-1", SkillJob());
  PutWorker("worker-1", SkilledWorker());
  const std::string offer_id = OfferId("job-1", "worker-1");
  Advance(3);
  const AcceptJobOfferResult accepted = Accept("worker-1", offer_id);
  EXPECT_EQ(accepted.job_id, "job-1");
  EXPECT_EQ(accepted.worker_id, "worker-1");
  ASSERT_EQ(Events(EventType::kWorkerOfferAccepted).size(), 1u);
  EXPECT_EQ(Events(EventType::kWorkerOfferAccepted)[0].assignment_id, accepted.assignment_id);
  EXPECT_EQ(engine_.FindOffer(offer_id), nullptr);

  const Job& job = JobNamed("job-1");
  EXPECT_EQ(job.status, JobStatus::kAssigned);
  ASSERT_EQ(job.assignments.size(), 1u);
  EXPECT_EQ(job.assignments[0].assignment_id, accepted.assignment_id);
  EXPECT_EQ(job.assignments[0].assigned_at, now_);
  const Worker& worker = WorkerNamed("worker-1");
  ASSERT_EQ(worker.assigned_jobs.size(), 1u);
  EXPECT_EQ(worker.assigned_jobs[0].job_id, "job-1");
  EXPECT_EQ(worker.assigned_jobs[0].capacity_cost, 1);
  EXPECT_TRUE(worker.open_offer_ids.empty());
  EXPECT_DOUBLE_EQ(worker.LoadRatio(), 1.0);

  Advance(60);
  Complete("job-1", accepted.assignment_id);
  EXPECT_EQ(job.status, JobStatus::kCompleted);
  EXPECT_EQ(job.assignments[0].completed_at, now_);
  EXPECT_EQ(Events(EventType::kJobCompleted).size(), 1u);
  EXPECT_DOUBLE_EQ(worker.LoadRatio(), 1.0);  // a completed job holds capacity until closed

  Advance(10);
  Close("job-1", accepted.assignment_id);
  EXPECT_EQ(job.status, JobStatus::kClosed);
  EXPECT_EQ(job.assignments[0].closed_at, now_);
  EXPECT_EQ(job.spec.disposition_code, "Closed");
  ASSERT_EQ(Events(EventType::kJobClosed).size(), 1u);
  EXPECT_EQ(Events(EventType::kJobClosed)[0].detail, "Closed");
  EXPECT_TRUE(worker.assigned_jobs.empty());
  EXPECT_EQ(worker.used_capacity, 0);
  EXPECT_DOUBLE_EQ(worker.LoadRatio(), 0.0);
  EXPECT_EQ(worker.idle_since, now_);
}

TEST_F(QuickstartTest, FreedCapacityTakesTheNextJob) {
  const std::string assignment = RunToAssigned();
  PutJob("job-2", SkillJob());
  EXPECT_TRUE(Events(EventType::kWorkerOfferIssued).empty());  // the worker is full
  Complete("job-1", assignment);
  EXPECT_TRUE(Events(EventType::kWorkerOfferIssued).empty());
  Close("job-1", assignment);
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"worker-1"});
  EXPECT_EQ(WorkersOffered("job-2"), std::vector<std::string>{"worker-1"});
}

TEST_F(QuickstartTest, CloseAtInTheFutureClosesWhenTheTimeComes) {
  const std::string assignment = RunToAssigned();
  Complete("job-1", assignment);
  const Timestamp close_at = now_ + Duration::Seconds(30);
  CloseJobOptions options;
  options.close_at = close_at;
  options.disposition_code = "Resolved";
  Close("job-1", assignment, options);
  EXPECT_EQ(JobNamed("job-1").status, JobStatus::kCompleted);
  EXPECT_TRUE(Events(EventType::kJobClosed).empty());
  EXPECT_EQ(engine_.NextDeadline(), close_at);
  EXPECT_EQ(WorkerNamed("worker-1").used_capacity, 1);

  // A second close while one is pending is refused.
  effects_.Clear();
  ExpectError(engine_.CloseJob("job-1", assignment, {}, now_, effects_), ErrorCode::kConflict);

  AdvanceTo(close_at - Duration::Micros(1));
  EXPECT_EQ(JobNamed("job-1").status, JobStatus::kCompleted);
  AdvanceTo(close_at);
  EXPECT_EQ(JobNamed("job-1").status, JobStatus::kClosed);
  EXPECT_EQ(JobNamed("job-1").spec.disposition_code, "Resolved");
  EXPECT_EQ(JobNamed("job-1").assignments[0].closed_at, close_at);
  ASSERT_EQ(Events(EventType::kJobClosed).size(), 1u);
  EXPECT_EQ(Events(EventType::kJobClosed)[0].at, close_at);
  EXPECT_EQ(WorkerNamed("worker-1").used_capacity, 0);
}

TEST_F(QuickstartTest, CloseAtFiresAtItsOwnTimeWhenTheClockJumpsPast) {
  const std::string assignment = RunToAssigned();
  Complete("job-1", assignment);
  const Timestamp close_at = now_ + Duration::Seconds(30);
  CloseJobOptions options;
  options.close_at = close_at;
  Close("job-1", assignment, options);
  PutJob("job-2", SkillJob());
  Advance(3600);
  ASSERT_EQ(Events(EventType::kJobClosed).size(), 1u);
  EXPECT_EQ(Events(EventType::kJobClosed)[0].at, close_at);
  // The freed worker got job-2 at close_at, not at the late tick.
  const auto issued = Events(EventType::kWorkerOfferIssued);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].job_id, "job-2");
  EXPECT_EQ(issued[0].at, close_at);
  // ... and, not accepting it, lost it 60 s later.
  ASSERT_EQ(Events(EventType::kWorkerOfferExpired).size(), 1u);
  EXPECT_EQ(Events(EventType::kWorkerOfferExpired)[0].at, close_at + Duration::Seconds(60));
}

TEST_F(QuickstartTest, CloseAtInThePastClosesAtOnce) {
  const std::string assignment = RunToAssigned();
  Complete("job-1", assignment);
  CloseJobOptions options;
  options.close_at = now_ - Duration::Seconds(5);
  Close("job-1", assignment, options);
  EXPECT_EQ(JobNamed("job-1").status, JobStatus::kClosed);
}

}  // namespace
}  // namespace sb::core::testing
