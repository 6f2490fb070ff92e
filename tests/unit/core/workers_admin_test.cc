// Workers (registration, draining, deletion, spec changes) and administration (references,
// in-use refusals, etags, validation).
#include "engine_fixture.h"

namespace sb::core::testing {
namespace {

class WorkersTest : public EngineTest {
 protected:
  void SetUp() override { BasicQueue(Policy(DistributionModeKind::kLongestIdle, 1, 1, 600)); }
  void SetAvailable(const std::string& id, bool available) {
    WorkerSpec spec = WorkerNamed(id).spec;
    spec.available_for_offers = available;
    PutWorker(id, spec);
  }
};

TEST_F(WorkersTest, WorkersCarryTheirIdAsALabel) {
  const Worker& worker = PutWorker("w", WorkerIn({"q"}));
  EXPECT_EQ(worker.spec.labels.at("Id"), Value("w"));
  EXPECT_EQ(engine_.FindQueue("q")->spec.labels.at("Id"), Value("q"));
}

TEST_F(WorkersTest, DeregisteringRevokesOffers) {
  PutWorker("w", WorkerIn({"q"}, 5));
  PutJob("a", JobIn("q"));
  PutJob("b", JobIn("q"));
  ASSERT_EQ(WorkerNamed("w").open_offer_ids.size(), 2u);
  SetAvailable("w", false);
  EXPECT_EQ(Events(EventType::kWorkerOfferRevoked).size(), 2u);
  EXPECT_EQ(Events(EventType::kWorkerDeregistered).size(), 1u);
  ASSERT_EQ(Events(EventType::kWorkerUpdated).size(), 1u);
  EXPECT_EQ(Events(EventType::kWorkerUpdated)[0].updated_properties, std::vector<std::string>{"AvailableForOffers"});
  EXPECT_EQ(WorkerNamed("w").state, WorkerState::kInactive);
  EXPECT_EQ(WorkerNamed("w").used_capacity, 0);
  EXPECT_TRUE(JobNamed("a").open_offer_ids.empty());
}

TEST_F(WorkersTest, DeregisteredWithJobsDrainsThenGoesInactive) {
  PutWorker("w", WorkerIn({"q"}, 5));
  PutJob("a", JobIn("q"));
  PutJob("b", JobIn("q"));
  const std::string assignment = AcceptOfferFor("a", "w");
  SetAvailable("w", false);
  EXPECT_EQ(WorkerNamed("w").state, WorkerState::kDraining);
  EXPECT_TRUE(WorkerNamed("w").open_offer_ids.empty());
  Complete("a", assignment);
  EXPECT_EQ(WorkerNamed("w").state, WorkerState::kDraining);
  Close("a", assignment);
  EXPECT_EQ(WorkerNamed("w").state, WorkerState::kInactive);
  EXPECT_TRUE(OfferedWorkers().empty());
  SetAvailable("w", true);
  EXPECT_EQ(WorkerNamed("w").state, WorkerState::kActive);
  EXPECT_EQ(WorkersOffered("b"), std::vector<std::string>{"w"});
}

TEST_F(WorkersTest, DeleteWithAssignedJobsIsConflict) {
  PutWorker("w", WorkerIn({"q"}, 5));
  PutJob("a", JobIn("q"));
  PutJob("b", JobIn("q"));
  const std::string assignment = AcceptOfferFor("a", "w");
  effects_.Clear();
  ExpectError(engine_.DeleteWorker("w", now_, effects_), ErrorCode::kConflict);
  EXPECT_EQ(WorkerNamed("w").open_offer_ids.size(), 1u);  // nothing changed
  Complete("a", assignment);
  Close("a", assignment);
  effects_.Clear();
  ASSERT_TRUE(engine_.DeleteWorker("w", now_, effects_).ok());
  engine_.CheckInvariants();
  EXPECT_EQ(Events(EventType::kWorkerOfferRevoked).size(), 1u);
  EXPECT_EQ(Events(EventType::kWorkerDeleted).size(), 1u);
  EXPECT_EQ(engine_.FindWorker("w"), nullptr);
  EXPECT_TRUE(JobNamed("b").open_offer_ids.empty());
  // With the worker gone, the queue may be deleted... once its job is gone too.
  Cancel("b");
  effects_.Clear();
  EXPECT_TRUE(engine_.DeleteQueue("q", now_, effects_).ok());
}

TEST_F(WorkersTest, LoweringCapacityRevokesTheNewestOffers) {
  PutWorker("w", WorkerIn({"q"}, 3));
  for (const char* id : {"a", "b", "c"}) PutJob(id, JobIn("q"));
  ASSERT_EQ(WorkerNamed("w").open_offer_ids.size(), 3u);
  WorkerSpec spec = WorkerNamed("w").spec;
  spec.capacity = 1;
  PutWorker("w", spec);
  const auto revoked = Events(EventType::kWorkerOfferRevoked);
  ASSERT_EQ(revoked.size(), 2u);
  EXPECT_EQ(revoked[0].job_id, "c");
  EXPECT_EQ(revoked[1].job_id, "b");
  EXPECT_EQ(WorkersOffered("a"), std::vector<std::string>{"w"});
  EXPECT_EQ(Events(EventType::kWorkerUpdated)[0].updated_properties, std::vector<std::string>{"TotalCapacity"});
}

TEST_F(WorkersTest, LoweringCapacityBelowAssignmentsKeepsThemButStopsOffers) {
  PutWorker("w", WorkerIn({"q"}, 2));
  PutJob("a", JobIn("q"));
  PutJob("b", JobIn("q"));
  const std::string a1 = AcceptOfferFor("a", "w");
  AcceptOfferFor("b", "w");
  WorkerSpec spec = WorkerNamed("w").spec;
  spec.capacity = 1;
  PutWorker("w", spec);
  EXPECT_EQ(WorkerNamed("w").assigned_jobs.size(), 2u);
  PutJob("c", JobIn("q"));
  EXPECT_TRUE(OfferedWorkers().empty());
  Complete("a", a1);
  Close("a", a1);
  EXPECT_TRUE(OfferedWorkers().empty());  // still full: 1 of 1
}

TEST_F(WorkersTest, LoweringAChannelLimitRevokesOffersOnThatChannel) {
  const std::vector<Channel> channels = {{"voice", 1, std::nullopt}, {"chat", 1, std::nullopt}};
  PutWorker("w", WorkerIn({"q"}, 10, channels));
  PutJob("v1", JobIn("q", "voice"));
  PutJob("v2", JobIn("q", "voice"));
  PutJob("c1", JobIn("q", "chat"));  // the newest offer is on another channel
  ASSERT_EQ(WorkerNamed("w").open_offer_ids.size(), 3u);
  WorkerSpec spec = WorkerNamed("w").spec;
  spec.channels[0].max_number_of_jobs = 1;
  PutWorker("w", spec);
  const auto revoked = Events(EventType::kWorkerOfferRevoked);
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0].job_id, "v2");
  EXPECT_EQ(WorkerNamed("w").JobsOnChannel("voice"), 1);
  EXPECT_EQ(WorkersOffered("c1"), std::vector<std::string>{"w"});
}

