// Offers: issuing, accepting, declining, expiring and revoking them, and the capacity they hold.
#include <algorithm>

#include "core/engine_state.h"

namespace sb::core {
namespace {

EventType EndEvent(OfferEnd end) {
  switch (end) {
    case OfferEnd::kDeclined:
      return EventType::kWorkerOfferDeclined;
    case OfferEnd::kExpired:
      return EventType::kWorkerOfferExpired;
    case OfferEnd::kAccepted:
      return EventType::kWorkerOfferAccepted;
    case OfferEnd::kRevoked:
    case OfferEnd::kTakenByOther:
      return EventType::kWorkerOfferRevoked;
  }
  return EventType::kWorkerOfferRevoked;
}

void Remember(Worker& worker, const Offer& offer, OfferEnd end) {
  auto& ring = worker.recently_closed_offers;
  if (ring.size() >= kClosedOfferMemory) ring.erase(ring.begin());
  ring.push_back({offer.offer_id, offer.job_id, end});
}

void EraseId(std::vector<std::string>& ids, const std::string& id) {
  auto it = std::find(ids.begin(), ids.end(), id);
  SB_ASSERT(it != ids.end());
  ids.erase(it);
}

}  // namespace

void EngineState::RefreshMatchable(Job& job) {
  QueueState* queue = QueueOf(job);
  if (!queue) return;
  const JobKey key = KeyOf(job);
  auto& matchable = queue->Channel(*job.spec.channel_id).matchable_jobs;
  // A queued job is out of its queue between Unfile and File (while a command revokes its
  // offers, say); File makes it matchable again if it still is.
  const bool filed = queue->queued.find(key) != queue->queued.end();
  const bool wanted = job.status == JobStatus::kQueued && filed && queue->mode &&
                      static_cast<int>(job.open_offer_ids.size()) < queue->mode->max_concurrent_offers;
  if (wanted) {
    matchable.insert(key);
  } else {
    matchable.erase(key);
  }
}

void EngineState::IssueOffer(Job& job, Worker& worker, QueueState& queue) {
  const Channel* channel = worker.spec.FindChannel(*job.spec.channel_id);
  SB_ASSERT(channel != nullptr && worker.HasRoomFor(*channel) && IsReady(worker));
  Offer offer;
  offer.offer_id = random_.Uuid();
  offer.job_id = job.id;
  offer.worker_id = worker.id;
  offer.queue_id = queue.id;
  offer.channel_id = channel->channel_id;
  offer.capacity_cost = channel->capacity_cost_per_job;
  offer.offered_at = now_;
  if (queue.offer_lifetime) {
    offer.expires_at = now_ + *queue.offer_lifetime;
    timers_.Schedule(*offer.expires_at, TimerKind::kOfferExpiry, offer.offer_id);
  }
  worker.used_capacity += offer.capacity_cost;
  ++worker.jobs_per_channel[offer.channel_id];
  worker.open_offer_ids.push_back(offer.offer_id);
  IndexWorker(worker);
  job.open_offer_ids.push_back(offer.offer_id);
  RefreshMatchable(job);
  if (queue.mode && queue.mode->kind == DistributionModeKind::kRoundRobin) {
    queue.round_robin_cursor = worker.id;
    MarkDirty(EntityKind::kQueue, queue.id);
  }
  TouchJob(job);
  TouchWorker(worker);
  Event& event = Emit(EventType::kWorkerOfferIssued, &job, &worker);
  event.queue_id = queue.id;
  event.offer_id = offer.offer_id;
  event.offered_at = offer.offered_at;
  event.expires_at = offer.expires_at;
  const std::string offer_id = offer.offer_id;
  offers_.emplace(offer_id, std::move(offer));
}

void EngineState::CloseOffer(const std::string& offer_id, OfferEnd end) {
  auto it = offers_.find(offer_id);
  SB_ASSERT(it != offers_.end());
  const Offer offer = std::move(it->second);
  if (offer.expires_at) timers_.Cancel({*offer.expires_at, TimerKind::kOfferExpiry, offer.offer_id, {}});
  offers_.erase(it);

  Job& job = *jobs_.Find(offer.job_id);
  EraseId(job.open_offer_ids, offer.offer_id);
  RefreshMatchable(job);
  TouchJob(job);
  if (end != OfferEnd::kAccepted) MarkJob(job);

  Worker& worker = *workers_.Find(offer.worker_id);
  EraseId(worker.open_offer_ids, offer.offer_id);
  if (end != OfferEnd::kAccepted) {  // an accepted offer's capacity passes to the assignment
    worker.used_capacity -= offer.capacity_cost;
    if (--worker.jobs_per_channel[offer.channel_id] == 0) {
      worker.jobs_per_channel.erase(offer.channel_id);
    }
  }
  Remember(worker, offer, end);
  IndexWorker(worker);
  MarkWorker(worker);
  TouchWorker(worker);
  if (end != OfferEnd::kAccepted) {
    Event& event = Emit(EndEvent(end), &job, &worker);
    event.queue_id = offer.queue_id;
    event.offer_id = offer.offer_id;
  }
}

void EngineState::RevokeJobOffers(Job& job, OfferEnd end) {
  const std::vector<std::string> ids = job.open_offer_ids;
  for (const std::string& id : ids) CloseOffer(id, end);
}

void EngineState::RevokeWorkerOffers(Worker& worker) {
  const std::vector<std::string> ids = worker.open_offer_ids;
  for (const std::string& id : ids) CloseOffer(id, OfferEnd::kRevoked);
}

void EngineState::ClearDecline(Job& job, const std::string& worker_id) {
  job.declined_by.erase(worker_id);
  MarkDirty(EntityKind::kJob, job.id);
  if (Worker* worker = workers_.Find(worker_id)) worker->declined_job_ids.erase(job.id);
  MarkJob(job);
}

// The answer to an accept or decline of an offer that is not open for this worker.
static Error OfferNotOpen(const Worker& worker, std::string_view offer_id) {
  for (const ClosedOffer& closed : worker.recently_closed_offers) {
    if (closed.offer_id != offer_id) continue;
    if (closed.end == OfferEnd::kTakenByOther) {
      return Error::Conflict("job '" + closed.job_id + "' was accepted by another worker");
    }
    if (closed.end == OfferEnd::kAccepted) {
      return Error::Conflict("offer '" + std::string(offer_id) + "' was already accepted");
    }
  }
  return Error::NotFound("offer '" + std::string(offer_id) + "' is not open for worker '" +
                             worker.id + "'",
                         "offerId");
}

Result<AcceptJobOfferResult> Engine::AcceptJobOffer(std::string_view worker_id,
                                                    std::string_view offer_id, Timestamp now,
                                                    Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  Worker* worker = s.workers_.Find(worker_id);
  if (!worker) return Error::NotFound("worker '" + std::string(worker_id) + "' does not exist", "workerId");
  auto it = s.offers_.find(offer_id);
  if (it == s.offers_.end() || it->second.worker_id != worker_id) {
    return OfferNotOpen(*worker, offer_id);
  }
  const Offer offer = it->second;
  Job& job = *s.jobs_.Find(offer.job_id);
  SB_ASSERT(job.status == JobStatus::kQueued);
  QueueState& queue = *s.QueueOf(job);
  s.Unfile(job);
  s.SetStatus(job, JobStatus::kAssigned);
  s.CloseOffer(offer.offer_id, OfferEnd::kAccepted);  // its capacity passes to the assignment
  const std::string assignment_id = s.random_.Uuid();
  worker->assigned_jobs.push_back(
      {assignment_id, job.id, offer.channel_id, offer.capacity_cost, s.now_});
  job.assignments.push_back({assignment_id, worker->id, s.now_, std::nullopt, std::nullopt});
  Event& event = s.Emit(EventType::kWorkerOfferAccepted, &job, worker);
  event.queue_id = queue.id;
  event.offer_id = offer.offer_id;
  event.assignment_id = assignment_id;
  s.RevokeJobOffers(job, OfferEnd::kTakenByOther);  // after the acceptance that causes it
  queue.recent_assignments.push_back(s.now_);
  if (queue.recent_assignments.size() > kWaitEstimateWindow) queue.recent_assignments.pop_front();
  s.MarkDirty(EntityKind::kQueue, queue.id);
  return AcceptJobOfferResult{assignment_id, job.id, worker->id};
}

Status Engine::DeclineJobOffer(std::string_view worker_id, std::string_view offer_id,
                               DeclineJobOfferOptions options, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  Worker* worker = s.workers_.Find(worker_id);
  if (!worker) return Error::NotFound("worker '" + std::string(worker_id) + "' does not exist", "workerId");
  auto it = s.offers_.find(offer_id);
  if (it == s.offers_.end() || it->second.worker_id != worker_id) {
    return OfferNotOpen(*worker, offer_id);
  }
  Job& job = *s.jobs_.Find(it->second.job_id);
  s.CloseOffer(std::string(offer_id), OfferEnd::kDeclined);
  if (options.retry_offer_at && *options.retry_offer_at <= s.now_) return Ok{};  // eligible again
  job.declined_by[worker->id] = options.retry_offer_at;
  worker->declined_job_ids.insert(job.id);
  if (options.retry_offer_at) {
    s.timers_.Schedule(*options.retry_offer_at, TimerKind::kDeclineRetry, job.id, worker->id);
  }
  return Ok{};
}

}  // namespace sb::core
