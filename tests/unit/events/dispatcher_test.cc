// The dispatcher against an in-process webhook receiver that fails, times out and takes
// events twice on purpose: every event arrives at least once with a stable id; the two
// validation handshakes; dead letters; resuming after a restart over the same store.
#include "events/dispatcher.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <map>
#include <set>

#include "events/payloads.h"
#include "http/tls.h"
#include "receiver.h"
#include "sample_events.h"
#include "temp_dir.h"

namespace sb::events {
namespace {

namespace json = boost::json;
using core::EventType;
using testing::Answer;
using testing::ReceivedRequest;
using testing::Receiver;
using testing::WaitFor;
using testing::WithHandshakes;

Timestamp WallNow() {
  return Timestamp::FromUnixMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
}

class TempDir : public sb::testing::TempDir {
 public:
  TempDir() : sb::testing::TempDir("sb-events-", /*create=*/true) {}
};

DispatcherOptions TestOptions() {
  DispatcherOptions options;
  options.topic = "/test/topic";
  options.retry.schedule = {Duration::Millis(20), Duration::Millis(40), Duration::Millis(80)};
  options.retry.max_delivery_attempts = 10;
  options.retry.event_ttl = Duration::Minutes(5);
  options.client.timeout = Duration::Millis(300);
  options.client.guard = outbound::AddressGuard::FromAllowList("127.0.0.1/32").value();
  options.housekeeping_interval = Duration::Millis(50);
  options.max_in_flight_per_subscription = 8;
  return options;
}

// Commits `count` events of `type` (each its own job), raised now; returns their ids in order.
std::vector<std::string> Commit(store::Store& store, int count,
                                EventType type = EventType::kJobQueued) {
  static EventIdSource ids;
  store::Batch batch;
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    core::Event event = testing::SampleEvent(type);
    event.at = WallNow();
    event.job_id = "job-" + std::to_string(i);
    store::OutboxEntry entry = ToOutboxEntry(event, ids);
    out.push_back(DecodeOutboxRecord(entry.data)->id);
    batch.events.push_back(std::move(entry));
  }
  EXPECT_TRUE(store.Commit(batch).ok());
  return out;
}

SubscriptionSpec Spec(const std::string& id, const std::string& url,
                      DeliverySchema schema = DeliverySchema::kEventGrid) {
  SubscriptionSpec spec;
  spec.id = id;
  spec.endpoint_url = url;
  spec.schema = schema;
  return spec;
}

std::unique_ptr<Dispatcher> Start(store::EventStore& store,
                                  DispatcherOptions options = TestOptions()) {
  auto dispatcher = Dispatcher::Create(store, std::move(options));
  EXPECT_TRUE(dispatcher.ok());
  EXPECT_TRUE((*dispatcher)->Start().ok());
  return std::move(*dispatcher);
}

PutResult Subscribe(Dispatcher& dispatcher, SubscriptionSpec spec) {
  auto put = dispatcher.Call([&] { return dispatcher.PutSubscription(spec); });
  EXPECT_TRUE(put.ok()) << put.error().message;
  return *put;
}

ValidationState StateOf(Dispatcher& d, const std::string& id) {
  return d.Call([&] { return d.GetSubscription(id)->subscription.validation; });
}

// Settled: durable progress at the outbox's end and no retries pending.
bool Settled(Dispatcher& d, store::EventStore& events, const std::string& id) {
  return d.Call([&] {
    auto view = d.GetSubscription(id);
    auto last = events.LastOutboxSeq();
    return view.ok() && last.ok() && view->delivered_through == *last && view->pending_retries == 0;
  });
}

// Records which ids were answered 200, per the policy's decisions.
class Ledger {
 public:
  void Delivered(const std::string& id) {
    std::lock_guard lock(mutex_);
    delivered_.insert(id);
  }
  int NextAttempt(const std::string& id) {
    std::lock_guard lock(mutex_);
    return ++attempts_[id];
  }
  std::set<std::string> delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> delivered_;
  std::map<std::string, int> attempts_;
};

TEST(DispatcherTest, EveryEventArrivesAtLeastOnceWithAStableId) {
  auto store = store::NewMemoryStore();
  Ledger ledger;
  std::map<std::string, int> index;  // id -> its position, set before the events are committed
  std::mutex index_mutex;
  Receiver receiver(WithHandshakes([&](const ReceivedRequest& r) -> std::optional<http::Response> {
    const std::string id = testing::EventIdOf(r);
    int i;
    {
      std::lock_guard lock(index_mutex);
      i = index.at(id);
    }
    const int attempt = ledger.NextAttempt(id);
    if (attempt == 1 && i % 4 == 0) return Answer(503);
    if (attempt == 1 && i % 4 == 1) return std::nullopt;  // times out
    if (attempt == 1 && i % 4 == 2) return Answer(500);   // taken, but answered as failed
    ledger.Delivered(id);
    return Answer(i % 2 ? 200 : 202);
  }));
  auto dispatcher = Start(store->events());
  const PutResult put = Subscribe(*dispatcher, Spec("all", receiver.url()));
  EXPECT_TRUE(put.created);
  ASSERT_TRUE(WaitFor([&] { return StateOf(*dispatcher, "all") == ValidationState::kValidated; }));

  std::vector<std::string> ids;
  for (int round = 0; round < 4; ++round) {
    std::lock_guard lock(index_mutex);  // the receiver looks ids up only once they are indexed
    auto batch = Commit(*store, 10);
    for (const std::string& id : batch) {
      index[id] = static_cast<int>(ids.size());
      ids.push_back(id);
    }
  }
  dispatcher->Notify();
  ASSERT_TRUE(WaitFor([&] { return ledger.delivered().size() == ids.size(); }))
      << ledger.delivered().size() << " of " << ids.size();
  ASSERT_TRUE(WaitFor([&] { return Settled(*dispatcher, store->events(), "all"); }));

  std::map<std::string, std::vector<ReceivedRequest>> by_id;
  for (const ReceivedRequest& r : receiver.deliveries()) by_id[testing::EventIdOf(r)].push_back(r);
  ASSERT_EQ(by_id.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& copies = by_id.at(ids[i]);
    EXPECT_EQ(copies.size(), i % 4 == 3 ? 1u : 2u) << i;
    for (std::size_t k = 0; k < copies.size(); ++k) {
      EXPECT_EQ(copies[k].body, copies[0].body);  // the same event, byte for byte
      EXPECT_EQ(copies[k].header("aeg-delivery-count"), std::to_string(k));
      EXPECT_EQ(copies[k].header("aeg-event-type"), "Notification");
      EXPECT_EQ(copies[k].header("aeg-subscription-name"), "all");
      EXPECT_EQ(copies[k].header("Content-Type"), "application/json");
      EXPECT_EQ(copies[k].target, "/hook");
    }
  }
  const auto view = dispatcher->Call([&] { return dispatcher->GetSubscription("all"); });
  EXPECT_EQ(view->dead_letters, 0u);
  EXPECT_EQ(view->failed_attempts, 30u);
  dispatcher->Stop();
}

TEST(DispatcherTest, EventGridHandshakeFailsThenPasses) {
  auto store = store::NewMemoryStore();
  std::atomic<bool> cooperative{false};
  Receiver receiver([&](const ReceivedRequest& r) -> std::optional<http::Response> {
    if (r.header("aeg-event-type") == "SubscriptionValidation" && !cooperative) {
      return Answer(200, R"({"validationResponse":"wrong"})");
    }
    return WithHandshakes([](const ReceivedRequest&) { return Answer(200); })(r);
  });
  auto dispatcher = Start(store->events());
  Subscribe(*dispatcher, Spec("eg", receiver.url()));
  ASSERT_TRUE(WaitFor([&] { return StateOf(*dispatcher, "eg") == ValidationState::kFailed; }));
  const auto failed = dispatcher->Call([&] { return dispatcher->GetSubscription("eg"); });
  EXPECT_NE(failed->validation_error.find("validationCode"), std::string::npos)
      << failed->validation_error;
  EXPECT_GE(failed->validation_attempts, 1);
  const auto ids = Commit(*store, 3);  // raised while the endpoint is not validated: they wait
  dispatcher->Notify();
  cooperative = true;
  ASSERT_TRUE(WaitFor([&] { return StateOf(*dispatcher, "eg") == ValidationState::kValidated; }));
  ASSERT_TRUE(WaitFor([&] { return receiver.deliveries().size() == 3; }));
  const auto validation = receiver.requests().front();
  EXPECT_EQ(validation.method, "POST");
  const json::value body = json::parse(validation.body);
  EXPECT_EQ(body.at(0).at("eventType"), "Microsoft.EventGrid.SubscriptionValidationEvent");
  EXPECT_EQ(body.at(0).at("topic"), "/test/topic");
  std::set<std::string> got;
  for (const auto& r : receiver.deliveries()) got.insert(testing::EventIdOf(r));
  EXPECT_EQ(got, std::set<std::string>(ids.begin(), ids.end()));
}

TEST(DispatcherTest, CloudEventsHandshakeAndDelivery) {
  auto store = store::NewMemoryStore();
  Receiver receiver(WithHandshakes([](const ReceivedRequest&) { return Answer(204); }));
  auto dispatcher = Start(store->events());
  Subscribe(*dispatcher, Spec("ce", receiver.url("/ce?code=1"), DeliverySchema::kCloudEvents));
  ASSERT_TRUE(WaitFor([&] { return StateOf(*dispatcher, "ce") == ValidationState::kValidated; }));
  const auto ids = Commit(*store, 2, EventType::kWorkerOfferIssued);
  dispatcher->Notify();
  ASSERT_TRUE(WaitFor([&] { return receiver.deliveries().size() == 2; }));
  const auto requests = receiver.requests();
  EXPECT_EQ(requests[0].method, "OPTIONS");
  EXPECT_EQ(requests[0].header("WebHook-Request-Origin"), "eventgrid.azure.net");
  EXPECT_EQ(requests[0].target, "/ce?code=1");
  const ReceivedRequest delivery = receiver.deliveries()[0];
  EXPECT_EQ(delivery.header("Content-Type"), "application/cloudevents+json; charset=utf-8");
  EXPECT_EQ(delivery.header("Origin"), "eventgrid.azure.net");
  const json::value event = json::parse(delivery.body);
  ASSERT_TRUE(event.is_object());
  EXPECT_EQ(event.at("specversion"), "1.0");
  EXPECT_EQ(event.at("type"), "Microsoft.Communication.RouterWorkerOfferIssued");
  EXPECT_EQ(event.at("source"), "/test/topic");
  EXPECT_EQ(event.at("data").at("offerId"), "offer-1");
}

TEST(DispatcherTest, ACloudEventsEndpointThatDoesNotAllowTheOriginIsNotValidated) {
  auto store = store::NewMemoryStore();
  Receiver receiver([](const ReceivedRequest& r) -> std::optional<http::Response> {
    http::Response response = Answer(200);
    if (r.method == "OPTIONS")
      response.headers.push_back({"WebHook-Allowed-Origin", "other.example"});
    return response;
  });
  auto dispatcher = Start(store->events());
  Subscribe(*dispatcher, Spec("ce", receiver.url(), DeliverySchema::kCloudEvents));
  ASSERT_TRUE(WaitFor([&] { return StateOf(*dispatcher, "ce") == ValidationState::kFailed; }));
  const auto view = dispatcher->Call([&] { return dispatcher->GetSubscription("ce"); });
  EXPECT_NE(view->validation_error.find("WebHook-Allowed-Origin"), std::string::npos);
}

TEST(DispatcherTest, ExhaustedAndRefusedEventsAreDeadLettered) {
  auto store = store::NewMemoryStore();
  std::string refused_id;
  std::mutex mutex;
  Receiver receiver(WithHandshakes([&](const ReceivedRequest& r) {
    std::lock_guard lock(mutex);
    return Answer(testing::EventIdOf(r) == refused_id ? 400 : 503);
  }));
  DispatcherOptions options = TestOptions();
  options.retry.max_delivery_attempts = 3;
  auto dispatcher = Start(store->events(), options);
  Subscribe(*dispatcher, Spec("dl", receiver.url()));
  ASSERT_TRUE(WaitFor([&] { return StateOf(*dispatcher, "dl") == ValidationState::kValidated; }));
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex);
    ids = Commit(*store, 2);
    refused_id = ids[1];
  }
  dispatcher->Notify();
  ASSERT_TRUE(WaitFor([&] {
    return dispatcher->Call([&] { return dispatcher->GetSubscription("dl")->dead_letters; }) == 2;
  }));
  ASSERT_TRUE(WaitFor([&] { return Settled(*dispatcher, store->events(), "dl"); }));
  const auto letters = dispatcher->Call([&] { return dispatcher->ListDeadLetters("dl", 0, 10); });
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 2u);
  EXPECT_EQ((*letters)[0].reason, "MaxDeliveryAttemptsExceeded");
  EXPECT_EQ((*letters)[0].attempts, 3);
  EXPECT_EQ((*letters)[0].last_outcome, "HTTP 503");
  EXPECT_EQ(DecodeOutboxRecord((*letters)[0].event)->id, ids[0]);
  EXPECT_EQ((*letters)[1].reason, "NonRetryableStatusCode");
  EXPECT_EQ((*letters)[1].attempts, 1);
  EXPECT_EQ((*letters)[1].last_outcome, "HTTP 400");
  EXPECT_EQ(receiver.deliveries().size(), 4u);  // 3 + 1
}

