#include "api/merge_patch.h"

#include <string>
#include <unordered_map>

namespace sb::api {
namespace {

// Every property name of the 2023-11-01 and 2024-01-18-preview models.
constexpr std::string_view kPropertyNames[] = {
    "actions", "addedAt", "allocations", "appKey", "assignedAt", "assignedJobs", "assignmentId",
    "assignments", "attachedWorkerSelectors", "authorizationServerUri", "availableForOffers",
    "batchSize", "bypassSelectors", "capacity", "capacityCost", "capacityCostPerJob", "channelId",
    "channelReference", "channels", "classificationPolicyId", "clientCredential", "clientId",
    "clientSecret", "closeAt", "closedAt", "completedAt", "condition", "credential",
    "descendingOrder", "dispositionCode", "distributionPolicyId", "enqueuedAt",
    "estimatedWaitTimeMinutes", "etag", "exceptionPolicyId", "exceptionRules", "expedite",
    "expiresAfterSeconds", "expiresAt", "expression", "fallbackQueueId", "functionKey",
    "functionUri", "id", "isBatchScoringEnabled", "jobId", "key", "kind", "labelOperator",
    "labels", "labelsToUpsert", "language", "length", "loadRatio", "longestJobWaitTimeMinutes",
    "matchingMode", "maxConcurrentOffers", "maxNumberOfJobs", "message", "minConcurrentOffers",
    "mode", "name", "nextLink", "note", "notes", "offerExpiresAfterSeconds", "offerId",
    "offeredAt", "offers", "position", "prioritizationRule", "priority", "queueId",
    "queueLength", "queueSelector", "queueSelectorAttachments", "queueSelectors", "queues",
    "requestedWorkerSelectors", "retryOfferAt", "rule", "scheduleAt", "scheduledAt",
    "scoringParameters", "scoringRule", "scoringRuleOptions", "state", "status",
    "suspendMatching", "tags", "threshold", "thresholdSeconds", "trigger", "unassignmentCount",
    "value", "webhookUri", "weight", "workerId", "workerSelector", "workerSelectorAttachments",
    "workerSelectors"};

// Properties whose value is a map with user keys.
bool IsUserMap(std::string_view name) {
  return name == "labels" || name == "tags" || name == "labelsToUpsert" ||
         name == "assignments" || name == "estimatedWaitTimeMinutes";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

const std::unordered_map<std::string, std::string_view>& CanonicalNames() {
  static const auto* names = [] {
    auto* map = new std::unordered_map<std::string, std::string_view>();
    for (std::string_view name : kPropertyNames) map->emplace(Lower(name), name);
    return map;
  }();
  return *names;
}

void NormalizeObject(json::object& object) {
  json::object out(object.storage());
  out.reserve(object.size());
  for (auto& member : object) {
    std::string_view key = member.key();
    auto it = CanonicalNames().find(Lower(key));
    if (it != CanonicalNames().end()) key = it->second;
    json::value& value = member.value();
    if (!IsUserMap(key)) NormalizePropertyNames(value);
    out.insert_or_assign(key, std::move(value));
  }
  object = std::move(out);
}

}  // namespace

void NormalizePropertyNames(json::value& value) {
  if (value.is_object()) {
    NormalizeObject(value.get_object());
  } else if (value.is_array()) {
    for (json::value& item : value.get_array()) NormalizePropertyNames(item);
  }
}

void ApplyMergePatch(json::value& target, const json::value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = json::object();
  json::object& object = target.get_object();
  for (const auto& member : patch.get_object()) {
    if (member.value().is_null()) {
      object.erase(member.key());
    } else {
      ApplyMergePatch(object[member.key()], member.value());
    }
  }
}

}  // namespace sb::api
