// Engine construction, command framing, bookkeeping and lookups.
#include "core/engine.h"

#include <cstdio>

#include "core/engine_state.h"

namespace sb::core {

EngineState::EngineState(EngineOptions options)
    : options_(std::move(options)), random_(options_.seed) {
  jobs_.set_thaw([](std::string_view, std::string_view bytes) -> std::unique_ptr<Job> {
    auto job = DecodeJob(bytes);
    return job ? std::move(*job) : nullptr;
  });
}

void EngineState::Begin(Timestamp now, Effects& effects) {
  effects_ = &effects;
  ++change_seq_;
  FireTimers(now);
  if (now > now_) now_ = now;
}

void EngineState::End() {
  Settle();
  effects_ = nullptr;
}

void EngineState::Touch(EntityKind kind, const std::string& id, EntityMeta& meta) {
  if (meta.change_seq == change_seq_) return;  // already counted in this command
  ++meta.version;
  meta.change_seq = change_seq_;
  meta.last_modified = now_;
  if (effects_) effects_->changes.push_back({kind, id, false});
}

void EngineState::MarkDirty(EntityKind kind, const std::string& id) {
  if (effects_) effects_->changes.push_back({kind, id, false});
}

namespace {

std::shared_ptr<const EventJob> SnapshotJob(const Job& job) {
  auto snapshot = std::make_shared<EventJob>();
  snapshot->id = job.id;
  snapshot->channel_reference = job.spec.channel_reference;
  snapshot->channel_id = job.spec.channel_id;
  snapshot->queue_id = job.spec.queue_id;
  snapshot->classification_policy_id = job.spec.classification_policy_id;
  snapshot->priority = job.spec.priority;
  snapshot->status = job.status;
  snapshot->labels = job.spec.labels;
  snapshot->tags = job.spec.tags;
  snapshot->requested_worker_selectors = job.spec.requested_worker_selectors;
  snapshot->attached_worker_selectors = job.attached_worker_selectors;
  snapshot->scheduled_at = job.scheduled_at;
  snapshot->unavailable_for_matching =
      job.spec.matching_mode.kind != MatchingModeKind::kQueueAndMatch;
  return snapshot;
}

}  // namespace

std::shared_ptr<const EventWorker> EngineState::SnapshotWorker(const Worker& worker,
                                                              bool with_queues) const {
  auto snapshot = std::make_shared<EventWorker>();
  snapshot->id = worker.id;
  snapshot->labels = worker.spec.labels;
  snapshot->tags = worker.spec.tags;
  snapshot->capacity = worker.spec.capacity;
  snapshot->channels = worker.spec.channels;
  if (with_queues) {
    for (const std::string& queue_id : worker.spec.queues) {
      if (const QueueState* queue = queues_.Find(queue_id)) {
        snapshot->queues.push_back({queue->id, queue->spec.name, queue->spec.labels});
      }
    }
  }
  return snapshot;
}

Event& EngineState::Emit(EventType type, const Job* job, const Worker* worker) {
  static thread_local Event discarded;  // outside a command (restore) nothing is reported
  if (!effects_) return discarded = Event{};
  Event& event = effects_->events.emplace_back();
  event.type = type;
  event.at = now_;
  if (job) {
    event.job_id = job->id;
    event.queue_id = job->spec.queue_id.value_or("");
    event.job = SnapshotJob(*job);
  }
  if (worker) {
    event.worker_id = worker->id;
    const bool with_queues = type == EventType::kWorkerRegistered || type == EventType::kWorkerUpdated;
    event.worker = SnapshotWorker(*worker, with_queues);
  }
  return event;
}

Engine::Engine(EngineOptions options) : state_(std::make_unique<EngineState>(std::move(options))) {}
Engine::~Engine() = default;

void Engine::AdvanceTo(Timestamp now, Effects& effects) { CommandScope scope(*state_, now, effects); }

std::optional<Timestamp> Engine::NextDeadline() const { return state_->timers_.NextDue(); }
Timestamp Engine::now() const { return state_->now_; }
const Limits& Engine::limits() const { return state_->options_.limits; }

std::string Engine::Etag(const EntityMeta& meta) const {
  char buffer[48];
  const std::uint32_t epoch = state_->options_.etag_epoch;
  std::snprintf(buffer, sizeof buffer, "\"%08llx-%04x-%04x-0000-%012llx\"",
                static_cast<unsigned long long>(meta.version & 0xffffffffULL), epoch >> 16,
                epoch & 0xffff, static_cast<unsigned long long>(meta.change_seq & 0xffffffffffffULL));
  return buffer;
}

const DistributionPolicy* Engine::FindDistributionPolicy(std::string_view id) const {
  return state_->distribution_policies_.Find(id);
}
const ClassificationPolicy* Engine::FindClassificationPolicy(std::string_view id) const {
  return state_->classification_policies_.Find(id);
}
const ExceptionPolicy* Engine::FindExceptionPolicy(std::string_view id) const {
  return state_->exception_policies_.Find(id);
}
const Stored<QueueSpec>* Engine::FindQueue(std::string_view id) const {
  return state_->queues_.Find(id);
}
const Job* Engine::FindJob(std::string_view id) const { return state_->jobs_.Find(id); }
const Worker* Engine::FindWorker(std::string_view id) const { return state_->workers_.Find(id); }
const Offer* Engine::FindOffer(std::string_view offer_id) const {
  auto it = state_->offers_.find(offer_id);
  return it == state_->offers_.end() ? nullptr : &it->second;
}

}  // namespace sb::core
