#include "events/live_stream.h"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>

#include "base/log.h"
#include "events/admin.h"
#include "events/payloads.h"
#include "wire/errors.h"

namespace sb::events {
namespace {

constexpr std::size_t kReadBatch = 256;
constexpr auto kReplayPause = std::chrono::milliseconds(20);

Status AddTypes(std::string_view list, std::vector<core::EventType>& out) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (name.empty()) continue;
    core::EventType type;
    if (!ParseEventType(name, type)) {
      return Error::InvalidArgument(
          "eventType: '" + std::string(name) + "' is not a Router event type", "eventType");
    }
    out.push_back(type);
  }
  return Ok{};
}

Result<std::uint64_t> ParseSeq(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Error::InvalidArgument("Last-Event-ID must be an event id from this stream",
                                  "Last-Event-ID");
  }
  return value;
}

}  // namespace

bool StreamQuery::Matches(const OutboxRecord& r) const {
  if (!types.empty() && std::find(types.begin(), types.end(), r.type) == types.end()) return false;
  if (!job_id.empty() && r.job_id != job_id) return false;
  if (!worker_id.empty() && r.worker_id != worker_id) return false;
  return queue_id.empty() || r.queue_id == queue_id;
}

bool IsLiveStreamTarget(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  return path == "/events";
}

Result<StreamQuery> ParseStreamQuery(const http::Request& request) {
  auto url = boost::urls::parse_origin_form(request.target);
  if (!url) return Error::InvalidArgument("the request target is malformed");
  StreamQuery query;
  for (auto param : url->params()) {
    if (param.key == "eventType") {
      SB_TRY(AddTypes(param.value, query.types));
    } else if (param.key == "jobId") {
      query.job_id = param.value;
    } else if (param.key == "workerId") {
      query.worker_id = param.value;
    } else if (param.key == "queueId") {
      query.queue_id = param.value;
    } else if (param.key == "schema") {
      if (param.value == "CloudEventSchemaV1_0") {
        query.schema = DeliverySchema::kCloudEvents;
      } else if (param.value != "EventGridSchema") {
        return Error::InvalidArgument("schema must be EventGridSchema or CloudEventSchemaV1_0",
                                      "schema");
      }
    } else if (param.key == "lastEventId") {
      auto seq = ParseSeq(param.value);
      if (!seq) return std::move(seq).error();
      query.last_event_id = *seq;
    }
  }
  if (request.has_header("Last-Event-ID")) {  // the header wins: EventSource sends it on reconnect
    auto seq = ParseSeq(request.header("Last-Event-ID"));
    if (!seq) return std::move(seq).error();
    query.last_event_id = *seq;
  }
  std::sort(query.types.begin(), query.types.end());
  query.types.erase(std::unique(query.types.begin(), query.types.end()), query.types.end());
  return query;
}

std::string SseFrame(std::uint64_t seq, const OutboxRecord& record, DeliverySchema schema,
                     std::string_view topic) {
  // The event JSON holds no raw newline (JSON escapes them), so it is one data line.
  const std::string event = schema == DeliverySchema::kCloudEvents ? CloudEvent(record, topic)
                                                                   : EventGridEvent(record, topic);
  return "id: " + std::to_string(seq) + "\nevent: " + EventGridType(record.type) +
         "\ndata: " + event + "\n\n";
}

LiveStreams::LiveStreams(store::EventStore& store, Dispatcher& dispatcher,
                         LiveStreamOptions options)
    : store_(store),
      dispatcher_(dispatcher),
      options_(std::move(options)),
      heartbeat_(dispatcher.executor()) {}

void LiveStreams::Start() {
  dispatcher_.SetNewEventsListener([this] { FanOut(); });
  dispatcher_.SetTrimFloor([this] { return tail_; });
  dispatcher_.SetStopListener([this] { CloseAll(); });
  dispatcher_.Post([this] {
    auto last = store_.LastOutboxSeq();
    tail_ = last ? *last : 0;
    Heartbeat();
  });
}

void LiveStreams::Open(const http::Request& request, http::Responder respond) {
  auto query = ParseStreamQuery(request);
  if (!query) return respond(wire::ErrorResponse(query.error()));
  if (request.method == "HEAD") {
    http::Response head;
    head.headers = {{"Content-Type", "text/event-stream; charset=utf-8"}};
    return respond(std::move(head));
  }
  dispatcher_.Post([this, q = std::move(*query), respond = std::move(respond)]() mutable {
    Prune();
    if (stopped_ || streams_.size() + reserved_->load() >= options_.max_streams) {
      http::Response busy =
          wire::ErrorResponse(503, "too many event streams are open; try again later");
      busy.headers.push_back({"Retry-After", "5"});
      return respond(std::move(busy));
    }
    respond(StreamingResponse(std::move(q)));
  });
}

