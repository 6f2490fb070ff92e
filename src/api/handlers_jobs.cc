// Operations on jobs: list, get, upsert, delete, the job and assignment actions, position.
#include "api/handlers.h"
#include "api/names.h"

namespace sb::api {
namespace {

using namespace sb::core;

const std::vector<ReadOnlyProperty> kJobReadOnly = {
    {"id", true},         {"etag", false},        {"status", true},
    {"enqueuedAt", true}, {"scheduledAt", true},  {"attachedWorkerSelectors", false},
    {"assignments", false}};

Error JobNotFound(const std::string& id) {
  return Error::NotFound("job '" + id + "' does not exist", "jobId");
}

Result<JobFilter> ReadJobFilter(const std::map<std::string, std::string>& f) {
  JobFilter filter;
  if (auto it = f.find("status"); it != f.end()) {
    const int index = MatchEnum(it->second, JobStatusNames());
    if (index >= 0) {
      filter.status = static_cast<JobStatus>(index);
    } else if (MatchEnum(it->second, {"active"}) == 0) {
      filter.active_only = true;
    } else if (MatchEnum(it->second, {"all"}) != 0) {
      return Error::InvalidArgument("status must be all, active or a job status; got '" +
                                        it->second + "'",
                                    "status");
    }
  }
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto it = f.find(name);
    return it == f.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  filter.queue_id = text("queueId");
  filter.channel_id = text("channelId");
  filter.classification_policy_id = text("classificationPolicyId");
  for (const char* name : {"scheduledBefore", "scheduledAfter"}) {
    if (auto value = text(name)) {
      auto t = ParseRfc3339(*value);
      if (!t) return Error::InvalidArgument(std::string(name) + " must be an RFC 3339 date-time", name);
      (std::string_view(name) == "scheduledBefore" ? filter.scheduled_before : filter.scheduled_after) = t;
    }
  }
  return filter;
}

http::Response EmptyResult() { return JsonResponse(200, json::object()); }

}  // namespace

http::Response ListJobs(Context& c) {
  auto page = PageRequest(c, {"status", "queueId", "channelId", "classificationPolicyId",
                              "scheduledBefore", "scheduledAfter"});
  if (!page) return Respond(page.error());
  auto filter = ReadJobFilter(page->filters);
  if (!filter) return Respond(filter.error());
  const Page<Job> result = c.engine.ListJobs(*filter, page->after, page->page_size);
  json::array items;
  for (const Job* job : result.items) items.push_back(Encode(*job, c.encoding()));
  return PageResponse(c, "jobs", std::move(items), std::move(*page), result.next_after);
}

http::Response GetJob(Context& c, const std::string& id) {
  const Job* job = c.engine.FindJob(id);
  if (!job) return Respond(JobNotFound(id));
  return EntityResponse(200, Encode(*job, c.encoding()), job->meta, c.engine);
}

http::Response UpsertJob(Context& c, const std::string& id) {
  const Job* current = c.engine.FindJob(id);
  if (auto status = CheckPreconditions(c, current ? &current->meta : nullptr); !status) {
    return Respond(status.error());
  }
  auto patch = ReadPatchBody(c);
  if (!patch) return Respond(patch.error());
  json::object base = current ? Encode(*current, c.encoding()) : json::object{{"id", id}};
  auto merged = MergeForUpsert(std::move(*patch), std::move(base), kJobReadOnly);
  if (!merged) return Respond(merged.error());
  auto spec = DecodeJob(*merged);
  if (!spec) return Respond(spec.error());
  auto result = c.engine.UpsertJob(id, std::move(*spec), c.now, c.effects);
  if (!result) return Respond(result.error());
  return EntityResponse(result->created ? 201 : 200, Encode(*result->entity, c.encoding()),
                        result->entity->meta, c.engine);
}

http::Response DeleteJob(Context& c, const std::string& id) {
  if (auto status = c.engine.DeleteJob(id, c.now, c.effects); !status) return Respond(status.error());
  return NoContent();
}

http::Response JobAction(Context& c, const std::string& id, std::string_view action) {
  auto body = ReadOptionsBody(c);
  if (!body) return Respond(body.error());
  Status status;
  if (action == "cancel") {
    auto options = DecodeCancelOptions(*body);
    if (!options) return Respond(options.error());
    status = c.engine.CancelJob(id, std::move(*options), c.now, c.effects);
  } else {
    status = c.engine.ReclassifyJob(id, c.now, c.effects);
  }
  if (!status) return Respond(status.error());
  return EmptyResult();
}

http::Response AssignmentAction(Context& c, const std::string& job_id,
                                const std::string& assignment_id, std::string_view action) {
  auto body = ReadOptionsBody(c);
  if (!body) return Respond(body.error());
  if (action == "unassign") {
    auto options = DecodeUnassignOptions(*body);
    if (!options) return Respond(options.error());
    auto result = c.engine.UnassignJob(job_id, assignment_id, *options, c.now, c.effects);
    if (!result) return Respond(result.error());
    return JsonResponse(200, json::object{{"jobId", result->job_id},
                                          {"unassignmentCount", result->unassignment_count}});
  }
  Status status;
  if (action == "complete") {
    auto options = DecodeCompleteOptions(*body);
    if (!options) return Respond(options.error());
    status = c.engine.CompleteJob(job_id, assignment_id, std::move(*options), c.now, c.effects);
  } else {
    auto options = DecodeCloseOptions(*body);
    if (!options) return Respond(options.error());
    status = c.engine.CloseJob(job_id, assignment_id, std::move(*options), c.now, c.effects);
  }
  if (!status) return Respond(status.error());
  return EmptyResult();
}

http::Response GetJobPosition(Context& c, const std::string& id) {
  auto position = c.engine.GetJobPosition(id, c.now);
  if (!position) return Respond(position.error());
  return JsonResponse(200, Encode(*position));
}

}  // namespace sb::api
