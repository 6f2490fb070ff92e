// Every Router event's `data` checked against the Event Grid schema file (no property it does
// not declare, all required ones, the declared types and enums), the exact set of fields each
// type writes, its subject, and a few payloads pinned byte for byte.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <set>

#include "events/payloads.h"
#include "sample_events.h"
#include "schema_checker.h"

namespace sb::events {
namespace {

namespace json = boost::json;
using core::EventType;
using testing::AllEventTypes;
using testing::SampleEvent;

const testing::SchemaChecker& Schema() {
  static const testing::SchemaChecker checker(SB_EVENTS_SCHEMA_FILE);
  return checker;
}

std::string DefinitionOf(EventType type) {
  return std::string("Acs") + core::EventTypeName(type) + "EventData";
}

std::set<std::string> Keys(const json::value& data) {
  std::set<std::string> out;
  for (const auto& member : data.as_object()) out.insert(std::string(member.key()));
  return out;
}

TEST(PayloadsTest, EveryTypeHasASchemaDefinition) {
  EXPECT_EQ(AllEventTypes().size(), static_cast<std::size_t>(kEventTypeCount));
  for (EventType type : AllEventTypes())
    EXPECT_TRUE(Schema().Has(DefinitionOf(type))) << DefinitionOf(type);
}

TEST(PayloadsTest, EveryPayloadConformsToItsSchema) {
  for (EventType type : AllEventTypes()) {
    const std::string data = EventData(SampleEvent(type));
    const json::value parsed = json::parse(data);
    const auto errors = Schema().Check(parsed, DefinitionOf(type));
    for (const std::string& error : errors)
      ADD_FAILURE() << core::EventTypeName(type) << ": " << error;
  }
}

// With every snapshot field filled in, each type writes every property its schema declares,
// except these, which the events do not have.
TEST(PayloadsTest, EveryPayloadWritesEveryDeclaredField) {
  const std::map<EventType, std::set<std::string>> not_applicable = {
      // A worker deleted is no job's event.
      {EventType::kWorkerDeleted, {"jobId", "channelReference", "channelId"}},
  };
  for (EventType type : AllEventTypes()) {
    std::set<std::string> expected = Schema().Properties(DefinitionOf(type));
    if (auto it = not_applicable.find(type); it != not_applicable.end()) {
      for (const std::string& name : it->second) expected.erase(name);
    }
    EXPECT_EQ(Keys(json::parse(EventData(SampleEvent(type)))), expected)
        << core::EventTypeName(type);
  }
}

TEST(PayloadsTest, MinimalEventsConformToo) {
  for (EventType type : AllEventTypes()) {
    core::Event e;
    e.type = type;
    e.job_id = "j";
    e.worker_id = "w";
    const auto errors = Schema().Check(json::parse(EventData(e)), DefinitionOf(type));
    for (const std::string& error : errors)
      ADD_FAILURE() << core::EventTypeName(type) << ": " << error;
  }
}

TEST(PayloadsTest, EnumsAndLabelsUseTheEventSchemasSpellings) {
  const json::value received = json::parse(EventData(SampleEvent(EventType::kJobReceived)));
  EXPECT_EQ(received.at("jobStatus"), "Queued");
  EXPECT_EQ(received.at("labels"),
            json::parse(R"({"Language":"en","Skill":"11","Vip":"true","Weight":"2.5"})"));
  EXPECT_EQ(received.at("tags").at("Score"), "0.75");
  const json::value selector = received.at("requestedWorkerSelectors").at(0);
  EXPECT_EQ(selector.at("labelOperator"), "Greater");
  EXPECT_EQ(selector.at("value"), 10);
  EXPECT_EQ(selector.at("ttlSeconds"), 90.5);
  EXPECT_EQ(selector.at("state"), "active");
  EXPECT_EQ(selector.at("expirationTime"), "2023-11-14T22:14:50.0000000Z");
  EXPECT_EQ(received.at("scheduledOn"), "2023-11-14T22:23:20.0000000Z");
  const json::value queued = json::parse(EventData(SampleEvent(EventType::kJobQueued)));
  EXPECT_EQ(queued.at("attachedWorkerSelectors").at(1).at("labelOperator"), "LessThanOrEqual");
  EXPECT_EQ(queued.at("attachedWorkerSelectors").at(1).at("state"), "expired");
}

TEST(PayloadsTest, OfferIssuedIsPinned) {
  EXPECT_EQ(
      EventData(SampleEvent(EventType::kWorkerOfferIssued)),
      R"({"jobId":"job-1","channelReference":"call-123","channelId":"voice",)"
      R"("workerId":"worker-1","queueId":"queue-1","offerId":"offer-1","jobPriority":5,)"
      R"("workerLabels":{"English":"true","Id":"worker-1","Skill":"11"},)"
      R"("offeredOn":"2023-11-14T22:13:22.0000000Z","expiresOn":"2023-11-14T22:14:22.0000000Z",)"
      R"("workerTags":{"Team":"blue"},)"
      R"("jobLabels":{"Language":"en","Skill":"11","Vip":"true","Weight":"2.5"},)"
      R"("jobTags":{"Score":"0.75","Source":"web"}})");
}

TEST(PayloadsTest, WorkerRegisteredIsPinned) {
  EXPECT_EQ(EventData(SampleEvent(EventType::kWorkerRegistered)),
            R"({"workerId":"worker-1","queueAssignments":[{"id":"queue-1","name":"Queue One",)"
            R"("labels":{"Region":"emea"}},{"id":"queue-2","labels":{}}],)"
            R"("channelConfigurations":[{"channelId":"voice","capacityCostPerJob":10},)"
            R"({"channelId":"chat","capacityCostPerJob":2,"maxNumberOfJobs":5}],)"
            R"("totalCapacity":10,"labels":{"English":"true","Id":"worker-1","Skill":"11"},)"
            R"("tags":{"Team":"blue"}})");
}

TEST(PayloadsTest, SubjectsAreShapedAsTheServiceShapesThem) {
  const std::map<EventType, std::string> expected = {
      {EventType::kJobReceived, "job/job-1/channel/voice"},
      {EventType::kJobClassified, "job/job-1/channel/voice/queue/queue-1"},
      {EventType::kJobClassificationFailed,
       "job/job-1/channel/voice/classificationpolicy/policy-1"},
      {EventType::kJobQueued, "job/job-1/channel/voice/queue/queue-1"},
      {EventType::kJobCompleted, "job/job-1/channel/voice/assignment/assignment-1"},
      {EventType::kJobClosed, "job/job-1/channel/voice/assignment/assignment-1"},
      {EventType::kJobCancelled, "job/job-1/channel/voice/disposition/abandoned"},
      {EventType::kJobExceptionTriggered, "job/job-1/channel/voice/exceptionrule/waitTime"},
      {EventType::kJobWorkerSelectorsExpired, "job/job-1/channel/voice/queue/queue-1"},
      {EventType::kJobUnassigned, "job/job-1/channel/voice/assignment/assignment-1"},
      {EventType::kJobWaitingForActivation, "job/job-1/channel/voice"},
      {EventType::kJobSchedulingFailed, "job/job-1/channel/voice"},
      {EventType::kJobDeleted, "job/job-1/channel/voice"},
      {EventType::kWorkerOfferIssued, "worker/worker-1/job/job-1"},
      {EventType::kWorkerOfferAccepted, "worker/worker-1/job/job-1"},
      {EventType::kWorkerOfferDeclined, "worker/worker-1/job/job-1"},
      {EventType::kWorkerOfferRevoked, "worker/worker-1/job/job-1"},
      {EventType::kWorkerOfferExpired, "worker/worker-1/job/job-1"},
      {EventType::kWorkerRegistered, "worker/worker-1"},
      {EventType::kWorkerDeregistered, "worker/worker-1"},
      {EventType::kWorkerDeleted, "worker/worker-1"},
      {EventType::kWorkerUpdated, "worker/worker-1"},
  };
  ASSERT_EQ(expected.size(), AllEventTypes().size());
  for (const auto& [type, subject] : expected) {
    EXPECT_EQ(EventSubject(SampleEvent(type)), subject) << core::EventTypeName(type);
  }
}

TEST(PayloadsTest, EventTypeNames) {
  EXPECT_EQ(EventGridType(EventType::kWorkerOfferIssued),
            "Microsoft.Communication.RouterWorkerOfferIssued");
  EventType type;
  ASSERT_TRUE(ParseEventType("Microsoft.Communication.RouterJobClosed", type));
  EXPECT_EQ(type, EventType::kJobClosed);
  ASSERT_TRUE(ParseEventType("RouterWorkerUpdated", type));
  EXPECT_EQ(type, EventType::kWorkerUpdated);
  EXPECT_FALSE(ParseEventType("Microsoft.Communication.CallStarted", type));
  EXPECT_FALSE(ParseEventType("routerjobclosed", type));
}

}  // namespace
}  // namespace sb::events