TEST_F(WorkersTest, LeavingAQueueOrChannelRevokesItsOffers) {
  AddQueue("q2", "p");
  const std::vector<Channel> channels = {{"voice", 1, std::nullopt}, {"chat", 1, std::nullopt}};
  PutWorker("w", WorkerIn({"q", "q2"}, 10, channels));
  PutJob("in-q2", JobIn("q2", "voice"));
  PutJob("chat", JobIn("q", "chat"));
  PutJob("voice", JobIn("q", "voice"));
  WorkerSpec spec = WorkerNamed("w").spec;
  spec.queues = {"q"};
  spec.channels = {{"voice", 1, std::nullopt}};
  PutWorker("w", spec);
  const auto revoked = Events(EventType::kWorkerOfferRevoked);
  ASSERT_EQ(revoked.size(), 2u);
  EXPECT_EQ(revoked[0].job_id, "in-q2");
  EXPECT_EQ(revoked[1].job_id, "chat");
  EXPECT_EQ(WorkersOffered("voice"), std::vector<std::string>{"w"});
}

TEST_F(WorkersTest, LoweringMaxConcurrentOffersRevokesTheNewestOffers) {
  PutWorker("w", WorkerIn({"q"}, 5));
  for (const char* id : {"a", "b", "c"}) PutJob(id, JobIn("q"));
  ASSERT_EQ(WorkerNamed("w").open_offer_ids.size(), 3u);
  WorkerSpec spec = WorkerNamed("w").spec;
  spec.max_concurrent_offers = 1;
  PutWorker("w", spec);
  const auto revoked = Events(EventType::kWorkerOfferRevoked);
  ASSERT_EQ(revoked.size(), 2u);
  EXPECT_EQ(revoked[0].job_id, "c");
  EXPECT_EQ(revoked[1].job_id, "b");
  EXPECT_EQ(WorkersOffered("a"), std::vector<std::string>{"w"});
}

