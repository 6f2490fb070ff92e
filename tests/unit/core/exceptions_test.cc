// Exception policies: queue-length and wait-time triggers, the cancel, manualReclassify and
// reclassify actions, once per rule per queue visit - and the seed scenarios 002 and 003.
#include "engine_fixture.h"

namespace sb::core::testing {
namespace {

using Op = LabelOperator;

class ExceptionsTest : public EngineTest {
 protected:
  void SetUp() override { AddPolicy("p", Policy(DistributionModeKind::kLongestIdle, 1, 1, 600)); }

  void AddExceptionPolicy(const std::string& id, std::vector<ExceptionRule> rules) {
    effects_.Clear();
    ExceptionPolicySpec spec;
    spec.exception_rules = std::move(rules);
    auto result = engine_.UpsertExceptionPolicy(id, std::move(spec), now_, effects_);
    ASSERT_TRUE(result.ok()) << result.error().message;
  }
  void AddQueueWithPolicy(const std::string& id, const std::string& exception_policy_id,
                          LabelMap labels = {}) {
    effects_.Clear();
    QueueSpec spec;
    spec.distribution_policy_id = "p";
    spec.exception_policy_id = exception_policy_id;
    spec.labels = std::move(labels);
    auto result = engine_.UpsertQueue(id, std::move(spec), now_, effects_);
    ASSERT_TRUE(result.ok()) << result.error().message;
  }
  static ExceptionRule WaitRule(std::string id, double seconds, ExceptionAction action) {
    return ExceptionRule{std::move(id), WaitTimeExceptionTrigger{seconds}, {std::move(action)}};
  }
};

// Seed 002: after a wait, upsert Escalated=true and reclassify: the classification policy
// sends escalated jobs to the escalation queue with priority 10.
TEST_F(ExceptionsTest, EscalationAfterAWaitReclassifiesTheJob) {
  AddQueue("escalation", "p", {{"Escalated", Value(true)}});
  ClassificationPolicySpec cp;
  cp.fallback_queue_id = "main-fallback";
  AddQueue("main-fallback", "p");
  cp.prioritization_rule = ExpressionRule{"powerFx", "If(job.Escalated = true, 10, 1)"};
  cp.queue_selector_attachments.push_back(ConditionalQueueSelectorAttachment{
      ExpressionRule{"powerFx", "job.Escalated = true"},
      {QueueSelector{"Id", Op::kEqual, Value("escalation")}}});
  effects_.Clear();
  ASSERT_TRUE(engine_.UpsertClassificationPolicy("cp", cp, now_, effects_).ok());
  AddExceptionPolicy("ep", {WaitRule("escalate", 30,
                                     ReclassifyExceptionAction{"a1", "cp", {{"Escalated", Value(true)}}})});
  AddQueueWithPolicy("main", "ep");
  JobSpec spec = JobIn("main");
  spec.classification_policy_id = "cp";
  const Job& job = PutJob("j", spec);
  EXPECT_EQ(job.spec.queue_id, "main");  // the given queue wins at first
  EXPECT_EQ(job.spec.priority, 1);

  Advance(29.9);
  EXPECT_TRUE(Events(EventType::kJobExceptionTriggered).empty());
  Advance(0.1);
  const auto triggered = Events(EventType::kJobExceptionTriggered);
  ASSERT_EQ(triggered.size(), 1u);
  EXPECT_EQ(triggered[0].exception_rule_id, "escalate");
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(job.spec.queue_id, "escalation");
  EXPECT_EQ(job.spec.priority, 10);
  EXPECT_EQ(job.spec.labels.at("Escalated"), Value(true));
  EXPECT_EQ(job.enqueued_at, kStart);  // it keeps its place in time
}

// Seed 003: cancel when the queue is over its threshold; the arriving job is not counted.
TEST_F(ExceptionsTest, QueueLengthCancelsTheJobThatOverflowsTheQueue) {
  AddExceptionPolicy("ep", {ExceptionRule{
                               "overflow", QueueLengthExceptionTrigger{3},
                               {CancelExceptionAction{"c", std::string("queue full"), std::string("Overflow")}}}});
  AddQueueWithPolicy("q", "ep");
  for (const char* id : {"a", "b", "c"}) {
    PutJob(id, JobIn("q"));
    EXPECT_TRUE(Events(EventType::kJobExceptionTriggered).empty()) << id;
  }
  const Job& fourth = PutJob("d", JobIn("q"));
  EXPECT_EQ(fourth.status, JobStatus::kCancelled);
  EXPECT_EQ(fourth.spec.disposition_code, "Overflow");
  ASSERT_EQ(fourth.spec.notes.size(), 1u);
  EXPECT_EQ(fourth.spec.notes[0].message, "queue full");
  EXPECT_EQ(Events(EventType::kJobExceptionTriggered).size(), 1u);
  EXPECT_EQ(Events(EventType::kJobCancelled).size(), 1u);
  EXPECT_EQ(engine_.GetQueueStatistics("q", now_)->length, 3);
}

// "Priority 10 after 1 minute and queue2 after 5": re-filing in the same queue continues the
// visit, so the second rule still fires on time, once.
TEST_F(ExceptionsTest, ManualReclassifyStepsThroughTheRulesOfOneVisit) {
  AddQueue("queue2", "p");
  AddExceptionPolicy("ep", {WaitRule("bump", 60, ManualReclassifyExceptionAction{"a", std::nullopt, 10, {}}),
                            WaitRule("move", 300, ManualReclassifyExceptionAction{"b", "queue2", std::nullopt, {}})});
  AddQueueWithPolicy("queue1", "ep");
  const Job& job = PutJob("j", JobIn("queue1"));
  Advance(60);
  EXPECT_EQ(job.spec.priority, 10);
  EXPECT_EQ(job.spec.queue_id, "queue1");
  Advance(120);
  EXPECT_TRUE(Events(EventType::kJobExceptionTriggered).empty());  // "bump" fired once
  Advance(120);
  EXPECT_EQ(job.spec.queue_id, "queue2");
  EXPECT_EQ(job.spec.priority, 10);
  EXPECT_EQ(Events(EventType::kJobExceptionTriggered).size(), 1u);
}

TEST_F(ExceptionsTest, ManualReclassifyReplacesTheAttachedSelectors) {
  AddExceptionPolicy("ep", {WaitRule("skills", 10, ManualReclassifyExceptionAction{
                                                        "a", std::nullopt, std::nullopt,
                                                        {Sel("Level", Op::kGreaterThan, Value(5))}})});
  AddQueueWithPolicy("q", "ep");
  PutWorker("junior", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {{"Level", Value(1)}}, false));
  PutWorker("senior", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {{"Level", Value(9)}}, false));
  const Job& job = PutJob("j", JobIn("q"));
  Advance(10);
  ASSERT_EQ(job.attached_worker_selectors.size(), 1u);
  PutWorker("junior", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {{"Level", Value(1)}}, true));
  EXPECT_TRUE(OfferedWorkers().empty());
  PutWorker("senior", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {{"Level", Value(9)}}, true));
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"senior"});
}

