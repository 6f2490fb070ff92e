// Read-only queries: queue statistics, job position, and list paging with filters.
#include "engine_fixture.h"

namespace sb::core::testing {
namespace {

class QueriesTest : public EngineTest {
 protected:
  void SetUp() override { BasicQueue(Policy(DistributionModeKind::kLongestIdle, 1, 1, 600)); }
  template <class T>
  static std::vector<std::string> Ids(const Page<T>& page) {
    std::vector<std::string> ids;
    for (const T* item : page.items) ids.push_back(item->id);
    return ids;
  }
  // Every job the filter keeps, read two at a time.
  std::vector<std::string> AllJobs(const JobFilter& filter) const {
    std::vector<std::string> ids;
    std::uint64_t after = 0;
    for (int pages = 0; pages < 100; ++pages) {
      const Page<Job> page = engine_.ListJobs(filter, after, 2);
      for (const Job* job : page.items) ids.push_back(job->id);
      if (!page.next_after) break;
      after = *page.next_after;
    }
    return ids;
  }
};

TEST_F(QueriesTest, StatisticsCountQueuedJobsAndTheLongestWait) {
  auto empty = engine_.GetQueueStatistics("q", now_);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->length, 0);
  EXPECT_FALSE(empty->longest_job_wait_time_minutes.has_value());
  EXPECT_TRUE(empty->estimated_wait_time_minutes.empty());

  PutJob("a", JobIn("q", "voice", {}, 1));
  Advance(90);
  PutJob("b", JobIn("q", "voice", {}, 5));
  JobSpec suspended = JobIn("q");
  suspended.matching_mode.kind = MatchingModeKind::kSuspend;
  PutJob("not-queued", suspended);
  Advance(30);
  auto stats = engine_.GetQueueStatistics("q", now_);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queue_id, "q");
  EXPECT_EQ(stats->length, 2);
  ASSERT_TRUE(stats->longest_job_wait_time_minutes.has_value());
  EXPECT_DOUBLE_EQ(*stats->longest_job_wait_time_minutes, 2.0);
  EXPECT_TRUE(stats->estimated_wait_time_minutes.empty());  // no assignment history yet
  ExpectError(engine_.GetQueueStatistics("missing", now_), ErrorCode::kNotFound);
}

TEST_F(QueriesTest, PositionsRunOneToNInQueueOrder) {
  PutJob("p1-first", JobIn("q", "voice", {}, 1));
  Advance(1);
  PutJob("p9", JobIn("q", "voice", {}, 9));
  Advance(1);
  PutJob("p1-second", JobIn("q", "voice", {}, 1));
  const std::vector<std::string> order = {"p9", "p1-first", "p1-second"};
  for (std::size_t i = 0; i < order.size(); ++i) {
    auto position = engine_.GetJobPosition(order[i], now_);
    ASSERT_TRUE(position.ok());
    EXPECT_EQ(position->position, static_cast<int>(i + 1)) << order[i];
    EXPECT_EQ(position->queue_length, 3);
    EXPECT_EQ(position->queue_id, "q");
    EXPECT_FALSE(position->estimated_wait_time_minutes.has_value());
  }
  ExpectError(engine_.GetJobPosition("missing", now_), ErrorCode::kNotFound);
}

TEST_F(QueriesTest, PositionOfAJobThatIsNotQueuedIsConflict) {
  PutWorker("w", WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  AcceptOfferFor("j", "w");
  ExpectError(engine_.GetJobPosition("j", now_), ErrorCode::kConflict);
}

TEST_F(QueriesTest, EstimatedWaitAppearsWithAssignmentHistory) {
  PutWorker("w", WorkerIn({"q"}));
  for (int i = 0; i < 4; ++i) {
    PutJob("done" + std::to_string(i), JobIn("q"));
    const std::string job_id = "done" + std::to_string(i);
    const std::string assignment = AcceptOfferFor(job_id, "w");
    Complete(job_id, assignment);
    Close(job_id, assignment);
    Advance(30);
  }
  // Four assignments over two minutes: two a minute. Fill the worker, then queue three.
  PutJob("busy", JobIn("q"));
  AcceptOfferFor("busy", "w");
  for (const char* id : {"x", "y", "z"}) PutJob(id, JobIn("q", "voice", {}, 1));
  PutJob("urgent", JobIn("q", "voice", {}, 10));
  auto position = engine_.GetJobPosition("z", now_);
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(position->position, 4);
  ASSERT_TRUE(position->estimated_wait_time_minutes.has_value());
  EXPECT_GT(*position->estimated_wait_time_minutes, 0.0);
  const double first = *engine_.GetJobPosition("urgent", now_)->estimated_wait_time_minutes;
  EXPECT_LE(first, *position->estimated_wait_time_minutes);

  auto stats = engine_.GetQueueStatistics("q", now_);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->estimated_wait_time_minutes.size(), 2u);  // priorities 1 and 10
  ASSERT_EQ(stats->estimated_wait_time_minutes.count(10), 1u);
  ASSERT_EQ(stats->estimated_wait_time_minutes.count(1), 1u);
  EXPECT_LE(stats->estimated_wait_time_minutes.at(10), stats->estimated_wait_time_minutes.at(1));
  for (const auto& [priority, minutes] : stats->estimated_wait_time_minutes) {
    EXPECT_EQ(minutes, static_cast<double>(static_cast<long long>(minutes)));  // whole minutes
  }
}

