// What a command did, as the engine reports it: the Job Router events it raised (in order), each
// carrying a snapshot of the job and worker as they were at that moment - exactly what the
// Event Grid payloads need - and the entities whose stored state changed. The server turns
// events into deliveries and changed entities into store writes; the engine never does I/O.
// Plain values (snapshots are shared, immutable); not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "base/value.h"
#include "core/job.h"
#include "core/rules.h"
#include "core/worker.h"

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

struct EventQueue {
  std::string id;
  std::optional<std::string> name;
  LabelMap labels;
};

// A job as an event saw it.
struct EventJob {
  std::string id;
  std::optional<std::string> channel_reference;
  std::optional<std::string> channel_id;
  std::optional<std::string> queue_id;
  std::optional<std::string> classification_policy_id;
  int priority = 0;
  JobStatus status = JobStatus::kCreated;
  LabelMap labels;
  LabelMap tags;
  std::vector<WorkerSelector> requested_worker_selectors;
  std::vector<WorkerSelector> attached_worker_selectors;
  std::optional<Timestamp> scheduled_at;
  bool unavailable_for_matching = false;  // suspended or scheduled: matching will not start
};

// A worker as an event saw it. `queues` is filled for registration and update events only.
struct EventWorker {
  std::string id;
  LabelMap labels;
  LabelMap tags;
  int capacity = 0;
  std::vector<Channel> channels;
  std::vector<EventQueue> queues;
};

struct Event {
  EventType type;
  Timestamp at;
  std::string job_id;
  std::string worker_id;
  std::string queue_id;
  std::string offer_id;
  std::string assignment_id;
  std::string detail;  // disposition code or failure reason, depending on the type

  std::shared_ptr<const EventJob> job;        // job events and offer events
  std::shared_ptr<const EventWorker> worker;  // offer events and worker events
  std::optional<Timestamp> offered_at;        // offer issued
  std::optional<Timestamp> expires_at;        // offer issued
  std::optional<std::string> note;            // cancelled
  std::string exception_rule_id;              // exception triggered
  std::string rule_key;                       // exception triggered: the trigger's kind
  std::optional<EventQueue> queue_details;    // classified
  std::vector<WorkerSelector> expired_requested_selectors;
  std::vector<WorkerSelector> expired_attached_selectors;
  std::vector<std::string> updated_properties;  // worker updated
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
  std::vector<RuleCall> rule_calls;

  void Clear() {
    events.clear();
    changes.clear();
    rule_calls.clear();
  }
};

}  // namespace sb::core
