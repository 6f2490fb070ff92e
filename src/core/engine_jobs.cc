// Job commands and the steps of the job lifecycle: routing, queueing, scheduling, suspension,
// completion, closing, cancellation, unassignment and deletion.
#include <algorithm>
#include <memory>

#include "core/engine_state.h"
#include "core/validation.h"

namespace sb::core {
namespace {

constexpr char kDefaultCancelDisposition[] = "Cancelled";
constexpr char kDefaultCloseDisposition[] = "Closed";

// Same selectors as configured by the client, ignoring the engine's status and expiry.
bool SameSelectors(const std::vector<WorkerSelector>& a, const std::vector<WorkerSelector>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || a[i].label_operator != b[i].label_operator ||
        !(a[i].value == b[i].value) || a[i].expires_after_seconds != b[i].expires_after_seconds ||
        a[i].expedite != b[i].expedite) {
      return false;
    }
  }
  return true;
}

void ResetSelectorState(std::vector<WorkerSelector>& selectors) {
  for (WorkerSelector& selector : selectors) {
    selector.status = WorkerSelectorStatus::kActive;
    selector.expires_at = std::nullopt;
  }
}

Error JobNotFound(std::string_view id) {
  return Error::NotFound("job '" + std::string(id) + "' does not exist", "jobId");
}

}  // namespace

QueueState* EngineState::QueueOf(const Job& job) const {
  return job.spec.queue_id ? queues_.Find(*job.spec.queue_id) : nullptr;
}

void EngineState::ChangeJobCount(const Job& job, int delta) {
  if (IsTerminal(job.status)) return;
  if (QueueState* queue = QueueOf(job)) {
    queue->active_jobs = static_cast<std::size_t>(static_cast<long long>(queue->active_jobs) + delta);
  }
  if (job.spec.classification_policy_id) {
    auto& count = jobs_per_policy_[*job.spec.classification_policy_id];
    count = static_cast<std::size_t>(static_cast<long long>(count) + delta);
    if (count == 0) jobs_per_policy_.erase(*job.spec.classification_policy_id);
  }
}

void EngineState::SetStatus(Job& job, JobStatus status) {
  if (job.status == status) return;
  DropRuleCalls(job);  // outbound answers belong to the status that asked for them
  SB_ASSERT_MSG(IsLegalTransition(job.status, status), job.id.c_str());
  if (status != JobStatus::kQueued && status != JobStatus::kPendingClassification) {
    job.visit_queue_id.reset();  // it stopped waiting: a later queueing is a new visit
  }
  if (IsTerminal(status)) {
    ChangeJobCount(job, -1);
    for (const auto& [worker_id, until] : job.declined_by) {
      if (Worker* worker = workers_.Find(worker_id)) worker->declined_job_ids.erase(job.id);
    }
    job.declined_by.clear();
  }
  job.status = status;
  TouchJob(job);
}

void EngineState::AddNote(Job& job, const std::optional<std::string>& note) {
  if (!note) return;
  job.spec.notes.push_back({*note, now_});
  if (job.spec.notes.size() > options_.limits.max_notes) job.spec.notes.erase(job.spec.notes.begin());
}

Status EngineState::ValidateJobReferences(const JobSpec& spec) const {
  if (spec.queue_id && !queues_.Find(*spec.queue_id)) {
    return Error::InvalidArgument("queueId: queue '" + *spec.queue_id + "' does not exist", "queueId");
  }
  if (spec.classification_policy_id &&
      !classification_policies_.Find(*spec.classification_policy_id)) {
    return Error::InvalidArgument("classificationPolicyId: classification policy '" +
                                      *spec.classification_policy_id + "' does not exist",
                                  "classificationPolicyId");
  }
  return Ok{};
}

