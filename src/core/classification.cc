// Classification: a job's classification policy chooses its queue (unless the client named one),
// its priority and the worker selectors attached to it. Static and Power Fx rules are evaluated
// here. Rules that need an outbound call (function, webhook) are asked for first, as RuleCall
// effects the server performs off the engine thread; the job waits in pendingClassification and
// classification runs once every answer is in (engine_rule_calls.cc).
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

WorkerSelector ToWorkerSelector(const QueueSelector& s) {
  WorkerSelector out;
  out.key = s.key;
  out.label_operator = s.label_operator;
  out.value = s.value;
  return out;
}

std::string Index(const char* list, std::size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}

class Classifier {
 public:
  Classifier(EngineState& s, const Job& job) : s_(s), job_(job), labels_(job.spec.labels) {}

  const RuleAnswer* Answer(const std::string& path) const {
    auto it = job_.rule_answers.find(path);
    return it == job_.rule_answers.end() ? nullptr : &it->second;
  }

  Result<Outcome> Run(const ClassificationPolicySpec& policy) {
    Outcome outcome;
    if (!job_.spec.queue_id || job_.queue_from_classification) {
      auto queue = SelectQueue(policy);
      if (!queue) return std::move(queue).error();
      outcome.queue_id = *queue;
    }
    if (policy.prioritization_rule) {
      auto priority = s_.rules_.EvaluatePriority(*policy.prioritization_rule, labels_,
                                                 "prioritizationRule", Answer("prioritizationRule"));
      if (!priority) return std::move(priority).error();
      outcome.priority = *priority;
    }
    for (std::size_t i = 0; i < policy.worker_selector_attachments.size(); ++i) {
      SB_TRY(AddWorkerSelectors(policy.worker_selector_attachments[i],
                                Index("workerSelectorAttachments", i), outcome.worker_selectors));
    }
    return outcome;
  }

