// Field order follows the schema's: the base types' fields first (jobId, channelReference,
// channelId, then queueId, labels, tags for job events; workerId for worker events), then the
// type's own fields in the order the schema lists them.
#include "events/payloads.h"

#include "events/json_writer.h"

namespace sb::events {
namespace {

using core::Event;
using core::EventType;

const char* JobStatusName(core::JobStatus status) {
  switch (status) {
    case core::JobStatus::kPendingClassification: return "PendingClassification";
    case core::JobStatus::kQueued: return "Queued";
    case core::JobStatus::kAssigned: return "Assigned";
    case core::JobStatus::kCompleted: return "Completed";
    case core::JobStatus::kClosed: return "Closed";
    case core::JobStatus::kCancelled: return "Cancelled";
    case core::JobStatus::kClassificationFailed: return "ClassificationFailed";
    case core::JobStatus::kCreated: return "Created";
    case core::JobStatus::kPendingSchedule: return "PendingSchedule";
    case core::JobStatus::kScheduled: return "Scheduled";
    case core::JobStatus::kScheduleFailed: return "ScheduleFailed";
    case core::JobStatus::kWaitingForActivation: return "WaitingForActivation";
  }
  return "Created";
}

const char* OperatorName(core::LabelOperator op) {
  switch (op) {
    case core::LabelOperator::kEqual: return "Equal";
    case core::LabelOperator::kNotEqual: return "NotEqual";
    case core::LabelOperator::kLessThan: return "Less";
    case core::LabelOperator::kLessThanOrEqual: return "LessThanOrEqual";
    case core::LabelOperator::kGreaterThan: return "Greater";
    case core::LabelOperator::kGreaterThanOrEqual: return "GreaterThanOrEqual";
  }
  return "Equal";
}

void WriteLabels(JsonWriter& w, std::string_view key, const LabelMap& labels) {
  w.Key(key).BeginObject();
  for (const auto& [name, value] : labels) w.Field(name, LabelText(value));
  w.EndObject();
}

void WriteOptional(JsonWriter& w, std::string_view key, const std::optional<std::string>& value) {
  if (value) w.Field(key, *value);
}

void WriteNonEmpty(JsonWriter& w, std::string_view key, const std::string& value) {
  if (!value.empty()) w.Field(key, value);
}

void WriteSelectors(JsonWriter& w, std::string_view key,
                    const std::vector<core::WorkerSelector>& selectors) {
  w.Key(key).BeginArray();
  for (const core::WorkerSelector& s : selectors) {
    w.BeginObject().Field("key", s.key).Field("labelOperator", OperatorName(s.label_operator));
    w.Key("value").Primitive(s.value);
    if (s.expires_after_seconds) w.Key("ttlSeconds").Double(*s.expires_after_seconds);
    if (s.status) {
      w.Field("state", *s.status == core::WorkerSelectorStatus::kActive ? "active" : "expired");
    }
    if (s.expires_at) w.Key("expirationTime").Time(*s.expires_at);
    w.EndObject();
  }
  w.EndArray();
}

void WriteQueue(JsonWriter& w, const core::EventQueue& queue) {
  w.BeginObject().Field("id", queue.id);
  WriteOptional(w, "name", queue.name);
  WriteLabels(w, "labels", queue.labels);
  w.EndObject();
}

const core::EventJob& JobOf(const Event& e) {
  static const core::EventJob kNone;
  return e.job ? *e.job : kNone;
}

const core::EventWorker& WorkerOf(const Event& e) {
  static const core::EventWorker kNone;
  return e.worker ? *e.worker : kNone;
}

// AcsRouterEventData: jobId, channelReference, channelId.
void WriteRouterBase(JsonWriter& w, const Event& e) {
  const core::EventJob& job = JobOf(e);
  WriteNonEmpty(w, "jobId", e.job_id);
  WriteOptional(w, "channelReference", job.channel_reference);
  WriteOptional(w, "channelId", job.channel_id);
}

// AcsRouterJobEventData: the base, queueId, labels, tags.
void WriteJobBase(JsonWriter& w, const Event& e) {
  const core::EventJob& job = JobOf(e);
  WriteRouterBase(w, e);
  WriteNonEmpty(w, "queueId", e.queue_id);
  WriteLabels(w, "labels", job.labels);
  WriteLabels(w, "tags", job.tags);
}

// AcsRouterWorkerEventData: the base, workerId.
void WriteWorkerBase(JsonWriter& w, const Event& e) {
  WriteRouterBase(w, e);
  w.Field("workerId", e.worker_id);
}

void WriteJobFields(JsonWriter& w, const Event& e) {
  const core::EventJob& job = JobOf(e);
  switch (e.type) {
    case EventType::kJobReceived:
      w.Field("jobStatus", JobStatusName(job.status));
      WriteOptional(w, "classificationPolicyId", job.classification_policy_id);
      w.Field("priority", job.priority);
      WriteSelectors(w, "requestedWorkerSelectors", job.requested_worker_selectors);
      if (job.scheduled_at) w.Key("scheduledOn").Time(*job.scheduled_at);
      w.Field("unavailableForMatching", job.unavailable_for_matching);
      return;
    case EventType::kJobClassified:
      if (e.queue_details) {
        w.Key("queueDetails");
        WriteQueue(w, *e.queue_details);
      }
      WriteOptional(w, "classificationPolicyId", job.classification_policy_id);
      w.Field("priority", job.priority);
      WriteSelectors(w, "attachedWorkerSelectors", job.attached_worker_selectors);
      return;
    case EventType::kJobClassificationFailed:
      WriteOptional(w, "classificationPolicyId", job.classification_policy_id);
      w.Key("errors").BeginArray().BeginObject().Field("message", e.detail).EndObject().EndArray();
      return;
    case EventType::kJobQueued:
      w.Field("priority", job.priority);
      WriteSelectors(w, "attachedWorkerSelectors", job.attached_worker_selectors);
      WriteSelectors(w, "requestedWorkerSelectors", job.requested_worker_selectors);
      return;
    case EventType::kJobCompleted:
    case EventType::kJobUnassigned:
      w.Field("assignmentId", e.assignment_id).Field("workerId", e.worker_id);
      return;
    case EventType::kJobClosed:
      w.Field("assignmentId", e.assignment_id).Field("workerId", e.worker_id);
      WriteNonEmpty(w, "dispositionCode", e.detail);
      return;
    case EventType::kJobCancelled:
      WriteOptional(w, "note", e.note);
      WriteNonEmpty(w, "dispositionCode", e.detail);
      return;
    case EventType::kJobExceptionTriggered:
      w.Field("ruleKey", e.rule_key).Field("exceptionRuleId", e.exception_rule_id);
      return;
    case EventType::kJobWorkerSelectorsExpired:
      WriteSelectors(w, "expiredRequestedWorkerSelectors", e.expired_requested_selectors);
      WriteSelectors(w, "expiredAttachedWorkerSelectors", e.expired_attached_selectors);
      return;
    case EventType::kJobWaitingForActivation:
    case EventType::kJobSchedulingFailed:
      w.Field("priority", job.priority);
      WriteSelectors(w, "expiredAttachedWorkerSelectors", e.expired_attached_selectors);
      WriteSelectors(w, "expiredRequestedWorkerSelectors", e.expired_requested_selectors);
      if (job.scheduled_at) w.Key("scheduledOn").Time(*job.scheduled_at);
      if (e.type == EventType::kJobWaitingForActivation) {
        w.Field("unavailableForMatching", job.unavailable_for_matching);
      } else {
        WriteNonEmpty(w, "failureReason", e.detail);
      }
      return;
    default: return;  // RouterJobDeleted: the base fields only
  }
}

void WriteOfferFields(JsonWriter& w, const Event& e) {
  const core::EventJob& job = JobOf(e);
  const core::EventWorker& worker = WorkerOf(e);
  w.Field("queueId", e.queue_id).Field("offerId", e.offer_id);
  if (e.type == EventType::kWorkerOfferAccepted) w.Field("assignmentId", e.assignment_id);
  if (e.type != EventType::kWorkerOfferIssued && e.type != EventType::kWorkerOfferAccepted) return;
  w.Field("jobPriority", job.priority);
  WriteLabels(w, "workerLabels", worker.labels);
  if (e.type == EventType::kWorkerOfferIssued) {
    if (e.offered_at) w.Key("offeredOn").Time(*e.offered_at);
    if (e.expires_at) w.Key("expiresOn").Time(*e.expires_at);
  }
  WriteLabels(w, "workerTags", worker.tags);
  WriteLabels(w, "jobLabels", job.labels);
  WriteLabels(w, "jobTags", job.tags);
}

// RouterWorkerRegistered and RouterWorkerUpdated stand alone (no base type).
void WriteWorkerState(JsonWriter& w, const Event& e) {
  const core::EventWorker& worker = WorkerOf(e);
  w.Field("workerId", e.worker_id);
  w.Key("queueAssignments").BeginArray();
  for (const core::EventQueue& queue : worker.queues) WriteQueue(w, queue);
  w.EndArray();
  w.Key("channelConfigurations").BeginArray();
  for (const core::Channel& channel : worker.channels) {
    w.BeginObject()
        .Field("channelId", channel.channel_id)
        .Field("capacityCostPerJob", channel.capacity_cost_per_job);
    if (channel.max_number_of_jobs) w.Field("maxNumberOfJobs", *channel.max_number_of_jobs);
    w.EndObject();
  }
  w.EndArray();
  w.Field("totalCapacity", worker.capacity);
  WriteLabels(w, "labels", worker.labels);
  WriteLabels(w, "tags", worker.tags);
  if (e.type != EventType::kWorkerUpdated) return;
  w.Key("updatedWorkerProperties").BeginArray();
  for (const std::string& property : e.updated_properties) w.String(property);
  w.EndArray();
}

bool IsJobEvent(EventType type) {
  return static_cast<int>(type) <= static_cast<int>(EventType::kJobDeleted);
}

}  // namespace

std::string EventGridType(EventType type) {
  return std::string("Microsoft.Communication.") + core::EventTypeName(type);
}

bool ParseEventType(std::string_view name, EventType& type) {
  constexpr std::string_view kPrefix = "Microsoft.Communication.";
  if (name.starts_with(kPrefix)) name.remove_prefix(kPrefix.size());
  for (int i = 0; i < kEventTypeCount; ++i) {
    const auto candidate = static_cast<EventType>(i);
    if (name == core::EventTypeName(candidate)) {
      type = candidate;
      return true;
    }
  }
  return false;
}

std::string EventData(const Event& e) {
  std::string out;
  out.reserve(512);
  JsonWriter w(out);
  w.BeginObject();
  if (IsJobEvent(e.type)) {
    WriteJobBase(w, e);
    WriteJobFields(w, e);
  } else if (e.type == EventType::kWorkerRegistered || e.type == EventType::kWorkerUpdated) {
    WriteWorkerState(w, e);
  } else if (e.type == EventType::kWorkerDeregistered) {
    w.Field("workerId", e.worker_id);
  } else {
    WriteWorkerBase(w, e);
    if (e.type != EventType::kWorkerDeleted) WriteOfferFields(w, e);
  }
  w.EndObject();
  return out;
}

std::string EventSubject(const Event& e) {
  if (!IsJobEvent(e.type)) {
    std::string subject = "worker/" + e.worker_id;
    const bool offer =
        e.type >= EventType::kWorkerOfferIssued && e.type <= EventType::kWorkerOfferExpired;
    if (offer) subject += "/job/" + e.job_id;
    return subject;
  }
  std::string subject = "job/" + e.job_id + "/channel/" + JobOf(e).channel_id.value_or("");
  switch (e.type) {
    case EventType::kJobClassified:
    case EventType::kJobQueued:
    case EventType::kJobWorkerSelectorsExpired: return subject + "/queue/" + e.queue_id;
    case EventType::kJobClassificationFailed:
      return subject + "/classificationpolicy/" + JobOf(e).classification_policy_id.value_or("");
    case EventType::kJobCompleted:
    case EventType::kJobClosed:
    case EventType::kJobUnassigned: return subject + "/assignment/" + e.assignment_id;
    case EventType::kJobCancelled: return subject + "/disposition/" + e.detail;
    case EventType::kJobExceptionTriggered: return subject + "/exceptionrule/" + e.rule_key;
    default: return subject;  // received, waiting for activation, scheduling failed, deleted
  }
}

}  // namespace sb::events
