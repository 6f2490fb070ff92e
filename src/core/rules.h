// The polymorphic rule and selector types of the Job Router contract, as plain values: router
// rules, label selectors and the selector attachments of classification policies. Each family is
// a std::variant whose alternatives are the API's `kind`s. Pure data; no behaviour beyond
// equality. Not thread-safe (values; copy freely).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/time.h"
#include "base/value.h"

namespace sb::core {

enum class LabelOperator { kEqual, kNotEqual, kLessThan, kLessThanOrEqual, kGreaterThan, kGreaterThanOrEqual };

struct QueueSelector {
  std::string key;
  LabelOperator label_operator = LabelOperator::kEqual;
  Value value;
  bool operator==(const QueueSelector&) const = default;
};

enum class WorkerSelectorStatus { kActive, kExpired };

struct WorkerSelector {
  std::string key;
  LabelOperator label_operator = LabelOperator::kEqual;
  Value value;
  std::optional<double> expires_after_seconds;
  std::optional<bool> expedite;
  // Read-only, kept by the engine on the job's copy of the selector.
  std::optional<WorkerSelectorStatus> status;
  std::optional<Timestamp> expires_at;
  bool operator==(const WorkerSelector&) const = default;
};

// --- Router rules -------------------------------------------------------------------------
struct StaticRule {
  Value value;
  bool operator==(const StaticRule&) const = default;
};
struct DirectMapRule {
  bool operator==(const DirectMapRule&) const = default;
};
struct ExpressionRule {
  std::optional<std::string> language;  // only "powerFx" exists
  std::string expression;
  bool operator==(const ExpressionRule&) const = default;
};
struct FunctionRuleCredential {
  std::optional<std::string> function_key;
  std::optional<std::string> app_key;
  std::optional<std::string> client_id;
  bool operator==(const FunctionRuleCredential&) const = default;
};
struct FunctionRule {
  std::string function_uri;
  std::optional<FunctionRuleCredential> credential;
  bool operator==(const FunctionRule&) const = default;
};
struct OAuth2WebhookClientCredential {
  std::optional<std::string> client_id;
  std::optional<std::string> client_secret;
  bool operator==(const OAuth2WebhookClientCredential&) const = default;
};
struct WebhookRule {
  std::optional<std::string> authorization_server_uri;
  std::optional<OAuth2WebhookClientCredential> client_credential;
  std::optional<std::string> webhook_uri;
  bool operator==(const WebhookRule&) const = default;
};
using RouterRule = std::variant<StaticRule, DirectMapRule, ExpressionRule, FunctionRule, WebhookRule>;

// --- Queue selector attachments -------------------------------------------------------------
struct ConditionalQueueSelectorAttachment {
  RouterRule condition;
  std::vector<QueueSelector> queue_selectors;
  bool operator==(const ConditionalQueueSelectorAttachment&) const = default;
};
struct PassThroughQueueSelectorAttachment {
  std::string key;
  LabelOperator label_operator = LabelOperator::kEqual;
  bool operator==(const PassThroughQueueSelectorAttachment&) const = default;
};
struct RuleEngineQueueSelectorAttachment {
  RouterRule rule;
  bool operator==(const RuleEngineQueueSelectorAttachment&) const = default;
};
struct StaticQueueSelectorAttachment {
  QueueSelector queue_selector;
  bool operator==(const StaticQueueSelectorAttachment&) const = default;
};
struct QueueWeightedAllocation {
  double weight = 0;
  std::vector<QueueSelector> queue_selectors;
  bool operator==(const QueueWeightedAllocation&) const = default;
};
struct WeightedAllocationQueueSelectorAttachment {
  std::vector<QueueWeightedAllocation> allocations;
  bool operator==(const WeightedAllocationQueueSelectorAttachment&) const = default;
};
using QueueSelectorAttachment =
    std::variant<ConditionalQueueSelectorAttachment, PassThroughQueueSelectorAttachment,
                 RuleEngineQueueSelectorAttachment, StaticQueueSelectorAttachment,
                 WeightedAllocationQueueSelectorAttachment>;

// --- Worker selector attachments ------------------------------------------------------------
struct ConditionalWorkerSelectorAttachment {
  RouterRule condition;
  std::vector<WorkerSelector> worker_selectors;
  bool operator==(const ConditionalWorkerSelectorAttachment&) const = default;
};
struct PassThroughWorkerSelectorAttachment {
  std::string key;
  LabelOperator label_operator = LabelOperator::kEqual;
  std::optional<double> expires_after_seconds;
  bool operator==(const PassThroughWorkerSelectorAttachment&) const = default;
};
struct RuleEngineWorkerSelectorAttachment {
  RouterRule rule;
  bool operator==(const RuleEngineWorkerSelectorAttachment&) const = default;
};
struct StaticWorkerSelectorAttachment {
  WorkerSelector worker_selector;
  bool operator==(const StaticWorkerSelectorAttachment&) const = default;
};
struct WorkerWeightedAllocation {
  double weight = 0;
  std::vector<WorkerSelector> worker_selectors;
  bool operator==(const WorkerWeightedAllocation&) const = default;
};
struct WeightedAllocationWorkerSelectorAttachment {
  std::vector<WorkerWeightedAllocation> allocations;
  bool operator==(const WeightedAllocationWorkerSelectorAttachment&) const = default;
};
using WorkerSelectorAttachment =
    std::variant<ConditionalWorkerSelectorAttachment, PassThroughWorkerSelectorAttachment,
                 RuleEngineWorkerSelectorAttachment, StaticWorkerSelectorAttachment,
                 WeightedAllocationWorkerSelectorAttachment>;

// --- Outbound rule calls --------------------------------------------------------------------
// A router rule the engine needs evaluated by an outbound call (function or webhook rules):
// the server performs it off the engine thread and answers with Engine::CompleteRuleCall.
struct RuleCall {
  enum class Purpose { kClassification, kScoring };
  std::string call_id;
  std::string job_id;
  Purpose purpose = Purpose::kClassification;
  RouterRule rule;  // a FunctionRule or a WebhookRule
  // The payload: classification sends the job's labels; scoring sends what the policy's
  // scoringRuleOptions ask for - the job's labels (`job`), its selectors (`selectors`) and the
  // worker's labels (`worker`), or a batch of workers (`workers`).
  LabelMap job_labels;
  bool send_job_labels = true;
  std::vector<WorkerSelector> selectors;
  bool send_selectors = false;
  std::vector<std::pair<std::string, LabelMap>> workers;  // (worker id, labels)
  bool batch = false;
};

// What an outbound rule answered, read from its JSON: a single value, a list of selectors, or
// a list of scores (batch scoring, in the order of the workers sent; NaN: not scored).
struct RuleAnswer {
  Value value;
  std::vector<QueueSelector> selectors;
  std::vector<double> scores;
  bool is_selectors = false;
  bool is_scores = false;
};

}  // namespace sb::core
