// Administration commands: distribution, classification and exception policies, and queues.
#include <string>

#include "core/engine_state.h"
#include "core/validation.h"

namespace sb::core {
namespace {

Error Missing(std::string_view field, std::string_view what, std::string_view id) {
  return Error::InvalidArgument(
      std::string(field) + ": " + std::string(what) + " '" + std::string(id) + "' does not exist",
      std::string(field));
}

template <class Table>
Status CheckQuota(const Table& table, std::size_t max, std::string_view what) {
  if (table.size() >= max) {
    return Error::LimitExceeded("the limit of " + std::to_string(max) + " " + std::string(what) +
                                " is reached");
  }
  return Ok{};
}

// Creates or updates `entity` in `table`; returns nullptr-created pair.
template <class T, class Spec>
UpsertResult<T> Store(EngineState& s, EntityTable<T>& table, EntityKind kind, std::string_view id,
                      Spec spec) {
  if (T* existing = table.Find(id)) {
    if (existing->spec == spec) return {existing, false};  // no change: same etag
    existing->spec = std::move(spec);
    s.Touch(kind, existing->id, existing->meta);
    return {existing, false};
  }
  T& created = table.Insert(std::string(id), s.next_created_seq_++);
  created.spec = std::move(spec);
  s.Touch(kind, created.id, created.meta);
  return {&created, true};
}

}  // namespace

void EngineState::ApplyDistributionPolicy(QueueState& queue) {
  const DistributionPolicy* policy =
      queue.spec.distribution_policy_id
          ? distribution_policies_.Find(*queue.spec.distribution_policy_id)
          : nullptr;
  const auto old_kind = queue.order_kind();
  queue.mode = policy ? policy->spec.mode : std::nullopt;
  queue.offer_lifetime = std::nullopt;
  if (policy && policy->spec.offer_expires_after_seconds) {
    queue.offer_lifetime = Duration::FromSecondsDouble(*policy->spec.offer_expires_after_seconds);
  }
  if (queue.order_kind() != old_kind) RebuildQueueIndexes(queue);
  for (auto it = queue.queued.begin(); it != queue.queued.end(); ++it) {
    RefreshMatchable(*it->job);
    MarkJob(*it->job);
  }
}

Result<UpsertResult<DistributionPolicy>> Engine::UpsertDistributionPolicy(
    std::string_view id, DistributionPolicySpec spec, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  SB_TRY(ValidateId(id, "distributionPolicyId", s.options_.limits));
  SB_TRY(ValidateDistributionPolicy(spec, s.options_.limits));
  if (!s.distribution_policies_.Find(id)) {
    SB_TRY(CheckQuota(s.distribution_policies_, s.options_.limits.max_policies_per_kind,
                      "distribution policies"));
  }
  auto result = Store(s, s.distribution_policies_, EntityKind::kDistributionPolicy, id,
                      std::move(spec));
  if (!result.created) {
    for (const auto& [seq, queue] : s.queues_.in_order()) {
      if (queue->spec.distribution_policy_id == id) s.ApplyDistributionPolicy(*queue);
    }
  }
  return result;
}

Status Engine::DeleteDistributionPolicy(std::string_view id, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  if (!s.distribution_policies_.Find(id)) return Ok{};
  for (const auto& [seq, queue] : s.queues_.in_order()) {
    if (queue->spec.distribution_policy_id == id) {
      return Error::Conflict("queue '" + queue->id + "' uses this distribution policy");
    }
  }
  s.distribution_policies_.Erase(id);
  effects.changes.push_back({EntityKind::kDistributionPolicy, std::string(id), true});
  return Ok{};
}

Result<UpsertResult<ClassificationPolicy>> Engine::UpsertClassificationPolicy(
    std::string_view id, ClassificationPolicySpec spec, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  SB_TRY(ValidateId(id, "classificationPolicyId", s.options_.limits));
  SB_TRY(ValidateClassificationPolicy(spec, s.options_.limits));
  if (spec.fallback_queue_id && !s.queues_.Find(*spec.fallback_queue_id)) {
    return Missing("fallbackQueueId", "queue", *spec.fallback_queue_id);
  }
  if (!s.classification_policies_.Find(id)) {
    SB_TRY(CheckQuota(s.classification_policies_, s.options_.limits.max_policies_per_kind,
                      "classification policies"));
  }
  return Store(s, s.classification_policies_, EntityKind::kClassificationPolicy, id,
               std::move(spec));
}

Status Engine::DeleteClassificationPolicy(std::string_view id, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  if (!s.classification_policies_.Find(id)) return Ok{};
  auto it = s.jobs_per_policy_.find(id);
  if (it != s.jobs_per_policy_.end() && it->second > 0) {
    return Error::Conflict("there is an active job with this classification policy");
  }
  s.classification_policies_.Erase(id);
  effects.changes.push_back({EntityKind::kClassificationPolicy, std::string(id), true});
  return Ok{};
}

Result<UpsertResult<ExceptionPolicy>> Engine::UpsertExceptionPolicy(
    std::string_view id, ExceptionPolicySpec spec, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  SB_TRY(ValidateId(id, "exceptionPolicyId", s.options_.limits));
  SB_TRY(ValidateExceptionPolicy(spec, s.options_.limits));
  for (ExceptionRule& rule : spec.exception_rules) {
    for (ExceptionAction& action : rule.actions) {
      if (auto* r = std::get_if<ReclassifyExceptionAction>(&action)) {
        if (r->classification_policy_id &&
            !s.classification_policies_.Find(*r->classification_policy_id)) {
          return Missing("classificationPolicyId", "classification policy",
                         *r->classification_policy_id);
        }
      }
      if (auto* m = std::get_if<ManualReclassifyExceptionAction>(&action)) {
        if (m->queue_id && !s.queues_.Find(*m->queue_id)) {
          return Missing("queueId", "queue", *m->queue_id);
        }
      }
    }
  }
  if (!s.exception_policies_.Find(id)) {
    SB_TRY(CheckQuota(s.exception_policies_, s.options_.limits.max_policies_per_kind,
                      "exception policies"));
  }
  // Actions without an id get one, as the service does; it then stays with the action.
  for (ExceptionRule& rule : spec.exception_rules) {
    for (ExceptionAction& action : rule.actions) {
      std::visit([&](auto& a) { if (a.id.empty()) a.id = s.random_.Uuid(); }, action);
    }
  }
  auto result = Store(s, s.exception_policies_, EntityKind::kExceptionPolicy, id, std::move(spec));
  for (const auto& [seq, queue] : s.queues_.in_order()) {
    if (queue->spec.exception_policy_id == id) s.RescheduleWaitTimeTriggers(*queue);
  }
  return result;
}

Status Engine::DeleteExceptionPolicy(std::string_view id, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  if (!s.exception_policies_.Find(id)) return Ok{};
  for (const auto& [seq, queue] : s.queues_.in_order()) {
    if (queue->spec.exception_policy_id == id) {
      return Error::Conflict("queue '" + queue->id + "' uses this exception policy");
    }
  }
  s.exception_policies_.Erase(id);
  effects.changes.push_back({EntityKind::kExceptionPolicy, std::string(id), true});
  return Ok{};
}

Result<UpsertResult<Stored<QueueSpec>>> Engine::UpsertQueue(std::string_view id, QueueSpec spec,
                                                            Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  SB_TRY(ValidateId(id, "queueId", s.options_.limits));
  SB_TRY(ValidateQueue(spec, s.options_.limits));
  if (!s.distribution_policies_.Find(*spec.distribution_policy_id)) {
    return Missing("distributionPolicyId", "distribution policy", *spec.distribution_policy_id);
  }
  if (spec.exception_policy_id && !s.exception_policies_.Find(*spec.exception_policy_id)) {
    return Missing("exceptionPolicyId", "exception policy", *spec.exception_policy_id);
  }
  spec.labels.insert_or_assign("Id", Value(std::string(id)));  // every queue carries its id
  QueueState* queue = s.queues_.Find(id);
  if (!queue) SB_TRY(CheckQuota(s.queues_, s.options_.limits.max_queues, "queues"));
  const bool policy_changed =
      !queue || queue->spec.distribution_policy_id != spec.distribution_policy_id;
  const bool exceptions_changed =
      queue && queue->spec.exception_policy_id != spec.exception_policy_id;
  auto result = Store(s, s.queues_, EntityKind::kQueue, id, std::move(spec));
  queue = s.queues_.Find(id);
  if (policy_changed) s.ApplyDistributionPolicy(*queue);
  if (exceptions_changed) s.RescheduleWaitTimeTriggers(*queue);
  return UpsertResult<Stored<QueueSpec>>{queue, result.created};
}

Status Engine::DeleteQueue(std::string_view id, Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  QueueState* queue = s.queues_.Find(id);
  if (!queue) return Ok{};
  std::string reasons;
  if (queue->active_jobs > 0) reasons += "there is an active job in this queue; ";
  for (const auto& [seq, policy] : s.classification_policies_.in_order()) {
    if (policy->spec.fallback_queue_id == id) {
      reasons += "classification policy '" + policy->id + "' uses it as fallback queue; ";
      break;
    }
  }
  if (!queue->worker_ids.empty()) {
    reasons += "worker '" + *queue->worker_ids.begin() + "' is assigned to this queue; ";
  }
  if (!reasons.empty()) {
    reasons.resize(reasons.size() - 2);
    return Error::Conflict("the queue is in use: " + reasons);
  }
  s.queues_.Erase(id);
  effects.changes.push_back({EntityKind::kQueue, std::string(id), true});
  return Ok{};
}

}  // namespace sb::core
