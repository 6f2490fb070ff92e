// Dispatcher: taking events up from the outbox, delivery attempts, their outcomes, retries,
// dead letters, and the bookkeeping flushed to the store.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "base/log.h"
#include "events/dispatcher.h"

namespace sb::events {
namespace {

constexpr std::size_t kReadBatch = 64;
// A pump looks at this many outbox events at most before yielding to other work.
constexpr std::size_t kMaxEventsPerPump = 4096;

void RethrowAsBug(std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    SB_ASSERT_MSG(false, e.what());
  }
}

}  // namespace

void Dispatcher::PumpAll() {
  for (auto& [id, sub] : subs_) Pump(*sub);
}

void Dispatcher::Pump(Sub& sub) {
  if (stopping_ || sub.stored.validation != ValidationState::kValidated) return;
  const Timestamp now = Now();
  StartDueRetries(sub, now);
  const std::uint64_t before = sub.progress();
  const std::size_t max_in_flight = options_.max_in_flight_per_subscription;
  std::size_t budget = kMaxEventsPerPump;
  bool more = true;
  while (more && budget > 0 && sub.in_flight < max_in_flight) {
    auto read = store_.ReadOutbox(sub.read_through, kReadBatch);
    if (!read) {
      Log(LogLevel::kError, "events: cannot read the outbox: " + read.error().message);
      break;
    }
    for (store::OutboxEvent& event : *read) {
      if (budget == 0) break;
      --budget;
      auto record = DecodeOutboxRecord(event.data);
      if (!record) {
        Log(LogLevel::kError,
            "events: outbox entry " + std::to_string(event.seq) + ": " + record.error().message);
        sub.read_through = event.seq;
        continue;
      }
      if (!sub.stored.spec.Matches(record->type)) {
        sub.read_through = event.seq;
        continue;
      }
      if (sub.in_flight >= max_in_flight) {
        more = false;
        break;
      }
      sub.read_through = event.seq;
      if (now - record->time >= Ttl(sub)) {
        DeadLetter(sub, event.seq, std::move(event.data), "TimeToLiveExceeded", 0,
                   "not attempted within the event time to live", now);
        continue;
      }
      sub.unsettled.insert(event.seq);
      Launch(Attempt{sub.stored.spec.id, sub.incarnation, event.seq, std::move(event.data),
                     std::move(*record), 1, false});
    }
    if (read->size() < kReadBatch) break;
  }
  if (budget == 0) {
    Post([this, id = sub.stored.spec.id, incarnation = sub.incarnation] {
      if (Sub* again = Find(id, incarnation)) Pump(*again);
    });
  }
  if (sub.progress() != before) ScheduleFlush();
}

void Dispatcher::StartDueRetries(Sub& sub, Timestamp now) {
  while (!sub.retries_due.empty() && sub.in_flight < options_.max_in_flight_per_subscription) {
    const auto [due_us, seq] = *sub.retries_due.begin();
    if (due_us > now.unix_micros()) return;
    sub.retries_due.erase(sub.retries_due.begin());
    Retry& retry = sub.retries.at(seq);
    if (now - retry.event_time >= Ttl(sub)) {
      DeadLetter(sub, seq, retry.record.event, "TimeToLiveExceeded", retry.record.attempts,
                 retry.record.last_outcome, now);
      sub.retries.erase(seq);
      continue;
    }
    auto record = DecodeOutboxRecord(retry.record.event);
    SB_ASSERT(record.ok());  // decoded when it was loaded or first attempted
    retry.in_flight = true;
    Launch(Attempt{sub.stored.spec.id, sub.incarnation, seq, retry.record.event, std::move(*record),
                   retry.record.attempts + 1, true});
  }
}

void Dispatcher::Launch(Attempt attempt) {
  Sub* sub = Find(attempt.subscription_id, attempt.incarnation);
  SB_ASSERT(sub != nullptr);
  ++sub->in_flight;
  boost::asio::co_spawn(io_, Deliver(std::move(attempt)), RethrowAsBug);
}

boost::asio::awaitable<void> Dispatcher::Deliver(Attempt attempt) {
  const Sub* sub = Find(attempt.subscription_id, attempt.incarnation);
  if (!sub) co_return;
  const outbound::Endpoint endpoint = sub->endpoint;  // the subscription may change while this waits
  outbound::ClientRequest request = DeliveryRequest(*sub, attempt);
  Result<outbound::ClientResponse> response = co_await client_->Send(endpoint, std::move(request));
  Outcome outcome = Classify(response);
  OnAttemptDone(std::move(attempt), std::move(outcome));
}

