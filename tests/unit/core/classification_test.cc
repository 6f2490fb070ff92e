// Classification: queue selection, prioritization and worker selectors, with static and Power Fx
// rules; rules checked when a policy is saved.
#include "engine_fixture.h"

namespace sb::core::testing {
namespace {

using Op = LabelOperator;

class ClassificationTest : public EngineTest {
 protected:
  void SetUp() override {
    AddPolicy("p", Policy(DistributionModeKind::kLongestIdle, 1, 1, 600));
    AddQueue("fallback", "p");
    AddQueue("english", "p", {{"language", Value("english")}});
    AddQueue("french", "p", {{"language", Value("french")}});
  }
  void AddClassification(const std::string& id, ClassificationPolicySpec spec) {
    effects_.Clear();
    auto result = engine_.UpsertClassificationPolicy(id, std::move(spec), now_, effects_);
    ASSERT_TRUE(result.ok()) << result.error().message;
  }
  static ClassificationPolicySpec WithFallback() {
    ClassificationPolicySpec spec;
    spec.fallback_queue_id = "fallback";
    return spec;
  }
  static JobSpec Unrouted(const std::string& policy_id, LabelMap labels = {}) {
    JobSpec spec = JobIn("");
    spec.queue_id.reset();
    spec.classification_policy_id = policy_id;
    spec.labels = std::move(labels);
    return spec;
  }
  static StaticQueueSelectorAttachment QueueWhere(std::string key, Value value) {
    return {QueueSelector{std::move(key), Op::kEqual, std::move(value)}};
  }
};

TEST_F(ClassificationTest, FallbackQueueWhenNothingSelects) {
  AddClassification("cp", WithFallback());
  const Job& job = PutJob("j", Unrouted("cp"));
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(job.spec.queue_id, "fallback");
  EXPECT_TRUE(job.queue_from_classification);
  ASSERT_EQ(Events(EventType::kJobClassified).size(), 1u);
  EXPECT_EQ(Events(EventType::kJobClassified)[0].queue_id, "fallback");
  EXPECT_EQ(Events(EventType::kJobQueued).size(), 1u);
  // Received reports the job as being classified; Classified tells the outcome.
  EXPECT_EQ(Events(EventType::kJobReceived)[0].job->status, JobStatus::kPendingClassification);
}

TEST_F(ClassificationTest, StaticQueueSelectorChoosesAQueueByLabel) {
  ClassificationPolicySpec spec = WithFallback();
  spec.queue_selector_attachments.push_back(QueueWhere("language", Value("french")));
  AddClassification("cp", spec);
  EXPECT_EQ(PutJob("j", Unrouted("cp")).spec.queue_id, "french");
  // A selector no queue satisfies falls back.
  spec.queue_selector_attachments = {QueueWhere("language", Value("german"))};
  AddClassification("cp", spec);
  EXPECT_EQ(PutJob("k", Unrouted("cp")).spec.queue_id, "fallback");
}

TEST_F(ClassificationTest, ConditionalAndDirectMapQueueSelectors) {
  ClassificationPolicySpec spec = WithFallback();
  ConditionalQueueSelectorAttachment conditional;
  conditional.condition = StaticRule{Value(true)};
  conditional.queue_selectors = {QueueSelector{"language", Op::kEqual, Value("english")}};
  spec.queue_selector_attachments.push_back(conditional);
  AddClassification("conditional", spec);
  EXPECT_EQ(PutJob("j", Unrouted("conditional")).spec.queue_id, "english");

  ClassificationPolicySpec direct = WithFallback();
  direct.queue_selector_attachments.push_back(RuleEngineQueueSelectorAttachment{DirectMapRule{}});
  AddClassification("direct", direct);
  EXPECT_EQ(PutJob("k", Unrouted("direct", {{"language", Value("french")}})).spec.queue_id,
            "french");
}

TEST_F(ClassificationTest, StaticPrioritization) {
  ClassificationPolicySpec spec = WithFallback();
  spec.prioritization_rule = StaticRule{Value(10)};
  AddClassification("cp", spec);
  PutJob("plain", JobIn("fallback"));
  EXPECT_EQ(PutJob("j", Unrouted("cp")).spec.priority, 10);
  EXPECT_EQ(engine_.GetJobPosition("j", now_)->position, 1);
}

TEST_F(ClassificationTest, PassThroughWorkerSelectorUsesTheJobsLabel) {
  ClassificationPolicySpec spec = WithFallback();
  spec.worker_selector_attachments.push_back(
      PassThroughWorkerSelectorAttachment{"language", Op::kEqual, std::nullopt});
  AddClassification("cp", spec);
  PutWorker("en", WorkerIn({"fallback"}, 1, {{"voice", 1, std::nullopt}},
                           {{"language", Value("english")}}));
  PutWorker("fr", WorkerIn({"fallback"}, 1, {{"voice", 1, std::nullopt}},
                           {{"language", Value("french")}}));
  const Job& job = PutJob("j", Unrouted("cp", {{"language", Value("french")}}));
  ASSERT_EQ(job.attached_worker_selectors.size(), 1u);
  EXPECT_EQ(job.attached_worker_selectors[0].key, "language");
  EXPECT_EQ(job.attached_worker_selectors[0].value, Value("french"));
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"fr"});
  // Without the label there is nothing to pass through: anyone may take it.
  EXPECT_TRUE(PutJob("k", Unrouted("cp")).attached_worker_selectors.empty());
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"en"});
}

