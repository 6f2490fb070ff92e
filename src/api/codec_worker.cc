// Codec of workers.
#include "api/codec.h"
#include "api/names.h"

namespace sb::api {

using namespace sb::core;

json::object Encode(const Worker& worker, const EncodeContext& context) {
  json::object o;
  o["id"] = json::string(worker.id);
  o["state"] = json::string(NameOf(worker.state, WorkerStateNames()));
  json::array queues;
  for (const std::string& q : worker.spec.queues) queues.push_back(json::string(q));
  o["queues"] = std::move(queues);
  o["capacity"] = worker.spec.capacity;
  o["labels"] = ToJson(worker.spec.labels);
  o["tags"] = ToJson(worker.spec.tags);
  json::array channels;
  for (const Channel& c : worker.spec.channels) {
    json::object channel{{"channelId", json::string(c.channel_id)},
                         {"capacityCostPerJob", c.capacity_cost_per_job}};
    if (c.max_number_of_jobs) channel["maxNumberOfJobs"] = *c.max_number_of_jobs;
    channels.push_back(std::move(channel));
  }
  o["channels"] = std::move(channels);
  json::array offers;
  for (const std::string& offer_id : worker.open_offer_ids) {
    const Offer& offer = *context.engine.FindOffer(offer_id);
    json::object item{{"offerId", json::string(offer.offer_id)},
                      {"jobId", json::string(offer.job_id)},
                      {"capacityCost", offer.capacity_cost},
                      {"offeredAt", ToJsonTime(offer.offered_at)}};
    if (offer.expires_at) item["expiresAt"] = ToJsonTime(*offer.expires_at);
    offers.push_back(std::move(item));
  }
  o["offers"] = std::move(offers);
  json::array assigned;
  for (const WorkerAssignment& a : worker.assigned_jobs) {
    assigned.push_back(json::object{{"assignmentId", json::string(a.assignment_id)},
                                    {"jobId", json::string(a.job_id)},
                                    {"capacityCost", a.capacity_cost},
                                    {"assignedAt", ToJsonTime(a.assigned_at)}});
  }
  o["assignedJobs"] = std::move(assigned);
  o["loadRatio"] = worker.LoadRatio();
  o["availableForOffers"] = worker.spec.available_for_offers;
  if (context.version == ApiVersion::k20240118Preview && worker.spec.max_concurrent_offers) {
    o["maxConcurrentOffers"] = *worker.spec.max_concurrent_offers;
  }
  o["etag"] = json::string(context.engine.Etag(worker.meta));
  return o;
}

Result<WorkerSpec> DecodeWorker(const json::object& body, ApiVersion version) {
  Reader r(body, "");
  WorkerSpec spec;
  spec.queues = r.Strings("queues");
  spec.capacity = r.Int32("capacity").value_or(0);
  spec.labels = r.Labels("labels");
  spec.tags = r.Labels("tags");
  for (Reader& item : r.Items("channels")) {
    item.Require("channelId");
    item.Require("capacityCostPerJob");
    spec.channels.push_back({item.String("channelId").value_or(""),
                             item.Int32("capacityCostPerJob").value_or(0),
                             item.Int32("maxNumberOfJobs")});
  }
  spec.available_for_offers = r.Bool("availableForOffers").value_or(false);
  if (version == ApiVersion::k20240118Preview) {
    spec.max_concurrent_offers = r.Int32("maxConcurrentOffers");
  }
  if (!r.ok()) return r.error();
  return spec;
}

}  // namespace sb::api