http::Response LiveStreams::StreamingResponse(StreamQuery query) {
  http::Response response;
  response.headers = {{"Content-Type", "text/event-stream; charset=utf-8"},
                      {"Cache-Control", "no-cache"},
                      {"X-Accel-Buffering", "no"}};
  response.stream_backlog_bytes = options_.backlog_bytes;
  auto reservation = std::make_shared<Reservation>(reserved_);
  response.stream = [this, query = std::move(query),
                     reservation](std::shared_ptr<http::StreamWriter> writer) {
    auto stream = std::make_shared<Stream>();
    stream->writer = std::move(writer);
    stream->query = query;
    stream->writer->Write("retry: 2000\n: connected\n\n");
    dispatcher_.Post([this, stream, reservation] {
      reservation->Release();
      Attach(stream);
    });
  };
  return response;
}

void LiveStreams::Stop() {
  stopped_ = true;
  dispatcher_.Call([this] { CloseAll(); });
}

void LiveStreams::CloseAll() {
  stopped_ = true;
  heartbeat_.cancel();
  for (const auto& stream : streams_) {
    if (stream->pause) stream->pause->cancel();
    stream->writer->Close();
  }
  streams_.clear();
  open_ = 0;
}

void LiveStreams::Attach(const std::shared_ptr<Stream>& stream) {
  if (stopped_) {
    stream->writer->Close();
    return;
  }
  streams_.push_back(stream);
  open_ = streams_.size();
  if (!stream->query.last_event_id || *stream->query.last_event_id >= tail_) {
    stream->sent_through = tail_;
    return;
  }
  stream->sent_through = *stream->query.last_event_id;
  stream->replaying = true;
  Replay(stream);
}

// Sends what the stream missed, from the outbox, up to the live tail; paced so that the
// transport's backlog never fills.
void LiveStreams::Replay(const std::shared_ptr<Stream>& stream) {
  while (stream->sent_through < tail_ && !stream->writer->closed()) {
    if (stream->writer->queued_bytes() > options_.backlog_bytes / 2) {
      if (!stream->pause)
        stream->pause = std::make_unique<boost::asio::steady_timer>(dispatcher_.executor());
      stream->pause->expires_after(kReplayPause);
      stream->pause->async_wait([this, stream](const boost::system::error_code& ec) {
        if (!ec) Replay(stream);
      });
      return;
    }
    auto read = store_.ReadOutbox(stream->sent_through, kReadBatch);
    if (!read || read->empty()) break;
    if (read->front().seq > stream->sent_through + 1) {
      stream->writer->Write(": events " + std::to_string(stream->sent_through + 1) + " to " +
                            std::to_string(read->front().seq - 1) + " are no longer retained\n\n");
    }
    for (const store::OutboxEvent& event : *read) {
      if (event.seq > tail_) break;
      Frames frames;
      if (auto record = DecodeOutboxRecord(event.data)) Send(*stream, event.seq, *record, frames);
      stream->sent_through = event.seq;
    }
  }
  stream->sent_through = std::max(stream->sent_through, tail_);
  stream->replaying = false;
}

void LiveStreams::FanOut() {
  if (streams_.empty()) {  // nobody listens: only the position moves on
    if (auto last = store_.LastOutboxSeq()) tail_ = std::max(tail_, *last);
    return;
  }
  for (;;) {
    auto read = store_.ReadOutbox(tail_, kReadBatch);
    if (!read) {
      Log(LogLevel::kError, "events: live stream cannot read the outbox: " + read.error().message);
      break;
    }
    for (const store::OutboxEvent& event : *read) {
      auto record = DecodeOutboxRecord(event.data);
      Frames frames;
      for (const auto& stream : streams_) {
        if (stream->replaying || stream->sent_through != tail_) continue;
        if (record) Send(*stream, event.seq, *record, frames);
        stream->sent_through = event.seq;
      }
      tail_ = event.seq;
    }
    if (read->size() < kReadBatch) break;
  }
  Prune();
}

bool LiveStreams::Send(Stream& stream, std::uint64_t seq, const OutboxRecord& record,
                       Frames& frames) {
  if (!stream.query.Matches(record)) return true;
  const DeliverySchema schema = stream.query.schema;
  std::optional<std::string>& frame =
      schema == DeliverySchema::kCloudEvents ? frames.cloud_events : frames.event_grid;
  if (!frame) frame = SseFrame(seq, record, schema, options_.topic);
  return stream.writer->Write(*frame);
}

void LiveStreams::Heartbeat() {
  if (stopped_) return;
  for (const auto& stream : streams_) stream->writer->Write(": heartbeat\n\n");
  Prune();
  heartbeat_.expires_after(std::chrono::microseconds(options_.heartbeat.micros()));
  heartbeat_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Heartbeat();
  });
}

void LiveStreams::Prune() {
  std::erase_if(streams_, [](const auto& stream) {
    if (!stream->writer->closed()) return false;
    if (stream->pause) stream->pause->cancel();
    return true;
  });
  open_ = streams_.size();
}

}  // namespace sb::events