TEST_F(ClassificationTest, StaticWorkerSelectorIsAttached) {
  ClassificationPolicySpec spec = WithFallback();
  spec.worker_selector_attachments.push_back(
      StaticWorkerSelectorAttachment{Sel("tier", Op::kGreaterThanOrEqual, Value(2))});
  AddClassification("cp", spec);
  PutWorker("low", WorkerIn({"fallback"}, 1, {{"voice", 1, std::nullopt}}, {{"tier", Value(1)}}));
  PutWorker("high", WorkerIn({"fallback"}, 1, {{"voice", 1, std::nullopt}}, {{"tier", Value(3)}}));
  PutJob("j", Unrouted("cp"));
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"high"});
}

TEST_F(ClassificationTest, ExpressionsPrioritizeAndSelect) {
  ClassificationPolicySpec spec = WithFallback();
  spec.prioritization_rule = ExpressionRule{"powerFx", "If(job.Escalated = true, 10, 1)"};
  spec.queue_selector_attachments.push_back(ConditionalQueueSelectorAttachment{
      ExpressionRule{"powerFx", "job.Language = \"fr\""},
      {QueueSelector{"language", Op::kEqual, Value("french")}}});
  AddClassification("cp", spec);
  EXPECT_EQ(PutJob("plain", Unrouted("cp")).spec.priority, 1);
  EXPECT_EQ(JobNamed("plain").spec.queue_id, "fallback");
  const Job& hot = PutJob("hot", Unrouted("cp", {{"Escalated", Value(true)}, {"Language", Value("fr")}}));
  EXPECT_EQ(hot.status, JobStatus::kQueued);
  EXPECT_EQ(hot.spec.priority, 10);
  EXPECT_EQ(hot.spec.queue_id, "french");
}

// The service's own example: a ruleEngine queue attachment whose expression names the queue.
TEST_F(ClassificationTest, ARuleEngineExpressionCanNameTheQueue) {
  ClassificationPolicySpec spec = WithFallback();
  spec.queue_selector_attachments.push_back(RuleEngineQueueSelectorAttachment{
      ExpressionRule{"powerFx", "If(job.Escalated = true, \"french\", \"english\")"}});
  AddClassification("cp", spec);
  EXPECT_EQ(PutJob("a", Unrouted("cp", {{"Escalated", Value(true)}})).spec.queue_id, "french");
  EXPECT_EQ(PutJob("b", Unrouted("cp")).spec.queue_id, "english");
  // Blank names no queue: the fallback takes the job.
  spec.queue_selector_attachments = {RuleEngineQueueSelectorAttachment{
      ExpressionRule{"powerFx", "If(job.Escalated = true, \"french\")"}}};
  AddClassification("cp", spec);
  const Job& c = PutJob("c", Unrouted("cp"));
  EXPECT_EQ(c.status, JobStatus::kQueued);
  EXPECT_EQ(c.spec.queue_id, "fallback");
  ClassificationPolicySpec worker = WithFallback();
  worker.worker_selector_attachments.push_back(
      RuleEngineWorkerSelectorAttachment{ExpressionRule{"powerFx", "\"x\""}});
  effects_.Clear();
  EXPECT_FALSE(engine_.UpsertClassificationPolicy("w", worker, now_, effects_).ok());
}

TEST_F(ClassificationTest, AFailingExpressionFailsClassification) {
  ClassificationPolicySpec spec = WithFallback();
  spec.prioritization_rule = ExpressionRule{"powerFx", "10 / job.Divisor"};
  AddClassification("cp", spec);
  const Job& job = PutJob("j", Unrouted("cp", {{"Divisor", Value(0)}}));
  EXPECT_EQ(job.status, JobStatus::kClassificationFailed);
  const auto failed = Events(EventType::kJobClassificationFailed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].job_id, "j");
  EXPECT_NE(failed[0].detail.find("prioritizationRule"), std::string::npos) << failed[0].detail;
  EXPECT_TRUE(Events(EventType::kJobQueued).empty());

  // The policy is in use by an active job.
  effects_.Clear();
  ExpectError(engine_.DeleteClassificationPolicy("cp", now_, effects_), ErrorCode::kConflict);
  // Fixing the labels and reclassifying queues the job.
  JobSpec fixed = job.spec;
  fixed.labels["Divisor"] = Value(5);
  PutJob("j", fixed);
  effects_.Clear();
  ASSERT_TRUE(engine_.ReclassifyJob("j", now_, effects_).ok());
  engine_.CheckInvariants();
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(job.spec.priority, 2);
  EXPECT_EQ(job.spec.queue_id, "fallback");
}

