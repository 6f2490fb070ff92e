#include "api/names.h"

namespace sb::api {

const std::vector<std::string_view>& LabelOperatorNames() {
  static const std::vector<std::string_view> kNames = {
      "equal", "notEqual", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual"};
  return kNames;
}

const std::vector<std::string_view>& JobStatusNames() {
  static const std::vector<std::string_view> kNames = {
      "pendingClassification", "queued", "assigned", "completed", "closed", "cancelled",
      "classificationFailed", "created", "pendingSchedule", "scheduled", "scheduleFailed",
      "waitingForActivation"};
  return kNames;
}

const std::vector<std::string_view>& WorkerStateNames() {
  static const std::vector<std::string_view> kNames = {"active", "draining", "inactive"};
  return kNames;
}

const std::vector<std::string_view>& DistributionModeNames() {
  static const std::vector<std::string_view> kNames = {"bestWorker", "longestIdle", "roundRobin"};
  return kNames;
}

const std::vector<std::string_view>& MatchingModeNames() {
  static const std::vector<std::string_view> kNames = {"queueAndMatch", "scheduleAndSuspend",
                                                       "suspend"};
  return kNames;
}

const std::vector<std::string_view>& RuleKindNames() {
  static const std::vector<std::string_view> kNames = {"static", "directMap", "expression",
                                                       "function", "webhook"};
  return kNames;
}

const std::vector<std::string_view>& AttachmentKindNames() {
  static const std::vector<std::string_view> kNames = {"conditional", "passThrough", "ruleEngine",
                                                       "static", "weightedAllocation"};
  return kNames;
}

const std::vector<std::string_view>& TriggerKindNames() {
  static const std::vector<std::string_view> kNames = {"queueLength", "waitTime"};
  return kNames;
}

const std::vector<std::string_view>& ActionKindNames() {
  static const std::vector<std::string_view> kNames = {"cancel", "manualReclassify", "reclassify"};
  return kNames;
}

const std::vector<std::string_view>& ScoringParameterNames() {
  static const std::vector<std::string_view> kNames = {"jobLabels", "workerSelectors"};
  return kNames;
}

}  // namespace sb::api
