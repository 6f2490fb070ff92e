// The operations of the REST surface, one function each (grouped by resource in
// handlers_admin.cc, handlers_jobs.cc, handlers_workers.cc), and the paging helpers lists share
// (listing.cc). Internal to the api module; Service routes to these.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "api/context.h"
#include "api/paging.h"

namespace sb::api {

enum class AdminKind { kDistributionPolicy, kClassificationPolicy, kExceptionPolicy, kQueue };

http::Response ListAdmin(Context& c, AdminKind kind);
http::Response GetAdmin(Context& c, AdminKind kind, const std::string& id);
http::Response UpsertAdmin(Context& c, AdminKind kind, const std::string& id);
http::Response DeleteAdmin(Context& c, AdminKind kind, const std::string& id);
http::Response GetQueueStatistics(Context& c, const std::string& queue_id);

http::Response ListJobs(Context& c);
http::Response GetJob(Context& c, const std::string& id);
http::Response UpsertJob(Context& c, const std::string& id);
http::Response DeleteJob(Context& c, const std::string& id);
http::Response JobAction(Context& c, const std::string& id, std::string_view action);
http::Response AssignmentAction(Context& c, const std::string& job_id,
                                const std::string& assignment_id, std::string_view action);
http::Response GetJobPosition(Context& c, const std::string& id);

http::Response ListWorkers(Context& c);
http::Response GetWorker(Context& c, const std::string& id);
http::Response UpsertWorker(Context& c, const std::string& id);
http::Response DeleteWorker(Context& c, const std::string& id);
http::Response OfferAction(Context& c, const std::string& worker_id, const std::string& offer_id,
                           std::string_view action);

// --- Listing (listing.cc) ----------------------------------------------------------------
// The page to serve: from continuationToken when present, else from maxpagesize and the
// named filter parameters of the query.
Result<Continuation> PageRequest(const Context& c, std::initializer_list<std::string_view> filters);
// {"value": [...], "nextLink"?: "/routing/<collection>?api-version=...&continuationToken=..."}
http::Response PageResponse(const Context& c, std::string_view collection, json::array items,
                            Continuation continuation, std::optional<std::uint64_t> next_after);

}  // namespace sb::api