TEST_F(ClassificationTest, RulesAreCheckedWhenThePolicyIsSaved) {
  auto save = [&](ClassificationPolicySpec spec) {
    effects_.Clear();
    return engine_.UpsertClassificationPolicy("bad", std::move(spec), now_, effects_);
  };
  ClassificationPolicySpec syntax = WithFallback();
  syntax.prioritization_rule = ExpressionRule{"powerFx", "If(job.X, 1"};
  auto result = save(syntax);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().target, "prioritizationRule");
  EXPECT_NE(result.error().message.find("position"), std::string::npos) << result.error().message;
  ClassificationPolicySpec text = WithFallback();
  text.prioritization_rule = ExpressionRule{"powerFx", "\"high\""};
  EXPECT_FALSE(save(text).ok());
  ClassificationPolicySpec out_of_range = WithFallback();
  out_of_range.prioritization_rule = StaticRule{Value(500)};
  EXPECT_FALSE(save(out_of_range).ok());
  ClassificationPolicySpec numeric_text = WithFallback();
  numeric_text.prioritization_rule = StaticRule{Value("2")};  // as the service's own example
  EXPECT_TRUE(save(numeric_text).ok());
  ClassificationPolicySpec condition = WithFallback();
  condition.queue_selector_attachments.push_back(
      ConditionalQueueSelectorAttachment{ExpressionRule{"powerFx", "\"yes\" & \"no\""}, {}});
  EXPECT_FALSE(save(condition).ok());
}

TEST_F(ClassificationTest, ReclassifyingAnOfferedJobRevokesItsOffers) {
  ClassificationPolicySpec spec = WithFallback();
  AddClassification("cp", spec);
  PutWorker("w", WorkerIn({"fallback", "french"}));
  PutJob("j", Unrouted("cp"));
  ASSERT_EQ(WorkersOffered("j"), std::vector<std::string>{"w"});
  spec.queue_selector_attachments.push_back(QueueWhere("language", Value("french")));
  AddClassification("cp", spec);
  effects_.Clear();
  ASSERT_TRUE(engine_.ReclassifyJob("j", now_, effects_).ok());
  engine_.CheckInvariants();
  EXPECT_EQ(Events(EventType::kWorkerOfferRevoked).size(), 1u);
  EXPECT_EQ(JobNamed("j").spec.queue_id, "french");
  EXPECT_EQ(WorkersOffered("j"), std::vector<std::string>{"w"});
  EXPECT_EQ(engine_.GetQueueStatistics("fallback", now_)->length, 0);
}

TEST_F(ClassificationTest, ClassificationFailedJobCanBeCancelled) {
  ClassificationPolicySpec spec;  // no fallback and no selectors: nowhere to go
  AddClassification("cp", spec);
  PutJob("j", Unrouted("cp"));
  EXPECT_EQ(JobNamed("j").status, JobStatus::kClassificationFailed);
  Cancel("j");
  EXPECT_EQ(JobNamed("j").status, JobStatus::kCancelled);
  effects_.Clear();
  EXPECT_TRUE(engine_.DeleteClassificationPolicy("cp", now_, effects_).ok());
}

TEST_F(ClassificationTest, GivenQueueIsKeptAndReclassifyNeedsAPolicy) {
  ClassificationPolicySpec spec = WithFallback();
  spec.queue_selector_attachments.push_back(QueueWhere("language", Value("french")));
  AddClassification("cp", spec);
  JobSpec routed = Unrouted("cp");
  routed.queue_id = "english";
  EXPECT_EQ(PutJob("j", routed).spec.queue_id, "english");
  PutJob("plain", JobIn("english"));
  effects_.Clear();
  ExpectError(engine_.ReclassifyJob("plain", now_, effects_), ErrorCode::kInvalidArgument);
  ExpectError(engine_.ReclassifyJob("missing", now_, effects_), ErrorCode::kNotFound);
}

TEST_F(ClassificationTest, AssignedJobKeepsAQueueToReturnTo) {
  AddClassification("cp", WithFallback());
  PutWorker("w", WorkerIn({"english"}));
  JobSpec spec = Unrouted("cp");
  spec.queue_id = "english";
  PutJob("j", spec);
  const std::string assignment = AcceptOfferFor("j", "w");
  spec.queue_id.reset();
  effects_.Clear();
  EXPECT_EQ(ExpectError(engine_.UpsertJob("j", spec, now_, effects_), ErrorCode::kConflict),
            "queueId");
  EXPECT_EQ(JobNamed("j").spec.queue_id, "english");
  ASSERT_TRUE(engine_.UnassignJob("j", assignment, {}, now_, effects_).ok());
  engine_.CheckInvariants();
  // A queued job without a queue is routed by its classification policy again.
  const Job& job = PutJob("j", spec);
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(job.spec.queue_id, "fallback");
}

}  // namespace
}  // namespace sb::core::testing
