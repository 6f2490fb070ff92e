#include "core/validation.h"

#include "core/rule_eval.h"

#include <cmath>
#include <set>
#include <string>

namespace sb::core {
namespace {

std::string Field(std::string_view parent, std::string_view child) {
  std::string out(parent);
  if (!out.empty() && !child.empty() && child.front() != '[') out += '.';
  out += child;
  return out;
}

std::string Index(std::string_view field, std::size_t i) {
  return std::string(field) + "[" + std::to_string(i) + "]";
}

Status Invalid(std::string field, std::string_view what) {
  return Error::InvalidArgument(field + " " + std::string(what), field);
}

Status ValidateText(const std::optional<std::string>& text, std::string_view field,
                    std::size_t max_length) {
  if (text && text->size() > max_length) {
    return Invalid(std::string(field), "must be at most " + std::to_string(max_length) + " characters");
  }
  return Ok{};
}

Status ValidateSeconds(std::optional<double> seconds, std::string_view field, bool allow_zero) {
  if (!seconds) return Ok{};
  if (!std::isfinite(*seconds) || *seconds < 0 || (!allow_zero && *seconds == 0) ||
      *seconds > kMaxDurationSeconds) {
    return Invalid(std::string(field), allow_zero ? "must be a number of seconds of at least 0"
                                                  : "must be a number of seconds greater than 0");
  }
  return Ok{};
}

Status ValidateValue(const Value& value, std::string_view field, const Limits& limits) {
  if (value.is_string() && value.as_string().size() > limits.max_string_length) {
    return Invalid(std::string(field), "must be at most " +
                                           std::to_string(limits.max_string_length) + " characters");
  }
  if (value.is_double() && !std::isfinite(value.as_double())) {
    return Invalid(std::string(field), "must be a finite number");
  }
  return Ok{};
}

Status ValidateKey(const std::string& key, std::string_view field, const Limits& limits) {
  if (key.empty()) return Invalid(std::string(field), "must not be empty");
  if (key.size() > limits.max_string_length) {
    return Invalid(std::string(field),
                   "must be at most " + std::to_string(limits.max_string_length) + " characters");
  }
  return Ok{};
}

Status ValidateQueueSelectors(const std::vector<QueueSelector>& selectors, std::string_view field,
                              const Limits& limits) {
  if (selectors.size() > limits.max_selectors) {
    return Invalid(std::string(field), "has more than " + std::to_string(limits.max_selectors) + " selectors");
  }
  for (std::size_t i = 0; i < selectors.size(); ++i) {
    SB_TRY(ValidateKey(selectors[i].key, Field(Index(field, i), "key"), limits));
    SB_TRY(ValidateValue(selectors[i].value, Field(Index(field, i), "value"), limits));
  }
  return Ok{};
}

Status ValidateWeights(const std::vector<double>& weights, std::string_view field,
                       const Limits& limits) {
  if (weights.empty()) return Invalid(std::string(field), "must not be empty");
  if (weights.size() > limits.max_allocations) {
    return Invalid(std::string(field), "has more than " + std::to_string(limits.max_allocations) + " allocations");
  }
  double sum = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i]) || weights[i] <= 0 || weights[i] > 1) {
      return Invalid(Field(Index(field, i), "weight"), "must be greater than 0 and at most 1");
    }
    sum += weights[i];
  }
  if (std::fabs(sum - 1.0) > 1e-6) return Invalid(std::string(field), "weights must add up to 1");
  return Ok{};
}

Status ValidateUri(const std::optional<std::string>& uri, std::string_view field, bool required) {
  if (!uri) return required ? Invalid(std::string(field), "is required") : Status(Ok{});
  const bool http = uri->rfind("http://", 0) == 0 || uri->rfind("https://", 0) == 0;
  if (!http || uri->size() < 10 || uri->size() > 2048) {
    return Invalid(std::string(field), "must be an absolute http or https URI");
  }
  return Ok{};
}

