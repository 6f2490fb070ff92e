#include "events/envelopes.h"

#include <boost/json.hpp>

#include "events/json_writer.h"
#include "events/payloads.h"

namespace sb::events {

std::string EventGridEvent(const OutboxRecord& r, std::string_view topic) {
  std::string out;
  out.reserve(r.data.size() + 384);
  JsonWriter w(out);
  w.BeginObject().Field("id", r.id).Field("topic", topic).Field("subject", r.subject);
  w.Key("data").Raw(r.data);
  w.Field("eventType", EventGridType(r.type)).Field("dataVersion", "1.0");
  w.Field("metadataVersion", "1").Key("eventTime").Time(r.time);
  w.EndObject();
  return out;
}

std::string CloudEvent(const OutboxRecord& r, std::string_view source) {
  std::string out;
  out.reserve(r.data.size() + 384);
  JsonWriter w(out);
  w.BeginObject().Field("id", r.id).Field("source", source).Field("subject", r.subject);
  w.Key("data").Raw(r.data);
  w.Field("type", EventGridType(r.type)).Key("time").Time(r.time);
  w.Field("specversion", "1.0").Field("datacontenttype", "application/json");
  w.EndObject();
  return out;
}

std::string DeliveryBody(const OutboxRecord& record, DeliverySchema schema,
                         std::string_view topic) {
  if (schema == DeliverySchema::kCloudEvents) return CloudEvent(record, topic);
  return "[" + EventGridEvent(record, topic) + "]";
}

const char* DeliveryContentType(DeliverySchema schema) {
  return schema == DeliverySchema::kCloudEvents ? kCloudEventsContentType : kEventGridContentType;
}

std::string SubscriptionValidationBody(std::string_view event_id, std::string_view validation_code,
                                       std::string_view topic, Timestamp now) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray().BeginObject().Field("id", event_id).Field("topic", topic).Field("subject", "");
  w.Key("data").BeginObject().Field("validationCode", validation_code).EndObject();
  w.Field("eventType", kValidationEventType).Key("eventTime").Time(now);
  w.Field("metadataVersion", "1").Field("dataVersion", "1");
  w.EndObject().EndArray();
  return out;
}

bool IsValidationResponse(std::string_view response_body, std::string_view validation_code) {
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(response_body, ec);
  if (ec || !body.is_object()) return false;
  const boost::json::value* code = body.get_object().if_contains("validationResponse");
  return code && code->is_string() && code->get_string() == validation_code;
}

}  // namespace sb::events