TEST(DispatcherTest, ResumesAfterARestartWithTheSameIds) {
  TempDir dir;
  std::atomic<bool> healthy{false};
  Ledger ledger;
  Receiver receiver(WithHandshakes([&](const ReceivedRequest& r) {
    if (!healthy) return Answer(503);
    ledger.Delivered(testing::EventIdOf(r));
    return Answer(200);
  }));
  std::vector<std::string> first_ids;
  std::set<std::string> seen_while_failing;
  {
    auto store = store::OpenSqliteStore(dir.path());
    ASSERT_TRUE(store.ok());
    auto dispatcher = Start((*store)->events());
    Subscribe(*dispatcher, Spec("durable", receiver.url()));
    ASSERT_TRUE(
        WaitFor([&] { return StateOf(*dispatcher, "durable") == ValidationState::kValidated; }));
    first_ids = Commit(**store, 10);
    dispatcher->Notify();
    ASSERT_TRUE(WaitFor([&] {
      return dispatcher->Call(
                 [&] { return dispatcher->GetSubscription("durable")->pending_retries; }) == 10;
    }));
    dispatcher->Stop();
    for (const auto& r : receiver.deliveries()) seen_while_failing.insert(testing::EventIdOf(r));
  }
  EXPECT_EQ(seen_while_failing, std::set<std::string>(first_ids.begin(), first_ids.end()));
  auto store = store::OpenSqliteStore(dir.path());  // "restarted"
  ASSERT_TRUE(store.ok());
  const auto later_ids = Commit(**store, 5);
  healthy = true;
  auto dispatcher = Start((*store)->events());
  ASSERT_EQ(StateOf(*dispatcher, "durable"), ValidationState::kValidated);  // no new handshake
  dispatcher->Notify();
  std::set<std::string> all(first_ids.begin(), first_ids.end());
  all.insert(later_ids.begin(), later_ids.end());
  ASSERT_TRUE(WaitFor([&] { return ledger.delivered() == all; }));
  ASSERT_TRUE(WaitFor([&] { return Settled(*dispatcher, (*store)->events(), "durable"); }));
}

