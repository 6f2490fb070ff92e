// The job lifecycle: matching modes, cancel, complete, close, unassign, delete and notes.
#include "engine_fixture.h"

namespace sb::core::testing {
namespace {

class JobLifecycleTest : public EngineTest {
 protected:
  void SetUp() override { BasicQueue(Policy(DistributionModeKind::kLongestIdle, 1, 1, 600)); }
  JobSpec Scheduled(Timestamp at) {
    JobSpec spec = JobIn("q");
    spec.matching_mode = MatchingMode{MatchingModeKind::kScheduleAndSuspend, at};
    return spec;
  }
  const Job& SetMode(const std::string& id, MatchingModeKind kind) {
    JobSpec spec = JobNamed(id).spec;
    spec.matching_mode = MatchingMode{kind, std::nullopt};
    return PutJob(id, spec);
  }
  // A job assigned to worker "w"; returns the assignment id.
  std::string Assigned(const std::string& id) {
    if (!engine_.FindWorker("w")) PutWorker("w", WorkerIn({"q"}, 10));
    PutJob(id, JobIn("q"));
    return AcceptOfferFor(id, "w");
  }
};

TEST_F(JobLifecycleTest, QueueAndMatchIsQueuedAtOnce) {
  const Job& job = PutJob("j", JobIn("q"));
  EXPECT_EQ(job.status, JobStatus::kQueued);
  ASSERT_EQ(effects_.events.size(), 2u);
  EXPECT_EQ(effects_.events[0].type, EventType::kJobReceived);
  EXPECT_EQ(effects_.events[0].job->status, JobStatus::kQueued);  // the status routing gave it
  EXPECT_EQ(effects_.events[1].type, EventType::kJobQueued);
  EXPECT_EQ(effects_.events[1].queue_id, "q");
}

TEST_F(JobLifecycleTest, ScheduleAndSuspendWaitsForItsTimeThenForActivation) {
  const Timestamp at = now_ + Duration::Minutes(10);
  PutWorker("w", WorkerIn({"q"}));
  const Job& job = PutJob("j", Scheduled(at));
  EXPECT_EQ(job.status, JobStatus::kScheduled);
  EXPECT_EQ(job.scheduled_at, at);
  EXPECT_FALSE(job.enqueued_at.has_value());
  EXPECT_TRUE(Events(EventType::kJobQueued).empty());
  EXPECT_EQ(Events(EventType::kJobReceived)[0].job->status, JobStatus::kScheduled);
  EXPECT_EQ(Events(EventType::kJobReceived)[0].job->scheduled_at, at);

  AdvanceTo(at - Duration::Micros(1));
  EXPECT_EQ(job.status, JobStatus::kScheduled);
  Advance(30);
  EXPECT_EQ(job.status, JobStatus::kWaitingForActivation);
  ASSERT_EQ(Events(EventType::kJobWaitingForActivation).size(), 1u);
  EXPECT_EQ(Events(EventType::kJobWaitingForActivation)[0].at, at);
  EXPECT_TRUE(OfferedWorkers().empty());

  SetMode("j", MatchingModeKind::kQueueAndMatch);
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(job.enqueued_at, now_);
  EXPECT_EQ(Events(EventType::kJobQueued).size(), 1u);
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"w"});
}

TEST_F(JobLifecycleTest, ScheduledJobCanBeQueuedBeforeItsTime) {
  const Timestamp at = now_ + Duration::Minutes(10);
  PutJob("j", Scheduled(at));
  SetMode("j", MatchingModeKind::kQueueAndMatch);
  EXPECT_EQ(JobNamed("j").status, JobStatus::kQueued);
  AdvanceTo(at + Duration::Seconds(1));
  EXPECT_EQ(JobNamed("j").status, JobStatus::kQueued);  // the old timer does nothing
  EXPECT_TRUE(Events(EventType::kJobWaitingForActivation).empty());
}

TEST_F(JobLifecycleTest, ScheduleAtInThePastActivatesAtOnce) {
  const Job& job = PutJob("j", Scheduled(now_ - Duration::Seconds(1)));
  EXPECT_EQ(job.status, JobStatus::kWaitingForActivation);
  EXPECT_EQ(Events(EventType::kJobWaitingForActivation).size(), 1u);
}

TEST_F(JobLifecycleTest, SuspendWaitsForActivation) {
  JobSpec spec = JobIn("q");
  spec.matching_mode.kind = MatchingModeKind::kSuspend;
  PutWorker("w", WorkerIn({"q"}));
  const Job& job = PutJob("j", spec);
  EXPECT_EQ(job.status, JobStatus::kWaitingForActivation);
  EXPECT_TRUE(OfferedWorkers().empty());
  SetMode("j", MatchingModeKind::kQueueAndMatch);
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"w"});
}

