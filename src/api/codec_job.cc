// Codecs of jobs, the job action options, queue statistics and job positions.
#include <string>

#include "api/codec.h"
#include "api/names.h"

namespace sb::api {
namespace {

using namespace sb::core;

void PutIf(json::object& o, std::string_view key, const std::optional<std::string>& v) {
  if (v) o[key] = json::string(*v);
}

template <class T>
Result<T> Done(const Reader& r, T value) {
  if (!r.ok()) return r.error();
  return value;
}

json::object EncodeAssignment(const JobAssignment& a) {
  json::object o;
  o["assignmentId"] = json::string(a.assignment_id);
  o["workerId"] = json::string(a.worker_id);
  o["assignedAt"] = ToJsonTime(a.assigned_at);
  if (a.completed_at) o["completedAt"] = ToJsonTime(*a.completed_at);
  if (a.closed_at) o["closedAt"] = ToJsonTime(*a.closed_at);
  return o;
}

std::string FormatMinutes(int priority) { return std::to_string(priority); }

}  // namespace

json::object Encode(const Job& job, const EncodeContext& context) {
  json::object o;
  o["id"] = json::string(job.id);
  PutIf(o, "channelReference", job.spec.channel_reference);
  o["status"] = json::string(NameOf(job.status, JobStatusNames()));
  if (job.enqueued_at) o["enqueuedAt"] = ToJsonTime(*job.enqueued_at);
  PutIf(o, "channelId", job.spec.channel_id);
  PutIf(o, "classificationPolicyId", job.spec.classification_policy_id);
  PutIf(o, "queueId", job.spec.queue_id);
  o["priority"] = job.spec.priority;
  PutIf(o, "dispositionCode", job.spec.disposition_code);
  o["requestedWorkerSelectors"] = EncodeWorkerSelectors(job.spec.requested_worker_selectors);
  o["attachedWorkerSelectors"] = EncodeWorkerSelectors(job.attached_worker_selectors);
  o["labels"] = ToJson(job.spec.labels);
  json::object assignments;
  for (const JobAssignment& a : job.assignments) assignments[a.assignment_id] = EncodeAssignment(a);
  o["assignments"] = std::move(assignments);
  o["tags"] = ToJson(job.spec.tags);
  json::array notes;
  for (const JobNote& note : job.spec.notes) {
    json::object n{{"message", json::string(note.message)}};
    if (note.added_at) n["addedAt"] = ToJsonTime(*note.added_at);
    notes.push_back(std::move(n));
  }
  o["notes"] = std::move(notes);
  if (job.scheduled_at) o["scheduledAt"] = ToJsonTime(*job.scheduled_at);
  json::object mode{{"kind", json::string(NameOf(job.spec.matching_mode.kind, MatchingModeNames()))}};
  if (job.spec.matching_mode.schedule_at) mode["scheduleAt"] = ToJsonTime(*job.spec.matching_mode.schedule_at);
  o["matchingMode"] = std::move(mode);
  o["etag"] = json::string(context.engine.Etag(job.meta));
  return o;
}

Result<JobSpec> DecodeJob(const json::object& body) {
  Reader r(body, "");
  JobSpec spec;
  spec.channel_reference = r.String("channelReference");
  spec.channel_id = r.String("channelId");
  spec.classification_policy_id = r.String("classificationPolicyId");
  spec.queue_id = r.String("queueId");
  spec.priority = r.Int32("priority").value_or(kDefaultJobPriority);
  spec.disposition_code = r.String("dispositionCode");
  spec.requested_worker_selectors = DecodeWorkerSelectors(r, "requestedWorkerSelectors");
  spec.labels = r.Labels("labels");
  spec.tags = r.Labels("tags");
  for (Reader& note : r.Items("notes")) {
    note.Require("message");
    spec.notes.push_back({note.String("message").value_or(""), note.Time("addedAt")});
  }
  if (auto mode = r.Child("matchingMode")) {
    if (auto kind = mode->Enum("kind", MatchingModeNames(), true)) {
      spec.matching_mode.kind = static_cast<MatchingModeKind>(*kind);
      if (spec.matching_mode.kind == MatchingModeKind::kScheduleAndSuspend) {
        mode->Require("scheduleAt");
        spec.matching_mode.schedule_at = mode->Time("scheduleAt");
      }
    }
  }
  return Done(r, std::move(spec));
}

json::object Encode(const QueueStatistics& statistics) {
  json::object o;
  o["queueId"] = json::string(statistics.queue_id);
  o["length"] = statistics.length;
  if (!statistics.estimated_wait_time_minutes.empty()) {
    json::object estimates;
    for (const auto& [priority, minutes] : statistics.estimated_wait_time_minutes) {
      estimates[FormatMinutes(priority)] = minutes;
    }
    o["estimatedWaitTimeMinutes"] = std::move(estimates);
  }
  if (statistics.longest_job_wait_time_minutes) {
    o["longestJobWaitTimeMinutes"] = *statistics.longest_job_wait_time_minutes;
  }
  return o;
}

json::object Encode(const JobPosition& position) {
  json::object o;
  o["jobId"] = json::string(position.job_id);
  o["position"] = position.position;
  o["queueId"] = json::string(position.queue_id);
  o["queueLength"] = position.queue_length;
  // Required by the contract; 0 until the queue has assignment history to estimate from.
  o["estimatedWaitTimeMinutes"] = position.estimated_wait_time_minutes.value_or(0.0);
  return o;
}

Result<CancelJobOptions> DecodeCancelOptions(const json::object& body) {
  Reader r(body, "");
  CancelJobOptions options{r.String("note"), r.String("dispositionCode")};
  return Done(r, std::move(options));
}

Result<CompleteJobOptions> DecodeCompleteOptions(const json::object& body) {
  Reader r(body, "");
  CompleteJobOptions options{r.String("note")};
  return Done(r, std::move(options));
}

Result<CloseJobOptions> DecodeCloseOptions(const json::object& body) {
  Reader r(body, "");
  CloseJobOptions options{r.String("dispositionCode"), r.Time("closeAt"), r.String("note")};
  return Done(r, std::move(options));
}

Result<UnassignJobOptions> DecodeUnassignOptions(const json::object& body) {
  Reader r(body, "");
  UnassignJobOptions options{r.Bool("suspendMatching").value_or(false)};
  return Done(r, options);
}

Result<DeclineJobOfferOptions> DecodeDeclineOptions(const json::object& body) {
  Reader r(body, "");
  DeclineJobOfferOptions options{r.Time("retryOfferAt")};
  return Done(r, options);
}

}  // namespace sb::api