TEST_F(ExceptionsTest, NoTriggerOnceTheJobLeftTheQueue) {
  AddExceptionPolicy("ep", {WaitRule("late", 30, CancelExceptionAction{"c", std::nullopt, std::nullopt})});
  AddQueueWithPolicy("q", "ep");
  PutWorker("w", WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  AcceptOfferFor("j", "w");
  Advance(60);
  EXPECT_TRUE(Events(EventType::kJobExceptionTriggered).empty());
  EXPECT_EQ(JobNamed("j").status, JobStatus::kAssigned);
}

TEST_F(ExceptionsTest, AnUnassignedJobStartsANewVisit) {
  AddExceptionPolicy("ep", {WaitRule("late", 30, ManualReclassifyExceptionAction{"a", std::nullopt, 7, {}})});
  AddQueueWithPolicy("q", "ep");
  PutWorker("w", WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  const std::string assignment = AcceptOfferFor("j", "w");
  Advance(40);
  effects_.Clear();
  ASSERT_TRUE(engine_.UnassignJob("j", assignment, UnassignJobOptions{true}, now_, effects_).ok());
  PutJob("j", [&] {
    JobSpec spec = JobNamed("j").spec;
    spec.matching_mode = MatchingMode{};
    return spec;
  }());
  Advance(29);
  EXPECT_EQ(JobNamed("j").spec.priority, kDefaultJobPriority);
  Advance(1);
  EXPECT_EQ(JobNamed("j").spec.priority, 7);
}

TEST_F(ExceptionsTest, TriggersSurviveARestart) {
  AddExceptionPolicy("ep", {WaitRule("late", 30, ManualReclassifyExceptionAction{"a", std::nullopt, 9, {}})});
  AddQueueWithPolicy("q", "ep");
  PutJob("j", JobIn("q"));
  Advance(10);
  Engine restored(EngineOptions{7, 0, Limits{}});
  ASSERT_TRUE(restored.Restore(engine_.ExportAll(), engine_.ExportMeta()).ok());
  Effects effects;
  restored.AdvanceTo(now_ + Duration::Seconds(20), effects);
  restored.CheckInvariants();
  EXPECT_EQ(restored.FindJob("j")->spec.priority, 9);
}

// An edited threshold applies to the jobs already waiting, lowered or raised, as it does after a
// restart: the live engine and a restored one fire at the same instant.
TEST_F(ExceptionsTest, AChangedThresholdAppliesToTheJobsAlreadyWaiting) {
  const ManualReclassifyExceptionAction bump{"a", std::nullopt, 10, {}};
  AddExceptionPolicy("lowered", {WaitRule("bump", 3600, bump)});
  AddExceptionPolicy("raised", {WaitRule("bump", 30, bump)});
  AddQueueWithPolicy("q1", "lowered");
  AddQueueWithPolicy("q2", "raised");
  PutJob("a", JobIn("q1"));
  PutJob("b", JobIn("q2"));
  Advance(10);
  AddExceptionPolicy("lowered", {WaitRule("bump", 30, bump)});
  AddExceptionPolicy("raised", {WaitRule("bump", 60, bump)});
  Engine restored(EngineOptions{7, 0, Limits{}});
  ASSERT_TRUE(restored.Restore(engine_.ExportAll(), engine_.ExportMeta()).ok());

  Advance(19.9);
  EXPECT_TRUE(Events(EventType::kJobExceptionTriggered).empty());
  Advance(0.1);  // 30 s: the lowered threshold; the old timer of the raised one is ignored
  auto fired = Events(EventType::kJobExceptionTriggered);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].job_id, "a");
  EXPECT_EQ(JobNamed("b").spec.priority, kDefaultJobPriority);
  Effects effects;
  restored.AdvanceTo(now_, effects);
  EXPECT_EQ(restored.FindJob("a")->spec.priority, 10);
  EXPECT_EQ(restored.FindJob("b")->spec.priority, kDefaultJobPriority);

  Advance(30);  // 60 s: the raised threshold
  fired = Events(EventType::kJobExceptionTriggered);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].job_id, "b");
  effects.Clear();
  restored.AdvanceTo(now_, effects);
  restored.CheckInvariants();
  EXPECT_EQ(restored.FindJob("b")->spec.priority, 10);
}

