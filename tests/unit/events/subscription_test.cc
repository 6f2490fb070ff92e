// Subscription specs: merge patches, storage, the --subscriptions file.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "events/subscription.h"

namespace sb::events {
namespace {

namespace json = boost::json;
using core::EventType;

Status Merge(SubscriptionSpec& spec, std::string_view patch) {
  return MergeSpec(spec, json::parse(patch).as_object());
}

TEST(SubscriptionTest, MergePatch) {
  SubscriptionSpec spec;
  spec.id = "s";
  ASSERT_TRUE(Merge(spec, R"({"EndpointURL":"https://h/x","includedEventTypes":[
      "Microsoft.Communication.RouterWorkerOfferIssued","RouterJobQueued","RouterJobQueued"],
      "eventDeliverySchema":"cloudeventschemav1_0","retryPolicy":{"maxDeliveryAttempts":3},
      "validation":{"state":"Validated"},"unknown":1})")
                  .ok());
  EXPECT_EQ(spec.endpoint_url, "https://h/x");
  EXPECT_EQ(spec.event_types,
            (std::vector<EventType>{EventType::kJobQueued, EventType::kWorkerOfferIssued}));
  EXPECT_EQ(spec.schema, DeliverySchema::kCloudEvents);
  EXPECT_EQ(spec.max_delivery_attempts, 3);
  EXPECT_TRUE(spec.Matches(EventType::kJobQueued));
  EXPECT_FALSE(spec.Matches(EventType::kJobClosed));

  ASSERT_TRUE(
      Merge(spec, R"({"includedEventTypes":null,"eventDeliverySchema":null,"retryPolicy":null})")
          .ok());
  EXPECT_TRUE(spec.event_types.empty());
  EXPECT_TRUE(spec.Matches(EventType::kJobClosed));
  EXPECT_EQ(spec.schema, DeliverySchema::kEventGrid);
  EXPECT_FALSE(spec.max_delivery_attempts.has_value());
}

TEST(SubscriptionTest, MergeRejectsBadInput) {
  const char* bad[] = {
      R"({"endpointUrl":null})",
      R"({"endpointUrl":"ftp://h/"})",
      R"({"endpointUrl":5})",
      R"({"endpointUrl":"https://h/","includedEventTypes":["Microsoft.Communication.CallStarted"]})",
      R"({"endpointUrl":"https://h/","includedEventTypes":"RouterJobQueued"})",
      R"({"endpointUrl":"https://h/","eventDeliverySchema":"CustomInputSchema"})",
      R"({"endpointUrl":"https://h/","retryPolicy":{"maxDeliveryAttempts":31}})",
      R"({"endpointUrl":"https://h/","retryPolicy":{"eventTimeToLiveInMinutes":0}})",
      R"({"endpointUrl":"https://h/","retryPolicy":{"eventTimeToLiveInMinutes":1.5}})",
  };
  for (const char* patch : bad) {
    SubscriptionSpec spec;
    EXPECT_FALSE(Merge(spec, patch).ok()) << patch;
  }
  SubscriptionSpec empty;
  auto missing = MergeSpec(empty, json::object());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().target, "endpointUrl");
}

TEST(SubscriptionTest, Ids) {
  EXPECT_TRUE(CheckSubscriptionId("orders-1.v2_x").ok());
  EXPECT_FALSE(CheckSubscriptionId("").ok());
  EXPECT_FALSE(CheckSubscriptionId("a/b").ok());
  EXPECT_FALSE(CheckSubscriptionId(std::string(65, 'a')).ok());
}

TEST(SubscriptionTest, StorageRoundTrip) {
  Subscription s;
  s.spec.id = "s1";
  s.spec.endpoint_url = "http://127.0.0.1:9/hook";
  s.spec.event_types = {EventType::kJobClosed};
  s.spec.schema = DeliverySchema::kCloudEvents;
  s.spec.event_ttl_minutes = 5;
  s.validation = ValidationState::kValidated;
  s.validated_at = Timestamp::FromUnixMicros(123);
  s.created_at = Timestamp::FromUnixMicros(100);
  s.updated_at = Timestamp::FromUnixMicros(200);
  auto back = DecodeSubscription(EncodeSubscription(s));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->spec, s.spec);
  EXPECT_EQ(back->validation, ValidationState::kValidated);
  EXPECT_EQ(back->validated_at, s.validated_at);
  EXPECT_EQ(back->created_at, s.created_at);
  EXPECT_EQ(back->updated_at, s.updated_at);
  EXPECT_FALSE(DecodeSubscription("{}").ok());
}

TEST(SubscriptionTest, File) {
  auto specs = ParseSubscriptionsFile(R"({"subscriptions":[
      {"id":"a","endpointUrl":"https://a/"},
      {"id":"b","endpointUrl":"https://b/","eventDeliverySchema":"CloudEventSchemaV1_0"}]})");
  ASSERT_TRUE(specs.ok()) << specs.error().message;
  ASSERT_EQ(specs->size(), 2u);
  EXPECT_EQ((*specs)[1].schema, DeliverySchema::kCloudEvents);
  EXPECT_TRUE(ParseSubscriptionsFile(R"([{"id":"a","endpointUrl":"https://a/"}])").ok());
  EXPECT_FALSE(ParseSubscriptionsFile(R"({"subscriptions":[{"endpointUrl":"https://a/"}]})").ok());
  EXPECT_FALSE(ParseSubscriptionsFile(R"({"subscriptions":[{"id":"a"}]})").ok());
  EXPECT_FALSE(ParseSubscriptionsFile("{").ok());
  EXPECT_FALSE(ParseSubscriptionsFile("{}").ok());
}

}  // namespace
}  // namespace sb::events
