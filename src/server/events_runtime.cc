#include "server/events_runtime.h"

#include <fstream>
#include <sstream>

#include "base/log.h"
#include "events/admin.h"
#include "wire/errors.h"

namespace sb::server {
namespace {

// A positive duration (retention may be zero).
Result<Duration> DurationFlag(const std::string& flag, const std::string& value,
                              bool zero_allowed = false) {
  auto duration = events::ParseDuration(value);
  if (!duration) return Error::InvalidArgument(flag + ": " + duration.error().message);
  if (!zero_allowed && duration->micros() == 0) {
    return Error::InvalidArgument(flag + " must be more than zero");
  }
  return *duration;
}

Status ApplySubscriptionsFile(events::Dispatcher& dispatcher, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::InvalidArgument("--subscriptions: cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto specs = events::ParseSubscriptionsFile(text.str());
  if (!specs)
    return Error::InvalidArgument("--subscriptions " + path + ": " + specs.error().message);
  for (events::SubscriptionSpec& spec : *specs) {
    const std::string id = spec.id;
    auto put = dispatcher.Call([&] { return dispatcher.PutSubscription(std::move(spec)); });
    if (!put) return Error::InvalidArgument("--subscriptions: " + id + ": " + put.error().message);
    Log(LogLevel::kInfo,
        "events: subscription " + id + (put->created ? " created" : " kept") + " from " + path);
  }
  return Ok{};
}

}  // namespace

Result<events::DispatcherOptions> DispatcherOptionsFrom(const ServeConfig& config) {
  events::DispatcherOptions options;
  options.topic = config.event_topic;
  options.origin = config.event_origin;
  auto schedule = events::ParseDurationList(config.event_retry_schedule);
  if (!schedule)
    return Error::InvalidArgument("--event-retry-schedule: " + schedule.error().message);
  options.retry.schedule = *schedule;
  if (config.event_max_delivery_attempts < 1 || config.event_max_delivery_attempts > 30) {
    return Error::InvalidArgument("--event-max-delivery-attempts must be from 1 to 30");
  }
  options.retry.max_delivery_attempts = config.event_max_delivery_attempts;
  auto ttl = DurationFlag("--event-ttl", config.event_ttl);
  if (!ttl) return std::move(ttl).error();
  options.retry.event_ttl = *ttl;
  auto timeout = DurationFlag("--event-delivery-timeout", config.event_delivery_timeout);
  if (!timeout) return std::move(timeout).error();
  options.client.timeout = *timeout;
  auto retention = DurationFlag("--event-retention", config.event_retention, true);
  if (!retention) return std::move(retention).error();
  options.retention.max_age = *retention;
  options.retention.max_events = config.event_retention_events;
  auto guard = outbound::AddressGuard::FromAllowList(config.outbound_allow);
  if (!guard) return Error::InvalidArgument("--outbound-allow: " + guard.error().message);
  options.client.guard = std::move(*guard);
  options.client.ca_file = config.outbound_ca_file;
  options.max_subscriptions = config.event_max_subscriptions;
  return options;
}

Result<std::unique_ptr<EventsRuntime>> EventsRuntime::Create(store::Store& store,
                                                             const ServeConfig& config) {
  auto options = DispatcherOptionsFrom(config);
  if (!options) return std::move(options).error();
  auto heartbeat = DurationFlag("--event-stream-heartbeat", config.event_stream_heartbeat);
  if (!heartbeat) return std::move(heartbeat).error();
  std::unique_ptr<EventsRuntime> runtime(new EventsRuntime());
  auto dispatcher = events::Dispatcher::Create(store.events(), std::move(*options));
  if (!dispatcher) return std::move(dispatcher).error();
  runtime->dispatcher_ = std::move(*dispatcher);
  events::LiveStreamOptions live;
  live.topic = config.event_topic;
  live.max_streams = config.event_max_streams;
  live.heartbeat = *heartbeat;
  live.backlog_bytes = config.event_stream_backlog_bytes;
  runtime->live_ =
      std::make_unique<events::LiveStreams>(store.events(), *runtime->dispatcher_, live);
  return runtime;
}

EventsRuntime::~EventsRuntime() { Stop(); }

Status EventsRuntime::Start(const ServeConfig& config) {
  live_->Start();
  SB_TRY(dispatcher_->Start());
  if (!config.subscriptions_file.empty()) {
    SB_TRY(ApplySubscriptionsFile(*dispatcher_, config.subscriptions_file));
  }
  return Ok{};
}

void EventsRuntime::Stop() {
  if (stopped_ || !dispatcher_) return;
  stopped_ = true;
  live_->Stop();
  dispatcher_->Stop();
}

bool EventsRuntime::Route(http::Request& request, http::Responder& respond) {
  if (events::IsAdminTarget(request.target)) {
    dispatcher_->Post([dispatcher = dispatcher_.get(), request = std::move(request),
                       respond = std::move(respond)] {
      respond(events::HandleAdminRequest(*dispatcher, request));
    });
    return true;
  }
  if (events::IsLiveStreamTarget(request.target)) {
    if (request.method != "GET" && request.method != "HEAD") {
      respond(wire::ErrorResponse(405, "the live stream is read with GET"));
    } else {
      live_->Open(request, std::move(respond));
    }
    return true;
  }
  return false;
}

}  // namespace sb::server
