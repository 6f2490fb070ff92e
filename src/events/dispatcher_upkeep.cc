// Dispatcher: the endpoint validation handshakes, the wake-up timer, and housekeeping (events
// that expire while their endpoint is not validated, outbox trimming, dead-letter limits).
#include <boost/asio/co_spawn.hpp>

#include <chrono>
#include <limits>

#include "base/log.h"
#include "events/dispatcher.h"

namespace sb::events {
namespace {

void RethrowAsBug(std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    SB_ASSERT_MSG(false, e.what());
  }
}

std::string_view Trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

void Dispatcher::StartValidation(Sub& sub) {
  if (stopping_) return;
  sub.validating = true;
  sub.next_validation_at.reset();
  const std::uint64_t epoch = ++sub.validation_epoch;
  boost::asio::co_spawn(io_, Validate(sub.stored.spec.id, sub.incarnation, epoch), RethrowAsBug);
}

// Coroutine bodies keep to named locals (see http_client.cc): requests are built and answers
// judged in ordinary functions.
boost::asio::awaitable<void> Dispatcher::Validate(std::string id, std::uint64_t incarnation,
                                                  std::uint64_t epoch) {
  const Sub* sub = Find(id, incarnation);
  if (!sub) co_return;
  const outbound::Endpoint endpoint = sub->endpoint;
  const DeliverySchema schema = sub->stored.spec.schema;
  std::string code;
  outbound::ClientRequest request = HandshakeRequest(schema, id, code);
  Result<outbound::ClientResponse> response = co_await client_->Send(endpoint, std::move(request));
  const Status outcome = JudgeHandshake(schema, code, response);
  Sub* current = Find(id, incarnation);
  if (!current || current->validation_epoch != epoch) co_return;  // superseded
  current->validating = false;
  OnValidated(*current, outcome);
}

outbound::ClientRequest Dispatcher::HandshakeRequest(DeliverySchema schema,
                                           const std::string& subscription_id, std::string& code) {
  outbound::ClientRequest request;
  if (schema == DeliverySchema::kCloudEvents) {
    request.method = "OPTIONS";
    request.headers.push_back({"WebHook-Request-Origin", options_.origin});
    return request;
  }
  code = ids_.Next();
  request.body = SubscriptionValidationBody(ids_.Next(), code, options_.topic, Now());
  request.headers.push_back({"Content-Type", kEventGridContentType});
  request.headers.push_back({"aeg-event-type", "SubscriptionValidation"});
  request.headers.push_back({"aeg-subscription-name", subscription_id});
  request.headers.push_back({"aeg-delivery-count", "0"});
  request.headers.push_back({"aeg-data-version", "1"});
  request.headers.push_back({"aeg-metadata-version", "1"});
  return request;
}

Status Dispatcher::JudgeHandshake(DeliverySchema schema, const std::string& code,
                                  const Result<outbound::ClientResponse>& response) const {
  if (!response) return Error::Internal("handshake: " + response.error().message);
  const unsigned status = response->status;
  if (schema == DeliverySchema::kEventGrid) {
    if (status != 200) {
      return Error::Internal("handshake: HTTP " + std::to_string(status) +
                             " (expected 200 with the validationResponse)");
    }
    if (!IsValidationResponse(response->body, code)) {
      return Error::Internal(
          "handshake: the response did not return the validationCode as "
          "{\"validationResponse\": code}");
    }
    return Ok{};
  }
  if (status < 200 || status > 204) {
    return Error::Internal("handshake: HTTP " + std::to_string(status) + " to OPTIONS");
  }
  const std::string_view allowed = Trimmed(response->header("WebHook-Allowed-Origin"));
  if (allowed != options_.origin && allowed != "*") {
    return Error::Internal("handshake: WebHook-Allowed-Origin is '" + std::string(allowed) +
                           "', not '" + options_.origin + "' or '*'");
  }
  return Ok{};
}

void Dispatcher::OnValidated(Sub& sub, const Status& outcome) {
  if (stopping_ && !outcome.ok()) return;  // cut short
  const Timestamp now = Now();
  const std::string& id = sub.stored.spec.id;
  if (outcome.ok()) {
    sub.stored.validation = ValidationState::kValidated;
    sub.stored.validated_at = now;
    sub.validation_attempts = 0;
    sub.validation_error.clear();
    Persist(sub);
    Log(LogLevel::kInfo, "events: subscription " + id + " passed its validation handshake");
    Pump(sub);
    return;
  }
  ++sub.validation_attempts;
  sub.validation_error = outcome.error().message;
  sub.next_validation_at = now + options_.retry.DelayAfter(sub.validation_attempts);
  if (sub.stored.validation != ValidationState::kFailed) {
    sub.stored.validation = ValidationState::kFailed;
    Persist(sub);
  }
  Log(LogLevel::kWarn, "events: subscription " + id + " failed its validation handshake (" +
                           sub.validation_error + "); trying again at " +
                           FormatRfc3339(*sub.next_validation_at));
  ArmWake();
}

void Dispatcher::ArmWake() {
  if (stopping_) return;
  Timestamp next = next_housekeeping_;
  for (const auto& [id, sub] : subs_) {
    const bool validated = sub->stored.validation == ValidationState::kValidated;
    if (validated && !sub->retries_due.empty() &&
        sub->in_flight < options_.max_in_flight_per_subscription) {
      next = std::min(next, Timestamp::FromUnixMicros(sub->retries_due.begin()->first));
    }
    if (!validated && !sub->validating && sub->next_validation_at) {
      next = std::min(next, *sub->next_validation_at);
    }
  }
  if (flush_retry_at_) next = std::min(next, *flush_retry_at_);
  const std::int64_t wait_us = std::max<std::int64_t>(0, (next - Now()).micros());
  wake_.expires_after(std::chrono::microseconds(wait_us));
  wake_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) OnWake();
  });
}