TEST(DispatcherTest, AttemptsCutShortByStopAreSentAgain) {
  auto store = store::NewMemoryStore();
  std::atomic<bool> answering{false};
  Receiver receiver(WithHandshakes([&](const ReceivedRequest&) -> std::optional<http::Response> {
    if (!answering) return std::nullopt;
    return Answer(200);
  }));
  DispatcherOptions options = TestOptions();
  options.client.timeout = Duration::Seconds(30);
  std::vector<std::string> ids;
  {
    auto dispatcher = Start(store->events(), options);
    Subscribe(*dispatcher, Spec("s", receiver.url()));
    ASSERT_TRUE(WaitFor([&] { return StateOf(*dispatcher, "s") == ValidationState::kValidated; }));
    ids = Commit(*store, 5);
    dispatcher->Notify();
    ASSERT_TRUE(WaitFor([&] { return receiver.deliveries().size() == 5; }));
    const auto started = std::chrono::steady_clock::now();
    dispatcher->Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  }
  answering = true;
  auto dispatcher = Start(store->events(), options);
  dispatcher->Notify();
  ASSERT_TRUE(WaitFor([&] { return receiver.deliveries().size() == 10; }));
  ASSERT_TRUE(WaitFor([&] { return Settled(*dispatcher, store->events(), "s"); }));
  std::multiset<std::string> got;
  for (const auto& r : receiver.deliveries()) got.insert(testing::EventIdOf(r));
  for (const std::string& id : ids) EXPECT_EQ(got.count(id), 2u);
  EXPECT_EQ(dispatcher->Call([&] { return dispatcher->GetSubscription("s")->failed_attempts; }),
            0u);
}

