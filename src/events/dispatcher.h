// Dispatcher: delivers the outbox's events to webhook subscriptions, at least once, without
// ever blocking the engine. It runs on its own thread and io_context and uses the store's
// events side only (EventStore), so the committer keeps committing while it reads.
//
// Per subscription it keeps a durable progress mark: every outbox event at or before it is
// settled - delivered (a 200-204 answer), filtered out, waiting as a pending retry, or dead-
// lettered. A failed event becomes a retry record (with its own copy of the event) in the same
// store transaction that moves progress past it, so a crash repeats deliveries but never loses
// one; after a restart a new Dispatcher over the same store resumes from the progress marks
// and the retry records, with the same event ids. Attempts run concurrently (a bounded number
// per subscription), so subscribers may see events out of order, as with Event Grid.
//
// Retries follow Event Grid's schedule (10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, then
// hourly), up to max_delivery_attempts (30) and the event time to live (24 h), all configurable.
// 400, 401, 403 and 413 answers are not retried. An event that runs out is dead-lettered: kept,
// with the reason, and listable through the admin API.
//
// A subscription receives nothing until its endpoint passes the validation handshake: the
// Event Grid SubscriptionValidationEvent (the endpoint answers 200 with the validationCode) or,
// for CloudEvents, the OPTIONS abuse-protection handshake (WebHook-Request-Origin answered by
// WebHook-Allowed-Origin). A failed handshake is retried on the retry schedule; events wait
// for it (up to their time to live).
//
// Housekeeping, every housekeeping_interval: the outbox is trimmed through the lowest progress
// mark of all subscriptions, but never inside the retention window kept for live-stream resume
// (events younger than retention.max_age, or among the newest retention.max_events - whichever
// keeps fewer); dead letters beyond the per-subscription limit are dropped, oldest first.
//
// Threading: Start, Stop, Notify, Post and Call are safe from any thread (Call not from the
// events thread itself). The SubscriptionAdmin methods must run on the events thread: reach
// them through Post or Call.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <type_traits>

#include "events/admin.h"
#include "outbound/endpoint.h"
#include "outbound/http_client.h"
#include "events/outbox_record.h"
#include "events/subscription.h"
#include "store/store.h"

namespace sb::events {

struct RetryPolicy {
  // The wait after the 1st, 2nd, ... failed attempt; the last entry repeats.
  std::vector<Duration> schedule = {
      Duration::Seconds(10), Duration::Seconds(30), Duration::Minutes(1), Duration::Minutes(5),
      Duration::Minutes(10), Duration::Minutes(30), Duration::Minutes(60)};
  int max_delivery_attempts = 30;
  Duration event_ttl = Duration::Minutes(24 * 60);

  Duration DelayAfter(int failed_attempts) const;
};

// "10s,30s,1m,5m,10m,30m,1h": numbers with a unit of ms, s, m or h.
Result<std::vector<Duration>> ParseDurationList(std::string_view text);
Result<Duration> ParseDuration(std::string_view text);

struct Retention {
  Duration max_age = Duration::Minutes(24 * 60);
  std::uint64_t max_events = 100'000;
};

struct DispatcherOptions {
  std::string topic;                           // Event Grid `topic`, CloudEvents `source`
  std::string origin = "eventgrid.azure.net";  // WebHook-Request-Origin and Origin (CloudEvents)
  RetryPolicy retry;
  Retention retention;
  outbound::ClientOptions client;
  std::size_t max_in_flight_per_subscription = 16;
  std::size_t max_subscriptions = 100;
  std::size_t max_dead_letters_per_subscription = 10'000;
  Duration housekeeping_interval = Duration::Seconds(10);
  std::function<Timestamp()> clock;  // empty: the system clock
};

class Dispatcher final : public SubscriptionAdmin {
 public:
  // Fails when the client's CA bundle cannot be read.
  static Result<std::unique_ptr<Dispatcher>> Create(store::EventStore& store,
                                                    DispatcherOptions options);
  ~Dispatcher() override;
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Loads subscriptions, progress and retries, and starts the events thread.
  Status Start();
  // Cuts in-flight attempts short (they count as not made), persists progress, joins.
  void Stop();
  // New events were committed to the outbox.
  void Notify();

  void Post(std::function<void()> work);
  // The events thread's executor, for timers of components that live on it (the live stream).
  boost::asio::io_context::executor_type executor() { return io_.get_executor(); }
  // Called on the events thread after each Notify (once the subscriptions have been pumped).
  // Set before Start.
  void SetNewEventsListener(std::function<void()> listener) { listener_ = std::move(listener); }
  // Called on the events thread when Stop begins, so components living there cancel their
  // timers and the thread can finish. Set before Start.
  void SetStopListener(std::function<void()> listener) { stop_listener_ = std::move(listener); }
  // The outbox is never trimmed beyond this (the live stream's tail). Set before Start.
  void SetTrimFloor(std::function<std::uint64_t()> floor) { trim_floor_ = std::move(floor); }
  // Runs `work` on the events thread and returns its result (inline before Start).
  template <class F>
  std::invoke_result_t<F&> Call(F work);

