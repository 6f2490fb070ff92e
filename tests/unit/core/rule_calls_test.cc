// Outbound rules (function, webhook): the engine asks with RuleCall effects and waits; the test
// plays the server and answers through CompleteRuleCall.
#include "engine_fixture.h"

namespace sb::core::testing {
namespace {

const FunctionRule kFunction{"https://rules.example.com/api/priority", std::nullopt};

class RuleCallsTest : public EngineTest {
 protected:
  void SetUp() override {
    AddPolicy("p", Policy(DistributionModeKind::kLongestIdle, 1, 1, 600));
    AddQueue("q", "p");
  }
  void AddClassification(ClassificationPolicySpec spec) {
    effects_.Clear();
    ASSERT_TRUE(engine_.UpsertClassificationPolicy("cp", std::move(spec), now_, effects_).ok());
  }
  JobSpec Classified(LabelMap labels = {}) {
    JobSpec spec = JobIn("");
    spec.queue_id.reset();
    spec.classification_policy_id = "cp";
    spec.labels = std::move(labels);
    return spec;
  }
  void Answer(std::string call_id, Result<RuleAnswer> answer) {  // a copy: effects_ is cleared
    effects_.Clear();
    ASSERT_TRUE(engine_.CompleteRuleCall(call_id, std::move(answer), now_, effects_).ok());
    engine_.CheckInvariants();
  }
  static RuleAnswer Scalar(Value v) {
    RuleAnswer a;
    a.value = std::move(v);
    return a;
  }
};

TEST_F(RuleCallsTest, ClassificationWaitsForAFunctionsAnswer) {
  ClassificationPolicySpec spec;
  spec.fallback_queue_id = "q";
  spec.prioritization_rule = kFunction;
  AddClassification(spec);
  const Job& job = PutJob("j", Classified({{"Tier", Value("gold")}}));
  EXPECT_EQ(job.status, JobStatus::kPendingClassification);
  ASSERT_EQ(effects_.rule_calls.size(), 1u);
  const RuleCall call = effects_.rule_calls[0];
  EXPECT_EQ(call.job_id, "j");
  EXPECT_EQ(call.job_labels.at("Tier"), Value("gold"));
  EXPECT_TRUE(std::holds_alternative<FunctionRule>(call.rule));
  Answer(call.call_id, Scalar(Value(7)));
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(job.spec.priority, 7);
  // A late duplicate is ignored.
  Answer(call.call_id, Scalar(Value(1)));
  EXPECT_EQ(job.spec.priority, 7);
}

TEST_F(RuleCallsTest, AFailedCallFailsClassification) {
  ClassificationPolicySpec spec;
  spec.fallback_queue_id = "q";
  spec.prioritization_rule = kFunction;
  AddClassification(spec);
  PutJob("j", Classified());
  const std::string call_id = effects_.rule_calls.at(0).call_id;
  Answer(call_id, Error::Internal("timed out after 10 s"));
  EXPECT_EQ(JobNamed("j").status, JobStatus::kClassificationFailed);
  const auto failed = Events(EventType::kJobClassificationFailed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].detail.find("timed out"), std::string::npos);
  // An answer of the wrong kind fails it too.
  effects_.Clear();
  ASSERT_TRUE(engine_.ReclassifyJob("j", now_, effects_).ok());
  Answer(effects_.rule_calls.at(0).call_id, Scalar(Value("not a number")));
  EXPECT_EQ(JobNamed("j").status, JobStatus::kClassificationFailed);
}

TEST_F(RuleCallsTest, SelectorsFromAWebhookRuleChooseTheQueue) {
  AddQueue("vip", "p", {{"Tier", Value("vip")}});
  ClassificationPolicySpec spec;
  spec.fallback_queue_id = "q";
  spec.queue_selector_attachments.push_back(
      RuleEngineQueueSelectorAttachment{WebhookRule{"https://auth.example.com/token", std::nullopt,
                                                    "https://rules.example.com/queue"}});
  AddClassification(spec);
  const Job& job = PutJob("j", Classified());
  ASSERT_EQ(effects_.rule_calls.size(), 1u);
  RuleAnswer answer;
  answer.is_selectors = true;
  answer.selectors = {QueueSelector{"Tier", LabelOperator::kEqual, Value("vip")}};
  Answer(effects_.rule_calls[0].call_id, answer);
  EXPECT_EQ(job.spec.queue_id, "vip");
}

TEST_F(RuleCallsTest, CancellingAWaitingJobDropsItsCalls) {
  ClassificationPolicySpec spec;
  spec.fallback_queue_id = "q";
  spec.prioritization_rule = kFunction;
  AddClassification(spec);
  PutJob("j", Classified());
  const std::string call_id = effects_.rule_calls.at(0).call_id;
  Cancel("j");
  Answer(call_id, Scalar(Value(3)));
  EXPECT_EQ(JobNamed("j").status, JobStatus::kCancelled);
}

TEST_F(RuleCallsTest, ARestartAsksAgain) {
  ClassificationPolicySpec spec;
  spec.fallback_queue_id = "q";
  spec.prioritization_rule = kFunction;
  AddClassification(spec);
  PutJob("j", Classified());
  Engine restored(EngineOptions{7, 0, Limits{}});
  ASSERT_TRUE(restored.Restore(engine_.ExportAll(), engine_.ExportMeta()).ok());
  Effects effects;
  restored.ResumeRuleCalls(now_, effects);
  ASSERT_EQ(effects.rule_calls.size(), 1u);
  const std::string call_id = effects.rule_calls[0].call_id;
  effects.Clear();
  ASSERT_TRUE(restored.CompleteRuleCall(call_id, Scalar(Value(4)), now_, effects).ok());
  EXPECT_EQ(restored.FindJob("j")->status, JobStatus::kQueued);
  EXPECT_EQ(restored.FindJob("j")->spec.priority, 4);
}

class OutboundScoringTest : public EngineTest {
 protected:
  void Setup(bool batch) {
    DistributionPolicySpec policy = Policy(DistributionModeKind::kBestWorker, 1, 2, 600);
    policy.mode->scoring_rule = FunctionRule{"https://rules.example.com/score", std::nullopt};
    ScoringRuleOptions options;
    options.is_batch_scoring_enabled = batch;
    options.batch_size = 2;
    options.scoring_parameters = std::vector<ScoringParameter>{ScoringParameter::kJobLabels};
    policy.mode->scoring_rule_options = options;
    BasicQueue(policy);
    for (const char* id : {"a", "b", "c"}) {
      PutWorker(id, WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {{"Name", Value(id)}}));
    }
  }
};

