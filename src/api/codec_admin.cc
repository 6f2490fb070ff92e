// Codecs of the administration entities: distribution, classification and exception policies,
// and queues.
#include "api/codec.h"
#include "api/names.h"

namespace sb::api {
namespace {

using namespace sb::core;

void PutIf(json::object& o, std::string_view key, const std::optional<std::string>& v) {
  if (v) o[key] = json::string(*v);
}

template <class Spec>
json::object Start(const Stored<Spec>& entity) {
  json::object o;
  o["id"] = json::string(entity.id);
  return o;
}

void Finish(json::object& o, const EntityMeta& meta, const EncodeContext& context) {
  o["etag"] = json::string(context.engine.Etag(meta));
}

template <class T>
Result<T> Done(const Reader& r, T value) {
  if (!r.ok()) return r.error();
  return value;
}

json::object EncodeMode(const DistributionMode& mode) {
  json::object o;
  o["kind"] = json::string(NameOf(mode.kind, DistributionModeNames()));
  o["minConcurrentOffers"] = mode.min_concurrent_offers;
  o["maxConcurrentOffers"] = mode.max_concurrent_offers;
  o["bypassSelectors"] = mode.bypass_selectors;
  if (mode.scoring_rule) o["scoringRule"] = EncodeRule(*mode.scoring_rule);
  if (const auto& options = mode.scoring_rule_options) {
    json::object s;
    if (options->batch_size) s["batchSize"] = *options->batch_size;
    if (options->scoring_parameters) {
      json::array parameters;
      for (ScoringParameter p : *options->scoring_parameters) {
        parameters.push_back(json::string(NameOf(p, ScoringParameterNames())));
      }
      s["scoringParameters"] = std::move(parameters);
    }
    if (options->is_batch_scoring_enabled) s["isBatchScoringEnabled"] = *options->is_batch_scoring_enabled;
    if (options->descending_order) s["descendingOrder"] = *options->descending_order;
    o["scoringRuleOptions"] = std::move(s);
  }
  return o;
}

std::optional<DistributionMode> DecodeMode(Reader& r) {
  DistributionMode mode;
  if (auto kind = r.Enum("kind", DistributionModeNames(), true)) {
    mode.kind = static_cast<DistributionModeKind>(*kind);
  }
  mode.min_concurrent_offers = r.Int32("minConcurrentOffers").value_or(1);
  mode.max_concurrent_offers = r.Int32("maxConcurrentOffers").value_or(1);
  mode.bypass_selectors = r.Bool("bypassSelectors").value_or(false);
  if (mode.kind == DistributionModeKind::kBestWorker) {
    mode.scoring_rule = DecodeRule(r, "scoringRule", false);
    if (auto s = r.Child("scoringRuleOptions")) {
      ScoringRuleOptions options;
      options.batch_size = s->Int32("batchSize");
      if (s->has("scoringParameters")) {
        std::vector<ScoringParameter> parameters;
        for (const std::string& name : s->Strings("scoringParameters")) {
          const int index = MatchEnum(name, ScoringParameterNames());
          if (index < 0) {
            s->Fail("scoringParameters", "must contain only jobLabels and workerSelectors");
            break;
          }
          parameters.push_back(static_cast<ScoringParameter>(index));
        }
        options.scoring_parameters = std::move(parameters);
      }
      options.is_batch_scoring_enabled = s->Bool("isBatchScoringEnabled");
      options.descending_order = s->Bool("descendingOrder");
      mode.scoring_rule_options = std::move(options);
    }
  }
  if (!r.ok()) return std::nullopt;
  return mode;
}

json::object EncodeAction(const ExceptionAction& action) {
  json::object o;
  o["kind"] = json::string(ActionKindNames()[action.index()]);
  std::visit([&](const auto& a) { o["id"] = json::string(a.id); }, action);
  if (auto* c = std::get_if<CancelExceptionAction>(&action)) {
    PutIf(o, "note", c->note);
    PutIf(o, "dispositionCode", c->disposition_code);
  } else if (auto* m = std::get_if<ManualReclassifyExceptionAction>(&action)) {
    PutIf(o, "queueId", m->queue_id);
    if (m->priority) o["priority"] = *m->priority;
    o["workerSelectors"] = EncodeWorkerSelectors(m->worker_selectors);
  } else {
    const auto& r = std::get<ReclassifyExceptionAction>(action);
    PutIf(o, "classificationPolicyId", r.classification_policy_id);
    o["labelsToUpsert"] = ToJson(r.labels_to_upsert);
  }
  return o;
}

std::optional<ExceptionAction> DecodeAction(Reader& r) {
  const auto kind = r.Enum("kind", ActionKindNames(), true);
  if (!kind) return std::nullopt;
  const std::string id = r.String("id").value_or("");
  switch (*kind) {
    case 0:
      return CancelExceptionAction{id, r.String("note"), r.String("dispositionCode")};
    case 1:
      return ManualReclassifyExceptionAction{id, r.String("queueId"), r.Int32("priority"),
                                             DecodeWorkerSelectors(r, "workerSelectors")};
    default:
      return ReclassifyExceptionAction{id, r.String("classificationPolicyId"), r.Labels("labelsToUpsert")};
  }
}

json::object EncodeTrigger(const ExceptionTrigger& trigger) {
  json::object o;
  o["kind"] = json::string(TriggerKindNames()[trigger.index()]);
  if (auto* q = std::get_if<QueueLengthExceptionTrigger>(&trigger)) {
    o["threshold"] = q->threshold;
  } else {
    o["thresholdSeconds"] = std::get<WaitTimeExceptionTrigger>(trigger).threshold_seconds;
  }
  return o;
}

std::optional<ExceptionTrigger> DecodeTrigger(Reader& r) {
  const auto kind = r.Enum("kind", TriggerKindNames(), true);
  if (!kind) return std::nullopt;
  if (*kind == 0) {
    r.Require("threshold");
    return QueueLengthExceptionTrigger{r.Int32("threshold").value_or(0)};
  }
  r.Require("thresholdSeconds");
  return WaitTimeExceptionTrigger{r.Number("thresholdSeconds").value_or(0)};
}

}  // namespace

json::object Encode(const DistributionPolicy& policy, const EncodeContext& context) {
  json::object o = Start(policy);
  PutIf(o, "name", policy.spec.name);
  if (policy.spec.offer_expires_after_seconds) {
    o["offerExpiresAfterSeconds"] = *policy.spec.offer_expires_after_seconds;
  }
  if (policy.spec.mode) o["mode"] = EncodeMode(*policy.spec.mode);
  Finish(o, policy.meta, context);
  return o;
}

Result<DistributionPolicySpec> DecodeDistributionPolicy(const json::object& body) {
  Reader r(body, "");
  DistributionPolicySpec spec;
  spec.name = r.String("name");
  spec.offer_expires_after_seconds = r.Number("offerExpiresAfterSeconds");
  if (auto mode = r.Child("mode")) spec.mode = DecodeMode(*mode);
  return Done(r, std::move(spec));
}

json::object Encode(const ClassificationPolicy& policy, const EncodeContext& context) {
  json::object o = Start(policy);
  PutIf(o, "name", policy.spec.name);
  PutIf(o, "fallbackQueueId", policy.spec.fallback_queue_id);
  json::array queue_attachments;
  for (const auto& a : policy.spec.queue_selector_attachments) queue_attachments.push_back(EncodeQueueAttachment(a));
  o["queueSelectorAttachments"] = std::move(queue_attachments);
  if (policy.spec.prioritization_rule) o["prioritizationRule"] = EncodeRule(*policy.spec.prioritization_rule);
  json::array worker_attachments;
  for (const auto& a : policy.spec.worker_selector_attachments) worker_attachments.push_back(EncodeWorkerAttachment(a));
  o["workerSelectorAttachments"] = std::move(worker_attachments);
  Finish(o, policy.meta, context);
  return o;
}

Result<ClassificationPolicySpec> DecodeClassificationPolicy(const json::object& body) {
  Reader r(body, "");
  ClassificationPolicySpec spec;
  spec.name = r.String("name");
  spec.fallback_queue_id = r.String("fallbackQueueId");
  for (Reader& item : r.Items("queueSelectorAttachments")) {
    if (auto a = DecodeQueueAttachment(item)) spec.queue_selector_attachments.push_back(std::move(*a));
  }
  spec.prioritization_rule = DecodeRule(r, "prioritizationRule", false);
  for (Reader& item : r.Items("workerSelectorAttachments")) {
    if (auto a = DecodeWorkerAttachment(item)) spec.worker_selector_attachments.push_back(std::move(*a));
  }
  return Done(r, std::move(spec));
}

json::object Encode(const ExceptionPolicy& policy, const EncodeContext& context) {
  json::object o = Start(policy);
  PutIf(o, "name", policy.spec.name);
  json::array rules;
  for (const ExceptionRule& rule : policy.spec.exception_rules) {
    json::array actions;
    for (const ExceptionAction& action : rule.actions) actions.push_back(EncodeAction(action));
    rules.push_back(json::object{{"id", json::string(rule.id)},
                                 {"trigger", EncodeTrigger(rule.trigger)},
                                 {"actions", std::move(actions)}});
  }
  o["exceptionRules"] = std::move(rules);
  Finish(o, policy.meta, context);
  return o;
}

Result<ExceptionPolicySpec> DecodeExceptionPolicy(const json::object& body) {
  Reader r(body, "");
  ExceptionPolicySpec spec;
  spec.name = r.String("name");
  for (Reader& item : r.Items("exceptionRules")) {
    ExceptionRule rule;
    item.Require("id");
    rule.id = item.String("id").value_or("");
    item.Require("trigger");
    if (auto trigger = item.Child("trigger")) {
      if (auto t = DecodeTrigger(*trigger)) rule.trigger = std::move(*t);
    }
    item.Require("actions");
    for (Reader& a : item.Items("actions")) {
      if (auto action = DecodeAction(a)) rule.actions.push_back(std::move(*action));
    }
    spec.exception_rules.push_back(std::move(rule));
  }
  return Done(r, std::move(spec));
}

json::object Encode(const Stored<QueueSpec>& queue, const EncodeContext& context) {
  json::object o = Start(queue);
  PutIf(o, "name", queue.spec.name);
  PutIf(o, "distributionPolicyId", queue.spec.distribution_policy_id);
  o["labels"] = ToJson(queue.spec.labels);
  PutIf(o, "exceptionPolicyId", queue.spec.exception_policy_id);
  Finish(o, queue.meta, context);
  return o;
}

Result<QueueSpec> DecodeQueue(const json::object& body) {
  Reader r(body, "");
  QueueSpec spec;
  spec.name = r.String("name");
  spec.distribution_policy_id = r.String("distributionPolicyId");
  spec.labels = r.Labels("labels");
  spec.exception_policy_id = r.String("exceptionPolicyId");
  return Done(r, std::move(spec));
}

}  // namespace sb::api