void EngineState::CreateJob(Job& job) {
  ResetSelectorState(job.spec.requested_worker_selectors);
  ChangeJobCount(job, +1);
  TouchJob(job);
  const std::size_t received = effects_ ? effects_->events.size() : 0;
  Emit(EventType::kJobReceived, &job);
  StartRouting(job);
  // RouterJobReceived reports the status routing gave the job, as the service does: queued,
  // scheduled, waiting for activation - or pendingClassification while a policy classifies it
  // (the Classified / ClassificationFailed event that follows tells the outcome).
  if (effects_ && received < effects_->events.size()) {
    auto snapshot = std::make_shared<EventJob>(*effects_->events[received].job);
    const bool classifies = job.spec.classification_policy_id &&
                            job.spec.matching_mode.kind == MatchingModeKind::kQueueAndMatch;
    const bool finished = IsTerminal(job.status);  // an exception rule acted at once
    snapshot->status = classifies ? JobStatus::kPendingClassification
                       : finished ? JobStatus::kQueued
                                  : job.status;
    snapshot->scheduled_at = job.scheduled_at;  // scheduledOn of a scheduled job
    effects_->events[received].job = std::move(snapshot);
  }
}

void EngineState::StartRouting(Job& job) {
  switch (job.spec.matching_mode.kind) {
    case MatchingModeKind::kScheduleAndSuspend:
      if (job.status == JobStatus::kCreated) SetStatus(job, JobStatus::kPendingSchedule);
      Schedule(job);
      return;
    case MatchingModeKind::kSuspend:
      Suspend(job);
      return;
    case MatchingModeKind::kQueueAndMatch:
      Route(job);
      return;
  }
}

void EngineState::Route(Job& job) {
  if (job.spec.classification_policy_id) {
    Classify(job);
  } else {
    Enqueue(job, /*keep_enqueued_at=*/false);
  }
}

void EngineState::Schedule(Job& job) {
  const Timestamp at = *job.spec.matching_mode.schedule_at;
  SetStatus(job, JobStatus::kScheduled);
  job.scheduled_at = at;
  TouchJob(job);
  if (at <= now_) {
    Suspend(job);  // the time has come already
  } else {
    timers_.Schedule(at, TimerKind::kScheduledActivation, job.id);
  }
}

void EngineState::Suspend(Job& job) {
  if (job.status == JobStatus::kWaitingForActivation) return;
  SetStatus(job, JobStatus::kWaitingForActivation);
  Event& event = Emit(EventType::kJobWaitingForActivation, &job);
  for (const WorkerSelector& s : job.spec.requested_worker_selectors) {
    if (!IsActive(s)) event.expired_requested_selectors.push_back(s);
  }
  for (const WorkerSelector& s : job.attached_worker_selectors) {
    if (!IsActive(s)) event.expired_attached_selectors.push_back(s);
  }
}

void EngineState::Enqueue(Job& job, bool keep_enqueued_at) {
  SB_ASSERT(QueueOf(job) != nullptr);
  SetStatus(job, JobStatus::kQueued);
  if (!keep_enqueued_at || !job.enqueued_at) job.enqueued_at = now_;
  job.queue_seq = next_queue_seq_++;
  File(job);
  Emit(EventType::kJobQueued, &job);
  OnQueueVisit(job, QueueOf(job)->queued.size() - 1);
}

void EngineState::File(Job& job) {
  SB_ASSERT(job.status == JobStatus::kQueued);
  QueueState& queue = *QueueOf(job);
  RefreshSelectors(job);
  const JobKey key = KeyOf(job);
  queue.queued.insert(key);
  queue.enqueue_times_us.insert(key.enqueued_us);
  ++queue.priority_counts[job.spec.priority];
  RefreshMatchable(job);
  MarkJob(job);
}

void EngineState::Unfile(Job& job) {
  SB_ASSERT(job.status == JobStatus::kQueued);
  QueueState& queue = *QueueOf(job);
  const JobKey key = KeyOf(job);
  const std::size_t erased = queue.queued.erase(key);
  SB_ASSERT(erased == 1);
  queue.enqueue_times_us.erase(queue.enqueue_times_us.find(key.enqueued_us));
  if (--queue.priority_counts[job.spec.priority] == 0) queue.priority_counts.erase(job.spec.priority);
  queue.Channel(*job.spec.channel_id).matchable_jobs.erase(key);
}

