#include "core/events.h"

namespace sb::core {

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kJobReceived: return "RouterJobReceived";
    case EventType::kJobClassified: return "RouterJobClassified";
    case EventType::kJobClassificationFailed: return "RouterJobClassificationFailed";
    case EventType::kJobQueued: return "RouterJobQueued";
    case EventType::kJobCompleted: return "RouterJobCompleted";
    case EventType::kJobClosed: return "RouterJobClosed";
    case EventType::kJobCancelled: return "RouterJobCancelled";
    case EventType::kJobExceptionTriggered: return "RouterJobExceptionTriggered";
    case EventType::kJobWorkerSelectorsExpired: return "RouterJobWorkerSelectorsExpired";
    case EventType::kJobUnassigned: return "RouterJobUnassigned";
    case EventType::kJobWaitingForActivation: return "RouterJobWaitingForActivation";
    case EventType::kJobSchedulingFailed: return "RouterJobSchedulingFailed";
    case EventType::kJobDeleted: return "RouterJobDeleted";
    case EventType::kWorkerOfferIssued: return "RouterWorkerOfferIssued";
    case EventType::kWorkerOfferAccepted: return "RouterWorkerOfferAccepted";
    case EventType::kWorkerOfferDeclined: return "RouterWorkerOfferDeclined";
    case EventType::kWorkerOfferRevoked: return "RouterWorkerOfferRevoked";
    case EventType::kWorkerOfferExpired: return "RouterWorkerOfferExpired";
    case EventType::kWorkerRegistered: return "RouterWorkerRegistered";
    case EventType::kWorkerDeregistered: return "RouterWorkerDeregistered";
    case EventType::kWorkerDeleted: return "RouterWorkerDeleted";
    case EventType::kWorkerUpdated: return "RouterWorkerUpdated";
  }
  return "RouterUnknown";
}

}  // namespace sb::core
