// Decode -> engine -> encode -> decode round trips for every entity, and decoding errors.
#include <gtest/gtest.h>

#include "api/codec.h"

namespace sb::api {
namespace {

const Timestamp kNow = Timestamp::FromUnixSeconds(1'700'000'000);

json::object Object(std::string_view text) {
  auto parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed->get_object();
}

class CodecTest : public ::testing::Test {
 protected:
  core::Engine engine_{core::EngineOptions{}};
  core::Effects effects_;
  EncodeContext context_{engine_, ApiVersion::k20240118Preview};
};

TEST_F(CodecTest, DistributionPolicyRoundTrips) {
  auto spec = DecodeDistributionPolicy(Object(R"({"name":"Main","offerExpiresAfterSeconds":300,
      "mode":{"kind":"bestWorker","minConcurrentOffers":1,"maxConcurrentOffers":5,
              "scoringRule":{"kind":"static","value":2},
              "scoringRuleOptions":{"batchSize":20,"scoringParameters":["jobLabels"],"descendingOrder":false}}})"));
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  auto stored = engine_.UpsertDistributionPolicy("dp", *spec, kNow, effects_);
  ASSERT_TRUE(stored.ok());
  const json::object encoded = Encode(*stored->entity, context_);
  EXPECT_EQ(encoded.at("mode").at("kind"), "bestWorker");
  EXPECT_EQ(Serialize(encoded.at("offerExpiresAfterSeconds")), "300");
  auto again = DecodeDistributionPolicy(encoded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *spec);
}

TEST_F(CodecTest, ClassificationPolicyRoundTripsEveryAttachmentKind) {
  ASSERT_TRUE(engine_.UpsertDistributionPolicy("dp", *DecodeDistributionPolicy(Object(
      R"({"mode":{"kind":"longestIdle"}})")), kNow, effects_).ok());
  ASSERT_TRUE(engine_.UpsertQueue("q", *DecodeQueue(Object(R"({"distributionPolicyId":"dp"})")), kNow, effects_).ok());
  auto spec = DecodeClassificationPolicy(Object(R"({"name":"C","fallbackQueueId":"q",
    "queueSelectorAttachments":[
      {"kind":"conditional","condition":{"kind":"expression","language":"powerFx","expression":"1 = 1"},
       "queueSelectors":[{"key":"foo","labelOperator":"equal","value":"bar"}]},
      {"kind":"passThrough","key":"region","labelOperator":"equal"},
      {"kind":"ruleEngine","rule":{"kind":"directMap"}},
      {"kind":"static","queueSelector":{"key":"a","labelOperator":"notEqual","value":1}},
      {"kind":"weightedAllocation","allocations":[{"weight":0.5,"queueSelectors":[]},{"weight":0.5,"queueSelectors":[]}]}],
    "prioritizationRule":{"kind":"function","functionUri":"https://example.com/f","credential":{"functionKey":"k"}},
    "workerSelectorAttachments":[
      {"kind":"passThrough","key":"language","labelOperator":"equal","expiresAfterSeconds":30},
      {"kind":"static","workerSelector":{"key":"x","labelOperator":"greaterThan","value":2,"expedite":true}},
      {"kind":"ruleEngine","rule":{"kind":"webhook","webhookUri":"https://example.com/w",
        "authorizationServerUri":"https://example.com/token","clientCredential":{"clientId":"c","clientSecret":"s"}}},
      {"kind":"weightedAllocation","allocations":[{"weight":1,"workerSelectors":[{"key":"k","labelOperator":"equal","value":true}]}]},
      {"kind":"conditional","condition":{"kind":"static","value":true},"workerSelectors":[]}]})"));
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  auto stored = engine_.UpsertClassificationPolicy("cp", *spec, kNow, effects_);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  auto again = DecodeClassificationPolicy(Encode(*stored->entity, context_));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *spec);
}

TEST_F(CodecTest, ExceptionPolicyGetsActionIds) {
  auto spec = DecodeExceptionPolicy(Object(R"({"name":"E","exceptionRules":[{"id":"r",
      "trigger":{"kind":"wait-time","thresholdSeconds":20},
      "actions":[{"kind":"cancel","note":"n","dispositionCode":"d"},
                 {"kind":"manualReclassify","priority":3,"workerSelectors":[]},
                 {"kind":"reclassify","labelsToUpsert":{"escalated":true}}]}]})"));
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  auto stored = engine_.UpsertExceptionPolicy("ep", *spec, kNow, effects_);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  const json::object encoded = Encode(*stored->entity, context_);
  const auto& rule = encoded.at("exceptionRules").as_array()[0].as_object();
  EXPECT_EQ(rule.at("trigger").at("kind"), "waitTime");
  for (const auto& action : rule.at("actions").as_array()) {
    EXPECT_EQ(action.at("id").as_string().size(), 36u);
  }
  auto again = DecodeExceptionPolicy(encoded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, stored->entity->spec);
}

TEST_F(CodecTest, WorkerKeepsPreviewFieldOnlyInPreview) {
  auto spec = DecodeWorker(Object(R"({"capacity":10,"maxConcurrentOffers":2,"labels":{"Id":"w"},
      "channels":[{"channelId":"chat","capacityCostPerJob":5,"maxNumberOfJobs":2}]})"),
                           ApiVersion::k20240118Preview);
  ASSERT_TRUE(spec.ok());
  auto stored = engine_.UpsertWorker("w", *spec, kNow, effects_);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(Encode(*stored->entity, context_).at("maxConcurrentOffers"), 2);
  EncodeContext ga{engine_, ApiVersion::k20231101};
  EXPECT_FALSE(Encode(*stored->entity, ga).contains("maxConcurrentOffers"));
  auto ga_spec = DecodeWorker(Object(R"({"maxConcurrentOffers":2})"), ApiVersion::k20231101);
  EXPECT_FALSE(ga_spec->max_concurrent_offers.has_value());
}

TEST_F(CodecTest, DecodingErrorsNameTheField) {
  struct Case {
    std::string_view body;
    std::string_view target;
  };
  for (const Case& c : {Case{R"({"mode":{"kind":"fastest"}})", "mode.kind"},
                        Case{R"({"mode":{"minConcurrentOffers":"1","kind":"roundRobin"}})", "mode.minConcurrentOffers"},
                        Case{R"({"mode":{}})", "mode.kind"},
                        Case{R"({"offerExpiresAfterSeconds":"soon"})", "offerExpiresAfterSeconds"}}) {
    auto spec = DecodeDistributionPolicy(Object(c.body));
    ASSERT_FALSE(spec.ok()) << c.body;
    EXPECT_EQ(spec.error().target, c.target) << c.body;
  }
  auto job = DecodeJob(Object(R"({"requestedWorkerSelectors":[{"key":"k","labelOperator":"like"}]})"));
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().target, "requestedWorkerSelectors[0].labelOperator");
  auto worker = DecodeWorker(Object(R"({"channels":[{"channelId":"c"}]})"), ApiVersion::k20231101);
  ASSERT_FALSE(worker.ok());
  EXPECT_EQ(worker.error().target, "channels[0].capacityCostPerJob");
  auto scheduled = DecodeJob(Object(R"({"matchingMode":{"kind":"scheduleAndSuspend"}})"));
  ASSERT_FALSE(scheduled.ok());
  EXPECT_EQ(scheduled.error().target, "matchingMode.scheduleAt");
}

}  // namespace
}  // namespace sb::api
