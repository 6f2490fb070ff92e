// Validation of specs against the contract's ranges and the engine's limits. Pure: these check
// one spec on its own; references to other entities are checked by the engine, which knows
// them. Messages name the field at fault with the API's own names.
#pragma once

#include <string_view>

#include "base/error.h"
#include "core/job.h"
#include "core/limits.h"
#include "core/policies.h"
#include "core/worker.h"

namespace sb::core {

Status ValidateId(std::string_view id, std::string_view what, const Limits& limits);
Status ValidateDistributionPolicy(const DistributionPolicySpec& spec, const Limits& limits);
Status ValidateClassificationPolicy(const ClassificationPolicySpec& spec, const Limits& limits);
Status ValidateExceptionPolicy(const ExceptionPolicySpec& spec, const Limits& limits);
Status ValidateQueue(const QueueSpec& spec, const Limits& limits);
Status ValidateJob(const JobSpec& spec, const Limits& limits);
Status ValidateWorker(const WorkerSpec& spec, const Limits& limits);
// The note and disposition code an action (cancel, complete, close) may carry.
Status ValidateActionText(const std::optional<std::string>& note,
                          const std::optional<std::string>& disposition_code, const Limits& limits);
Status ValidateRule(const RouterRule& rule, std::string_view field, const Limits& limits);
Status ValidateLabels(const LabelMap& labels, std::string_view field, const Limits& limits);
Status ValidateWorkerSelectors(const std::vector<WorkerSelector>& selectors,
                               std::string_view field, const Limits& limits);

inline constexpr int kMinPriority = -100;
inline constexpr int kMaxPriority = 100;
// Longest duration a client may set (offers, selectors, triggers): ten years, in seconds.
inline constexpr double kMaxDurationSeconds = 315'360'000.0;

}  // namespace sb::core
