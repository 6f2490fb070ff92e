// Subscription: a webhook that receives Router events - where (endpointUrl), which (an event
// type filter; empty means every type), in which delivery schema (Event Grid or CloudEvents
// 1.0), and optionally its own retry limits. The spec is what clients write through the admin
// API or the --subscriptions file; Subscription adds what the server keeps (whether the
// endpoint passed its validation handshake, timestamps). Storage and wire codecs live here;
// thread-safe (pure functions over values).
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/time.h"
#include "core/events.h"
#include "events/envelopes.h"

namespace sb::events {

enum class ValidationState { kPending, kValidated, kFailed };

struct SubscriptionSpec {
  std::string id;
  std::string endpoint_url;
  std::vector<core::EventType> event_types;  // sorted, unique; empty: every Router event
  DeliverySchema schema = DeliverySchema::kEventGrid;
  std::optional<int> max_delivery_attempts;  // 1..30; absent: the server's setting
  std::optional<int> event_ttl_minutes;      // 1..1440; absent: the server's setting

  bool Matches(core::EventType type) const;
  bool operator==(const SubscriptionSpec&) const = default;
};

struct Subscription {
  SubscriptionSpec spec;
  ValidationState validation = ValidationState::kPending;
  std::optional<Timestamp> validated_at;
  Timestamp created_at;
  Timestamp updated_at;
};

inline constexpr std::size_t kMaxSubscriptionIdLength = 64;
inline constexpr int kMaxDeliveryAttemptsLimit = 30;
inline constexpr int kMaxEventTtlMinutes = 1440;

const char* SchemaName(DeliverySchema schema);  // "EventGridSchema", "CloudEventSchemaV1_0"
const char* ValidationStateName(ValidationState state);  // "Pending", "Validated", "Failed"

// 1..64 characters of letters, digits, '-', '_' and '.'.
Status CheckSubscriptionId(std::string_view id);

// Applies a JSON merge patch of the wire representation (endpointUrl, includedEventTypes,
// eventDeliverySchema, retryPolicy{maxDeliveryAttempts, eventTimeToLiveInMinutes}) to `spec`;
// property names match case-insensitively, unknown and read-only ones are ignored, null resets
// a property to its default. Checks the result (endpointUrl is required).
Status MergeSpec(SubscriptionSpec& spec, const boost::json::object& patch);

std::string EncodeSubscription(const Subscription& subscription);
Result<Subscription> DecodeSubscription(std::string_view stored);

// A --subscriptions file: {"subscriptions": [{"id", "endpointUrl", ...}, ...]} or the bare array.
Result<std::vector<SubscriptionSpec>> ParseSubscriptionsFile(std::string_view json);

}  // namespace sb::events
