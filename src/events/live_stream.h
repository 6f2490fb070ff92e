// LiveStreams: GET /events - Router events as they are committed, streamed as Server-Sent
// Events:
//
//   id: 1234                                   the outbox sequence number
//   event: Microsoft.Communication.RouterWorkerOfferIssued
//   data: {...the Event Grid event (or, with schema=CloudEventSchemaV1_0, the CloudEvent)...}
//
// Query parameters filter the stream: eventType (short or full names; repeated or
// comma-separated), jobId, workerId, queueId. A client resumes with the Last-Event-ID header
// (or lastEventId=): the events after that id still in the outbox are replayed first (the
// outbox keeps the retention window for this), then the stream goes live; when some were
// trimmed already, a comment says which. Without it the stream starts with the next event.
// A comment line is sent every heartbeat interval, so idle connections stay open through
// proxies and dead ones are found. At most max_streams are open at once (more get 503); a
// client that falls more than backlog_bytes behind is disconnected (the transport's bound),
// and may resume with Last-Event-ID.
//
// Threading: Open may be called from any thread; it decides on the events thread, which owns
// the streams and everything else here. The outbox is read through the store's events side.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events/dispatcher.h"
#include "events/outbox_record.h"
#include "http/message.h"
#include "store/store.h"

namespace sb::events {

struct LiveStreamOptions {
  std::string topic;
  std::size_t max_streams = 64;
  Duration heartbeat = Duration::Seconds(15);
  std::size_t backlog_bytes = 1024 * 1024;
};

struct StreamQuery {
  std::vector<core::EventType> types;  // empty: every type
  std::string job_id;
  std::string worker_id;
  std::string queue_id;
  DeliverySchema schema = DeliverySchema::kEventGrid;
  std::optional<std::uint64_t> last_event_id;

  bool Matches(const OutboxRecord& record) const;
};

Result<StreamQuery> ParseStreamQuery(const http::Request& request);
// Whether the request is for the live stream: GET or HEAD /events (any query).
bool IsLiveStreamTarget(std::string_view target);
// One SSE message.
std::string SseFrame(std::uint64_t seq, const OutboxRecord& record, DeliverySchema schema,
                     std::string_view topic);

class LiveStreams {
 public:
  LiveStreams(store::EventStore& store, Dispatcher& dispatcher, LiveStreamOptions options);
  LiveStreams(const LiveStreams&) = delete;
  LiveStreams& operator=(const LiveStreams&) = delete;

  // Hooks onto the dispatcher's notifications and starts the heartbeat. Before
  // dispatcher.Start().
  void Start();
  // Any thread: answers `respond` (from the events thread, or at once for a bad request) with
  // an error, or the streaming response.
  void Open(const http::Request& request, http::Responder respond);
  // Closes every stream and refuses new ones; before dispatcher.Stop().
  void Stop();
  std::size_t open_streams() const { return open_.load(); }

 private:
  struct Stream {
    std::shared_ptr<http::StreamWriter> writer;
    StreamQuery query;
    std::uint64_t sent_through = 0;  // every outbox seq <= this was sent (or filtered out)
    bool replaying = false;
    std::unique_ptr<boost::asio::steady_timer> pause;  // paced replay
  };

  // A slot promised to a stream whose response is on its way; given back if the stream never
  // starts (its response is dropped), so a failed connection cannot leak it.
  class Reservation {
   public:
    explicit Reservation(std::shared_ptr<std::atomic<std::size_t>> count)
        : count_(std::move(count)) {
      ++*count_;
    }
    ~Reservation() { Release(); }
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    void Release() {
      if (!released_.exchange(true)) --*count_;
    }

   private:
    std::shared_ptr<std::atomic<std::size_t>> count_;
    std::atomic<bool> released_{false};
  };

  http::Response StreamingResponse(StreamQuery query);
  void CloseAll();  // on the events thread
  void Attach(const std::shared_ptr<Stream>& stream);
  void Replay(const std::shared_ptr<Stream>& stream);
  void FanOut();
  void Heartbeat();
  void Prune();
  // The event's SSE frame in each schema, made at most once per event however many streams.
  struct Frames {
    std::optional<std::string> event_grid;
    std::optional<std::string> cloud_events;
  };
  bool Send(Stream& stream, std::uint64_t seq, const OutboxRecord& record, Frames& frames);

  store::EventStore& store_;
  Dispatcher& dispatcher_;
  const LiveStreamOptions options_;
  boost::asio::steady_timer heartbeat_;
  std::vector<std::shared_ptr<Stream>> streams_;
  std::uint64_t tail_ = 0;  // the last outbox seq fanned out
  std::atomic<std::size_t> open_{0};
  std::shared_ptr<std::atomic<std::size_t>> reserved_ =
      std::make_shared<std::atomic<std::size_t>>(0);
  std::atomic<bool> stopped_{false};
};

}  // namespace sb::events