Status ValidateQueueAttachment(const QueueSelectorAttachment& a, std::string_view field,
                               const Limits& limits) {
  if (auto* c = std::get_if<ConditionalQueueSelectorAttachment>(&a)) {
    SB_TRY(ValidateRule(c->condition, Field(field, "condition"), limits));
    SB_TRY(CheckRule(c->condition, RuleUse::kCondition, Field(field, "condition")));
    return ValidateQueueSelectors(c->queue_selectors, Field(field, "queueSelectors"), limits);
  }
  if (auto* p = std::get_if<PassThroughQueueSelectorAttachment>(&a)) {
    return ValidateKey(p->key, Field(field, "key"), limits);
  }
  if (auto* r = std::get_if<RuleEngineQueueSelectorAttachment>(&a)) {
    SB_TRY(ValidateRule(r->rule, Field(field, "rule"), limits));
    return CheckRule(r->rule, RuleUse::kQueueSelectors, Field(field, "rule"));
  }
  if (auto* s = std::get_if<StaticQueueSelectorAttachment>(&a)) {
    return ValidateQueueSelectors({s->queue_selector}, Field(field, "queueSelector"), limits);
  }
  const auto& w = std::get<WeightedAllocationQueueSelectorAttachment>(a);
  std::vector<double> weights;
  for (std::size_t i = 0; i < w.allocations.size(); ++i) {
    weights.push_back(w.allocations[i].weight);
    SB_TRY(ValidateQueueSelectors(w.allocations[i].queue_selectors,
                                  Field(Index(Field(field, "allocations"), i), "queueSelectors"),
                                  limits));
  }
  return ValidateWeights(weights, Field(field, "allocations"), limits);
}

Status ValidateWorkerAttachment(const WorkerSelectorAttachment& a, std::string_view field,
                                const Limits& limits) {
  if (auto* c = std::get_if<ConditionalWorkerSelectorAttachment>(&a)) {
    SB_TRY(ValidateRule(c->condition, Field(field, "condition"), limits));
    SB_TRY(CheckRule(c->condition, RuleUse::kCondition, Field(field, "condition")));
    return ValidateWorkerSelectors(c->worker_selectors, Field(field, "workerSelectors"), limits);
  }
  if (auto* p = std::get_if<PassThroughWorkerSelectorAttachment>(&a)) {
    SB_TRY(ValidateKey(p->key, Field(field, "key"), limits));
    return ValidateSeconds(p->expires_after_seconds, Field(field, "expiresAfterSeconds"), false);
  }
  if (auto* r = std::get_if<RuleEngineWorkerSelectorAttachment>(&a)) {
    SB_TRY(ValidateRule(r->rule, Field(field, "rule"), limits));
    return CheckRule(r->rule, RuleUse::kWorkerSelectors, Field(field, "rule"));
  }
  if (auto* s = std::get_if<StaticWorkerSelectorAttachment>(&a)) {
    return ValidateWorkerSelectors({s->worker_selector}, Field(field, "workerSelector"), limits);
  }
  const auto& w = std::get<WeightedAllocationWorkerSelectorAttachment>(a);
  std::vector<double> weights;
  for (std::size_t i = 0; i < w.allocations.size(); ++i) {
    weights.push_back(w.allocations[i].weight);
    SB_TRY(ValidateWorkerSelectors(w.allocations[i].worker_selectors,
                                   Field(Index(Field(field, "allocations"), i), "workerSelectors"),
                                   limits));
  }
  return ValidateWeights(weights, Field(field, "allocations"), limits);
}

}  // namespace

Status ValidateId(std::string_view id, std::string_view what, const Limits& limits) {
  if (id.empty()) return Invalid(std::string(what), "must not be empty");
  if (id.size() > limits.max_id_length) {
    return Invalid(std::string(what), "must be at most " + std::to_string(limits.max_id_length) + " characters");
  }
  for (const char c : id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '?' ||
        c == '#') {
      return Invalid(std::string(what), "must not contain control characters or / \\ ? #");
    }
  }
  return Ok{};
}

