// The administration entities of the contract - distribution policies, classification policies,
// exception policies and queues - as the writable "spec" a client upserts. The engine stores a
// spec together with EntityMeta (version, timestamps). Pure data. Values; copy freely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/time.h"
#include "base/value.h"
#include "core/rules.h"

namespace sb::core {

// Bookkeeping the engine keeps on every entity.
struct EntityMeta {
  std::uint64_t created_seq = 0;  // position in list order; never reused
  std::uint64_t version = 0;      // bumped on every change; feeds the etag
  std::uint64_t change_seq = 0;   // global change sequence at the last change
  Timestamp last_modified;
  bool operator==(const EntityMeta&) const = default;
};

// --- Distribution -------------------------------------------------------------------------
enum class DistributionModeKind { kBestWorker, kLongestIdle, kRoundRobin };
enum class ScoringParameter { kJobLabels, kWorkerSelectors };

struct ScoringRuleOptions {
  std::optional<int> batch_size;
  std::optional<std::vector<ScoringParameter>> scoring_parameters;
  std::optional<bool> is_batch_scoring_enabled;
  std::optional<bool> descending_order;
  bool operator==(const ScoringRuleOptions&) const = default;
};

struct DistributionMode {
  DistributionModeKind kind = DistributionModeKind::kLongestIdle;
  int min_concurrent_offers = 1;
  int max_concurrent_offers = 1;
  bool bypass_selectors = false;
  std::optional<RouterRule> scoring_rule;            // bestWorker only
  std::optional<ScoringRuleOptions> scoring_rule_options;  // bestWorker only
  bool operator==(const DistributionMode&) const = default;
};

struct DistributionPolicySpec {
  std::optional<std::string> name;
  std::optional<double> offer_expires_after_seconds;
  std::optional<DistributionMode> mode;
  bool operator==(const DistributionPolicySpec&) const = default;
};

// --- Classification -----------------------------------------------------------------------
struct ClassificationPolicySpec {
  std::optional<std::string> name;
  std::optional<std::string> fallback_queue_id;
  std::vector<QueueSelectorAttachment> queue_selector_attachments;
  std::optional<RouterRule> prioritization_rule;
  std::vector<WorkerSelectorAttachment> worker_selector_attachments;
  bool operator==(const ClassificationPolicySpec&) const = default;
};

// --- Exceptions ---------------------------------------------------------------------------
struct QueueLengthExceptionTrigger {
  int threshold = 0;
  bool operator==(const QueueLengthExceptionTrigger&) const = default;
};
struct WaitTimeExceptionTrigger {
  double threshold_seconds = 0;
  bool operator==(const WaitTimeExceptionTrigger&) const = default;
};
using ExceptionTrigger = std::variant<QueueLengthExceptionTrigger, WaitTimeExceptionTrigger>;

struct CancelExceptionAction {
  std::string id;
  std::optional<std::string> note;
  std::optional<std::string> disposition_code;
  bool operator==(const CancelExceptionAction&) const = default;
};
struct ManualReclassifyExceptionAction {
  std::string id;
  std::optional<std::string> queue_id;
  std::optional<int> priority;
  std::vector<WorkerSelector> worker_selectors;
  bool operator==(const ManualReclassifyExceptionAction&) const = default;
};
struct ReclassifyExceptionAction {
  std::string id;
  std::optional<std::string> classification_policy_id;
  LabelMap labels_to_upsert;
  bool operator==(const ReclassifyExceptionAction&) const = default;
};
using ExceptionAction =
    std::variant<CancelExceptionAction, ManualReclassifyExceptionAction, ReclassifyExceptionAction>;

struct ExceptionRule {
  std::string id;
  ExceptionTrigger trigger;
  std::vector<ExceptionAction> actions;
  bool operator==(const ExceptionRule&) const = default;
};

struct ExceptionPolicySpec {
  std::optional<std::string> name;
  std::vector<ExceptionRule> exception_rules;
  bool operator==(const ExceptionPolicySpec&) const = default;
};

// --- Queue --------------------------------------------------------------------------------
struct QueueSpec {
  std::optional<std::string> name;
  std::optional<std::string> distribution_policy_id;
  LabelMap labels;  // the engine keeps the automatic "Id" label in here
  std::optional<std::string> exception_policy_id;
  bool operator==(const QueueSpec&) const = default;
};

// A stored administration entity: its id, what the client asked for, and bookkeeping.
template <class Spec>
struct Stored {
  std::string id;
  Spec spec;
  EntityMeta meta;
};

using DistributionPolicy = Stored<DistributionPolicySpec>;
using ClassificationPolicy = Stored<ClassificationPolicySpec>;
using ExceptionPolicy = Stored<ExceptionPolicySpec>;

}  // namespace sb::core
