// Exception policies: the triggers a queue's exception policy sets on the jobs that join it,
// and the actions they take. A queueLength trigger is checked as a job joins the queue and fires
// when the jobs already queued there (the arriving one not counted) reach its threshold - the
// documented sample fires on the 11th job with a threshold of 10. A waitTime trigger fires
// `thresholdSeconds` after the job joined, if it is still queued in that visit. Each rule fires
// at most once per job per queue visit; its actions run in order and stop once the job is
// cancelled. Triggers follow the queue's exception policy as it is when they fire: a threshold
// changed while jobs wait applies to them, as it does to the jobs of an engine restored from the
// store (which schedules from the policies it loads).
#include <charconv>

#include "core/engine_state.h"

namespace sb::core {
namespace {

constexpr int kMaxSettleRounds = 64;  // exception actions that requeue jobs, settling in rounds

const ExceptionPolicy* PolicyOf(const EngineState& s, const Job& job) {
  const QueueState* queue = s.QueueOf(job);
  if (!queue || !queue->spec.exception_policy_id) return nullptr;
  return s.exception_policies_.Find(*queue->spec.exception_policy_id);
}

void Requeue(EngineState& s, Job& job) {
  if (job.status == JobStatus::kQueued) {
    s.Unfile(job);
    s.RevokeJobOffers(job, OfferEnd::kRevoked);
  }
}

void Cancel(EngineState& s, Job& job, const CancelExceptionAction& action) {
  Requeue(s, job);
  job.spec.disposition_code = action.disposition_code.value_or("Cancelled");
  s.AddNote(job, action.note);
  s.SetStatus(job, JobStatus::kCancelled);
  Event& event = s.Emit(EventType::kJobCancelled, &job);
  event.detail = *job.spec.disposition_code;
  event.note = action.note;
}

void ManualReclassify(EngineState& s, Job& job, const ManualReclassifyExceptionAction& action) {
  Requeue(s, job);
  s.ChangeJobCount(job, -1);
  if (action.queue_id && s.queues_.Find(*action.queue_id)) {
    job.spec.queue_id = action.queue_id;
    job.queue_from_classification = false;
  }
  if (action.priority) job.spec.priority = *action.priority;
  if (!action.worker_selectors.empty()) {
    job.attached_worker_selectors = action.worker_selectors;
    for (WorkerSelector& selector : job.attached_worker_selectors) {
      selector.status = WorkerSelectorStatus::kActive;
      selector.expires_at = std::nullopt;
    }
  }
  s.ChangeJobCount(job, +1);
  s.TouchJob(job);
  s.Enqueue(job, /*keep_enqueued_at=*/true);
}

void Reclassify(EngineState& s, Job& job, const ReclassifyExceptionAction& action) {
  Requeue(s, job);
  s.ChangeJobCount(job, -1);
  for (const auto& [key, value] : action.labels_to_upsert) job.spec.labels.insert_or_assign(key, value);
  if (action.classification_policy_id &&
      s.classification_policies_.Find(*action.classification_policy_id)) {
    job.spec.classification_policy_id = action.classification_policy_id;
  }
  s.ChangeJobCount(job, +1);
  s.TouchJob(job);
  if (!job.spec.classification_policy_id) {  // nothing to classify with: back where it was
    s.Enqueue(job, /*keep_enqueued_at=*/true);
    return;
  }
  job.queue_from_classification = true;  // the point of escalating is to choose anew
  s.Classify(job);
}

void FireRule(EngineState& s, Job& job, const ExceptionRule& rule) {
  job.fired_exception_rules.insert(rule.id);
  s.MarkDirty(EntityKind::kJob, job.id);
  Event& event = s.Emit(EventType::kJobExceptionTriggered, &job);
  event.rule_key = rule.id;
  event.exception_rule_id = rule.id;
  for (const ExceptionAction& action : rule.actions) {
    if (IsTerminal(job.status)) break;
    if (auto* c = std::get_if<CancelExceptionAction>(&action)) {
      Cancel(s, job, *c);
    } else if (auto* m = std::get_if<ManualReclassifyExceptionAction>(&action)) {
      ManualReclassify(s, job, *m);
    } else {
      Reclassify(s, job, std::get<ReclassifyExceptionAction>(action));
    }
  }
}

}  // namespace

void EngineState::OnQueueVisit(Job& job, std::size_t jobs_ahead) {
  if (job.visit_queue_id == job.spec.queue_id) return;  // re-filed within the same visit
  job.visit_queue_id = job.spec.queue_id;
  job.visit_started_at = now_;
  ++job.queue_visit;
  job.fired_exception_rules.clear();
  const ExceptionPolicy* policy = PolicyOf(*this, job);
  if (!policy) return;
  ScheduleWaitTimeTriggers(job);
  for (const ExceptionRule& rule : policy->spec.exception_rules) {
    if (std::holds_alternative<QueueLengthExceptionTrigger>(rule.trigger)) {
      queue_length_checks_.push_back({job.id, job.queue_visit, jobs_ahead});
      return;
    }
  }
}

void EngineState::ScheduleWaitTimeTriggers(const Job& job) {
  const ExceptionPolicy* policy = PolicyOf(*this, job);
  if (!policy || !job.visit_queue_id) return;
  for (const ExceptionRule& rule : policy->spec.exception_rules) {
    auto* w = std::get_if<WaitTimeExceptionTrigger>(&rule.trigger);
    if (!w || job.fired_exception_rules.count(rule.id)) continue;
    timers_.Schedule(job.visit_started_at + Duration::FromSecondsDouble(w->threshold_seconds),
                     TimerKind::kExceptionWaitTime, job.id,
                     std::to_string(job.queue_visit) + "/" + rule.id);
  }
}

void EngineState::RescheduleWaitTimeTriggers(const QueueState& queue) {
  // Timers of a threshold that was raised stay set; FireWaitTimeTrigger ignores them.
  for (const JobKey& key : queue.queued) ScheduleWaitTimeTriggers(*key.job);
}

void EngineState::RunQueueLengthChecks() {
  std::vector<QueueLengthCheck> checks;
  checks.swap(queue_length_checks_);
  for (const QueueLengthCheck& check : checks) {
    Job* job = jobs_.Find(check.job_id);
    if (!job || job->status != JobStatus::kQueued || job->queue_visit != check.visit) continue;
    const ExceptionPolicy* policy = PolicyOf(*this, *job);
    if (!policy) continue;
    for (const ExceptionRule& rule : policy->spec.exception_rules) {
      auto* q = std::get_if<QueueLengthExceptionTrigger>(&rule.trigger);
      if (!q || check.jobs_ahead < static_cast<std::size_t>(q->threshold)) continue;
      if (job->fired_exception_rules.count(rule.id) || job->queue_visit != check.visit) continue;
      FireRule(*this, *job, rule);
    }
  }
}

void EngineState::FireWaitTimeTrigger(Job& job, std::string_view visit_and_rule) {
  const std::size_t slash = visit_and_rule.find('/');
  std::uint64_t visit = 0;
  std::from_chars(visit_and_rule.data(), visit_and_rule.data() + slash, visit);
  const std::string_view rule_id = visit_and_rule.substr(slash + 1);
  if (job.status != JobStatus::kQueued || job.queue_visit != visit ||
      job.fired_exception_rules.count(rule_id)) {
    return;
  }
  const ExceptionPolicy* policy = PolicyOf(*this, job);
  if (!policy) return;
  for (const ExceptionRule& rule : policy->spec.exception_rules) {
    auto* w = std::get_if<WaitTimeExceptionTrigger>(&rule.trigger);
    if (rule.id != rule_id || !w) continue;
    // A timer set for a lower threshold than the rule has now is early: the one set when the
    // threshold changed fires on time.
    if (now_ < job.visit_started_at + Duration::FromSecondsDouble(w->threshold_seconds)) return;
    FireRule(*this, job, rule);
    return;
  }
}

void EngineState::Settle() {
  // Actions may move jobs into queues with their own policies; each move is a new check.
  for (int round = 0; round < kMaxSettleRounds && !queue_length_checks_.empty(); ++round) {
    RunQueueLengthChecks();
  }
  queue_length_checks_.clear();  // a cycle of escalations stops here rather than spinning
  RunMatching();
}

}  // namespace sb::core