// Lowered below what a job has waited already, the rule fires at the next instant.
TEST_F(ExceptionsTest, AThresholdLoweredBelowTheWaitFiresAtOnce) {
  AddExceptionPolicy("ep", {WaitRule("late", 3600, CancelExceptionAction{"c", std::nullopt, std::nullopt})});
  AddQueueWithPolicy("q", "ep");
  PutJob("j", JobIn("q"));
  Advance(120);
  AddExceptionPolicy("ep", {WaitRule("late", 60, CancelExceptionAction{"c", std::nullopt, std::nullopt})});
  Advance(0);
  EXPECT_EQ(Events(EventType::kJobExceptionTriggered).size(), 1u);
  EXPECT_EQ(JobNamed("j").status, JobStatus::kCancelled);
}

// A queue given an exception policy (or another one) judges the jobs already waiting by it,
// counting from when they joined.
TEST_F(ExceptionsTest, AQueueGivenAPolicyAppliesItToTheJobsAlreadyWaiting) {
  AddExceptionPolicy("ep", {WaitRule("bump", 30, ManualReclassifyExceptionAction{"a", std::nullopt, 10, {}})});
  AddQueue("q", "p");
  const Job& job = PutJob("j", JobIn("q"));
  Advance(10);
  AddQueueWithPolicy("q", "ep");
  Advance(19.9);
  EXPECT_EQ(job.spec.priority, kDefaultJobPriority);
  Advance(0.1);
  EXPECT_EQ(job.spec.priority, 10);
  EXPECT_EQ(Events(EventType::kJobExceptionTriggered).size(), 1u);
}

}  // namespace
}  // namespace sb::core::testing