TEST_F(QueriesTest, JobListsPageInCreationOrderWithFilters) {
  AddQueue("other", "p");
  PutJob("a", JobIn("q", "voice"));
  PutJob("b", JobIn("other", "chat"));
  PutJob("c", JobIn("q", "chat"));
  PutJob("d", JobIn("q", "voice"));
  Cancel("d");
  PutJob("e", JobIn("other", "voice"));
  PutJob("a", JobIn("q", "voice", {}, 3));  // an update keeps its place in the list

  EXPECT_EQ(AllJobs({}), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  const Page<Job> first = engine_.ListJobs({}, 0, 2);
  EXPECT_EQ(Ids(first), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(first.next_after.has_value());
  const Page<Job> last = engine_.ListJobs({}, 0, 5);
  EXPECT_FALSE(last.next_after.has_value());

  JobFilter by_status;
  by_status.status = JobStatus::kCancelled;
  EXPECT_EQ(AllJobs(by_status), std::vector<std::string>{"d"});
  JobFilter active;
  active.active_only = true;
  EXPECT_EQ(AllJobs(active), (std::vector<std::string>{"a", "b", "c", "e"}));
  JobFilter by_queue;
  by_queue.queue_id = "q";
  EXPECT_EQ(AllJobs(by_queue), (std::vector<std::string>{"a", "c", "d"}));
  JobFilter by_channel;
  by_channel.channel_id = "chat";
  EXPECT_EQ(AllJobs(by_channel), (std::vector<std::string>{"b", "c"}));
  by_channel.queue_id = "other";
  EXPECT_EQ(AllJobs(by_channel), std::vector<std::string>{"b"});
}

TEST_F(QueriesTest, WorkerListsFilterByStateChannelQueueAndCapacity) {
  AddQueue("other", "p");
  PutWorker("idle", WorkerIn({"q"}, 1));
  PutWorker("away", WorkerIn({"other"}, 1, {{"voice", 1, std::nullopt}}, {}, false));
  PutWorker("chat", WorkerIn({"q", "other"}, 2, {{"chat", 1, std::nullopt}}));
  PutWorker("busy", WorkerIn({"other"}, 1));
  PutJob("j", JobIn("other"));
  ASSERT_EQ(WorkersOffered("j"), std::vector<std::string>{"busy"});

  auto list = [&](const WorkerFilter& filter) { return Ids(engine_.ListWorkers(filter, 0, 100)); };
  EXPECT_EQ(list({}), (std::vector<std::string>{"idle", "away", "chat", "busy"}));
  WorkerFilter active;
  active.state = WorkerState::kActive;
  EXPECT_EQ(list(active), (std::vector<std::string>{"idle", "chat", "busy"}));
  WorkerFilter inactive;
  inactive.state = WorkerState::kInactive;
  EXPECT_EQ(list(inactive), std::vector<std::string>{"away"});
  WorkerFilter voice;
  voice.channel_id = "voice";
  EXPECT_EQ(list(voice), (std::vector<std::string>{"idle", "away", "busy"}));
  WorkerFilter in_other;
  in_other.queue_id = "other";
  EXPECT_EQ(list(in_other), (std::vector<std::string>{"away", "chat", "busy"}));
  WorkerFilter room;
  room.has_capacity = true;
  EXPECT_EQ(list(room), (std::vector<std::string>{"idle", "away", "chat"}));
  room.channel_id = "voice";
  EXPECT_EQ(list(room), (std::vector<std::string>{"idle", "away"}));

  const Page<Worker> first = engine_.ListWorkers({}, 0, 3);
  EXPECT_EQ(first.items.size(), 3u);
  ASSERT_TRUE(first.next_after.has_value());
  EXPECT_EQ(Ids(engine_.ListWorkers({}, *first.next_after, 3)), std::vector<std::string>{"busy"});
}

TEST_F(QueriesTest, PolicyAndQueueListsPageInCreationOrder) {
  AddPolicy("z-policy", Policy(DistributionModeKind::kRoundRobin));
  AddQueue("b-queue", "z-policy");
  AddQueue("a-queue", "p");
  EXPECT_EQ(Ids(engine_.ListDistributionPolicies(0, 10)),
            (std::vector<std::string>{"p", "z-policy"}));
  EXPECT_EQ(Ids(engine_.ListQueues(0, 10)), (std::vector<std::string>{"q", "b-queue", "a-queue"}));
  const Page<Stored<QueueSpec>> page = engine_.ListQueues(0, 1);
  ASSERT_TRUE(page.next_after.has_value());
  EXPECT_EQ(Ids(engine_.ListQueues(*page.next_after, 1)), std::vector<std::string>{"b-queue"});
}

}  // namespace
}  // namespace sb::core::testing
