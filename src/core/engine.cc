// Engine construction, command framing, bookkeeping and lookups.
#include "core/engine.h"

#include <cstdio>

#include "core/engine_state.h"

namespace sb::core {

EngineState::EngineState(EngineOptions options)
    : options_(std::move(options)), random_(options_.seed) {}

void EngineState::Begin(Timestamp now, Effects& effects) {
  effects_ = &effects;
  ++change_seq_;
  FireTimers(now);
  if (now > now_) now_ = now;
}

void EngineState::End() {
  RunMatching();
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

void EngineState::Emit(EventType type, const std::string& job_id, const std::string& worker_id,
                       const std::string& queue_id, std::string offer_id,
                       std::string assignment_id, std::string detail) {
  if (!effects_) return;
  effects_->events.push_back(Event{type, now_, job_id, worker_id, queue_id, std::move(offer_id),
                                   std::move(assignment_id), std::move(detail)});
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
