// The live stream hub over a memory store: query parsing, SSE frames, filters, replay from
// Last-Event-ID (with a note when events were trimmed), limits, and closing on Stop.
#include "events/live_stream.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <mutex>

#include "receiver.h"
#include "sample_events.h"

namespace sb::events {
namespace {

namespace json = boost::json;
using core::EventType;
using testing::WaitFor;

// Collects what the hub writes.
class FakeWriter final : public http::StreamWriter {
 public:
  bool Write(std::string data) override {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    text_ += data;
    return true;
  }
  void Close() override {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  bool closed() const override {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  std::size_t queued_bytes() const override { return 0; }
  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }
  // The ids of the SSE messages written so far.
  std::vector<std::uint64_t> ids() const {
    std::vector<std::uint64_t> out;
    const std::string all = text();
    for (std::size_t at = all.find("id: "); at != std::string::npos;
         at = all.find("id: ", at + 1)) {
      out.push_back(std::stoull(all.substr(at + 4)));
    }
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
  bool closed_ = false;
};

// Captures the response a Responder is given.
class CaptureSink final : public http::ResponseSink {
 public:
  void Deliver(http::Response response) override {
    std::lock_guard lock(mutex_);
    response_ = std::move(response);
  }
  void Abandon() override {}
  std::optional<http::Response> response() {
    std::lock_guard lock(mutex_);
    return response_;
  }

 private:
  std::mutex mutex_;
  std::optional<http::Response> response_;
};

http::Request Get(std::string target, std::optional<std::string> last_event_id = std::nullopt) {
  http::Request request;
  request.method = "GET";
  request.target = std::move(target);
  if (last_event_id) request.headers.push_back({"Last-Event-ID", *last_event_id});
  return request;
}

class LiveStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DispatcherOptions options;
    options.housekeeping_interval = Duration::Seconds(60);
    dispatcher_ = Dispatcher::Create(store_->events(), options).value();
    LiveStreamOptions live;
    live.topic = "/t";
    live.max_streams = 2;
    live.heartbeat = Duration::Millis(50);
    live_ = std::make_unique<LiveStreams>(store_->events(), *dispatcher_, live);
    live_->Start();
    ASSERT_TRUE(dispatcher_->Start().ok());
  }
  void TearDown() override {
    live_->Stop();
    dispatcher_->Stop();
  }

  http::Response Answer(const http::Request& request) {
    auto sink = std::make_shared<CaptureSink>();
    live_->Open(request, http::Responder(sink));
    EXPECT_TRUE(WaitFor([&] { return sink->response().has_value(); }));
    return sink->response().value_or(http::Response{});
  }

  std::shared_ptr<FakeWriter> Open(http::Request request) {
    http::Response response = Answer(request);
    const std::size_t before = live_->open_streams();  // pruned before the answer
    EXPECT_EQ(response.status, 200u) << response.body;
    EXPECT_TRUE(response.stream);
    auto writer = std::make_shared<FakeWriter>();
    response.stream(writer);
    EXPECT_TRUE(WaitFor([&] { return live_->open_streams() > before; }));
    return writer;
  }

  // Commits one event per (type, job) and tells the dispatcher.
  void Commit(std::vector<std::pair<EventType, std::string>> events) {
    store::Batch batch;
    for (auto& [type, job] : events) {
      core::Event e = testing::SampleEvent(type);
      e.job_id = job;
      batch.events.push_back(ToOutboxEntry(e, ids_));
    }
    ASSERT_TRUE(store_->Commit(batch).ok());
    dispatcher_->Notify();
  }

