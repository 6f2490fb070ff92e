// The subscriptions admin API, through its handler over a real dispatcher.
#include "events/admin.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "events/dispatcher.h"
#include "receiver.h"
#include "sample_events.h"

namespace sb::events {
namespace {

namespace json = boost::json;
using testing::Answer;
using testing::ReceivedRequest;
using testing::Receiver;
using testing::WaitFor;
using testing::WithHandshakes;

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DispatcherOptions options;
    options.topic = "/t";
    options.retry.schedule = {Duration::Millis(10)};
    options.retry.max_delivery_attempts = 2;
    options.client.timeout = Duration::Millis(300);
    options.client.guard = outbound::AddressGuard::FromAllowList("127.0.0.1/32").value();
    options.housekeeping_interval = Duration::Millis(50);
    dispatcher_ = Dispatcher::Create(store_->events(), options).value();
    ASSERT_TRUE(dispatcher_->Start().ok());
  }
  void TearDown() override { dispatcher_->Stop(); }

  http::Response Send(std::string method, std::string target, std::string body = {}) {
    http::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    return dispatcher_->Call([&] { return HandleAdminRequest(*dispatcher_, request); });
  }
  static json::value Body(const http::Response& r) { return json::parse(r.body); }

  std::unique_ptr<store::Store> store_ = store::NewMemoryStore();
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(AdminTest, CreateReadUpdateListDelete) {
  Receiver receiver(WithHandshakes([](const ReceivedRequest&) { return Answer(200); }));
  const std::string url = receiver.url();
  auto created =
      Send("PUT", "/switchboard/subscriptions/s1",
           R"({"endpointUrl":")" + url + R"(","includedEventTypes":["RouterJobQueued"]})");
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(Body(created).at("id"), "s1");
  EXPECT_EQ(Body(created).at("includedEventTypes").at(0),
            "Microsoft.Communication.RouterJobQueued");
  EXPECT_EQ(Body(created).at("eventDeliverySchema"), "EventGridSchema");

  ASSERT_TRUE(WaitFor([&] {
    return Body(Send("GET", "/switchboard/subscriptions/s1")).at("validation").at("state") ==
           "Validated";
  }));
  const json::value got = Body(Send("GET", "/switchboard/subscriptions/s1"));
  EXPECT_TRUE(got.at("validation").as_object().contains("validatedAt"));
  EXPECT_EQ(got.at("delivery").at("pendingRetries"), 0);

  auto again = Send("PUT", "/switchboard/subscriptions/s1",
                    R"({"endpointUrl":")" + url + R"(","includedEventTypes":["RouterJobQueued"]})");
  EXPECT_EQ(again.status, 200u);
  auto patched = Send("PATCH", "/switchboard/subscriptions/s1",
                      R"({"includedEventTypes":null,"retryPolicy":{"maxDeliveryAttempts":5}})");
  ASSERT_EQ(patched.status, 200u) << patched.body;
  EXPECT_TRUE(Body(patched).at("includedEventTypes").as_array().empty());
  EXPECT_EQ(Body(patched).at("retryPolicy").at("maxDeliveryAttempts"), 5);
  EXPECT_EQ(Body(patched).at("endpointUrl").as_string(), url);
  EXPECT_EQ(Body(patched).at("validation").at("state"), "Validated");  // same endpoint

  auto second =
      Send("PATCH", "/switchboard/subscriptions/s2",
           R"({"endpointUrl":")" + url + R"(","eventDeliverySchema":"CloudEventSchemaV1_0"})");
  EXPECT_EQ(second.status, 201u);
  const json::value list = Body(Send("GET", "/switchboard/subscriptions"));
  ASSERT_EQ(list.at("value").as_array().size(), 2u);
  EXPECT_EQ(list.at("value").at(1).at("eventDeliverySchema"), "CloudEventSchemaV1_0");

  EXPECT_EQ(Send("DELETE", "/switchboard/subscriptions/s1").status, 204u);
  EXPECT_EQ(Send("DELETE", "/switchboard/subscriptions/s1").status, 204u);
  auto missing = Send("GET", "/switchboard/subscriptions/s1");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(Body(missing).at("error").at("code"), "NotFound");
  EXPECT_EQ(Body(Send("GET", "/switchboard/subscriptions")).at("value").as_array().size(), 1u);
}

TEST_F(AdminTest, BadRequests) {
  struct Case {
    const char* method;
    const char* target;
    const char* body;
    unsigned status;
  };
  const Case cases[] = {
      {"PUT", "/switchboard/subscriptions/s", "{", 400},
      {"PUT", "/switchboard/subscriptions/s", "[]", 400},
      {"PUT", "/switchboard/subscriptions/s", "{}", 400},
      {"PUT", "/switchboard/subscriptions/s", R"({"endpointUrl":"http://10.0.0.1/x"})", 400},
      {"PUT", "/switchboard/subscriptions/bad%2Fid", R"({"endpointUrl":"https://e.example/"})",
       400},
      {"POST", "/switchboard/subscriptions", "", 405},
      {"POST", "/switchboard/subscriptions/s", "", 405},
      {"GET", "/switchboard/nothing", "", 404},
      {"GET", "/switchboard/subscriptions/s/deadLetters", "", 404},
      {"GET", "/switchboard/subscriptions/s/other", "", 404},
      {"GET", "/switchboard/subscriptions?maxpagesize=0", "", 400},
  };
  for (const Case& c : cases) {
    const http::Response r = Send(c.method, c.target, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << " " << r.body;
    if (r.status >= 400) {
      EXPECT_TRUE(Body(r).at("error").as_object().contains("message"));
      EXPECT_FALSE(r.headers.empty());
    }
  }
  const json::value error = Body(Send("PUT", "/switchboard/subscriptions/s", "{}"));
  EXPECT_EQ(error.at("error").at("target"), "endpointUrl");
}

TEST_F(AdminTest, DeadLettersArePaged) {
  Receiver receiver(WithHandshakes([](const ReceivedRequest&) { return Answer(503); }));
  ASSERT_EQ(
      Send("PUT", "/switchboard/subscriptions/d", R"({"endpointUrl":")" + receiver.url() + R"("})")
          .status,
      201u);
  ASSERT_TRUE(WaitFor([&] {
    return Body(Send("GET", "/switchboard/subscriptions/d")).at("validation").at("state") ==
           "Validated";
  }));
  store::Batch batch;
  EventIdSource ids;
  for (int i = 0; i < 3; ++i) {
    core::Event e = testing::SampleEvent(core::EventType::kJobCompleted);
    e.at = Timestamp::FromUnixMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
    batch.events.push_back(ToOutboxEntry(e, ids));
  }
  ASSERT_TRUE(store_->Commit(batch).ok());
  dispatcher_->Notify();
  ASSERT_TRUE(WaitFor([&] {
    return Body(Send("GET", "/switchboard/subscriptions/d")).at("delivery").at("deadLetters") == 3;
  }));
  const json::value page1 =
      Body(Send("GET", "/switchboard/subscriptions/d/deadLetters?maxpagesize=2"));
  ASSERT_EQ(page1.at("value").as_array().size(), 2u);
  const json::value& letter = page1.at("value").at(0);
  EXPECT_EQ(letter.at("deadLetterReason"), "MaxDeliveryAttemptsExceeded");
  EXPECT_EQ(letter.at("deliveryAttempts"), 2);
  EXPECT_EQ(letter.at("lastDeliveryOutcome"), "HTTP 503");
  EXPECT_EQ(letter.at("eventType"), "Microsoft.Communication.RouterJobCompleted");
  EXPECT_EQ(letter.at("topic"), "/t");
  EXPECT_TRUE(letter.as_object().contains("publishTime"));
  const std::string next(page1.at("nextLink").as_string());
  const json::value page2 = Body(Send("GET", next));
  EXPECT_EQ(page2.at("value").as_array().size(), 1u);
  EXPECT_FALSE(page2.as_object().contains("nextLink"));
  EXPECT_EQ(Send("GET", "/switchboard/subscriptions/d/deadLetters?maxpagesize=1001").status, 400u);
}

}  // namespace
}  // namespace sb::events