TEST(DispatcherTest, FiltersByEventTypeAndTrimsTheOutbox) {
  auto store = store::NewMemoryStore();
  Receiver receiver(WithHandshakes([](const ReceivedRequest&) { return Answer(200); }));
  DispatcherOptions options = TestOptions();
  options.retention.max_age = Duration::Micros(0);
  options.retention.max_events = 0;
  auto dispatcher = Start(store->events(), options);
  SubscriptionSpec spec = Spec("offers", receiver.url());
  spec.event_types = {EventType::kWorkerOfferIssued};
  Subscribe(*dispatcher, spec);
  ASSERT_TRUE(
      WaitFor([&] { return StateOf(*dispatcher, "offers") == ValidationState::kValidated; }));
  Commit(*store, 7, EventType::kJobQueued);
  const auto offers = Commit(*store, 3, EventType::kWorkerOfferIssued);
  Commit(*store, 7, EventType::kJobClosed);
  dispatcher->Notify();
  ASSERT_TRUE(WaitFor([&] { return Settled(*dispatcher, store->events(), "offers"); }));
  std::set<std::string> got;
  for (const auto& r : receiver.deliveries()) got.insert(testing::EventIdOf(r));
  EXPECT_EQ(got, std::set<std::string>(offers.begin(), offers.end()));
  ASSERT_TRUE(WaitFor([&] { return store->events().ReadOutbox(0, 100)->empty(); }));
}

