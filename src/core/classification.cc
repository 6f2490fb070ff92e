// Classification: a job's classification policy chooses its queue (unless the client named one),
// its priority and the worker selectors attached to it. Rule kinds that need the Power Fx engine
// or outbound calls (expression, function, webhook) are not evaluated by this version: a policy
// that reaches one fails the job's classification with a message that says so.
#include <cmath>

#include "core/engine_state.h"
#include "core/validation.h"

namespace sb::core {
namespace {

struct Outcome {
  std::optional<std::string> queue_id;
  std::optional<int> priority;
  std::vector<WorkerSelector> worker_selectors;
};

const char* KindName(const RouterRule& rule) {
  static constexpr const char* kNames[] = {"static", "directMap", "expression", "function", "webhook"};
  return kNames[rule.index()];
}

Error Unsupported(const RouterRule& rule, std::string_view field) {
  return Error::InvalidArgument(std::string(field) + ": rules of kind '" + KindName(rule) +
                                "' are not supported by this server version");
}

Result<Value> EvaluateValue(const RouterRule& rule, std::string_view field) {
  if (auto* s = std::get_if<StaticRule>(&rule)) return s->value;
  return Unsupported(rule, field);
}

// A rule that yields selectors: direct map turns each job label into an `equal` selector.
Result<std::vector<QueueSelector>> EvaluateSelectors(const RouterRule& rule, const Job& job,
                                                     std::string_view field) {
  if (!std::holds_alternative<DirectMapRule>(rule)) return Unsupported(rule, field);
  std::vector<QueueSelector> selectors;
  for (const auto& [key, value] : job.spec.labels) {
    selectors.push_back({key, LabelOperator::kEqual, value});
  }
  return selectors;
}

Result<bool> EvaluateCondition(const RouterRule& rule, std::string_view field) {
  auto value = EvaluateValue(rule, field);
  if (!value) return std::move(value).error();
  if (!value->is_bool()) {
    return Error::InvalidArgument(std::string(field) + " must evaluate to a boolean");
  }
  return value->as_bool();
}

WorkerSelector ToWorkerSelector(const QueueSelector& s) {
  WorkerSelector out;
  out.key = s.key;
  out.label_operator = s.label_operator;
  out.value = s.value;
  return out;
}

// Adds the selectors one attachment contributes. QS is QueueSelector or WorkerSelector.
template <class QS, class Attachment, class Weighted>
Status Collect(EngineState& s, const Job& job, const Attachment& a, std::string_view field,
               std::vector<QS>& out) {
  return std::visit(
      [&](const auto& x) -> Status {
        using T = std::decay_t<decltype(x)>;
        if constexpr (requires { x.queue_selector; }) {
          out.push_back(x.queue_selector);
        } else if constexpr (requires { x.worker_selector; }) {
          out.push_back(x.worker_selector);
        } else if constexpr (requires { x.condition; }) {
          auto holds = EvaluateCondition(x.condition, std::string(field) + ".condition");
          if (!holds) return std::move(holds).error();
          if (!*holds) return Ok{};
          if constexpr (requires { x.queue_selectors; }) {
            out.insert(out.end(), x.queue_selectors.begin(), x.queue_selectors.end());
          } else {
            out.insert(out.end(), x.worker_selectors.begin(), x.worker_selectors.end());
          }
        } else if constexpr (requires { x.rule; }) {
          auto selectors = EvaluateSelectors(x.rule, job, std::string(field) + ".rule");
          if (!selectors) return std::move(selectors).error();
          for (const QueueSelector& q : *selectors) {
            if constexpr (std::is_same_v<QS, QueueSelector>) {
              out.push_back(q);
            } else {
              out.push_back(ToWorkerSelector(q));
            }
          }
        } else if constexpr (std::is_same_v<T, Weighted>) {
          double pick = s.random_.UniformDouble(), cumulative = 0;
          for (const auto& allocation : x.allocations) {
            cumulative += allocation.weight;
            if (pick < cumulative || &allocation == &x.allocations.back()) {
              if constexpr (requires { allocation.queue_selectors; }) {
                out.insert(out.end(), allocation.queue_selectors.begin(), allocation.queue_selectors.end());
              } else {
                out.insert(out.end(), allocation.worker_selectors.begin(), allocation.worker_selectors.end());
              }
              break;
            }
          }
        } else {  // pass-through: the job's own label value under the same key
          auto it = job.spec.labels.find(x.key);
          if (it == job.spec.labels.end()) return Ok{};
          QS selector;
          selector.key = x.key;
          selector.label_operator = x.label_operator;
          selector.value = it->second;
          if constexpr (requires { x.expires_after_seconds; }) {
            selector.expires_after_seconds = x.expires_after_seconds;
          }
          out.push_back(std::move(selector));
        }
        return Ok{};
      },
      a);
}

Result<std::string> SelectQueue(EngineState& s, const Job& job,
                                const ClassificationPolicySpec& policy) {
  std::vector<QueueSelector> selectors;
  for (std::size_t i = 0; i < policy.queue_selector_attachments.size(); ++i) {
    SB_TRY((Collect<QueueSelector, QueueSelectorAttachment, WeightedAllocationQueueSelectorAttachment>(
        s, job, policy.queue_selector_attachments[i],
        "queueSelectorAttachments[" + std::to_string(i) + "]", selectors)));
  }
  if (!selectors.empty()) {
    for (const auto& [seq, queue] : s.queues_.in_order()) {
      bool all = true;
      for (const QueueSelector& q : selectors) {
        all = all && Satisfies(queue->spec.labels, q.key, q.label_operator, q.value);
      }
      if (all) return queue->id;
    }
  }
  if (policy.fallback_queue_id) return *policy.fallback_queue_id;
  return Error::InvalidArgument("no queue matched the queue selectors and the classification "
                                "policy has no fallbackQueueId");
}

Result<Outcome> Run(EngineState& s, const Job& job, const ClassificationPolicySpec& policy) {
  Outcome outcome;
  if (!job.spec.queue_id || job.queue_from_classification) {
    auto queue = SelectQueue(s, job, policy);
    if (!queue) return std::move(queue).error();
    outcome.queue_id = *queue;
  }
  if (policy.prioritization_rule) {
    auto value = EvaluateValue(*policy.prioritization_rule, "prioritizationRule");
    if (!value) return std::move(value).error();
    const bool integral = value->is_int() || (value->is_double() && std::floor(value->as_double()) == value->as_double());
    if (!value->is_number() || !integral || value->as_number() < kMinPriority ||
        value->as_number() > kMaxPriority) {
      return Error::InvalidArgument("prioritizationRule must evaluate to a whole number between -100 and 100");
    }
    outcome.priority = static_cast<int>(value->as_number());
  }
  for (std::size_t i = 0; i < policy.worker_selector_attachments.size(); ++i) {
    SB_TRY((Collect<WorkerSelector, WorkerSelectorAttachment, WeightedAllocationWorkerSelectorAttachment>(
        s, job, policy.worker_selector_attachments[i],
        "workerSelectorAttachments[" + std::to_string(i) + "]", outcome.worker_selectors)));
  }
  return outcome;
}

}  // namespace

void EngineState::Classify(Job& job) {
  SetStatus(job, JobStatus::kPendingClassification);
  const ClassificationPolicy* policy =
      classification_policies_.Find(*job.spec.classification_policy_id);
  SB_ASSERT(policy != nullptr);  // deleting a policy in use by an active job is refused
  auto outcome = Run(*this, job, policy->spec);
  if (!outcome) {
    SetStatus(job, JobStatus::kClassificationFailed);
    Emit(EventType::kJobClassificationFailed, &job).detail = outcome.error().message;
    return;
  }
  ChangeJobCount(job, -1);
  if (outcome->queue_id) {
    job.spec.queue_id = outcome->queue_id;
    job.queue_from_classification = true;
  }
  if (outcome->priority) job.spec.priority = *outcome->priority;
  ChangeJobCount(job, +1);
  job.attached_worker_selectors = std::move(outcome->worker_selectors);
  for (WorkerSelector& selector : job.attached_worker_selectors) {
    selector.status = WorkerSelectorStatus::kActive;
    selector.expires_at = std::nullopt;
  }
  TouchJob(job);
  const QueueState& queue = *QueueOf(job);
  Emit(EventType::kJobClassified, &job).queue_details =
      EventQueue{queue.id, queue.spec.name, queue.spec.labels};
  Enqueue(job, /*keep_enqueued_at=*/true);
}

}  // namespace sb::core