TEST_F(OutboundScoringTest, OneCallPerWorkerThenOffersToTheBest) {
  Setup(/*batch=*/false);
  PutJob("j", JobIn("q"));
  EXPECT_TRUE(OfferedWorkers().empty());
  const std::vector<RuleCall> calls = effects_.rule_calls;
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_FALSE(calls[0].send_selectors);
  const std::map<std::string, double> scores = {{"a", 1}, {"b", 9}, {"c", 5}};
  for (const RuleCall& call : calls) {
    ASSERT_EQ(call.workers.size(), 1u);
    RuleAnswer answer;
    answer.value = Value(scores.at(call.workers[0].first));
    effects_.Clear();
    ASSERT_TRUE(engine_.CompleteRuleCall(call.call_id, answer, now_, effects_).ok());
  }
  EXPECT_EQ(WorkersOffered("j"), (std::vector<std::string>{"b", "c"}));
}

TEST_F(OutboundScoringTest, BatchesSendWorkersTogether) {
  Setup(/*batch=*/true);
  PutJob("j", JobIn("q"));
  const std::vector<RuleCall> calls = effects_.rule_calls;
  ASSERT_EQ(calls.size(), 2u);  // batch size 2: a, b then c
  ASSERT_EQ(calls[0].workers.size(), 2u);
  EXPECT_TRUE(calls[0].batch);
  RuleAnswer first;
  first.is_scores = true;
  first.scores = {3, 1};
  effects_.Clear();
  ASSERT_TRUE(engine_.CompleteRuleCall(calls[0].call_id, first, now_, effects_).ok());
  EXPECT_TRUE(OfferedWorkers().empty());  // still waiting for c
  RuleAnswer second;
  second.is_scores = true;
  second.scores = {2};
  effects_.Clear();
  ASSERT_TRUE(engine_.CompleteRuleCall(calls[1].call_id, second, now_, effects_).ok());
  EXPECT_EQ(WorkersOffered("j"), (std::vector<std::string>{"a", "c"}));
}

}  // namespace
}  // namespace sb::core::testing