TEST_F(WorkersTest, AChannelOverItsLoweredLimitDoesNotBlockOtherChannels) {
  const std::vector<Channel> channels = {{"voice", 1, std::nullopt}, {"chat", 1, std::nullopt}};
  PutWorker("w", WorkerIn({"q"}, 10, channels));
  PutJob("v1", JobIn("q", "voice"));
  PutJob("v2", JobIn("q", "voice"));
  AcceptOfferFor("v1", "w");
  AcceptOfferFor("v2", "w");
  WorkerSpec spec = WorkerNamed("w").spec;
  spec.channels[0].max_number_of_jobs = 1;  // two voice jobs stay assigned
  PutWorker("w", spec);
  PutJob("v3", JobIn("q", "voice"));
  EXPECT_TRUE(OfferedWorkers().empty());
  PutJob("c1", JobIn("q", "chat"));
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"w"});
}

// --- Administration -----------------------------------------------------------------------

class AdminTest : public EngineTest {};

TEST_F(AdminTest, ReferencesMustExist) {
  QueueSpec queue;
  queue.distribution_policy_id = "missing";
  EXPECT_EQ(
      ExpectError(engine_.UpsertQueue("q", queue, now_, effects_), ErrorCode::kInvalidArgument),
      "distributionPolicyId");
  EXPECT_EQ(ExpectError(engine_.UpsertQueue("q", QueueSpec{}, now_, effects_),
                        ErrorCode::kInvalidArgument),
            "distributionPolicyId");
  EXPECT_EQ(ExpectError(engine_.UpsertJob("j", JobIn("missing"), now_, effects_),
                        ErrorCode::kInvalidArgument),
            "queueId");
  JobSpec classified = JobIn("missing");
  classified.queue_id.reset();
  classified.classification_policy_id = "missing";
  EXPECT_EQ(
      ExpectError(engine_.UpsertJob("j", classified, now_, effects_), ErrorCode::kInvalidArgument),
      "classificationPolicyId");
  EXPECT_EQ(ExpectError(engine_.UpsertWorker("w", WorkerIn({"missing"}), now_, effects_),
                        ErrorCode::kInvalidArgument),
            "queues");
  EXPECT_EQ(engine_.FindQueue("q"), nullptr);
  EXPECT_EQ(engine_.FindJob("j"), nullptr);
  EXPECT_EQ(engine_.FindWorker("w"), nullptr);
  EXPECT_TRUE(effects_.events.empty());
}

TEST_F(AdminTest, DeletingWhatIsInUseIsConflict) {
  BasicQueue();
  effects_.Clear();
  ExpectError(engine_.DeleteDistributionPolicy("p", now_, effects_), ErrorCode::kConflict);
  PutJob("j", JobIn("q"));
  effects_.Clear();
  ExpectError(engine_.DeleteQueue("q", now_, effects_), ErrorCode::kConflict);
  Cancel("j");
  PutWorker("w", WorkerIn({"q"}));
  effects_.Clear();
  ExpectError(engine_.DeleteQueue("q", now_, effects_), ErrorCode::kConflict);
  ASSERT_TRUE(engine_.DeleteWorker("w", now_, effects_).ok());
  ASSERT_TRUE(engine_.DeleteQueue("q", now_, effects_).ok());
  ASSERT_TRUE(engine_.DeleteDistributionPolicy("p", now_, effects_).ok());
  EXPECT_EQ(engine_.FindDistributionPolicy("p"), nullptr);
  EXPECT_TRUE(engine_.DeleteDistributionPolicy("p", now_, effects_).ok());  // idempotent
  engine_.CheckInvariants();
}

