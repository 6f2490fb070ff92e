// The field lists of every struct the state records hold (one Fields(x) per struct, found by
// the serializer through ADL), and the framing shared by the encoder (snapshot.cc) and the
// decoder (restore.cc): a leading format number, nothing left over.
#pragma once

#include <tuple>

#include "core/job.h"
#include "core/policies.h"
#include "core/serialization.h"
#include "core/worker.h"

namespace sb::core {

#define SB_FIELDS(Type, ...)                                         \
  inline auto Fields(Type& x) { return std::tie(__VA_ARGS__); }      \
  inline auto Fields(const Type& x) { return std::tie(__VA_ARGS__); }

SB_FIELDS(QueueSelector, x.key, x.label_operator, x.value)
SB_FIELDS(WorkerSelector, x.key, x.label_operator, x.value, x.expires_after_seconds, x.expedite,
          x.status, x.expires_at)
SB_FIELDS(StaticRule, x.value)
inline auto Fields(DirectMapRule&) { return std::tie(); }
inline auto Fields(const DirectMapRule&) { return std::tie(); }
SB_FIELDS(ExpressionRule, x.language, x.expression)
SB_FIELDS(FunctionRuleCredential, x.function_key, x.app_key, x.client_id)
SB_FIELDS(FunctionRule, x.function_uri, x.credential)
SB_FIELDS(OAuth2WebhookClientCredential, x.client_id, x.client_secret)
SB_FIELDS(WebhookRule, x.authorization_server_uri, x.client_credential, x.webhook_uri)
SB_FIELDS(ConditionalQueueSelectorAttachment, x.condition, x.queue_selectors)
SB_FIELDS(PassThroughQueueSelectorAttachment, x.key, x.label_operator)
SB_FIELDS(RuleEngineQueueSelectorAttachment, x.rule)
SB_FIELDS(StaticQueueSelectorAttachment, x.queue_selector)
SB_FIELDS(QueueWeightedAllocation, x.weight, x.queue_selectors)
SB_FIELDS(WeightedAllocationQueueSelectorAttachment, x.allocations)
SB_FIELDS(ConditionalWorkerSelectorAttachment, x.condition, x.worker_selectors)
SB_FIELDS(PassThroughWorkerSelectorAttachment, x.key, x.label_operator, x.expires_after_seconds)
SB_FIELDS(RuleEngineWorkerSelectorAttachment, x.rule)
SB_FIELDS(StaticWorkerSelectorAttachment, x.worker_selector)
SB_FIELDS(WorkerWeightedAllocation, x.weight, x.worker_selectors)
SB_FIELDS(WeightedAllocationWorkerSelectorAttachment, x.allocations)
SB_FIELDS(EntityMeta, x.created_seq, x.version, x.change_seq, x.last_modified)
SB_FIELDS(ScoringRuleOptions, x.batch_size, x.scoring_parameters, x.is_batch_scoring_enabled,
          x.descending_order)
SB_FIELDS(DistributionMode, x.kind, x.min_concurrent_offers, x.max_concurrent_offers,
          x.bypass_selectors, x.scoring_rule, x.scoring_rule_options)
SB_FIELDS(DistributionPolicySpec, x.name, x.offer_expires_after_seconds, x.mode)
SB_FIELDS(ClassificationPolicySpec, x.name, x.fallback_queue_id, x.queue_selector_attachments,
          x.prioritization_rule, x.worker_selector_attachments)
SB_FIELDS(QueueLengthExceptionTrigger, x.threshold)
SB_FIELDS(WaitTimeExceptionTrigger, x.threshold_seconds)
SB_FIELDS(CancelExceptionAction, x.id, x.note, x.disposition_code)
SB_FIELDS(ManualReclassifyExceptionAction, x.id, x.queue_id, x.priority, x.worker_selectors)
SB_FIELDS(ReclassifyExceptionAction, x.id, x.classification_policy_id, x.labels_to_upsert)
SB_FIELDS(ExceptionRule, x.id, x.trigger, x.actions)
SB_FIELDS(ExceptionPolicySpec, x.name, x.exception_rules)
SB_FIELDS(QueueSpec, x.name, x.distribution_policy_id, x.labels, x.exception_policy_id)
SB_FIELDS(MatchingMode, x.kind, x.schedule_at)
SB_FIELDS(JobNote, x.message, x.added_at)
SB_FIELDS(JobSpec, x.channel_reference, x.channel_id, x.classification_policy_id, x.queue_id,
          x.priority, x.disposition_code, x.requested_worker_selectors, x.labels, x.tags, x.notes,
          x.matching_mode)
SB_FIELDS(JobAssignment, x.assignment_id, x.worker_id, x.assigned_at, x.completed_at, x.closed_at)
SB_FIELDS(PendingClose, x.close_at, x.disposition_code)
SB_FIELDS(Channel, x.channel_id, x.capacity_cost_per_job, x.max_number_of_jobs)
SB_FIELDS(WorkerSpec, x.queues, x.capacity, x.labels, x.tags, x.channels, x.available_for_offers,
          x.max_concurrent_offers)
SB_FIELDS(Offer, x.offer_id, x.job_id, x.worker_id, x.queue_id, x.channel_id, x.capacity_cost,
          x.offered_at, x.expires_at)
SB_FIELDS(WorkerAssignment, x.assignment_id, x.job_id, x.channel_id, x.capacity_cost, x.assigned_at)
SB_FIELDS(ClosedOffer, x.offer_id, x.job_id, x.end)

#undef SB_FIELDS

namespace record {

// 2: jobs carry their queue visit (exception policies).
// 3: a job's status and bookkeeping come first, so a finished job is recognised without decoding
//    the rest. Readers accept every older format.
inline constexpr std::uint64_t kFormat = 3;

inline std::string Encode(const auto& write) {
  serial::Writer w;
  w.U64(kFormat);
  write(w);
  return w.Take();
}

// Decodes a record whose fields `read(reader, format)` reads; fails on a format this version
// does not know (a newer one) or on trailing bytes.
inline Status Decode(std::string_view data, std::string_view what, const auto& read) {
  serial::Reader r(data);
  const std::uint64_t format = r.U64();
  if (format == 0 || format > kFormat) {
    return Error::Internal("store: " + std::string(what) + " record has an unknown format");
  }
  read(r, format);
  if (!r.ok() || !r.done()) {
    return Error::Internal("store: " + std::string(what) + " record is malformed");
  }
  return Ok{};
}

}  // namespace record
}  // namespace sb::core
