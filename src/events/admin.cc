#include "events/admin.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>

#include "events/json_writer.h"
#include "events/outbox_record.h"
#include "events/payloads.h"
#include "wire/errors.h"

namespace sb::events {
namespace {

namespace json = boost::json;

constexpr std::size_t kDefaultPageSize = 100;
constexpr std::size_t kMaxPageSize = 1000;
constexpr std::size_t kMaxJsonDepth = 32;

http::Response JsonResponse(unsigned status, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  response.body = std::move(body);
  return response;
}

void WriteView(JsonWriter& w, const SubscriptionView& v) {
  const Subscription& s = v.subscription;
  w.BeginObject().Field("id", s.spec.id).Field("endpointUrl", s.spec.endpoint_url);
  w.Key("includedEventTypes").BeginArray();
  for (core::EventType type : s.spec.event_types) w.String(EventGridType(type));
  w.EndArray();
  w.Field("eventDeliverySchema", SchemaName(s.spec.schema));
  if (s.spec.max_delivery_attempts || s.spec.event_ttl_minutes) {
    w.Key("retryPolicy").BeginObject();
    if (s.spec.max_delivery_attempts) w.Field("maxDeliveryAttempts", *s.spec.max_delivery_attempts);
    if (s.spec.event_ttl_minutes) w.Field("eventTimeToLiveInMinutes", *s.spec.event_ttl_minutes);
    w.EndObject();
  }
  w.Key("validation").BeginObject().Field("state", ValidationStateName(s.validation));
  if (s.validated_at) w.Key("validatedAt").Time(*s.validated_at);
  if (v.validation_attempts > 0) w.Field("failedAttempts", v.validation_attempts);
  if (!v.validation_error.empty()) w.Field("lastError", v.validation_error);
  if (v.next_validation_at) w.Key("nextAttemptAt").Time(*v.next_validation_at);
  w.EndObject();
  w.Key("delivery").BeginObject();
  w.Key("deliveredThroughSequenceNumber").Int(static_cast<std::int64_t>(v.delivered_through));
  w.Key("pendingRetries").Int(static_cast<std::int64_t>(v.pending_retries));
  w.Key("inFlight").Int(static_cast<std::int64_t>(v.in_flight));
  w.Key("deadLetters").Int(static_cast<std::int64_t>(v.dead_letters));
  w.Key("delivered").Int(static_cast<std::int64_t>(v.delivered));
  w.Key("failedAttempts").Int(static_cast<std::int64_t>(v.failed_attempts));
  if (!v.last_error.empty()) w.Field("lastError", v.last_error);
  if (v.last_error_at) w.Key("lastErrorAt").Time(*v.last_error_at);
  w.EndObject();
  w.Key("createdAt").Time(s.created_at).Key("lastModifiedAt").Time(s.updated_at);
  w.EndObject();
}

std::string ViewJson(const SubscriptionView& view) {
  std::string out;
  JsonWriter w(out);
  WriteView(w, view);
  return out;
}

// A dead letter as Event Grid writes one: the event in the subscription's schema with the
// dead-letter properties added (camelCase for the Event Grid schema, lower case for
// CloudEvents), plus our sequence number.
std::string DeadLetterJson(const store::DeadLetterRecord& d, DeliverySchema schema,
                           std::string_view topic) {
  auto record = DecodeOutboxRecord(d.event);
  std::string out;
  if (!record) return out;
  const bool cloud = schema == DeliverySchema::kCloudEvents;
  out = cloud ? CloudEvent(*record, topic) : EventGridEvent(*record, topic);
  out.pop_back();  // the closing brace: the dead-letter properties follow
  std::string extra;
  JsonWriter w(extra);
  w.BeginObject();
  w.Field(cloud ? "deadletterreason" : "deadLetterReason", d.reason);
  w.Field(cloud ? "deliveryattempts" : "deliveryAttempts", d.attempts);
  w.Field(cloud ? "lastdeliveryoutcome" : "lastDeliveryOutcome", d.last_outcome);
  w.Key(cloud ? "publishtime" : "publishTime").Time(record->time);
  w.Key(cloud ? "lastdeliveryattempttime" : "lastDeliveryAttemptTime").Time(d.last_attempt_at);
  w.Key("sequenceNumber").Int(static_cast<std::int64_t>(d.seq));
  w.EndObject();
  out += ',';
  out.append(extra, 1, std::string::npos);
  return out;
}

struct Route {
  std::vector<std::string> segments;  // decoded, after /switchboard/
  std::optional<std::size_t> page_size;
  std::uint64_t after = 0;
};

Result<std::size_t> ParseCount(std::string_view text, std::string_view name) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Error::InvalidArgument(std::string(name) + " must be a non-negative integer",
                                  std::string(name));
  }
  return value;
}

