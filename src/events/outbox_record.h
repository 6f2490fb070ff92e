// OutboxRecord: an event as it waits in the outbox - everything every envelope needs (its id,
// type, time, subject and data) plus the ids it can be filtered by. The id (a UUID) is given
// when the event enters the outbox and kept across retries and restarts, so a subscriber can
// recognise a redelivery. Encoded as one line of JSON (the header) followed by the data object,
// so envelopes splice the data in without parsing it again.
//
// EventIdSource hands out those ids; one per engine thread (not thread-safe). The rest are
// pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/random.h"
#include "base/time.h"
#include "core/events.h"
#include "store/store.h"

namespace sb::events {

struct OutboxRecord {
  std::string id;  // UUID
  core::EventType type = core::EventType::kJobReceived;
  Timestamp time;  // when the engine raised it
  std::string subject;
  std::string job_id;  // empty when the event has none
  std::string worker_id;
  std::string queue_id;
  std::string data;  // the serialized `data` object
};

class EventIdSource {
 public:
  EventIdSource();                             // seeded from std::random_device
  explicit EventIdSource(std::uint64_t seed);  // for tests
  std::string Next() { return random_.Uuid(); }

 private:
  Random random_;
};

OutboxRecord MakeOutboxRecord(const core::Event& event, std::string id);

std::string EncodeOutboxRecord(const OutboxRecord& record);
Result<OutboxRecord> DecodeOutboxRecord(std::string_view encoded);

// The outbox entry for `event`, with a fresh id.
store::OutboxEntry ToOutboxEntry(const core::Event& event, EventIdSource& ids);

}  // namespace sb::events