void EngineState::RefreshSelectors(Job& job) {
  bool expedite = false;
  auto refresh = [&](WorkerSelector& selector) {
    if (!selector.status) selector.status = WorkerSelectorStatus::kActive;
    if (IsActive(selector) && selector.expires_after_seconds && !selector.expires_at) {
      selector.expires_at = now_ + Duration::FromSecondsDouble(*selector.expires_after_seconds);
      timers_.Schedule(*selector.expires_at, TimerKind::kSelectorExpiry, job.id);
    }
    if (IsActive(selector) && selector.expedite.value_or(false)) expedite = true;
  };
  std::for_each(job.spec.requested_worker_selectors.begin(),
                job.spec.requested_worker_selectors.end(), refresh);
  std::for_each(job.attached_worker_selectors.begin(), job.attached_worker_selectors.end(), refresh);
  job.expedite = expedite;
}

void EngineState::UpdateJob(Job& job, JobSpec spec) {
  const JobSpec& old = job.spec;
  const bool selectors_changed =
      !SameSelectors(old.requested_worker_selectors, spec.requested_worker_selectors);
  if (selectors_changed) {
    ResetSelectorState(spec.requested_worker_selectors);
  } else {
    spec.requested_worker_selectors = old.requested_worker_selectors;  // keep their state
  }
  const bool mode_changed = !(old.matching_mode == spec.matching_mode);
  const bool offers_stale = mode_changed || selectors_changed || old.queue_id != spec.queue_id ||
                            old.channel_id != spec.channel_id;
  if (old.queue_id != spec.queue_id) job.queue_from_classification = false;
  if (spec == old) return;

  const bool was_queued = job.status == JobStatus::kQueued;
  if (was_queued) {
    Unfile(job);
    if (offers_stale) RevokeJobOffers(job, OfferEnd::kRevoked);
  }
  ChangeJobCount(job, -1);
  job.spec = std::move(spec);
  ChangeJobCount(job, +1);
  TouchJob(job);

  const MatchingModeKind kind = job.spec.matching_mode.kind;
  if (was_queued) {
    if (!QueueOf(job)) {
      Route(job);  // the queue was removed from the job: its classification policy decides
    } else if (!mode_changed || kind == MatchingModeKind::kQueueAndMatch) {
      File(job);
      OnQueueVisit(job, QueueOf(job)->queued.size() - 1);  // a new queue is a new visit
    } else if (kind == MatchingModeKind::kSuspend) {
      Suspend(job);
    } else {
      Schedule(job);
    }
    return;
  }
  const bool waiting = job.status == JobStatus::kScheduled ||
                       job.status == JobStatus::kScheduleFailed ||
                       job.status == JobStatus::kWaitingForActivation;
  if (!waiting || !mode_changed) return;
  if (kind == MatchingModeKind::kQueueAndMatch) {
    Route(job);
  } else if (kind == MatchingModeKind::kScheduleAndSuspend) {
    Schedule(job);
  } else {
    Suspend(job);
  }
}

void EngineState::ReleaseAssignment(Job& job) {
  JobAssignment* assignment = job.ActiveAssignment();
  SB_ASSERT(assignment != nullptr);
  Worker* worker = workers_.Find(assignment->worker_id);
  SB_ASSERT(worker != nullptr);
  auto it = std::find_if(worker->assigned_jobs.begin(), worker->assigned_jobs.end(),
                         [&](const WorkerAssignment& a) {
                           return a.assignment_id == assignment->assignment_id;
                         });
  SB_ASSERT(it != worker->assigned_jobs.end());
  UnindexWorker(*worker);
  worker->used_capacity -= it->capacity_cost;
  if (--worker->jobs_per_channel[it->channel_id] == 0) worker->jobs_per_channel.erase(it->channel_id);
  worker->assigned_jobs.erase(it);
  worker->idle_since = now_;
  UpdateDrainState(*worker);
  IndexWorker(*worker);
  MarkWorker(*worker);
  TouchWorker(*worker);
}

void EngineState::FinishClose(Job& job, std::optional<std::string> disposition_code) {
  ReleaseAssignment(job);
  JobAssignment& assignment = job.assignments.back();
  assignment.closed_at = now_;
  job.pending_close.reset();
  job.spec.disposition_code = std::move(disposition_code);
  SetStatus(job, JobStatus::kClosed);
  Event& event = Emit(EventType::kJobClosed, &job);
  event.worker_id = assignment.worker_id;
  event.assignment_id = assignment.assignment_id;
  event.detail = job.spec.disposition_code.value_or("");
}

