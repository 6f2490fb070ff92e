// Timers: offer expiry, worker selector expiry, scheduled activation, delayed close and the end
// of a decline. Each fires at its own due time (the engine's clock is set to it), followed by
// matching, so the outcome does not depend on how late the server's tick arrives.
#include <algorithm>

#include "core/engine_state.h"

namespace sb::core {
namespace {

void ExpireOffer(EngineState& s, const Timer& timer) {
  auto it = s.offers_.find(timer.id);
  if (it == s.offers_.end()) return;
  Worker& worker = *s.workers_.Find(it->second.worker_id);
  s.CloseOffer(timer.id, OfferEnd::kExpired);
  // The service treats a worker who let an offer expire as unavailable and deregisters it.
  if (worker.spec.available_for_offers) {
    s.UnindexWorker(worker);
    worker.spec.available_for_offers = false;
    s.Deregister(worker);
    s.IndexWorker(worker);
    s.TouchWorker(worker);
  }
}

void ExpireSelectors(EngineState& s, Job& job) {
  if (IsTerminal(job.status)) return;
  std::vector<WorkerSelector> requested, attached;  // the ones expiring now
  auto expire = [&](std::vector<WorkerSelector>& selectors, std::vector<WorkerSelector>& expired) {
    for (WorkerSelector& selector : selectors) {
      if (IsActive(selector) && selector.expires_at && *selector.expires_at <= s.now_) {
        selector.status = WorkerSelectorStatus::kExpired;
        expired.push_back(selector);
      }
    }
  };
  const bool queued = job.status == JobStatus::kQueued;
  if (queued) s.Unfile(job);  // the expedite flag, part of the key, may change
  expire(job.spec.requested_worker_selectors, requested);
  expire(job.attached_worker_selectors, attached);
  if (queued) s.File(job);
  if (requested.empty() && attached.empty()) return;
  s.TouchJob(job);
  Event& event = s.Emit(EventType::kJobWorkerSelectorsExpired, &job);
  event.expired_requested_selectors = std::move(requested);
  event.expired_attached_selectors = std::move(attached);
}

}  // namespace

void EngineState::FireTimers(Timestamp now) {
  while (auto timer = timers_.PopDue(now)) {
    if (timer->at > now_) now_ = timer->at;
    Fire(*timer);
    Settle();
  }
}

void EngineState::Fire(const Timer& timer) {
  if (timer.kind == TimerKind::kOfferExpiry) {
    ExpireOffer(*this, timer);
    return;
  }
  Job* job = jobs_.Find(timer.id);
  if (!job) return;
  switch (timer.kind) {
    case TimerKind::kSelectorExpiry:
      ExpireSelectors(*this, *job);
      break;
    case TimerKind::kScheduledActivation:
      if (job->status == JobStatus::kScheduled && job->scheduled_at == timer.at &&
          job->spec.matching_mode.kind == MatchingModeKind::kScheduleAndSuspend) {
        Suspend(*job);
      }
      break;
    case TimerKind::kCloseAt:
      if (job->status == JobStatus::kCompleted && job->pending_close &&
          job->pending_close->close_at == timer.at) {
        FinishClose(*job, job->pending_close->disposition_code);
      }
      break;
    case TimerKind::kDeclineRetry: {
      auto it = job->declined_by.find(timer.other_id);
      if (it != job->declined_by.end() && it->second == timer.at) ClearDecline(*job, timer.other_id);
      break;
    }
    case TimerKind::kExceptionWaitTime:
      FireWaitTimeTrigger(*job, timer.other_id);
      break;
    case TimerKind::kOfferExpiry:
      break;
  }
}

}  // namespace sb::core
