// Envelopes: an outbox record as a subscriber receives it, in either delivery schema of Event
// Grid.
// - Event Grid schema: {"id","topic","subject","data","eventType","dataVersion":"1.0",
//   "metadataVersion":"1","eventTime"}; a delivery body is always a JSON array (we send one
//   event per request, as Event Grid does by default).
// - CloudEvents 1.0, structured JSON mode: {"id","source","subject","data","type","time",
//   "specversion":"1.0","datacontenttype":"application/json"}; one event per request, with
//   Content-Type application/cloudevents+json. `source` is the topic.
// Also the two validation handshakes' request bodies and headers. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/time.h"
#include "events/outbox_record.h"

namespace sb::events {

enum class DeliverySchema { kEventGrid, kCloudEvents };

inline constexpr char kEventGridContentType[] = "application/json";
inline constexpr char kCloudEventsContentType[] = "application/cloudevents+json; charset=utf-8";
inline constexpr char kValidationEventType[] = "Microsoft.EventGrid.SubscriptionValidationEvent";

// One event object of each schema.
std::string EventGridEvent(const OutboxRecord& record, std::string_view topic);
std::string CloudEvent(const OutboxRecord& record, std::string_view source);

// The body of a delivery request: an array of one event (Event Grid) or the event (CloudEvents).
std::string DeliveryBody(const OutboxRecord& record, DeliverySchema schema, std::string_view topic);
const char* DeliveryContentType(DeliverySchema schema);

// The Event Grid handshake: a SubscriptionValidationEvent (as a one-event array) carrying
// `validation_code`; the endpoint must answer 200 with {"validationResponse": validation_code}.
std::string SubscriptionValidationBody(std::string_view event_id, std::string_view validation_code,
                                       std::string_view topic, Timestamp now);
// Whether `response_body` completes the handshake for `validation_code`.
bool IsValidationResponse(std::string_view response_body, std::string_view validation_code);

}  // namespace sb::events