Status ValidateLabels(const LabelMap& labels, std::string_view field, const Limits& limits) {
  if (labels.size() > limits.max_labels) {
    return Invalid(std::string(field), "has more than " + std::to_string(limits.max_labels) + " entries");
  }
  for (const auto& [key, value] : labels) {
    SB_TRY(ValidateKey(key, std::string(field) + " key", limits));
    SB_TRY(ValidateValue(value, Field(field, key), limits));
  }
  return Ok{};
}

Status ValidateWorkerSelectors(const std::vector<WorkerSelector>& selectors,
                               std::string_view field, const Limits& limits) {
  if (selectors.size() > limits.max_selectors) {
    return Invalid(std::string(field), "has more than " + std::to_string(limits.max_selectors) + " selectors");
  }
  for (std::size_t i = 0; i < selectors.size(); ++i) {
    const std::string item = Index(field, i);
    SB_TRY(ValidateKey(selectors[i].key, Field(item, "key"), limits));
    SB_TRY(ValidateValue(selectors[i].value, Field(item, "value"), limits));
    SB_TRY(ValidateSeconds(selectors[i].expires_after_seconds, Field(item, "expiresAfterSeconds"),
                           false));
  }
  return Ok{};
}

Status ValidateActionText(const std::optional<std::string>& note,
                          const std::optional<std::string>& disposition_code, const Limits& limits) {
  SB_TRY(ValidateText(note, "note", limits.max_note_length));
  return ValidateText(disposition_code, "dispositionCode", limits.max_string_length);
}

Status ValidateRule(const RouterRule& rule, std::string_view field, const Limits& limits) {
  if (auto* s = std::get_if<StaticRule>(&rule)) {
    return ValidateValue(s->value, Field(field, "value"), limits);
  }
  if (auto* e = std::get_if<ExpressionRule>(&rule)) {
    if (e->expression.empty()) return Invalid(Field(field, "expression"), "is required");
    if (e->expression.size() > limits.max_expression_length) {
      return Invalid(Field(field, "expression"),
                     "must be at most " + std::to_string(limits.max_expression_length) + " characters");
    }
    return Ok{};
  }
  if (auto* f = std::get_if<FunctionRule>(&rule)) {
    return ValidateUri(f->function_uri, Field(field, "functionUri"), true);
  }
  if (auto* w = std::get_if<WebhookRule>(&rule)) {
    SB_TRY(ValidateUri(w->authorization_server_uri, Field(field, "authorizationServerUri"), false));
    return ValidateUri(w->webhook_uri, Field(field, "webhookUri"), true);
  }
  return Ok{};  // directMap has no fields
}

Status ValidateDistributionPolicy(const DistributionPolicySpec& spec, const Limits& limits) {
  SB_TRY(ValidateText(spec.name, "name", limits.max_string_length));
  SB_TRY(ValidateSeconds(spec.offer_expires_after_seconds, "offerExpiresAfterSeconds", false));
  if (!spec.mode) return Invalid("mode", "is required");
  const DistributionMode& mode = *spec.mode;
  if (mode.min_concurrent_offers < 1) return Invalid("mode.minConcurrentOffers", "must be at least 1");
  if (mode.max_concurrent_offers < 1 || mode.max_concurrent_offers > limits.max_concurrent_offers) {
    return Invalid("mode.maxConcurrentOffers",
                   "must be between 1 and " + std::to_string(limits.max_concurrent_offers));
  }
  if (mode.min_concurrent_offers > mode.max_concurrent_offers) {
    return Invalid("mode.minConcurrentOffers", "must not be greater than mode.maxConcurrentOffers");
  }
  if (mode.scoring_rule) {
    SB_TRY(ValidateRule(*mode.scoring_rule, "mode.scoringRule", limits));
    SB_TRY(CheckRule(*mode.scoring_rule, RuleUse::kScore, "mode.scoringRule"));
  }
  if (mode.scoring_rule_options && mode.scoring_rule_options->batch_size &&
      (*mode.scoring_rule_options->batch_size < 1 || *mode.scoring_rule_options->batch_size > 1000)) {
    return Invalid("mode.scoringRuleOptions.batchSize", "must be between 1 and 1000");
  }
  return Ok{};
}