TEST(DispatcherTest, RefusesInternalAddressesUnlessAllowed) {
  auto store = store::NewMemoryStore();
  Receiver receiver(WithHandshakes([](const ReceivedRequest&) { return Answer(200); }));
  DispatcherOptions options = TestOptions();
  options.client.guard = outbound::AddressGuard();
  auto dispatcher = Start(store->events(), options);
  auto literal =
      dispatcher->Call([&] { return dispatcher->PutSubscription(Spec("a", receiver.url())); });
  ASSERT_FALSE(literal.ok());
  EXPECT_EQ(literal.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(literal.error().message.find("loopback"), std::string::npos);
  const std::string by_name = "http://localhost:" + std::to_string(receiver.port()) + "/hook";
  Subscribe(*dispatcher, Spec("b", by_name));
  ASSERT_TRUE(WaitFor([&] { return StateOf(*dispatcher, "b") == ValidationState::kFailed; }));
  const auto view = dispatcher->Call([&] { return dispatcher->GetSubscription("b"); });
  EXPECT_NE(view->validation_error.find("refused"), std::string::npos) << view->validation_error;
  EXPECT_TRUE(receiver.requests().empty());
}

TEST(DispatcherTest, DeliversOverHttpsWithACaBundle) {
  TempDir dir;
  auto tls = http::EnsureSelfSignedTls(dir.path(), WallNow());
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  Receiver receiver(WithHandshakes([](const ReceivedRequest&) { return Answer(200); }), tls->files);
  auto store = store::NewMemoryStore();
  DispatcherOptions options = TestOptions();
  options.client.ca_file = tls->ca_certificate;
  auto dispatcher = Start(store->events(), options);
  Subscribe(*dispatcher, Spec("tls", receiver.url()));
  ASSERT_TRUE(WaitFor([&] { return StateOf(*dispatcher, "tls") == ValidationState::kValidated; }));
  Commit(*store, 2);
  dispatcher->Notify();
  ASSERT_TRUE(WaitFor([&] { return receiver.deliveries().size() == 2; }));

  // Without the bundle the receiver's certificate is not trusted.
  auto other = store::NewMemoryStore();
  auto plain = Start(other->events(), TestOptions());
  Subscribe(*plain, Spec("tls", receiver.url()));
  ASSERT_TRUE(WaitFor([&] { return StateOf(*plain, "tls") == ValidationState::kFailed; }));
  const auto view = plain->Call([&] { return plain->GetSubscription("tls"); });
  EXPECT_NE(view->validation_error.find("TLS"), std::string::npos) << view->validation_error;
}

}  // namespace
}  // namespace sb::events
