// Worker commands and the worker's side of matching: registration, draining and the ready-worker
// indexes a worker is filed in.
#include <algorithm>

#include "core/engine_state.h"
#include "core/validation.h"

namespace sb::core {
namespace {

// The RouterWorkerUpdated event's names for what changed.
std::vector<std::string> ChangedProperties(const WorkerSpec& a, const WorkerSpec& b) {
  std::vector<std::string> out;
  auto add = [&](bool changed, const char* name) {
    if (changed) out.emplace_back(name);
  };
  add(a.available_for_offers != b.available_for_offers, "AvailableForOffers");
  add(a.capacity != b.capacity, "TotalCapacity");
  add(a.queues != b.queues, "QueueAssignments");
  add(a.labels != b.labels, "Labels");
  add(a.tags != b.tags, "Tags");
  add(a.channels != b.channels, "ChannelConfigurations");
  return out;
}

}  // namespace

bool EngineState::IsReady(const Worker& worker) const {
  return worker.state == WorkerState::kActive && worker.spec.available_for_offers &&
         (!worker.spec.max_concurrent_offers ||
          static_cast<int>(worker.open_offer_ids.size()) < *worker.spec.max_concurrent_offers);
}

void EngineState::IndexWorker(Worker& worker) {
  UnindexWorker(worker);  // re-file under the current key
  if (!IsReady(worker)) return;
  worker.indexed = true;
  worker.indexed_load_ratio = worker.LoadRatio();
  worker.indexed_idle_since = worker.idle_since;
  const WorkerKey key{worker.indexed_load_ratio, worker.indexed_idle_since.unix_micros(), &worker};
  for (const std::string& queue_id : worker.spec.queues) {
    QueueState* queue = queues_.Find(queue_id);
    SB_ASSERT(queue != nullptr);
    for (const Channel& channel : worker.spec.channels) {
      if (worker.HasRoomFor(channel)) queue->Channel(channel.channel_id).ready_workers.insert(key);
    }
  }
}

void EngineState::UnindexWorker(Worker& worker) {
  if (!worker.indexed) return;
  worker.indexed = false;
  const WorkerKey key{worker.indexed_load_ratio, worker.indexed_idle_since.unix_micros(), &worker};
  for (const std::string& queue_id : worker.spec.queues) {
    QueueState* queue = queues_.Find(queue_id);
    SB_ASSERT(queue != nullptr);
    for (const Channel& channel : worker.spec.channels) {
      auto it = queue->channels.find(channel.channel_id);
      if (it != queue->channels.end()) it->second.ready_workers.erase(key);
    }
  }
}

void EngineState::LinkWorker(Worker& worker, bool link) {
  for (const std::string& queue_id : worker.spec.queues) {
    QueueState* queue = queues_.Find(queue_id);
    SB_ASSERT(queue != nullptr);
    if (link) {
      queue->worker_ids.insert(worker.id);
    } else {
      queue->worker_ids.erase(worker.id);
    }
  }
  for (const auto& [key, value] : worker.spec.labels) {
    auto index_key = std::make_pair(key, value);
    if (link) {
      workers_by_label_[std::move(index_key)].insert(&worker);
    } else if (auto it = workers_by_label_.find(index_key); it != workers_by_label_.end()) {
      it->second.erase(&worker);
      if (it->second.empty()) workers_by_label_.erase(it);
    }
  }
}

void EngineState::Register(Worker& worker) {
  worker.state = WorkerState::kActive;
  worker.idle_since = now_;
  // Declines last until the worker re-registers.
  for (const std::string& job_id : worker.declined_job_ids) {
    if (Job* job = jobs_.Find(job_id)) {
      job->declined_by.erase(worker.id);
      MarkDirty(EntityKind::kJob, job->id);
      MarkJob(*job);
    }
  }
  worker.declined_job_ids.clear();
  Emit(EventType::kWorkerRegistered, nullptr, &worker);
}

void EngineState::Deregister(Worker& worker) {
  RevokeWorkerOffers(worker);
  worker.state = worker.assigned_jobs.empty() ? WorkerState::kInactive : WorkerState::kDraining;
  Emit(EventType::kWorkerDeregistered, nullptr, &worker);
}

void EngineState::UpdateDrainState(Worker& worker) {
  if (worker.state == WorkerState::kDraining && worker.assigned_jobs.empty()) {
    worker.state = WorkerState::kInactive;
  }
}

Status EngineState::ValidateWorkerReferences(const WorkerSpec& spec) const {
  for (std::size_t i = 0; i < spec.queues.size(); ++i) {
    if (!queues_.Find(spec.queues[i])) {
      return Error::InvalidArgument("queues[" + std::to_string(i) + "]: queue '" + spec.queues[i] +
                                        "' does not exist",
                                    "queues");
    }
  }
  return Ok{};
}

// Revokes open offers the new spec no longer allows: a queue or channel the worker left, more
// capacity than the worker now has, more jobs than a channel now allows, or more offers than
// maxConcurrentOffers (newest offers first).
static void RevokeUnfitOffers(EngineState& s, Worker& worker) {
  std::vector<std::string> revoke;
  for (const std::string& offer_id : worker.open_offer_ids) {
    const Offer& offer = s.offers_.at(offer_id);
    const bool serves = std::find(worker.spec.queues.begin(), worker.spec.queues.end(),
                                  offer.queue_id) != worker.spec.queues.end();
    if (!serves || !worker.spec.FindChannel(offer.channel_id)) revoke.push_back(offer_id);
  }
  for (const std::string& offer_id : revoke) s.CloseOffer(offer_id, OfferEnd::kRevoked);
  // Newest first; closing offer i leaves the older ones (before i) where they are.
  const std::optional<int>& max_offers = worker.spec.max_concurrent_offers;
  for (std::size_t i = worker.open_offer_ids.size(); i-- > 0;) {
    const Offer& offer = s.offers_.at(worker.open_offer_ids[i]);
    const auto& max_jobs = worker.spec.FindChannel(offer.channel_id)->max_number_of_jobs;
    const bool over_channel = max_jobs && worker.JobsOnChannel(offer.channel_id) > *max_jobs;
    const bool over_offers =
        max_offers && static_cast<int>(worker.open_offer_ids.size()) > *max_offers;
    if (worker.used_capacity > worker.spec.capacity || over_channel || over_offers) {
      s.CloseOffer(std::string(offer.offer_id), OfferEnd::kRevoked);
    }
  }
}

void EngineState::ApplyWorkerSpec(Worker& worker, WorkerSpec spec, bool created) {
  const WorkerSpec old = worker.spec;
  UnindexWorker(worker);
  if (!created) LinkWorker(worker, false);
  worker.spec = std::move(spec);
  LinkWorker(worker, true);
  TouchWorker(worker);
  RevokeUnfitOffers(*this, worker);
  const bool was_available = !created && old.available_for_offers;
  if (worker.spec.available_for_offers && !was_available) {
    Register(worker);
  } else if (!worker.spec.available_for_offers && was_available) {
    Deregister(worker);
  }
  if (!created) {
    std::vector<std::string> changed = ChangedProperties(old, worker.spec);
    if (!changed.empty()) Emit(EventType::kWorkerUpdated, nullptr, &worker).updated_properties = changed;
  }
  IndexWorker(worker);
  MarkWorker(worker);
}

Result<UpsertResult<Worker>> Engine::UpsertWorker(std::string_view id, WorkerSpec spec,
                                                  Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  SB_TRY(ValidateId(id, "workerId", s.options_.limits));
  SB_TRY(ValidateWorker(spec, s.options_.limits));
  SB_TRY(s.ValidateWorkerReferences(spec));
  spec.labels.insert_or_assign("Id", Value(std::string(id)));  // every worker carries its id
  Worker* worker = s.workers_.Find(id);
  if (!worker) {
    if (s.workers_.size() >= s.options_.limits.max_workers) {
      return Error::LimitExceeded("the limit of " + std::to_string(s.options_.limits.max_workers) +
                                  " workers is reached");
    }
    Worker& created = s.workers_.Insert(std::string(id), s.next_created_seq_++);
    created.idle_since = s.now_;
    s.ApplyWorkerSpec(created, std::move(spec), /*created=*/true);
    return UpsertResult<Worker>{&created, true};
  }
  if (!(worker->spec == spec)) s.ApplyWorkerSpec(*worker, std::move(spec), /*created=*/false);
  return UpsertResult<Worker>{worker, false};
}

Status Engine::DeleteWorker(std::string_view id, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  Worker* worker = s.workers_.Find(id);
  if (!worker) return Ok{};
  if (!worker->assigned_jobs.empty()) {
    return Error::Conflict("the worker has assigned jobs (first '" +
                           worker->assigned_jobs.front().job_id + "'); close or unassign them first");
  }
  s.RevokeWorkerOffers(*worker);
  for (const std::string& job_id : worker->declined_job_ids) {
    if (Job* job = s.jobs_.Find(job_id)) {
      job->declined_by.erase(worker->id);
      s.MarkDirty(EntityKind::kJob, job->id);
    }
  }
  s.UnindexWorker(*worker);
  s.LinkWorker(*worker, false);
  s.workers_to_match_.erase(worker->id);
  s.Emit(EventType::kWorkerDeleted, nullptr, worker);
  effects.changes.push_back({EntityKind::kWorker, worker->id, true});
  s.workers_.Erase(id);
  return Ok{};
}

}  // namespace sb::core
