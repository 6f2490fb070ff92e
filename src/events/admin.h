// The subscriptions admin API, outside /routing:
//   GET    /switchboard/subscriptions                      list (one page, {"value": [...]})
//   GET    /switchboard/subscriptions/{id}                 one subscription with its state
//   PUT    /switchboard/subscriptions/{id}                 create or replace (201 / 200)
//   PATCH  /switchboard/subscriptions/{id}                 create or merge-patch (201 / 200)
//   DELETE /switchboard/subscriptions/{id}                 204, also when absent
//   GET    /switchboard/subscriptions/{id}/deadLetters     dead letters, paged (maxpagesize,
//                                                          continuationToken -> nextLink)
// Bodies are JSON; errors use the Azure shape {"error":{"code","message","target"?}} with an
// x-ms-error-code header, as the rest of the server does.
//
// The handler is a plain function over a SubscriptionAdmin (the Dispatcher implements it), so
// the server routes /switchboard/... to it and tests call it directly. It must run where the
// admin is usable: for the Dispatcher, on the events thread (Dispatcher::Post / Call).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "events/subscription.h"
#include "http/message.h"
#include "store/store.h"

namespace sb::events {

inline constexpr std::string_view kAdminPrefix = "/switchboard/";

// A subscription with what the server knows about it now.
struct SubscriptionView {
  Subscription subscription;
  int validation_attempts = 0;   // failed handshakes since the last success or change
  std::string validation_error;  // the last failed handshake's reason
  std::optional<Timestamp> next_validation_at;
  std::uint64_t delivered_through = 0;  // durable progress: every outbox seq <= this is settled
  std::uint64_t pending_retries = 0;
  std::uint64_t in_flight = 0;  // attempts under way
  std::uint64_t dead_letters = 0;
  std::uint64_t delivered = 0;        // since the server started
  std::uint64_t failed_attempts = 0;  // since the server started
  std::string last_error;
  std::optional<Timestamp> last_error_at;
};

struct PutResult {
  SubscriptionView view;
  bool created = false;
};

class SubscriptionAdmin {
 public:
  virtual ~SubscriptionAdmin() = default;
  virtual std::vector<SubscriptionView> ListSubscriptions() = 0;
  virtual Result<SubscriptionView> GetSubscription(std::string_view id) = 0;  // kNotFound
  virtual Result<PutResult> PutSubscription(SubscriptionSpec spec) = 0;
  virtual Status DeleteSubscription(std::string_view id) = 0;
  // kNotFound when the subscription does not exist.
  virtual Result<std::vector<store::DeadLetterRecord>> ListDeadLetters(std::string_view id,
                                                                       std::uint64_t after_seq,
                                                                       std::size_t limit) = 0;
  virtual const std::string& topic() const = 0;
};

// Whether `target` (the raw request target) is under /switchboard/.
bool IsAdminTarget(std::string_view target);

http::Response HandleAdminRequest(SubscriptionAdmin& admin, const http::Request& request);

}  // namespace sb::events