void Dispatcher::OnWake() {
  const Timestamp now = Now();
  if (flush_retry_at_ && *flush_retry_at_ <= now) Flush();
  for (auto& [id, sub] : subs_) {
    const bool validated = sub->stored.validation == ValidationState::kValidated;
    if (!validated && !sub->validating && sub->next_validation_at &&
        *sub->next_validation_at <= now) {
      StartValidation(*sub);
    }
    Pump(*sub);
  }
  if (now >= next_housekeeping_) {
    Housekeeping(now);
    next_housekeeping_ = now + options_.housekeeping_interval;
  }
  ArmWake();
}

void Dispatcher::Housekeeping(Timestamp now) {
  for (auto& [id, sub] : subs_) {
    if (sub->stored.validation != ValidationState::kValidated) ExpireWhileUnvalidated(*sub, now);
  }
  Flush();
  TrimOutbox(now);
  for (const auto& [id, sub] : subs_) {
    if (Status trimmed = store_.TrimDeadLetters(id, options_.max_dead_letters_per_subscription);
        !trimmed) {
      Log(LogLevel::kError, "events: cannot trim dead letters: " + trimmed.error().message);
    }
  }
}

// An endpoint that never validates must not hold events (and the outbox) forever: events older
// than the time to live are dead-lettered, as Event Grid expires them.
void Dispatcher::ExpireWhileUnvalidated(Sub& sub, Timestamp now) {
  if (!sub.unsettled.empty()) return;  // attempts from before a re-validation still running
  const Timestamp cutoff = now - Ttl(sub);
  const std::string why = "the endpoint has not passed validation: " + sub.validation_error;
  for (auto it = sub.retries.begin(); it != sub.retries.end();) {
    Retry& retry = it->second;
    if (retry.in_flight || retry.event_time > cutoff) {
      ++it;
      continue;
    }
    DeadLetter(sub, it->first, retry.record.event, "TimeToLiveExceeded", retry.record.attempts, why,
               now);
    sub.retries_due.erase({retry.record.next_attempt_at.unix_micros(), it->first});
    it = sub.retries.erase(it);
  }
  for (int batches = 0; batches < 64; ++batches) {
    auto read = store_.ReadOutbox(sub.read_through, 256);
    if (!read || read->empty()) return;
    for (store::OutboxEvent& event : *read) {
      if (event.at > cutoff) return;
      auto record = DecodeOutboxRecord(event.data);
      if (record && sub.stored.spec.Matches(record->type)) {
        DeadLetter(sub, event.seq, std::move(event.data), "TimeToLiveExceeded", 0, why, now);
      }
      sub.read_through = event.seq;
    }
  }
}

void Dispatcher::TrimOutbox(Timestamp now) {
  auto last = store_.LastOutboxSeq();
  auto aged = store_.LastOutboxSeqAtOrBefore(now - options_.retention.max_age);
  if (!last || !aged) return;
  const std::uint64_t max_events = options_.retention.max_events;
  std::uint64_t through = std::max(*aged, *last > max_events ? *last - max_events : 0);
  for (const auto& [id, sub] : subs_) through = std::min(through, sub->persisted_progress);
  if (trim_floor_) through = std::min(through, trim_floor_());
  if (through == 0) return;
  if (Status trimmed = store_.TrimOutbox(through); !trimmed) {
    Log(LogLevel::kError, "events: cannot trim the outbox: " + trimmed.error().message);
  }
}

}  // namespace sb::events