  std::unique_ptr<store::Store> store_ = store::NewMemoryStore();
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<LiveStreams> live_;
  EventIdSource ids_{7};
};

TEST(StreamQueryTest, Parses) {
  auto q = ParseStreamQuery(
      Get("/events?eventType=RouterJobQueued,Microsoft.Communication.RouterJobClosed"
          "&eventType=RouterJobQueued&jobId=a%20b&workerId=w&queueId=q"
          "&schema=CloudEventSchemaV1_0&lastEventId=5&api-version=x"));
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->types, (std::vector<EventType>{EventType::kJobQueued, EventType::kJobClosed}));
  EXPECT_EQ(q->job_id, "a b");
  EXPECT_EQ(q->schema, DeliverySchema::kCloudEvents);
  EXPECT_EQ(q->last_event_id, 5u);
  EXPECT_EQ(ParseStreamQuery(Get("/events?lastEventId=5", "9"))->last_event_id, 9u);
  EXPECT_FALSE(ParseStreamQuery(Get("/events?eventType=Nope")).ok());
  EXPECT_FALSE(ParseStreamQuery(Get("/events?schema=Custom")).ok());
  EXPECT_FALSE(ParseStreamQuery(Get("/events", "x")).ok());
  EXPECT_TRUE(IsLiveStreamTarget("/events"));
  EXPECT_TRUE(IsLiveStreamTarget("/events?jobId=1"));
  EXPECT_FALSE(IsLiveStreamTarget("/events/1"));
  EXPECT_FALSE(IsLiveStreamTarget("/routing/events"));
}

TEST(StreamQueryTest, Frames) {
  const OutboxRecord record = MakeOutboxRecord(testing::SampleEvent(EventType::kJobQueued), "id-1");
  const std::string frame = SseFrame(42, record, DeliverySchema::kEventGrid, "/t");
  ASSERT_EQ(frame.rfind("id: 42\nevent: Microsoft.Communication.RouterJobQueued\ndata: {", 0), 0u);
  ASSERT_EQ(frame.substr(frame.size() - 3), "}\n\n");
  const std::string data = frame.substr(frame.find("data: ") + 6);
  EXPECT_EQ(json::parse(data).at("id"), "id-1");
  EXPECT_EQ(std::count(frame.begin(), frame.end(), '\n'), 4);
}

TEST_F(LiveStreamTest, FiltersAndGoesLive) {
  auto all = Open(Get("/events"));
  auto queued = Open(Get("/events?eventType=RouterJobQueued&jobId=j2"));
  Commit({{EventType::kJobReceived, "j1"},
          {EventType::kJobQueued, "j1"},
          {EventType::kJobQueued, "j2"}});
  ASSERT_TRUE(WaitFor([&] { return all->ids().size() == 3; }));
  ASSERT_TRUE(WaitFor([&] { return queued->ids().size() == 1; }));
  EXPECT_EQ(all->ids(), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(queued->ids(), (std::vector<std::uint64_t>{3}));
  EXPECT_NE(all->text().find(": connected"), std::string::npos);
  EXPECT_TRUE(WaitFor([&] { return all->text().find(": heartbeat") != std::string::npos; }));
  // A third stream is over the limit; a slot comes free as soon as a stream closes.
  EXPECT_EQ(Answer(Get("/events")).status, 503u);
  EXPECT_EQ(Answer(Get("/events?eventType=Nope")).status, 400u);
  all->Close();
  auto third = Open(Get("/events"));
  EXPECT_EQ(live_->open_streams(), 2u);
  third->Close();
  {
    http::Response promised = Answer(Get("/events"));  // a slot is promised...
    EXPECT_EQ(promised.status, 200u);
    EXPECT_EQ(Answer(Get("/events")).status, 503u);  // ...and counted...
  }                                                  // ...and given back: never started
  EXPECT_EQ(Answer(Get("/events")).status, 200u);
  live_->Stop();
  EXPECT_TRUE(queued->closed());
}

TEST_F(LiveStreamTest, ResumesFromLastEventId) {
  Commit({{EventType::kJobReceived, "a"},
          {EventType::kJobQueued, "a"},
          {EventType::kJobReceived, "b"}});
  ASSERT_TRUE(WaitFor([&] { return store_->events().LastOutboxSeq().value() == 3; }));
  auto resumed = Open(Get("/events", "1"));
  ASSERT_TRUE(WaitFor([&] { return resumed->ids().size() == 2; }));
  Commit({{EventType::kJobQueued, "b"}});
  ASSERT_TRUE(WaitFor([&] { return resumed->ids().size() == 3; }));
  EXPECT_EQ(resumed->ids(), (std::vector<std::uint64_t>{2, 3, 4}));

  ASSERT_TRUE(store_->events().TrimOutbox(2).ok());
  auto late = Open(Get("/events?jobId=b", "0"));
  ASSERT_TRUE(WaitFor([&] { return late->ids().size() == 2; }));
  EXPECT_EQ(late->ids(), (std::vector<std::uint64_t>{3, 4}));
  EXPECT_NE(late->text().find(": events 1 to 2 are no longer retained"), std::string::npos);
}

}  // namespace
}  // namespace sb::events

namespace sb::events {
namespace {

TEST_F(LiveStreamTest, StoppingTheDispatcherClosesTheStreams) {
  auto stream = Open(Get("/events"));
  dispatcher_->Stop();  // returns although the heartbeat timer was pending
  EXPECT_TRUE(stream->closed());
}

}  // namespace
}  // namespace sb::events