Status ValidateClassificationPolicy(const ClassificationPolicySpec& spec, const Limits& limits) {
  SB_TRY(ValidateText(spec.name, "name", limits.max_string_length));
  if (spec.fallback_queue_id) SB_TRY(ValidateId(*spec.fallback_queue_id, "fallbackQueueId", limits));
  if (spec.queue_selector_attachments.size() > limits.max_attachments) {
    return Invalid("queueSelectorAttachments", "has more than " + std::to_string(limits.max_attachments) + " entries");
  }
  if (spec.worker_selector_attachments.size() > limits.max_attachments) {
    return Invalid("workerSelectorAttachments", "has more than " + std::to_string(limits.max_attachments) + " entries");
  }
  for (std::size_t i = 0; i < spec.queue_selector_attachments.size(); ++i) {
    SB_TRY(ValidateQueueAttachment(spec.queue_selector_attachments[i],
                                   Index("queueSelectorAttachments", i), limits));
  }
  for (std::size_t i = 0; i < spec.worker_selector_attachments.size(); ++i) {
    SB_TRY(ValidateWorkerAttachment(spec.worker_selector_attachments[i],
                                    Index("workerSelectorAttachments", i), limits));
  }
  if (spec.prioritization_rule) {
    SB_TRY(ValidateRule(*spec.prioritization_rule, "prioritizationRule", limits));
    SB_TRY(CheckRule(*spec.prioritization_rule, RuleUse::kPriority, "prioritizationRule"));
  }
  return Ok{};
}

Status ValidateExceptionPolicy(const ExceptionPolicySpec& spec, const Limits& limits) {
  SB_TRY(ValidateText(spec.name, "name", limits.max_string_length));
  if (spec.exception_rules.size() > limits.max_exception_rules) {
    return Invalid("exceptionRules", "has more than " + std::to_string(limits.max_exception_rules) + " rules");
  }
  std::set<std::string> rule_ids;
  for (std::size_t i = 0; i < spec.exception_rules.size(); ++i) {
    const ExceptionRule& rule = spec.exception_rules[i];
    const std::string field = Index("exceptionRules", i);
    SB_TRY(ValidateKey(rule.id, Field(field, "id"), limits));
    if (!rule_ids.insert(rule.id).second) return Invalid(Field(field, "id"), "repeats another rule's id");
    if (auto* q = std::get_if<QueueLengthExceptionTrigger>(&rule.trigger); q && q->threshold < 0) {
      return Invalid(Field(field, "trigger.threshold"), "must be at least 0");
    }
    if (auto* w = std::get_if<WaitTimeExceptionTrigger>(&rule.trigger)) {
      SB_TRY(ValidateSeconds(w->threshold_seconds, Field(field, "trigger.thresholdSeconds"), true));
    }
    if (rule.actions.empty()) return Invalid(Field(field, "actions"), "must not be empty");
    if (rule.actions.size() > limits.max_actions_per_rule) {
      return Invalid(Field(field, "actions"), "has more than " + std::to_string(limits.max_actions_per_rule) + " actions");
    }
    std::set<std::string> action_ids;
    for (std::size_t j = 0; j < rule.actions.size(); ++j) {
      const std::string action = Index(Field(field, "actions"), j);
      const std::string& id = std::visit([](const auto& a) -> const std::string& { return a.id; }, rule.actions[j]);
      if (!id.empty() && !action_ids.insert(id).second) return Invalid(Field(action, "id"), "repeats another action's id");
      if (auto* m = std::get_if<ManualReclassifyExceptionAction>(&rule.actions[j])) {
        if (m->priority && (*m->priority < kMinPriority || *m->priority > kMaxPriority)) {
          return Invalid(Field(action, "priority"), "must be between -100 and 100");
        }
        SB_TRY(ValidateWorkerSelectors(m->worker_selectors, Field(action, "workerSelectors"), limits));
      }
      if (auto* r = std::get_if<ReclassifyExceptionAction>(&rule.actions[j])) {
        SB_TRY(ValidateLabels(r->labels_to_upsert, Field(action, "labelsToUpsert"), limits));
      }
      if (auto* c = std::get_if<CancelExceptionAction>(&rule.actions[j])) {
        SB_TRY(ValidateText(c->note, Field(action, "note"), limits.max_note_length));
        SB_TRY(ValidateText(c->disposition_code, Field(action, "dispositionCode"), limits.max_string_length));
      }
    }
  }
  return Ok{};
}