Result<UpsertResult<Job>> Engine::UpsertJob(std::string_view id, JobSpec spec, Timestamp now,
                                            Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  SB_TRY(ValidateId(id, "jobId", s.options_.limits));
  SB_TRY(ValidateJob(spec, s.options_.limits));
  for (JobNote& note : spec.notes) {
    if (!note.added_at) note.added_at = s.now_;
  }
  std::stable_sort(spec.notes.begin(), spec.notes.end(),
                   [](const JobNote& a, const JobNote& b) { return *a.added_at < *b.added_at; });
  Job* job = s.jobs_.Find(id);
  if (!job) {
    SB_TRY(s.ValidateJobReferences(spec));
    if (s.jobs_.size() >= s.options_.limits.max_jobs) {
      return Error::LimitExceeded("the limit of " + std::to_string(s.options_.limits.max_jobs) +
                                  " jobs is reached");
    }
    Job& created = s.jobs_.Insert(std::string(id), s.next_created_seq_++);
    created.spec = std::move(spec);
    s.CreateJob(created);
    return UpsertResult<Job>{&created, true};
  }
  if (!spec.queue_id && job->status == JobStatus::kAssigned) {
    // Unassigning puts the job back in its queue, and an assigned job cannot be reclassified.
    return Error::Conflict(
        "queueId: an assigned job keeps its queue; it returns there if unassigned", "queueId");
  }
  JobSpec references;  // only references that change are checked: old ones may be gone
  if (spec.queue_id != job->spec.queue_id) references.queue_id = spec.queue_id;
  if (spec.classification_policy_id != job->spec.classification_policy_id) {
    references.classification_policy_id = spec.classification_policy_id;
  }
  SB_TRY(s.ValidateJobReferences(references));
  s.UpdateJob(*job, std::move(spec));
  return UpsertResult<Job>{job, false};
}

Status Engine::DeleteJob(std::string_view id, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  Job* job = s.jobs_.Find(id);
  if (!job) return Ok{};
  if (!IsTerminal(job->status)) {
    return Error::Conflict("the job is neither closed nor cancelled; cancel or close it first");
  }
  s.Emit(EventType::kJobDeleted, job);
  effects.changes.push_back({EntityKind::kJob, job->id, true});
  s.jobs_.Erase(id);
  return Ok{};
}

Status Engine::CancelJob(std::string_view id, CancelJobOptions options, Timestamp now,
                         Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  SB_TRY(ValidateActionText(options.note, options.disposition_code, s.options_.limits));
  Job* job = s.jobs_.Find(id);
  if (!job) return JobNotFound(id);
  if (IsTerminal(job->status) || job->status == JobStatus::kCompleted) {
    return Error::Conflict("a job that is completed, closed or cancelled cannot be cancelled");
  }
  if (job->status == JobStatus::kQueued) {
    s.Unfile(*job);
    s.RevokeJobOffers(*job, OfferEnd::kRevoked);
  } else if (job->status == JobStatus::kAssigned) {
    s.ReleaseAssignment(*job);
  }
  job->spec.disposition_code = options.disposition_code.value_or(kDefaultCancelDisposition);
  s.AddNote(*job, options.note);
  s.SetStatus(*job, JobStatus::kCancelled);
  Event& event = s.Emit(EventType::kJobCancelled, job);
  event.detail = *job->spec.disposition_code;
  event.note = options.note;
  return Ok{};
}

// Finds the job and checks that `assignment_id` names its active assignment.
static Result<Job*> FindAssigned(EngineState& s, std::string_view id,
                                 std::string_view assignment_id) {
  Job* job = s.jobs_.Find(id);
  if (!job) return JobNotFound(id);
  auto it = std::find_if(job->assignments.begin(), job->assignments.end(),
                         [&](const JobAssignment& a) { return a.assignment_id == assignment_id; });
  if (it == job->assignments.end()) {
    return Error::NotFound("assignment '" + std::string(assignment_id) + "' does not exist on job '" +
                               std::string(id) + "'",
                           "assignmentId");
  }
  if (job->ActiveAssignment() != &*it) {
    return Error::Conflict("assignment '" + std::string(assignment_id) + "' is no longer active");
  }
  return job;
}

