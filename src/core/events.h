// What a command did, as the engine reports it: the Job Router events it raised (in order) and
// the entities it changed. The server turns events into deliveries and changed entities into
// store writes; the engine never does I/O itself. Plain values; not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/time.h"

namespace sb::core {

enum class EventType {
  kJobReceived,
  kJobClassified,
  kJobClassificationFailed,
  kJobQueued,
  kJobCompleted,
  kJobClosed,
  kJobCancelled,
  kJobExceptionTriggered,
  kJobWorkerSelectorsExpired,
  kJobUnassigned,
  kJobWaitingForActivation,
  kJobSchedulingFailed,
  kJobDeleted,
  kWorkerOfferIssued,
  kWorkerOfferAccepted,
  kWorkerOfferDeclined,
  kWorkerOfferRevoked,
  kWorkerOfferExpired,
  kWorkerRegistered,
  kWorkerDeregistered,
  kWorkerDeleted,
  kWorkerUpdated,
};

// "RouterJobReceived", "RouterWorkerOfferIssued", ... (without the Microsoft.Communication. prefix).
const char* EventTypeName(EventType type);

struct Event {
  EventType type;
  Timestamp at;
  std::string job_id;
  std::string worker_id;
  std::string queue_id;
  std::string offer_id;
  std::string assignment_id;
  std::string detail;  // disposition code, failure reason or rule id, depending on the type
};

enum class EntityKind { kDistributionPolicy, kClassificationPolicy, kExceptionPolicy, kQueue, kJob, kWorker };

struct EntityChange {
  EntityKind kind;
  std::string id;
  bool deleted = false;
};

struct Effects {
  std::vector<Event> events;
  std::vector<EntityChange> changes;  // may repeat an id; the last entry wins

  void Clear() {
    events.clear();
    changes.clear();
  }
};

}  // namespace sb::core