 private:
  Result<std::string> SelectQueue(const ClassificationPolicySpec& policy) {
    std::vector<QueueSelector> selectors;
    for (std::size_t i = 0; i < policy.queue_selector_attachments.size(); ++i) {
      SB_TRY(AddQueueSelectors(policy.queue_selector_attachments[i],
                               Index("queueSelectorAttachments", i), selectors));
    }
    if (!selectors.empty()) {
      for (const auto& [seq, queue] : s_.queues_.in_order()) {
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

  Result<bool> Condition(const RouterRule& rule, const std::string& field) {
    const std::string path = field + ".condition";
    return s_.rules_.EvaluateCondition(rule, labels_, path, Answer(path));
  }

  // A ruleEngine attachment's selectors: direct map turns each job label into an `equal`; a
  // function or webhook rule answered with them.
  Result<std::vector<QueueSelector>> RuleSelectors(const RouterRule& rule, const std::string& field) {
    if (IsExternal(rule)) {
      const RuleAnswer* answer = Answer(field + ".rule");
      if (!answer || !answer->is_selectors) {
        return Error::InvalidArgument(field + ".rule did not answer with a list of selectors");
      }
      return answer->selectors;
    }
    std::vector<QueueSelector> selectors;
    for (const auto& [key, value] : labels_) selectors.push_back({key, LabelOperator::kEqual, value});
    return selectors;
  }

  template <class Allocation>
  const Allocation& Pick(const std::vector<Allocation>& allocations) {
    const double pick = s_.random_.UniformDouble();
    double cumulative = 0;
    for (const Allocation& allocation : allocations) {
      cumulative += allocation.weight;
      if (pick < cumulative) return allocation;
    }
    return allocations.back();  // rounding: weights add up to 1 within a tolerance
  }

  Status AddQueueSelectors(const QueueSelectorAttachment& a, const std::string& field,
                           std::vector<QueueSelector>& out) {
    if (auto* c = std::get_if<ConditionalQueueSelectorAttachment>(&a)) {
      auto holds = Condition(c->condition, field);
      if (!holds) return std::move(holds).error();
      if (*holds) out.insert(out.end(), c->queue_selectors.begin(), c->queue_selectors.end());
    } else if (auto* p = std::get_if<PassThroughQueueSelectorAttachment>(&a)) {
      if (auto it = labels_.find(p->key); it != labels_.end()) {
        out.push_back({p->key, p->label_operator, it->second});
      }
    } else if (auto* r = std::get_if<RuleEngineQueueSelectorAttachment>(&a)) {
      if (std::holds_alternative<StaticRule>(r->rule) || std::holds_alternative<ExpressionRule>(r->rule)) {
        // A text result names the queue, as the service's own example reads.
        auto id = s_.rules_.Evaluate(r->rule, labels_, nullptr, field + ".rule");
        if (!id) return std::move(id).error();
        if (id->is_null()) return Ok{};  // Blank names no queue: the fallback may take the job
        if (!id->is_string()) return Error::InvalidArgument(field + ".rule must yield a queue id");
        out.push_back({"Id", LabelOperator::kEqual, *id});
        return Ok{};
      }
      auto selectors = RuleSelectors(r->rule, field);
      if (!selectors) return std::move(selectors).error();
      out.insert(out.end(), selectors->begin(), selectors->end());
    } else if (auto* s = std::get_if<StaticQueueSelectorAttachment>(&a)) {
      out.push_back(s->queue_selector);
    } else {
      const auto& w = std::get<WeightedAllocationQueueSelectorAttachment>(a);
      const auto& chosen = Pick(w.allocations);
      out.insert(out.end(), chosen.queue_selectors.begin(), chosen.queue_selectors.end());
    }
    return Ok{};
  }

  Status AddWorkerSelectors(const WorkerSelectorAttachment& a, const std::string& field,
                            std::vector<WorkerSelector>& out) {
    if (auto* c = std::get_if<ConditionalWorkerSelectorAttachment>(&a)) {
      auto holds = Condition(c->condition, field);
      if (!holds) return std::move(holds).error();
      if (*holds) out.insert(out.end(), c->worker_selectors.begin(), c->worker_selectors.end());
    } else if (auto* p = std::get_if<PassThroughWorkerSelectorAttachment>(&a)) {
      if (auto it = labels_.find(p->key); it != labels_.end()) {
        WorkerSelector selector;
        selector.key = p->key;
        selector.label_operator = p->label_operator;
        selector.value = it->second;
        selector.expires_after_seconds = p->expires_after_seconds;
        out.push_back(std::move(selector));
      }
    } else if (auto* r = std::get_if<RuleEngineWorkerSelectorAttachment>(&a)) {
      auto selectors = RuleSelectors(r->rule, field);
      if (!selectors) return std::move(selectors).error();
      for (const QueueSelector& q : *selectors) out.push_back(ToWorkerSelector(q));
    } else if (auto* s = std::get_if<StaticWorkerSelectorAttachment>(&a)) {
      out.push_back(s->worker_selector);
    } else {
      const auto& w = std::get<WeightedAllocationWorkerSelectorAttachment>(a);
      const auto& chosen = Pick(w.allocations);
      out.insert(out.end(), chosen.worker_selectors.begin(), chosen.worker_selectors.end());
    }
    return Ok{};
  }

  EngineState& s_;
  const Job& job_;
  const LabelMap& labels_;
};

}  // namespace

std::vector<std::pair<std::string, const RouterRule*>> ExternalRules(
    const ClassificationPolicySpec& policy) {
  std::vector<std::pair<std::string, const RouterRule*>> out;
  auto add = [&](std::string path, const RouterRule& rule) {
    if (IsExternal(rule)) out.emplace_back(std::move(path), &rule);
  };
  if (policy.prioritization_rule) add("prioritizationRule", *policy.prioritization_rule);
  for (std::size_t i = 0; i < policy.queue_selector_attachments.size(); ++i) {
    const std::string field = Index("queueSelectorAttachments", i);
    const auto& a = policy.queue_selector_attachments[i];
    if (auto* c = std::get_if<ConditionalQueueSelectorAttachment>(&a)) add(field + ".condition", c->condition);
    if (auto* r = std::get_if<RuleEngineQueueSelectorAttachment>(&a)) add(field + ".rule", r->rule);
  }
  for (std::size_t i = 0; i < policy.worker_selector_attachments.size(); ++i) {
    const std::string field = Index("workerSelectorAttachments", i);
    const auto& a = policy.worker_selector_attachments[i];
    if (auto* c = std::get_if<ConditionalWorkerSelectorAttachment>(&a)) add(field + ".condition", c->condition);
    if (auto* r = std::get_if<RuleEngineWorkerSelectorAttachment>(&a)) add(field + ".rule", r->rule);
  }
  return out;
}

void EngineState::FailClassification(Job& job, const std::string& reason) {
  DropRuleCalls(job);
  SetStatus(job, JobStatus::kClassificationFailed);
  AddNote(job, "Classification failed: " + reason);  // readable on the job, not only the event
  Emit(EventType::kJobClassificationFailed, &job).detail = reason;
}

void EngineState::Classify(Job& job) {
  SetStatus(job, JobStatus::kPendingClassification);
  const ClassificationPolicy* policy =
      classification_policies_.Find(*job.spec.classification_policy_id);
  SB_ASSERT(policy != nullptr);  // deleting a policy in use by an active job is refused
  bool waiting = false;
  for (const auto& [path, rule] : ExternalRules(policy->spec)) {
    if (job.rule_answers.count(path)) continue;
    waiting = true;
    if (!RuleCallPending(job, path)) {
      RuleCall call;
      call.purpose = RuleCall::Purpose::kClassification;
      call.rule = *rule;
      call.job_labels = job.spec.labels;
      IssueRuleCall(job, path, std::move(call), {});
    }
  }
  if (waiting) {
    TouchJob(job);
    return;
  }
  auto outcome = Classifier(*this, job).Run(policy->spec);
  job.rule_answers.clear();
  if (!outcome) {
    FailClassification(job, outcome.error().message);
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