TEST_F(AdminTest, NoOpUpsertKeepsTheEtag) {
  BasicQueue();
  PutWorker("w", WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  const std::string policy_etag = engine_.Etag(engine_.FindDistributionPolicy("p")->meta);
  const std::string queue_etag = engine_.Etag(engine_.FindQueue("q")->meta);
  const std::string worker_etag = engine_.Etag(WorkerNamed("w").meta);
  const std::string job_etag = engine_.Etag(JobNamed("j").meta);
  Advance(10);
  AddPolicy("p", engine_.FindDistributionPolicy("p")->spec);
  EXPECT_TRUE(effects_.changes.empty());
  AddQueue("q", "p");
  PutWorker("w", WorkerNamed("w").spec);
  EXPECT_TRUE(effects_.changes.empty());
  PutJob("j", JobNamed("j").spec);
  EXPECT_TRUE(effects_.changes.empty());
  EXPECT_EQ(engine_.Etag(engine_.FindDistributionPolicy("p")->meta), policy_etag);
  EXPECT_EQ(engine_.Etag(engine_.FindQueue("q")->meta), queue_etag);
  EXPECT_EQ(engine_.Etag(WorkerNamed("w").meta), worker_etag);
  EXPECT_EQ(engine_.Etag(JobNamed("j").meta), job_etag);
  // A real change moves it.
  JobSpec spec = JobNamed("j").spec;
  spec.priority = 7;
  PutJob("j", spec);
  EXPECT_NE(engine_.Etag(JobNamed("j").meta), job_etag);
  EXPECT_EQ(JobNamed("j").meta.last_modified, now_);
}

TEST_F(AdminTest, ValidationNamesTheField) {
  BasicQueue();
  JobSpec job = JobIn("q");
  job.priority = 101;
  EXPECT_EQ(ExpectError(engine_.UpsertJob("j", job, now_, effects_), ErrorCode::kInvalidArgument),
            "priority");
  job.priority = -101;
  EXPECT_EQ(ExpectError(engine_.UpsertJob("j", job, now_, effects_), ErrorCode::kInvalidArgument),
            "priority");
  job.priority = -100;
  EXPECT_TRUE(engine_.UpsertJob("j", job, now_, effects_).ok());
  JobSpec no_channel = JobIn("q");
  no_channel.channel_id.reset();
  EXPECT_EQ(
      ExpectError(engine_.UpsertJob("k", no_channel, now_, effects_), ErrorCode::kInvalidArgument),
      "channelId");
  JobSpec unscheduled = JobIn("q");
  unscheduled.matching_mode.kind = MatchingModeKind::kScheduleAndSuspend;
  EXPECT_EQ(
      ExpectError(engine_.UpsertJob("k", unscheduled, now_, effects_), ErrorCode::kInvalidArgument),
      "matchingMode.scheduleAt");

  EXPECT_EQ(
      ExpectError(engine_.UpsertWorker("w", WorkerIn({"q"}, 1, {{"voice", 1, 0}}), now_, effects_),
                  ErrorCode::kInvalidArgument),
      "channels[0].maxNumberOfJobs");
  EXPECT_EQ(ExpectError(engine_.UpsertWorker("w", WorkerIn({"q"}, -1), now_, effects_),
                        ErrorCode::kInvalidArgument),
            "capacity");
  WorkerSpec worker = WorkerIn({"q"});
  worker.max_concurrent_offers = 0;
  EXPECT_EQ(
      ExpectError(engine_.UpsertWorker("w", worker, now_, effects_), ErrorCode::kInvalidArgument),
      "maxConcurrentOffers");

  using Mode = DistributionModeKind;
  EXPECT_EQ(ExpectError(engine_.UpsertDistributionPolicy("d", Policy(Mode::kRoundRobin, 3, 2), now_,
                                                         effects_),
                        ErrorCode::kInvalidArgument),
            "mode.minConcurrentOffers");
  EXPECT_EQ(ExpectError(engine_.UpsertDistributionPolicy("d", Policy(Mode::kRoundRobin, 1, 0), now_,
                                                         effects_),
                        ErrorCode::kInvalidArgument),
            "mode.maxConcurrentOffers");
  EXPECT_EQ(ExpectError(engine_.UpsertDistributionPolicy("d", Policy(Mode::kRoundRobin, 1, 1, 0),
                                                         now_, effects_),
                        ErrorCode::kInvalidArgument),
            "offerExpiresAfterSeconds");
  EXPECT_EQ(engine_.FindDistributionPolicy("d"), nullptr);
  EXPECT_EQ(engine_.FindWorker("w"), nullptr);
}

TEST_F(AdminTest, ChangingAQueuesPolicyChangesHowItDistributes) {
  AddPolicy("one", Policy(DistributionModeKind::kLongestIdle, 1, 1, 60));
  AddPolicy("two", Policy(DistributionModeKind::kRoundRobin, 1, 2, 60));
  AddQueue("q", "one");
  for (const char* id : {"w1", "w2", "w3"}) PutWorker(id, WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  EXPECT_EQ(WorkersOffered("j").size(), 1u);
  AddQueue("q", "two");  // the job may now hold two offers
  EXPECT_EQ(WorkersOffered("j").size(), 2u);
  // Updating the policy itself applies too.
  AddPolicy("two", Policy(DistributionModeKind::kRoundRobin, 1, 3, 60));
  EXPECT_EQ(WorkersOffered("j").size(), 3u);
}

}  // namespace
}  // namespace sb::core::testing
