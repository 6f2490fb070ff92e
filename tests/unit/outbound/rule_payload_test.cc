// The wire side of function and webhook rules: what a call sends, how replies are read.
#include <gtest/gtest.h>

#include <cmath>

#include "outbound/rule_payload.h"

namespace sb::outbound {
namespace {

using core::RuleCall;

RuleCall Classification() {
  RuleCall call;
  call.purpose = RuleCall::Purpose::kClassification;
  call.job_labels = {{"tier", Value("gold")}, {"n", Value(3)}, {"vip", Value(true)}};
  return call;
}

RuleCall Scoring(bool batch) {
  RuleCall call;
  call.purpose = RuleCall::Purpose::kScoring;
  call.batch = batch;
  call.job_labels = {{"lang", Value("en")}};
  call.send_selectors = true;
  core::WorkerSelector selector;
  selector.key = "skill";
  selector.label_operator = core::LabelOperator::kGreaterThanOrEqual;
  selector.value = Value(5);
  call.selectors = {selector};
  call.workers = {{"w1", {{"skill", Value(7)}}}, {"w2", {{"skill", Value(2.5)}}}};
  return call;
}

TEST(RuleCallBody, ClassificationSendsTheJobLabels) {
  EXPECT_EQ(RuleCallBody(Classification()), R"({"job":{"n":3,"tier":"gold","vip":true}})");
}

TEST(RuleCallBody, ScoringSendsSelectorsAndOneWorkerOrABatch) {
  EXPECT_EQ(RuleCallBody(Scoring(false)),
            R"({"job":{"lang":"en"},"selectors":[{"key":"skill","labelOperator":)"
            R"("greaterThanOrEqual","value":5}],"worker":{"skill":7,"Id":"w1"}})");
  RuleCall batch = Scoring(true);
  batch.send_job_labels = false;
  batch.send_selectors = false;
  EXPECT_EQ(RuleCallBody(batch),
            R"({"workers":[{"skill":7,"Id":"w1"},{"skill":2.5,"Id":"w2"}]})");
}

TEST(ParseRuleAnswer, SingleValuesInJsonOrPlainText) {
  const RuleCall call = Classification();
  EXPECT_EQ(ParseRuleAnswer(call, "10")->value, Value(10));
  EXPECT_EQ(ParseRuleAnswer(call, "true")->value, Value(true));
  EXPECT_EQ(ParseRuleAnswer(call, R"("sales")")->value, Value("sales"));
  EXPECT_EQ(ParseRuleAnswer(call, " sales \r\n")->value, Value("sales"));  // not JSON: text
  EXPECT_FALSE(ParseRuleAnswer(call, "  ").ok());
  EXPECT_FALSE(ParseRuleAnswer(call, R"({"priority": 1})").ok());
}

TEST(ParseRuleAnswer, SelectorLists) {
  const RuleCall call = Classification();
  auto answer = ParseRuleAnswer(
      call, R"([{"key":"Id","labelOperator":"equal","value":"q1"},{"key":"skill","value":3}])");
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_TRUE(answer->is_selectors);
  ASSERT_EQ(answer->selectors.size(), 2u);
  EXPECT_EQ(answer->selectors[0].value, Value("q1"));
  EXPECT_EQ(answer->selectors[1].label_operator, core::LabelOperator::kEqual);  // the default
  // A JSON string holding the list (a function returning SerializeObject(...)) is unwrapped.
  EXPECT_TRUE(ParseRuleAnswer(call, R"("[{\"key\":\"Id\",\"value\":\"q1\"}]")")->is_selectors);
  for (const char* bad : {R"([1, 2])", R"([{"value": 1}])",
                          R"([{"key":"k","labelOperator":"about"}])",
                          R"([{"key":"k","value":{"nested":1}}])"}) {
    EXPECT_FALSE(ParseRuleAnswer(call, bad).ok()) << bad;
  }
}

TEST(ParseRuleAnswer, BatchScoresInOrderOrByWorkerId) {
  const RuleCall call = Scoring(true);
  auto in_order = ParseRuleAnswer(call, "[4, 9.5]");
  ASSERT_TRUE(in_order.ok());
  EXPECT_EQ(in_order->scores, (std::vector<double>{4, 9.5}));
  auto by_id = ParseRuleAnswer(call, R"([{"workerId":"w2","score":1},{"workerId":"w1","score":2}])");
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->scores, (std::vector<double>{2, 1}));
  auto partial = ParseRuleAnswer(call, "[4]");  // w2 left unscored
  ASSERT_TRUE(partial.ok());
  EXPECT_TRUE(std::isnan(partial->scores[1]));
  EXPECT_FALSE(ParseRuleAnswer(call, R"(["high"])").ok());
}

TEST(OAuth2, TokenRequestAndResponse) {
  core::OAuth2WebhookClientCredential credential{"router app", "s&cret=1"};
  EXPECT_EQ(TokenRequestBody(credential),
            "grant_type=client_credentials&client_id=router%20app&client_secret=s%26cret%3D1");
  auto token = ParseTokenResponse(R"({"access_token":"abc","expires_in":3600})");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->token, "abc");
  EXPECT_EQ(token->lifetime, Duration::Seconds(3600));
  EXPECT_EQ(ParseTokenResponse(R"({"access_token":"abc","expires_in":"60"})")->lifetime,
            Duration::Seconds(60));
  EXPECT_EQ(ParseTokenResponse(R"({"access_token":"abc"})")->lifetime, Duration());
  EXPECT_FALSE(ParseTokenResponse(R"({"error":"invalid_client"})").ok());
  EXPECT_FALSE(ParseTokenResponse("not json").ok());
}

}  // namespace
}  // namespace sb::outbound
