#include "events/subscription.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "outbound/endpoint.h"
#include "events/json_writer.h"
#include "events/payloads.h"

namespace sb::events {
namespace {

namespace json = boost::json;

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The member named `name` (case-insensitively), or nullptr.
const json::value* Member(const json::object& object, std::string_view name) {
  for (const auto& member : object) {
    if (SameName(member.key(), name)) return &member.value();
  }
  return nullptr;
}

Status ReadEventTypes(const json::value& value, std::vector<core::EventType>& out) {
  out.clear();
  if (value.is_null()) return Ok{};
  if (!value.is_array())
    return Error::InvalidArgument("includedEventTypes must be an array", "includedEventTypes");
  for (const json::value& item : value.get_array()) {
    core::EventType type;
    if (!item.is_string() || !ParseEventType(item.get_string(), type)) {
      return Error::InvalidArgument(
          "includedEventTypes: " + json::serialize(item) +
              " is not a Router event type (Microsoft.Communication.Router...)",
          "includedEventTypes");
    }
    out.push_back(type);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return Ok{};
}

Status ReadBoundedInt(const json::value* value, std::string_view name, int max,
                      std::optional<int>& out) {
  if (!value) return Ok{};
  if (value->is_null()) {
    out.reset();
    return Ok{};
  }
  const std::string target = "retryPolicy." + std::string(name);
  if (!value->is_int64() || value->get_int64() < 1 || value->get_int64() > max) {
    return Error::InvalidArgument(target + " must be an integer from 1 to " + std::to_string(max),
                                  target);
  }
  out = static_cast<int>(value->get_int64());
  return Ok{};
}

Status ReadRetryPolicy(const json::value& value, SubscriptionSpec& spec) {
  if (value.is_null()) {
    spec.max_delivery_attempts.reset();
    spec.event_ttl_minutes.reset();
    return Ok{};
  }
  if (!value.is_object())
    return Error::InvalidArgument("retryPolicy must be an object", "retryPolicy");
  const json::object& policy = value.get_object();
  SB_TRY(ReadBoundedInt(Member(policy, "maxDeliveryAttempts"), "maxDeliveryAttempts",
                        kMaxDeliveryAttemptsLimit, spec.max_delivery_attempts));
  return ReadBoundedInt(Member(policy, "eventTimeToLiveInMinutes"), "eventTimeToLiveInMinutes",
                        kMaxEventTtlMinutes, spec.event_ttl_minutes);
}

Status ReadSchema(const json::value& value, DeliverySchema& schema) {
  if (value.is_null()) {
    schema = DeliverySchema::kEventGrid;
    return Ok{};
  }
  if (value.is_string() && SameName(value.get_string(), "EventGridSchema")) {
    schema = DeliverySchema::kEventGrid;
  } else if (value.is_string() && SameName(value.get_string(), "CloudEventSchemaV1_0")) {
    schema = DeliverySchema::kCloudEvents;
  } else {
    return Error::InvalidArgument(
        "eventDeliverySchema must be EventGridSchema or CloudEventSchemaV1_0",
        "eventDeliverySchema");
  }
  return Ok{};
}

std::optional<Timestamp> TimeField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_int64()) return std::nullopt;
  return Timestamp::FromUnixMicros(v->get_int64());
}

}  // namespace

bool SubscriptionSpec::Matches(core::EventType type) const {
  return event_types.empty() || std::binary_search(event_types.begin(), event_types.end(), type);
}

const char* SchemaName(DeliverySchema schema) {
  return schema == DeliverySchema::kCloudEvents ? "CloudEventSchemaV1_0" : "EventGridSchema";
}

const char* ValidationStateName(ValidationState state) {
  switch (state) {
    case ValidationState::kPending: return "Pending";
    case ValidationState::kValidated: return "Validated";
    case ValidationState::kFailed: return "Failed";
  }
  return "Pending";
}

Status CheckSubscriptionId(std::string_view id) {
  const bool ok =
      !id.empty() && id.size() <= kMaxSubscriptionIdLength &&
      std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
  if (ok) return Ok{};
  return Error::InvalidArgument("a subscription id is 1 to 64 letters, digits, '-', '_' or '.'",
                                "subscriptionId");
}

