// Codecs between the wire model (JSON, the names and shapes of the OpenAPI document) and the
// core model. Encoders write what a GET returns; decoders read the writable fields of a request
// body (after merge patch) into a core spec, recording type errors with the field's path.
// Range and reference checks are core's (core/validation.h). Stateless; thread-compatible.
#pragma once

#include "api/json.h"
#include "core/engine.h"

namespace sb::api {

enum class ApiVersion { k20231101, k20240118Preview };

struct EncodeContext {
  const core::Engine& engine;
  ApiVersion version;
};

// --- Rules and selectors (codec_rules.cc) --------------------------------------------------
json::object EncodeRule(const core::RouterRule& rule);
std::optional<core::RouterRule> DecodeRule(Reader& parent, std::string_view name, bool required);
json::object EncodeQueueSelector(const core::QueueSelector& selector);
json::object EncodeWorkerSelector(const core::WorkerSelector& selector);
json::array EncodeWorkerSelectors(const std::vector<core::WorkerSelector>& selectors);
std::vector<core::QueueSelector> DecodeQueueSelectors(Reader& parent, std::string_view name);
std::vector<core::WorkerSelector> DecodeWorkerSelectors(Reader& parent, std::string_view name);
std::optional<core::QueueSelector> DecodeQueueSelector(Reader& r);
std::optional<core::WorkerSelector> DecodeWorkerSelector(Reader& r);
json::object EncodeQueueAttachment(const core::QueueSelectorAttachment& a);
json::object EncodeWorkerAttachment(const core::WorkerSelectorAttachment& a);
std::optional<core::QueueSelectorAttachment> DecodeQueueAttachment(Reader& r);
std::optional<core::WorkerSelectorAttachment> DecodeWorkerAttachment(Reader& r);

// --- Administration entities (codec_admin.cc) ----------------------------------------------
json::object Encode(const core::DistributionPolicy& policy, const EncodeContext& context);
json::object Encode(const core::ClassificationPolicy& policy, const EncodeContext& context);
json::object Encode(const core::ExceptionPolicy& policy, const EncodeContext& context);
json::object Encode(const core::Stored<core::QueueSpec>& queue, const EncodeContext& context);
Result<core::DistributionPolicySpec> DecodeDistributionPolicy(const json::object& body);
Result<core::ClassificationPolicySpec> DecodeClassificationPolicy(const json::object& body);
Result<core::ExceptionPolicySpec> DecodeExceptionPolicy(const json::object& body);
Result<core::QueueSpec> DecodeQueue(const json::object& body);

// --- Jobs, workers and results (codec_job.cc, codec_worker.cc) -----------------------------
json::object Encode(const core::Job& job, const EncodeContext& context);
json::object Encode(const core::Worker& worker, const EncodeContext& context);
Result<core::JobSpec> DecodeJob(const json::object& body);
Result<core::WorkerSpec> DecodeWorker(const json::object& body, ApiVersion version);
json::object Encode(const core::QueueStatistics& statistics);
json::object Encode(const core::JobPosition& position);

Result<core::CancelJobOptions> DecodeCancelOptions(const json::object& body);
Result<core::CompleteJobOptions> DecodeCompleteOptions(const json::object& body);
Result<core::CloseJobOptions> DecodeCloseOptions(const json::object& body);
Result<core::UnassignJobOptions> DecodeUnassignOptions(const json::object& body);
Result<core::DeclineJobOfferOptions> DecodeDeclineOptions(const json::object& body);

}  // namespace sb::api