outbound::ClientRequest Dispatcher::DeliveryRequest(const Sub& sub, const Attempt& attempt) const {
  const DeliverySchema schema = sub.stored.spec.schema;
  outbound::ClientRequest request;
  request.body = DeliveryBody(attempt.record, schema, options_.topic);
  request.headers.push_back({"Content-Type", DeliveryContentType(schema)});
  if (schema == DeliverySchema::kEventGrid) {
    request.headers.push_back({"aeg-event-type", "Notification"});
    request.headers.push_back({"aeg-data-version", "1.0"});
    request.headers.push_back({"aeg-metadata-version", "1"});
  } else {
    request.headers.push_back({"Origin", options_.origin});
  }
  request.headers.push_back({"aeg-subscription-name", attempt.subscription_id});
  request.headers.push_back({"aeg-delivery-count", std::to_string(attempt.number - 1)});
  return request;
}

Dispatcher::Outcome Dispatcher::Classify(const Result<outbound::ClientResponse>& response) const {
  if (!response) return {false, true, response.error().message};
  const unsigned status = response->status;
  const std::string description = "HTTP " + std::to_string(status);
  if (status >= 200 && status <= 204) return {true, true, description};
  // Event Grid does not retry these for webhooks: the request itself is at fault.
  const bool retryable = status != 400 && status != 401 && status != 403 && status != 413;
  return {false, retryable, description};
}

void Dispatcher::OnAttemptDone(Attempt attempt, Outcome outcome) {
  Sub* sub = Find(attempt.subscription_id, attempt.incarnation);
  if (!sub) return;  // deleted meanwhile
  --sub->in_flight;
  if (stopping_ && !outcome.delivered) {
    // Cut short by Stop: not an attempt. A fresh event stays unsettled (progress stays before
    // it, so it is sent again after a restart); a retry keeps its record as it was.
    if (attempt.retry) sub->retries.at(attempt.seq).in_flight = false;
    return;
  }
  const Timestamp now = Now();
  if (outcome.delivered) {
    ++sub->delivered;
    if (attempt.retry) {
      pending_.retries_done.push_back({attempt.subscription_id, attempt.seq});
      sub->retries.erase(attempt.seq);
    }
  } else {
    RecordFailure(*sub, attempt, outcome, now);
  }
  if (!attempt.retry) sub->unsettled.erase(attempt.seq);
  ScheduleFlush();
  Pump(*sub);
}

void Dispatcher::RecordFailure(Sub& sub, Attempt& attempt, const Outcome& outcome, Timestamp now) {
  ++sub.failed_attempts;
  sub.last_error = outcome.description;
  sub.last_error_at = now;
  std::string reason;
  if (!outcome.retryable) {
    reason = "NonRetryableStatusCode";
  } else if (attempt.number >= MaxAttempts(sub)) {
    reason = "MaxDeliveryAttemptsExceeded";
  } else if (now - attempt.record.time >= Ttl(sub)) {
    reason = "TimeToLiveExceeded";
  }
  if (!reason.empty()) {
    DeadLetter(sub, attempt.seq, std::move(attempt.encoded), std::move(reason), attempt.number,
               outcome.description, now);
    sub.retries.erase(attempt.seq);
    return;
  }
  const Timestamp next = now + options_.retry.DelayAfter(attempt.number);
  store::RetryRecord record{attempt.subscription_id, attempt.seq, std::move(attempt.encoded),
                            attempt.number,          next,        outcome.description};
  pending_.retries.push_back(record);
  sub.retries_due.insert({next.unix_micros(), attempt.seq});
  sub.retries[attempt.seq] = Retry{std::move(record), attempt.record.time, false};
  ArmWake();
}

void Dispatcher::DeadLetter(Sub& sub, std::uint64_t seq, std::string encoded, std::string reason,
                            int attempts, std::string last_outcome, Timestamp now) {
  Log(LogLevel::kWarn, "events: subscription " + sub.stored.spec.id +
                           " dead-lettered outbox entry " + std::to_string(seq) + " (" + reason +
                           ", " + last_outcome + ")");
  pending_.dead_letters.push_back({sub.stored.spec.id, seq, std::move(encoded), std::move(reason),
                                   attempts, std::move(last_outcome), now, now});
  ScheduleFlush();
}

void Dispatcher::ScheduleFlush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  Post([this] {
    flush_posted_ = false;
    Flush();
  });
}

void Dispatcher::Flush() {
  store::DeliveryBatch batch = std::move(pending_);
  pending_ = {};
  std::vector<std::pair<Sub*, std::uint64_t>> marks;
  for (auto& [id, sub] : subs_) {
    const std::uint64_t progress = sub->progress();
    if (progress == sub->persisted_progress) continue;
    batch.progress[id] = progress;
    marks.emplace_back(sub.get(), progress);
  }
  if (batch.empty()) return;
  if (Status applied = store_.ApplyDelivery(batch); !applied) {
    Log(LogLevel::kError,
        "events: cannot record delivery progress (will retry): " + applied.error().message);
    batch.progress.clear();  // recomputed next time
    pending_ = std::move(batch);
    flush_retry_at_ = Now() + Duration::Seconds(1);
    ArmWake();
    return;
  }
  for (auto& [sub, progress] : marks) sub->persisted_progress = progress;
  flush_retry_at_.reset();
}

}  // namespace sb::events
