// Outbox records (encode/decode, ids) and the two envelopes, plus the handshake bodies.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

#include "events/envelopes.h"
#include "events/json_writer.h"
#include "events/outbox_record.h"
#include "events/payloads.h"
#include "sample_events.h"

namespace sb::events {
namespace {

namespace json = boost::json;
using core::EventType;

OutboxRecord Sample() {
  return MakeOutboxRecord(testing::SampleEvent(EventType::kWorkerOfferIssued),
                          "0b9d1c2e-6f1a-4c55-9a53-2d0c6f3f2a10");
}

TEST(OutboxRecordTest, RoundTrips) {
  const OutboxRecord record = Sample();
  auto decoded = DecodeOutboxRecord(EncodeOutboxRecord(record));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->id, record.id);
  EXPECT_EQ(decoded->type, EventType::kWorkerOfferIssued);
  EXPECT_EQ(decoded->time, record.time);
  EXPECT_EQ(decoded->subject, "worker/worker-1/job/job-1");
  EXPECT_EQ(decoded->job_id, "job-1");
  EXPECT_EQ(decoded->worker_id, "worker-1");
  EXPECT_EQ(decoded->queue_id, "queue-1");
  EXPECT_EQ(decoded->data, record.data);
}

TEST(OutboxRecordTest, RejectsDamage) {
  EXPECT_FALSE(DecodeOutboxRecord("no newline").ok());
  EXPECT_FALSE(DecodeOutboxRecord("{\"type\":\"Nope\",\"time\":1}\n{}").ok());
  EXPECT_FALSE(DecodeOutboxRecord("{\"type\":\"RouterJobClosed\"}\n{}").ok());
}

TEST(OutboxRecordTest, IdsAreUuidsAndDistinct) {
  EventIdSource ids;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = ids.Next();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4');  // version 4
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  const store::OutboxEntry entry = ToOutboxEntry(testing::SampleEvent(EventType::kJobQueued), ids);
  EXPECT_EQ(entry.at, testing::SampleEvent(EventType::kJobQueued).at);
  EXPECT_EQ(DecodeOutboxRecord(entry.data)->type, EventType::kJobQueued);
}

TEST(EnvelopeTest, EventGridSchema) {
  const OutboxRecord record = Sample();
  const json::value body =
      json::parse(DeliveryBody(record, DeliverySchema::kEventGrid, "/topic/x"));
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.as_array().size(), 1u);
  const json::object& e = body.at(0).as_object();
  std::set<std::string> keys;
  for (const auto& m : e) keys.insert(std::string(m.key()));
  EXPECT_EQ(keys, (std::set<std::string>{"id", "topic", "subject", "data", "eventType",
                                         "dataVersion", "metadataVersion", "eventTime"}));
  EXPECT_EQ(e.at("id").as_string(), record.id);
  EXPECT_EQ(e.at("topic"), "/topic/x");
  EXPECT_EQ(e.at("subject"), "worker/worker-1/job/job-1");
  EXPECT_EQ(e.at("eventType"), "Microsoft.Communication.RouterWorkerOfferIssued");
  EXPECT_EQ(e.at("dataVersion"), "1.0");
  EXPECT_EQ(e.at("metadataVersion"), "1");
  EXPECT_EQ(e.at("eventTime"), "2023-11-14T22:13:21.0000000Z");
  EXPECT_EQ(e.at("data"), json::parse(record.data));
  EXPECT_STREQ(DeliveryContentType(DeliverySchema::kEventGrid), "application/json");
}

TEST(EnvelopeTest, CloudEventsStructuredMode) {
  const OutboxRecord record = Sample();
  const json::value body =
      json::parse(DeliveryBody(record, DeliverySchema::kCloudEvents, "/topic/x"));
  ASSERT_TRUE(body.is_object());
  const json::object& e = body.as_object();
  std::set<std::string> keys;
  for (const auto& m : e) keys.insert(std::string(m.key()));
  EXPECT_EQ(keys, (std::set<std::string>{"id", "source", "subject", "data", "type", "time",
                                         "specversion", "datacontenttype"}));
  EXPECT_EQ(e.at("specversion"), "1.0");
  EXPECT_EQ(e.at("source"), "/topic/x");
  EXPECT_EQ(e.at("type"), "Microsoft.Communication.RouterWorkerOfferIssued");
  EXPECT_EQ(e.at("time"), "2023-11-14T22:13:21.0000000Z");
  EXPECT_EQ(e.at("datacontenttype"), "application/json");
  EXPECT_EQ(std::string(DeliveryContentType(DeliverySchema::kCloudEvents))
                .rfind("application/cloudevents+json", 0),
            0u);
}

TEST(EnvelopeTest, ValidationHandshake) {
  const json::value body = json::parse(
      SubscriptionValidationBody("id-1", "code-1", "/topic/x", Timestamp::FromUnixSeconds(0)));
  const json::object& e = body.at(0).as_object();
  EXPECT_EQ(e.at("eventType"), "Microsoft.EventGrid.SubscriptionValidationEvent");
  EXPECT_EQ(e.at("data").at("validationCode"), "code-1");
  EXPECT_EQ(e.at("eventTime"), "1970-01-01T00:00:00.0000000Z");
  EXPECT_TRUE(IsValidationResponse(R"({"validationResponse":"code-1"})", "code-1"));
  EXPECT_FALSE(IsValidationResponse(R"({"validationResponse":"code-2"})", "code-1"));
  EXPECT_FALSE(IsValidationResponse(R"(["code-1"])", "code-1"));
  EXPECT_FALSE(IsValidationResponse("", "code-1"));
}

TEST(JsonWriterTest, NumbersStringsAndLabels) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Field("a", "q\"\n\x01").Key("b").Double(300).Key("c").Double(0.1);
  w.Key("d").BeginArray().Int(-1).Bool(false).Null().EndArray().EndObject();
  EXPECT_EQ(out, R"({"a":"q\"\n\u0001","b":300,"c":0.1,"d":[-1,false,null]})");
  EXPECT_EQ(LabelText(Value(3.0)), "3");
  EXPECT_EQ(LabelText(Value(1e21)), "1e+21");
  EXPECT_EQ(LabelText(Value(false)), "false");
  EXPECT_EQ(LabelText(Value(std::int64_t{-42})), "-42");
  EXPECT_EQ(LabelText(Value()), "");
}

}  // namespace
}  // namespace sb::events
