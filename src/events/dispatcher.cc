// Dispatcher: lifecycle, loading, the subscriptions admin operations, and small helpers.
// Delivery is in dispatcher_delivery.cc; handshakes and housekeeping in dispatcher_upkeep.cc.
#include "events/dispatcher.h"

#include <boost/asio/post.hpp>

#include <charconv>
#include <chrono>

#include "base/log.h"

namespace sb::events {

Duration RetryPolicy::DelayAfter(int failed_attempts) const {
  if (schedule.empty()) return Duration::Seconds(10);
  const std::size_t index = static_cast<std::size_t>(std::max(1, failed_attempts)) - 1;
  return schedule[std::min(index, schedule.size() - 1)];
}

Result<Duration> ParseDuration(std::string_view text) {
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  const auto bad = Error::InvalidArgument("'" + std::string(text) +
                                          "' is not a duration (a number with ms, s, m or h)");
  if (ec != std::errc() || end == text.data() || number < 0 || number > 10'000'000) return bad;
  if (unit == "ms") return Duration::Millis(number);
  if (unit == "s") return Duration::Seconds(number);
  if (unit == "m") return Duration::Minutes(number);
  if (unit == "h") return Duration::Minutes(number * 60);
  return bad;
}

Result<std::vector<Duration>> ParseDurationList(std::string_view text) {
  std::vector<Duration> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    auto duration = ParseDuration(text.substr(0, comma));
    if (!duration) return std::move(duration).error();
    out.push_back(*duration);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  if (out.empty()) return Error::InvalidArgument("the retry schedule is empty");
  return out;
}

Result<std::unique_ptr<Dispatcher>> Dispatcher::Create(store::EventStore& store,
                                                       DispatcherOptions options) {
  // The client is created on the dispatcher's io_context, which the constructor makes first.
  std::unique_ptr<Dispatcher> dispatcher(new Dispatcher(store, std::move(options), nullptr));
  auto client = outbound::HttpClient::Create(dispatcher->io_, dispatcher->options_.client);
  if (!client) return std::move(client).error();
  dispatcher->client_ = std::move(*client);
  return dispatcher;
}

Dispatcher::Dispatcher(store::EventStore& store, DispatcherOptions options,
                       std::unique_ptr<outbound::HttpClient> client)
    : store_(store), options_(std::move(options)), client_(std::move(client)), wake_(io_) {}

Dispatcher::~Dispatcher() { Stop(); }

Timestamp Dispatcher::Now() const {
  if (options_.clock) return options_.clock();
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp::FromUnixMicros(
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
}

Status Dispatcher::Start() {
  SB_ASSERT(!running_ && !thread_.joinable());
  SB_TRY(Load());
  work_.emplace(io_.get_executor());
  next_housekeeping_ = Now() + options_.housekeeping_interval;
  boost::asio::post(io_, [this] {
    for (auto& [id, sub] : subs_) {
      if (sub->stored.validation != ValidationState::kValidated) StartValidation(*sub);
    }
    PumpAll();
    ArmWake();
  });
  running_ = true;
  thread_ = std::thread([this] { Run(); });
  return Ok{};
}

void Dispatcher::Run() {
  io_.run();
  Flush();  // what the last attempts settled
}

void Dispatcher::Stop() {
  if (!thread_.joinable()) return;
  running_ = false;
  boost::asio::post(io_, [this] {
    stopping_ = true;
    wake_.cancel();
    client_->Shutdown();
    if (stop_listener_) stop_listener_();
  });
  work_.reset();
  thread_.join();
  io_.restart();
  io_.poll();  // work posted while stopping (admin calls) runs here, on the caller's thread
}

void Dispatcher::Notify() {
  if (notify_posted_.exchange(true)) return;
  boost::asio::post(io_, [this] {
    notify_posted_ = false;
    PumpAll();
    if (listener_ && !stopping_) listener_();
  });
}

void Dispatcher::Post(std::function<void()> work) { boost::asio::post(io_, std::move(work)); }

Status Dispatcher::Load() {
  auto stored = store_.LoadSubscriptions();
  if (!stored) return std::move(stored).error();
  auto progress = store_.LoadProgress();
  if (!progress) return std::move(progress).error();
  for (const store::SubscriptionRecord& record : *stored) {
    auto subscription = DecodeSubscription(record.data);
    if (!subscription) return std::move(subscription).error();
    auto endpoint = outbound::ParseEndpoint(subscription->spec.endpoint_url);
    if (!endpoint) return std::move(endpoint).error();
    auto sub = std::make_unique<Sub>();
    sub->stored = std::move(*subscription);
    sub->endpoint = std::move(*endpoint);
    sub->incarnation = next_incarnation_++;
    auto mark = progress->find(record.id);
    sub->persisted_progress = sub->read_through = mark == progress->end() ? 0 : mark->second;
    subs_[record.id] = std::move(sub);
  }
  auto retries = store_.LoadRetries();
  if (!retries) return std::move(retries).error();
  for (store::RetryRecord& record : *retries) {
    auto it = subs_.find(record.subscription_id);
    auto decoded = DecodeOutboxRecord(record.event);
    if (it == subs_.end() || !decoded) continue;  // orphaned or unreadable: nothing to send
    Sub& sub = *it->second;
    sub.retries_due.insert({record.next_attempt_at.unix_micros(), record.seq});
    const std::uint64_t seq = record.seq;
    sub.retries[seq] = Retry{std::move(record), decoded->time, false};
  }
  return Ok{};
}

Dispatcher::Sub* Dispatcher::Find(std::string_view id, std::uint64_t incarnation) {
  auto it = subs_.find(id);
  if (it == subs_.end() || (incarnation != 0 && it->second->incarnation != incarnation)) {
    return nullptr;
  }
  return it->second.get();
}

int Dispatcher::MaxAttempts(const Sub& sub) const {
  return sub.stored.spec.max_delivery_attempts.value_or(options_.retry.max_delivery_attempts);
}

Duration Dispatcher::Ttl(const Sub& sub) const {
  if (sub.stored.spec.event_ttl_minutes)
    return Duration::Minutes(*sub.stored.spec.event_ttl_minutes);
  return options_.retry.event_ttl;
}

SubscriptionView Dispatcher::ViewOf(const Sub& sub) {
  SubscriptionView view;
  view.subscription = sub.stored;
  view.validation_attempts = sub.validation_attempts;
  view.validation_error = sub.validation_error;
  view.next_validation_at = sub.next_validation_at;
  view.delivered_through = sub.persisted_progress;
  view.pending_retries = sub.retries.size();
  view.in_flight = sub.in_flight;
  auto dead = store_.CountDeadLetters(sub.stored.spec.id);
  view.dead_letters = dead ? *dead : 0;
  view.delivered = sub.delivered;
  view.failed_attempts = sub.failed_attempts;
  view.last_error = sub.last_error;
  view.last_error_at = sub.last_error_at;
  return view;
}

std::vector<SubscriptionView> Dispatcher::ListSubscriptions() {
  std::vector<SubscriptionView> out;
  for (const auto& [id, sub] : subs_) out.push_back(ViewOf(*sub));
  return out;
}

Result<SubscriptionView> Dispatcher::GetSubscription(std::string_view id) {
  Sub* sub = Find(id, 0);
  if (!sub) return Error::NotFound("subscription '" + std::string(id) + "' does not exist");
  return ViewOf(*sub);
}

Result<PutResult> Dispatcher::PutSubscription(SubscriptionSpec spec) {
  SB_TRY(CheckSubscriptionId(spec.id));
  auto endpoint = outbound::ParseEndpoint(spec.endpoint_url);
  if (!endpoint) return std::move(endpoint).error();
  boost::system::error_code ec;
  const auto literal = boost::asio::ip::make_address(endpoint->host, ec);
  if (!ec) {
    if (auto why = options_.client.guard.Refusal(literal)) {
      return Error::InvalidArgument(
          "endpointUrl is refused: " + *why + " (allow it with --outbound-allow)", "endpointUrl");
    }
  }
  const Timestamp now = Now();
  if (Sub* sub = Find(spec.id, 0)) {
    if (sub->stored.spec == spec) return PutResult{ViewOf(*sub), false};
    const bool revalidate = sub->stored.spec.endpoint_url != spec.endpoint_url ||
                            sub->stored.spec.schema != spec.schema;
    Subscription updated = sub->stored;
    updated.spec = std::move(spec);
    updated.updated_at = now;
    if (revalidate) {
      updated.validation = ValidationState::kPending;
      updated.validated_at.reset();
    }
    SB_TRY(store_.PutSubscription({updated.spec.id, EncodeSubscription(updated)}, std::nullopt));
    sub->stored = std::move(updated);
    sub->endpoint = std::move(*endpoint);
    if (revalidate) {
      sub->validation_attempts = 0;
      sub->validation_error.clear();
      StartValidation(*sub);
    }
    return PutResult{ViewOf(*sub), false};
  }
  if (subs_.size() >= options_.max_subscriptions) {
    return Error::LimitExceeded("at most " + std::to_string(options_.max_subscriptions) +
                                " subscriptions may exist");
  }
  auto last = store_.LastOutboxSeq();  // a new subscription receives what happens from now on
  if (!last) return std::move(last).error();
  auto sub = std::make_unique<Sub>();
  sub->stored.spec = std::move(spec);
  sub->stored.created_at = sub->stored.updated_at = now;
  sub->endpoint = std::move(*endpoint);
  sub->incarnation = next_incarnation_++;
  sub->persisted_progress = sub->read_through = *last;
  Sub& added = *sub;
  const std::string id = added.stored.spec.id;
  store::SubscriptionRecord record{id, EncodeSubscription(added.stored)};
  SB_TRY(store_.PutSubscription(record, *last));
  subs_[id] = std::move(sub);
  StartValidation(added);
  return PutResult{ViewOf(added), true};
}

Status Dispatcher::DeleteSubscription(std::string_view id) {
  auto it = subs_.find(id);
  if (it == subs_.end()) return Ok{};
  // Bookkeeping not yet flushed for it would bring rows back after the delete.
  pending_.progress.erase(std::string(id));
  std::erase_if(pending_.retries, [&](const auto& r) { return r.subscription_id == id; });
  std::erase_if(pending_.retries_done, [&](const auto& r) { return r.subscription_id == id; });
  std::erase_if(pending_.dead_letters, [&](const auto& d) { return d.subscription_id == id; });
  SB_TRY(store_.DeleteSubscription(id));
  subs_.erase(it);
  ArmWake();
  return Ok{};
}

Result<std::vector<store::DeadLetterRecord>> Dispatcher::ListDeadLetters(std::string_view id,
                                                                         std::uint64_t after_seq,
                                                                         std::size_t limit) {
  if (!Find(id, 0)) return Error::NotFound("subscription '" + std::string(id) + "' does not exist");
  return store_.ListDeadLetters(id, after_seq, limit);
}

void Dispatcher::Persist(const Sub& sub) {
  store::SubscriptionRecord record{sub.stored.spec.id, EncodeSubscription(sub.stored)};
  if (Status put = store_.PutSubscription(record, std::nullopt); !put) {
    Log(LogLevel::kError,
        "events: cannot store subscription " + record.id + ": " + put.error().message);
  }
}

}  // namespace sb::events
