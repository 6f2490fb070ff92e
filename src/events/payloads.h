// The Event Grid payloads of the 22 Job Router events: for each core::Event, its `data` object
// with exactly the fields of the event schema (AcsRouter*EventData in the Event Grid
// specification for Microsoft.Communication) and its `subject`, shaped as the service shapes
// it. The event schema has its own spellings, which are kept: PascalCase job statuses and label
// operators (Equal, NotEqual, Greater, Less, GreaterThanOrEqual, LessThanOrEqual), selector
// `ttlSeconds`, `state` and `expirationTime`, `*On` timestamps, and label and tag maps typed
// string->string (values written as text: see LabelText). Absent optional fields are left out.
// Pure functions of the event's snapshots; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/events.h"

namespace sb::events {

// "Microsoft.Communication.RouterJobReceived", ...
std::string EventGridType(core::EventType type);
// The reverse, accepting either the full name or the short one ("RouterJobReceived");
// false when it names no Router event.
bool ParseEventType(std::string_view name, core::EventType& type);
inline constexpr int kEventTypeCount = 22;

// The `data` object, serialized.
std::string EventData(const core::Event& event);

// "job/{jobId}/channel/{channelId}", "worker/{workerId}/job/{jobId}", ...
std::string EventSubject(const core::Event& event);

}  // namespace sb::events
