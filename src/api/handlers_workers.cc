// Operations on workers and their offers.
#include <charconv>

#include "api/handlers.h"
#include "api/names.h"

namespace sb::api {
namespace {

using namespace sb::core;

const std::vector<ReadOnlyProperty> kWorkerReadOnly = {
    {"id", true},      {"etag", false},         {"state", true},
    {"offers", false}, {"assignedJobs", false}, {"loadRatio", true}};

Result<WorkerFilter> ReadWorkerFilter(const std::map<std::string, std::string>& f) {
  WorkerFilter filter;
  if (auto it = f.find("state"); it != f.end()) {
    const int index = MatchEnum(it->second, WorkerStateNames());
    if (index >= 0) {
      filter.state = static_cast<WorkerState>(index);
    } else if (MatchEnum(it->second, {"all"}) != 0) {
      return Error::InvalidArgument("state must be active, draining, inactive or all; got '" +
                                        it->second + "'",
                                    "state");
    }
  }
  if (auto it = f.find("channelId"); it != f.end()) filter.channel_id = it->second;
  if (auto it = f.find("queueId"); it != f.end()) filter.queue_id = it->second;
  if (auto it = f.find("hasCapacity"); it != f.end()) {
    const int index = MatchEnum(it->second, {"false", "true"});
    if (index < 0) return Error::InvalidArgument("hasCapacity must be true or false", "hasCapacity");
    filter.has_capacity = index == 1;
  }
  return filter;
}

}  // namespace

http::Response ListWorkers(Context& c) {
  auto page = PageRequest(c, {"state", "channelId", "queueId", "hasCapacity"});
  if (!page) return Respond(page.error());
  auto filter = ReadWorkerFilter(page->filters);
  if (!filter) return Respond(filter.error());
  const Page<Worker> result = c.engine.ListWorkers(*filter, page->after, page->page_size);
  json::array items;
  for (const Worker* worker : result.items) items.push_back(Encode(*worker, c.encoding()));
  return PageResponse(c, "workers", std::move(items), std::move(*page), result.next_after);
}

http::Response GetWorker(Context& c, const std::string& id) {
  const Worker* worker = c.engine.FindWorker(id);
  if (!worker) return Respond(Error::NotFound("worker '" + id + "' does not exist", "workerId"));
  return EntityResponse(200, Encode(*worker, c.encoding()), worker->meta, c.engine);
}

http::Response UpsertWorker(Context& c, const std::string& id) {
  const Worker* current = c.engine.FindWorker(id);
  if (auto status = CheckPreconditions(c, current ? &current->meta : nullptr); !status) {
    return Respond(status.error());
  }
  auto patch = ReadPatchBody(c);
  if (!patch) return Respond(patch.error());
  json::object base = current ? Encode(*current, c.encoding()) : json::object{{"id", id}};
  auto merged = MergeForUpsert(std::move(*patch), std::move(base), kWorkerReadOnly);
  if (!merged) return Respond(merged.error());
  auto spec = DecodeWorker(*merged, c.version);
  if (!spec) return Respond(spec.error());
  if (current && c.version == ApiVersion::k20231101) {
    // 2023-11-01 cannot see maxConcurrentOffers; an update through it keeps the value.
    spec->max_concurrent_offers = current->spec.max_concurrent_offers;
  }
  auto result = c.engine.UpsertWorker(id, std::move(*spec), c.now, c.effects);
  if (!result) return Respond(result.error());
  return EntityResponse(result->created ? 201 : 200, Encode(*result->entity, c.encoding()),
                        result->entity->meta, c.engine);
}

http::Response DeleteWorker(Context& c, const std::string& id) {
  if (auto status = c.engine.DeleteWorker(id, c.now, c.effects); !status) {
    return Respond(status.error());
  }
  return NoContent();
}

http::Response OfferAction(Context& c, const std::string& worker_id, const std::string& offer_id,
                           std::string_view action) {
  if (action == "accept") {
    auto result = c.engine.AcceptJobOffer(worker_id, offer_id, c.now, c.effects);
    if (!result) return Respond(result.error());
    return JsonResponse(200, json::object{{"assignmentId", result->assignment_id},
                                          {"jobId", result->job_id},
                                          {"workerId", result->worker_id}});
  }
  auto body = ReadOptionsBody(c);
  if (!body) return Respond(body.error());
  auto options = DecodeDeclineOptions(*body);
  if (!options) return Respond(options.error());
  if (auto status = c.engine.DeclineJobOffer(worker_id, offer_id, *options, c.now, c.effects); !status) {
    return Respond(status.error());
  }
  return JsonResponse(200, json::object());
}

}  // namespace sb::api