Result<Route> ParseRoute(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return Error::InvalidArgument("the request target is malformed");
  Route route;
  bool first = true;
  for (auto segment : url->segments()) {
    if (first && segment != "switchboard") return Error::NotFound("no such resource");
    if (!first) route.segments.push_back(segment);
    first = false;
  }
  for (auto param : url->params()) {
    if (param.key == "maxpagesize") {
      auto size = ParseCount(param.value, "maxpagesize");
      if (!size) return std::move(size).error();
      if (*size < 1 || *size > kMaxPageSize) {
        return Error::InvalidArgument("maxpagesize must be from 1 to 1000", "maxpagesize");
      }
      route.page_size = *size;
    } else if (param.key == "continuationToken") {
      auto after = ParseCount(param.value, "continuationToken");
      if (!after) return std::move(after).error();
      route.after = *after;
    }
  }
  return route;
}

Result<json::object> ParseBody(const http::Request& request) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec, {}, options);
  if (ec)
    return Error::InvalidArgument("the request body is not valid JSON (" + ec.message() + ")");
  if (!body.is_object()) return Error::InvalidArgument("the request body must be a JSON object");
  return std::move(body.get_object());
}

http::Response List(SubscriptionAdmin& admin) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("value").BeginArray();
  for (const SubscriptionView& view : admin.ListSubscriptions()) WriteView(w, view);
  w.EndArray().EndObject();
  return JsonResponse(200, std::move(out));
}

http::Response Put(SubscriptionAdmin& admin, const http::Request& request, const std::string& id,
                   bool merge) {
  if (Status checked = CheckSubscriptionId(id); !checked)
    return wire::ErrorResponse(checked.error());
  auto body = ParseBody(request);
  if (!body) return wire::ErrorResponse(body.error());
  SubscriptionSpec spec;
  spec.id = id;
  if (merge) {
    if (auto current = admin.GetSubscription(id)) spec = current->subscription.spec;
  }
  if (Status merged = MergeSpec(spec, *body); !merged) return wire::ErrorResponse(merged.error());
  auto put = admin.PutSubscription(std::move(spec));
  if (!put) return wire::ErrorResponse(put.error());
  return JsonResponse(put->created ? 201 : 200, ViewJson(put->view));
}

http::Response DeadLetters(SubscriptionAdmin& admin, const Route& route, const std::string& id) {
  auto view = admin.GetSubscription(id);
  if (!view) return wire::ErrorResponse(view.error());
  const std::size_t page = route.page_size.value_or(kDefaultPageSize);
  auto letters = admin.ListDeadLetters(id, route.after, page + 1);
  if (!letters) return wire::ErrorResponse(letters.error());
  const bool more = letters->size() > page;
  if (more) letters->resize(page);
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("value").BeginArray();
  for (const store::DeadLetterRecord& d : *letters) {
    std::string item = DeadLetterJson(d, view->subscription.spec.schema, admin.topic());
    if (!item.empty()) w.Raw(item);
  }
  w.EndArray();
  if (more) {
    w.Field("nextLink", "/switchboard/subscriptions/" + id +
                            "/deadLetters?maxpagesize=" + std::to_string(page) +
                            "&continuationToken=" + std::to_string(letters->back().seq));
  }
  w.EndObject();
  return JsonResponse(200, std::move(out));
}

http::Response MethodNotAllowed(const http::Request& request) {
  return wire::ErrorResponse(405, "the method " + request.method + " is not allowed on this resource");
}

}  // namespace

bool IsAdminTarget(std::string_view target) {
  return target.starts_with(kAdminPrefix) || target == "/switchboard";
}


http::Response HandleAdminRequest(SubscriptionAdmin& admin, const http::Request& request) {
  auto route = ParseRoute(request.target);
  if (!route) return wire::ErrorResponse(route.error());
  const std::vector<std::string>& s = route->segments;
  const std::string& method = request.method;
  if (s.empty() || s[0] != "subscriptions" || s.size() > 3 ||
      (s.size() == 3 && s[2] != "deadLetters")) {
    return wire::ErrorResponse(404, "no such resource: " + request.target);
  }
  if (s.size() == 1 || (s.size() == 2 && s[1].empty())) {
    return method == "GET" ? List(admin) : MethodNotAllowed(request);
  }
  const std::string& id = s[1];
  if (s.size() == 3)
    return method == "GET" ? DeadLetters(admin, *route, id) : MethodNotAllowed(request);
  if (method == "GET") {
    auto view = admin.GetSubscription(id);
    if (!view) return wire::ErrorResponse(view.error());
    return JsonResponse(200, ViewJson(*view));
  }
  if (method == "PUT" || method == "PATCH") return Put(admin, request, id, method == "PATCH");
  if (method == "DELETE") {
    if (Status deleted = admin.DeleteSubscription(id); !deleted)
      return wire::ErrorResponse(deleted.error());
    http::Response response;
    response.status = 204;
    return response;
  }
  return MethodNotAllowed(request);
}

}  // namespace sb::events