Status ValidateQueue(const QueueSpec& spec, const Limits& limits) {
  SB_TRY(ValidateText(spec.name, "name", limits.max_string_length));
  if (!spec.distribution_policy_id) return Invalid("distributionPolicyId", "is required");
  return ValidateLabels(spec.labels, "labels", limits);
}

Status ValidateJob(const JobSpec& spec, const Limits& limits) {
  SB_TRY(ValidateText(spec.channel_reference, "channelReference", limits.max_string_length));
  if (!spec.channel_id) return Invalid("channelId", "is required");
  SB_TRY(ValidateKey(*spec.channel_id, "channelId", limits));
  if (!spec.queue_id && !spec.classification_policy_id) {
    return Invalid("queueId", "is required when there is no classificationPolicyId");
  }
  if (spec.priority < kMinPriority || spec.priority > kMaxPriority) {
    return Invalid("priority", "must be between -100 and 100");
  }
  SB_TRY(ValidateText(spec.disposition_code, "dispositionCode", limits.max_string_length));
  SB_TRY(ValidateWorkerSelectors(spec.requested_worker_selectors, "requestedWorkerSelectors", limits));
  SB_TRY(ValidateLabels(spec.labels, "labels", limits));
  SB_TRY(ValidateLabels(spec.tags, "tags", limits));
  if (spec.notes.size() > limits.max_notes) {
    return Invalid("notes", "has more than " + std::to_string(limits.max_notes) + " notes");
  }
  for (std::size_t i = 0; i < spec.notes.size(); ++i) {
    if (spec.notes[i].message.size() > limits.max_note_length) {
      return Invalid(Field(Index("notes", i), "message"),
                     "must be at most " + std::to_string(limits.max_note_length) + " characters");
    }
  }
  if (spec.matching_mode.kind == MatchingModeKind::kScheduleAndSuspend &&
      !spec.matching_mode.schedule_at) {
    return Invalid("matchingMode.scheduleAt", "is required for scheduleAndSuspend");
  }
  return Ok{};
}

Status ValidateWorker(const WorkerSpec& spec, const Limits& limits) {
  if (spec.capacity < 0) return Invalid("capacity", "must be at least 0");
  if (spec.queues.size() > limits.max_worker_queues) {
    return Invalid("queues", "has more than " + std::to_string(limits.max_worker_queues) + " queues");
  }
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < spec.queues.size(); ++i) {
    SB_TRY(ValidateId(spec.queues[i], Index("queues", i), limits));
    if (!seen.insert(spec.queues[i]).second) return Invalid(Index("queues", i), "repeats a queue");
  }
  if (spec.channels.size() > limits.max_worker_channels) {
    return Invalid("channels", "has more than " + std::to_string(limits.max_worker_channels) + " channels");
  }
  seen.clear();
  for (std::size_t i = 0; i < spec.channels.size(); ++i) {
    const Channel& channel = spec.channels[i];
    const std::string field = Index("channels", i);
    SB_TRY(ValidateKey(channel.channel_id, Field(field, "channelId"), limits));
    if (!seen.insert(channel.channel_id).second) return Invalid(Field(field, "channelId"), "repeats a channel");
    if (channel.capacity_cost_per_job < 0) {
      return Invalid(Field(field, "capacityCostPerJob"), "must be at least 0");
    }
    if (channel.max_number_of_jobs && *channel.max_number_of_jobs < 1) {
      return Invalid(Field(field, "maxNumberOfJobs"), "must be greater than 0");
    }
  }
  if (spec.max_concurrent_offers && *spec.max_concurrent_offers < 1) {
    return Invalid("maxConcurrentOffers", "must be greater than 0");
  }
  SB_TRY(ValidateLabels(spec.labels, "labels", limits));
  return ValidateLabels(spec.tags, "tags", limits);
}

}  // namespace sb::core