  // SubscriptionAdmin: events thread only.
  std::vector<SubscriptionView> ListSubscriptions() override;
  Result<SubscriptionView> GetSubscription(std::string_view id) override;
  Result<PutResult> PutSubscription(SubscriptionSpec spec) override;
  Status DeleteSubscription(std::string_view id) override;
  Result<std::vector<store::DeadLetterRecord>> ListDeadLetters(std::string_view id,
                                                               std::uint64_t after_seq,
                                                               std::size_t limit) override;
  const std::string& topic() const override { return options_.topic; }

  const DispatcherOptions& options() const { return options_; }

 private:
  struct Retry {
    store::RetryRecord record;
    Timestamp event_time;
    bool in_flight = false;
  };
  struct Sub {
    Subscription stored;
    outbound::Endpoint endpoint;
    std::uint64_t incarnation = 0;       // a new one per create: a late result of a deleted
                                         // and re-created subscription is not applied to it
    std::uint64_t validation_epoch = 0;  // a new one per handshake started; older results lose
    int validation_attempts = 0;
    std::optional<Timestamp> next_validation_at;
    bool validating = false;
    std::string validation_error;
    std::uint64_t persisted_progress = 0;
    std::uint64_t read_through = 0;     // the highest outbox seq taken up
    std::set<std::uint64_t> unsettled;  // fresh attempts in flight
    std::map<std::uint64_t, Retry> retries;
    std::set<std::pair<std::int64_t, std::uint64_t>> retries_due;  // (next attempt us, seq)
    std::size_t in_flight = 0;                                     // fresh attempts and retries
    std::uint64_t delivered = 0;
    std::uint64_t failed_attempts = 0;
    std::string last_error;
    std::optional<Timestamp> last_error_at;

    std::uint64_t progress() const {
      return unsettled.empty() ? read_through : *unsettled.begin() - 1;
    }
  };
  struct Attempt {
    std::string subscription_id;
    std::uint64_t incarnation = 0;
    std::uint64_t seq = 0;
    std::string encoded;  // the outbox entry
    OutboxRecord record;
    int number = 1;  // 1 for the first attempt
    bool retry = false;
  };
  struct Outcome {
    bool delivered = false;
    bool retryable = true;
    std::string description;  // "HTTP 503", "connect: Connection refused", ...
  };

  Dispatcher(store::EventStore& store, DispatcherOptions options,
             std::unique_ptr<outbound::HttpClient> client);
  Timestamp Now() const;
  Sub* Find(std::string_view id, std::uint64_t incarnation);
  int MaxAttempts(const Sub& sub) const;
  Duration Ttl(const Sub& sub) const;
  SubscriptionView ViewOf(const Sub& sub);
  Status Load();
  void Run();

  // Delivery (dispatcher_delivery.cc).
  void PumpAll();
  void Pump(Sub& sub);
  void StartDueRetries(Sub& sub, Timestamp now);
  void Launch(Attempt attempt);
  boost::asio::awaitable<void> Deliver(Attempt attempt);
  outbound::ClientRequest DeliveryRequest(const Sub& sub, const Attempt& attempt) const;
  Outcome Classify(const Result<outbound::ClientResponse>& response) const;
  void OnAttemptDone(Attempt attempt, Outcome outcome);
  void RecordFailure(Sub& sub, Attempt& attempt, const Outcome& outcome, Timestamp now);
  void DeadLetter(Sub& sub, std::uint64_t seq, std::string encoded, std::string reason,
                  int attempts, std::string last_outcome, Timestamp now);
  void ScheduleFlush();
  void Flush();

  // Validation handshakes and housekeeping (dispatcher_upkeep.cc).
  void StartValidation(Sub& sub);
  boost::asio::awaitable<void> Validate(std::string id, std::uint64_t incarnation,
                                        std::uint64_t epoch);
  outbound::ClientRequest HandshakeRequest(DeliverySchema schema, const std::string& subscription_id,
                                 std::string& code);
  Status JudgeHandshake(DeliverySchema schema, const std::string& code,
                        const Result<outbound::ClientResponse>& response) const;
  void OnValidated(Sub& sub, const Status& outcome);
  void Persist(const Sub& sub);
  void ArmWake();
  void OnWake();
  void Housekeeping(Timestamp now);
  void ExpireWhileUnvalidated(Sub& sub, Timestamp now);
  void TrimOutbox(Timestamp now);

  store::EventStore& store_;
  DispatcherOptions options_;
  boost::asio::io_context io_;
  std::unique_ptr<outbound::HttpClient> client_;
  boost::asio::steady_timer wake_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> notify_posted_{false};
  std::function<void()> listener_;
  std::function<std::uint64_t()> trim_floor_;
  std::function<void()> stop_listener_;
  bool stopping_ = false;

  std::map<std::string, std::unique_ptr<Sub>, std::less<>> subs_;
  std::uint64_t next_incarnation_ = 1;
  store::DeliveryBatch pending_;
  bool flush_posted_ = false;
  std::optional<Timestamp> flush_retry_at_;
  Timestamp next_housekeeping_;
  EventIdSource ids_;
};

template <class F>
std::invoke_result_t<F&> Dispatcher::Call(F work) {
  using R = std::invoke_result_t<F&>;
  if (!running_) return work();
  SB_ASSERT(std::this_thread::get_id() != thread_.get_id());
  std::promise<R> promise;
  std::future<R> future = promise.get_future();
  Post([&] {
    if constexpr (std::is_void_v<R>) {
      work();
      promise.set_value();
    } else {
      promise.set_value(work());
    }
  });
  return future.get();
}

}  // namespace sb::events