Status Engine::CompleteJob(std::string_view id, std::string_view assignment_id,
                           CompleteJobOptions options, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  SB_TRY(ValidateActionText(options.note, std::nullopt, s.options_.limits));
  auto found = FindAssigned(s, id, assignment_id);
  if (!found) return std::move(found).error();
  Job& job = **found;
  if (job.status != JobStatus::kAssigned) {
    return Error::Conflict("only an assigned job can be completed; the job is already completed");
  }
  JobAssignment& assignment = job.assignments.back();
  assignment.completed_at = s.now_;
  s.AddNote(job, options.note);
  s.SetStatus(job, JobStatus::kCompleted);
  Event& event = s.Emit(EventType::kJobCompleted, &job);
  event.worker_id = assignment.worker_id;
  event.assignment_id = assignment.assignment_id;
  return Ok{};
}

Status Engine::CloseJob(std::string_view id, std::string_view assignment_id,
                        CloseJobOptions options, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  SB_TRY(ValidateActionText(options.note, options.disposition_code, s.options_.limits));
  auto found = FindAssigned(s, id, assignment_id);
  if (!found) return std::move(found).error();
  Job& job = **found;
  if (job.status != JobStatus::kCompleted) {
    return Error::Conflict("only a completed job can be closed; complete the assignment first");
  }
  if (job.pending_close) {
    return Error::Conflict("the job is already set to close at " + FormatRfc3339(job.pending_close->close_at));
  }
  s.AddNote(job, options.note);
  auto disposition = options.disposition_code ? options.disposition_code
                                              : std::optional<std::string>(kDefaultCloseDisposition);
  if (options.close_at && *options.close_at > s.now_) {
    job.pending_close = PendingClose{*options.close_at, std::move(disposition)};
    s.timers_.Schedule(*options.close_at, TimerKind::kCloseAt, job.id);
    s.TouchJob(job);
    return Ok{};
  }
  s.FinishClose(job, std::move(disposition));
  return Ok{};
}

Result<UnassignJobResult> Engine::UnassignJob(std::string_view id, std::string_view assignment_id,
                                              UnassignJobOptions options, Timestamp now,
                                              Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  auto found = FindAssigned(s, id, assignment_id);
  if (!found) return std::move(found).error();
  Job& job = **found;
  if (job.status != JobStatus::kAssigned) {
    return Error::Conflict("only an assigned job can be unassigned; the job is completed");
  }
  const JobAssignment assignment = job.assignments.back();
  s.ReleaseAssignment(job);
  ++job.unassignment_count;
  Event& event = s.Emit(EventType::kJobUnassigned, &job);
  event.worker_id = assignment.worker_id;
  event.assignment_id = assignment.assignment_id;
  if (options.suspend_matching) {
    job.spec.matching_mode = MatchingMode{MatchingModeKind::kSuspend, std::nullopt};
    s.Suspend(job);
  } else {
    s.Enqueue(job, /*keep_enqueued_at=*/true);
  }
  return UnassignJobResult{job.id, job.unassignment_count};
}

Status Engine::ReclassifyJob(std::string_view id, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  Job* job = s.jobs_.Find(id);
  if (!job) return JobNotFound(id);
  if (!job->spec.classification_policy_id) {
    return Error::InvalidArgument("the job has no classificationPolicyId to reclassify with",
                                  "classificationPolicyId");
  }
  if (job->status != JobStatus::kQueued && job->status != JobStatus::kClassificationFailed) {
    return Error::Conflict("only a queued job or one whose classification failed can be reclassified");
  }
  if (job->status == JobStatus::kQueued) {
    s.Unfile(*job);
    s.RevokeJobOffers(*job, OfferEnd::kRevoked);
  }
  s.Classify(*job);
  return Ok{};
}

}  // namespace sb::core