TEST_F(JobLifecycleTest, SuspendingAQueuedJobRevokesItsOffers) {
  PutWorker("w", WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  SetMode("j", MatchingModeKind::kSuspend);
  EXPECT_EQ(JobNamed("j").status, JobStatus::kWaitingForActivation);
  EXPECT_EQ(Events(EventType::kWorkerOfferRevoked).size(), 1u);
  EXPECT_TRUE(WorkerNamed("w").open_offer_ids.empty());
  EXPECT_EQ(engine_.GetQueueStatistics("q", now_)->length, 0);
}

TEST_F(JobLifecycleTest, CancelQueuedRevokesOffersAndRecordsTheDefaultDisposition) {
  PutWorker("w", WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  Advance(2);
  CancelJobOptions options;
  options.note = "caller hung up";
  Cancel("j", options);
  const Job& job = JobNamed("j");
  EXPECT_EQ(job.status, JobStatus::kCancelled);
  EXPECT_EQ(job.spec.disposition_code, "Cancelled");
  ASSERT_EQ(job.spec.notes.size(), 1u);
  EXPECT_EQ(job.spec.notes[0].message, "caller hung up");
  EXPECT_EQ(job.spec.notes[0].added_at, now_);
  EXPECT_EQ(Events(EventType::kWorkerOfferRevoked).size(), 1u);
  ASSERT_EQ(Events(EventType::kJobCancelled).size(), 1u);
  EXPECT_EQ(Events(EventType::kJobCancelled)[0].detail, "Cancelled");
  EXPECT_EQ(WorkerNamed("w").used_capacity, 0);
  EXPECT_EQ(engine_.GetQueueStatistics("q", now_)->length, 0);
}

TEST_F(JobLifecycleTest, CancelledJobWithOffersIsNeverMatchedAgain) {
  AddPolicy("pair", Policy(DistributionModeKind::kLongestIdle, 1, 2, 600));
  AddQueue("q2", "pair");
  PutWorker("a", WorkerIn({"q2"}));
  PutJob("j", JobIn("q2"));  // one offer of two: the job could take another
  Cancel("j");
  effects_.Clear();
  ASSERT_TRUE(engine_.DeleteJob("j", now_, effects_).ok());
  engine_.CheckInvariants();
  PutWorker("b", WorkerIn({"q2"}));
  EXPECT_TRUE(OfferedWorkers().empty());
  PutJob("k", JobIn("q2"));
  EXPECT_EQ(WorkersOffered("k").size(), 2u);
}

TEST_F(JobLifecycleTest, CancelAssignedReleasesTheWorker) {
  Assigned("j");
  CancelJobOptions options;
  options.disposition_code = "Abandoned";
  Cancel("j", options);
  EXPECT_EQ(JobNamed("j").spec.disposition_code, "Abandoned");
  EXPECT_TRUE(JobNamed("j").spec.notes.empty());  // no note unless one is given
  EXPECT_TRUE(WorkerNamed("w").assigned_jobs.empty());
  EXPECT_EQ(WorkerNamed("w").used_capacity, 0);
}

TEST_F(JobLifecycleTest, CancelIsAllowedWhileScheduledOrWaiting) {
  PutJob("scheduled", Scheduled(now_ + Duration::Minutes(5)));
  JobSpec suspended = JobIn("q");
  suspended.matching_mode.kind = MatchingModeKind::kSuspend;
  PutJob("waiting", suspended);
  for (const char* id : {"scheduled", "waiting"}) {
    Cancel(id);
    EXPECT_EQ(JobNamed(id).status, JobStatus::kCancelled) << id;
  }
  Advance(600);  // the scheduled job's timer finds it cancelled
  EXPECT_EQ(JobNamed("scheduled").status, JobStatus::kCancelled);
}

TEST_F(JobLifecycleTest, CancelOfFinishedJobsIsConflict) {
  const std::string a1 = Assigned("completed");
  Complete("completed", a1);
  const std::string a2 = Assigned("closed");
  Complete("closed", a2);
  Close("closed", a2);
  PutJob("cancelled", JobIn("q"));
  Cancel("cancelled");
  for (const char* id : {"completed", "closed", "cancelled"}) {
    effects_.Clear();
    ExpectError(engine_.CancelJob(id, {}, now_, effects_), ErrorCode::kConflict);
  }
  ExpectError(engine_.CancelJob("missing", {}, now_, effects_), ErrorCode::kNotFound);
}

TEST_F(JobLifecycleTest, CompleteAndCloseNeedTheRightStatus) {
  const std::string assignment = Assigned("j");
  effects_.Clear();
  ExpectError(engine_.CloseJob("j", assignment, {}, now_, effects_), ErrorCode::kConflict);
  ExpectError(engine_.CompleteJob("j", "not-an-assignment", {}, now_, effects_),
              ErrorCode::kNotFound);
  Complete("j", assignment);
  effects_.Clear();
  ExpectError(engine_.CompleteJob("j", assignment, {}, now_, effects_), ErrorCode::kConflict);
  ExpectError(engine_.UnassignJob("j", assignment, {}, now_, effects_), ErrorCode::kConflict);
  EXPECT_EQ(JobNamed("j").status, JobStatus::kCompleted);
}

TEST_F(JobLifecycleTest, CompleteOfAQueuedJobIsRefused) {
  const std::string assignment = Assigned("j");
  effects_.Clear();
  ASSERT_TRUE(engine_.UnassignJob("j", assignment, {}, now_, effects_).ok());
  // The old assignment exists but is no longer active.
  ExpectError(engine_.CompleteJob("j", assignment, {}, now_, effects_), ErrorCode::kConflict);
  ExpectError(engine_.CompleteJob("missing", assignment, {}, now_, effects_), ErrorCode::kNotFound);
}

TEST_F(JobLifecycleTest, UnassignRequeuesKeepingThePlaceInLine) {
  PutWorker("w", WorkerIn({"q"}, 1));
  PutJob("j", JobIn("q"));
  const Timestamp enqueued_at = *JobNamed("j").enqueued_at;
  Advance(5);
  PutJob("later", JobIn("q"));
  std::string assignment = AcceptOfferFor("j", "w");
  for (int count = 1; count <= 4; ++count) {  // the count is not capped at 3
    Advance(5);
    effects_.Clear();
    auto result = engine_.UnassignJob("j", assignment, {}, now_, effects_);
    engine_.CheckInvariants();
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->unassignment_count, count);
    EXPECT_EQ(Events(EventType::kJobUnassigned).size(), 1u);
    const Job& job = JobNamed("j");
    EXPECT_EQ(job.status, JobStatus::kQueued);
    EXPECT_EQ(job.enqueued_at, enqueued_at);
    // Ahead of "later", and offered to the same worker again.
    EXPECT_EQ(engine_.GetJobPosition("j", now_)->position, 1);
    EXPECT_EQ(WorkersOffered("j"), std::vector<std::string>{"w"});
    assignment = AcceptOfferFor("j", "w");
  }
  EXPECT_EQ(JobNamed("j").assignments.size(), 5u);
}

TEST_F(JobLifecycleTest, UnassignWithSuspendMatchingWaitsForActivation) {
  const std::string assignment = Assigned("j");
  effects_.Clear();
  UnassignJobOptions options;
  options.suspend_matching = true;
  ASSERT_TRUE(engine_.UnassignJob("j", assignment, options, now_, effects_).ok());
  engine_.CheckInvariants();
  const Job& job = JobNamed("j");
  EXPECT_EQ(job.status, JobStatus::kWaitingForActivation);
  EXPECT_EQ(job.spec.matching_mode.kind, MatchingModeKind::kSuspend);
  EXPECT_TRUE(OfferedWorkers().empty());
  EXPECT_EQ(WorkerNamed("w").used_capacity, 0);
  SetMode("j", MatchingModeKind::kQueueAndMatch);
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(WorkersOffered("j"), std::vector<std::string>{"w"});
}

TEST_F(JobLifecycleTest, DeleteNeedsAFinishedJob) {
  const std::string assignment = Assigned("j");
  effects_.Clear();
  ExpectError(engine_.DeleteJob("j", now_, effects_), ErrorCode::kConflict);
  Complete("j", assignment);
  effects_.Clear();
  ExpectError(engine_.DeleteJob("j", now_, effects_), ErrorCode::kConflict);
  Close("j", assignment);
  effects_.Clear();
  ASSERT_TRUE(engine_.DeleteJob("j", now_, effects_).ok());
  EXPECT_EQ(engine_.FindJob("j"), nullptr);
  ASSERT_EQ(Events(EventType::kJobDeleted).size(), 1u);
  ASSERT_EQ(effects_.changes.size(), 1u);
  EXPECT_TRUE(effects_.changes[0].deleted);
  EXPECT_TRUE(engine_.DeleteJob("j", now_, effects_).ok());  // idempotent
  engine_.CheckInvariants();
}

TEST_F(JobLifecycleTest, DeletedIdCanBeReused) {
  PutJob("j", JobIn("q"));
  Cancel("j");
  effects_.Clear();
  ASSERT_TRUE(engine_.DeleteJob("j", now_, effects_).ok());
  const Job& job = PutJob("j", JobIn("q"));
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_TRUE(job.assignments.empty());
}

TEST_F(JobLifecycleTest, NotesAreStampedWithTheActionsTime) {
  const std::string assignment = Assigned("j");
  Advance(10);
  effects_.Clear();
  ASSERT_TRUE(engine_.CompleteJob("j", assignment, {"done"}, now_, effects_).ok());
  const Timestamp completed_at = now_;
  Advance(10);
  CloseJobOptions options;
  options.note = "wrapped up";
  Close("j", assignment, options);
  const auto& notes = JobNamed("j").spec.notes;
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].message, "done");
  EXPECT_EQ(notes[0].added_at, completed_at);
  EXPECT_EQ(notes[1].message, "wrapped up");
  EXPECT_EQ(notes[1].added_at, now_);
}

TEST_F(JobLifecycleTest, NotesGivenWithoutTimeGetTheCurrentTime) {
  JobSpec spec = JobIn("q");
  spec.notes = {{"later", now_ + Duration::Seconds(5)}, {"now", std::nullopt}};
  const Job& job = PutJob("j", spec);
  ASSERT_EQ(job.spec.notes.size(), 2u);
  EXPECT_EQ(job.spec.notes[0].message, "now");  // sorted by time
  EXPECT_EQ(job.spec.notes[0].added_at, now_);
}

}  // namespace
}  // namespace sb::core::testing