Status MergeSpec(SubscriptionSpec& spec, const json::object& patch) {
  if (const json::value* url = Member(patch, "endpointUrl")) {
    if (!url->is_string() && !url->is_null()) {
      return Error::InvalidArgument("endpointUrl must be a string", "endpointUrl");
    }
    spec.endpoint_url = url->is_string() ? std::string(url->get_string()) : std::string();
  }
  if (const json::value* types = Member(patch, "includedEventTypes")) {
    SB_TRY(ReadEventTypes(*types, spec.event_types));
  }
  if (const json::value* schema = Member(patch, "eventDeliverySchema")) {
    SB_TRY(ReadSchema(*schema, spec.schema));
  }
  if (const json::value* policy = Member(patch, "retryPolicy"))
    SB_TRY(ReadRetryPolicy(*policy, spec));
  auto endpoint = outbound::ParseEndpoint(spec.endpoint_url);
  if (!endpoint) return std::move(endpoint).error();
  return Ok{};
}

std::string EncodeSubscription(const Subscription& s) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Field("id", s.spec.id).Field("endpointUrl", s.spec.endpoint_url);
  w.Key("includedEventTypes").BeginArray();
  for (core::EventType type : s.spec.event_types) w.String(EventGridType(type));
  w.EndArray();
  w.Field("eventDeliverySchema", SchemaName(s.spec.schema));
  if (s.spec.max_delivery_attempts) w.Field("maxDeliveryAttempts", *s.spec.max_delivery_attempts);
  if (s.spec.event_ttl_minutes) w.Field("eventTimeToLiveInMinutes", *s.spec.event_ttl_minutes);
  w.Field("validation", ValidationStateName(s.validation));
  if (s.validated_at) w.Key("validatedAt").Int(s.validated_at->unix_micros());
  w.Key("createdAt").Int(s.created_at.unix_micros());
  w.Key("updatedAt").Int(s.updated_at.unix_micros());
  w.EndObject();
  return out;
}

Result<Subscription> DecodeSubscription(std::string_view stored) {
  boost::system::error_code ec;
  const json::value value = json::parse(stored, ec);
  if (ec || !value.is_object()) return Error::Internal("store: an unreadable subscription");
  const json::object& o = value.get_object();
  Subscription s;
  const json::value* id = o.if_contains("id");
  if (!id || !id->is_string()) return Error::Internal("store: a subscription without an id");
  s.spec.id = std::string(id->get_string());
  json::object spec_fields = o;
  json::object policy;
  if (const json::value* v = o.if_contains("maxDeliveryAttempts"))
    policy["maxDeliveryAttempts"] = *v;
  if (const json::value* v = o.if_contains("eventTimeToLiveInMinutes")) {
    policy["eventTimeToLiveInMinutes"] = *v;
  }
  spec_fields["retryPolicy"] = std::move(policy);
  if (Status merged = MergeSpec(s.spec, spec_fields); !merged) {
    return Error::Internal("store: subscription " + s.spec.id + ": " + merged.error().message);
  }
  const json::value* state = o.if_contains("validation");
  if (state && state->is_string() && state->get_string() == "Validated") {
    s.validation = ValidationState::kValidated;
  } else if (state && state->is_string() && state->get_string() == "Failed") {
    s.validation = ValidationState::kFailed;
  }
  s.validated_at = TimeField(o, "validatedAt");
  s.created_at = TimeField(o, "createdAt").value_or(Timestamp());
  s.updated_at = TimeField(o, "updatedAt").value_or(s.created_at);
  return s;
}

Result<std::vector<SubscriptionSpec>> ParseSubscriptionsFile(std::string_view text) {
  boost::system::error_code ec;
  const json::value value = json::parse(text, ec);
  if (ec)
    return Error::InvalidArgument("the subscriptions file is not valid JSON: " + ec.message());
  const json::value* list = &value;
  if (value.is_object()) list = Member(value.get_object(), "subscriptions");
  if (!list || !list->is_array()) {
    return Error::InvalidArgument("the subscriptions file must hold {\"subscriptions\": [...]}");
  }
  std::vector<SubscriptionSpec> out;
  for (const json::value& item : list->get_array()) {
    if (!item.is_object()) return Error::InvalidArgument("each subscription must be an object");
    const json::value* id = Member(item.get_object(), "id");
    SubscriptionSpec spec;
    spec.id = id && id->is_string() ? std::string(id->get_string()) : std::string();
    SB_TRY(CheckSubscriptionId(spec.id));
    if (Status merged = MergeSpec(spec, item.get_object()); !merged) {
      return Error::InvalidArgument("subscription " + spec.id + ": " + merged.error().message);
    }
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace sb::events
