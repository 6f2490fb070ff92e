// The invariant checker: recomputes, from the entities alone, everything the indexes and
// counters claim, and aborts on the first disagreement. Costs O(state); for tests and the
// simulation, which call it after every step.
#include <map>
#include <set>

#include "core/engine_state.h"

namespace sb::core {
namespace {

#define SB_CHECK(condition, what) SB_ASSERT_MSG(condition, (what).c_str())

void CheckOffers(const EngineState& s) {
  for (const auto& [offer_id, state] : s.offers_) {
    const Offer& offer = state;
    const Job* job = s.jobs_.Find(offer.job_id);
    const Worker* worker = s.workers_.Find(offer.worker_id);
    SB_CHECK(job && worker, "offer " + offer_id + " points at a missing job or worker");
    SB_CHECK(job->status == JobStatus::kQueued, "offer " + offer_id + " for a job not queued");
    SB_CHECK(std::count(job->open_offer_ids.begin(), job->open_offer_ids.end(), offer_id) == 1,
             "offer " + offer_id + " not listed once on its job");
    SB_CHECK(std::count(worker->open_offer_ids.begin(), worker->open_offer_ids.end(), offer_id) == 1,
             "offer " + offer_id + " not listed once on its worker");
    SB_CHECK(worker->state == WorkerState::kActive && worker->spec.available_for_offers,
             "offer " + offer_id + " held by a worker not available for offers");
    SB_CHECK(job->spec.queue_id == offer.queue_id, "offer " + offer_id + " for another queue");
  }
}

void CheckJob(const EngineState& s, const Job& job) {
  std::set<std::string> offered;
  for (const std::string& id : job.open_offer_ids) {
    SB_CHECK(s.offers_.count(id) == 1, "job " + job.id + " lists a closed offer");
    SB_CHECK(offered.insert(s.offers_.find(id)->second.worker_id).second,
             "job " + job.id + " offered twice to one worker");
  }
  if (const QueueState* queue = s.QueueOf(job); queue && queue->mode && job.status == JobStatus::kQueued) {
    SB_CHECK(static_cast<int>(job.open_offer_ids.size()) <= s.options_.limits.max_concurrent_offers,
             "job " + job.id + " has too many offers");
  }
  int active = 0;
  for (const JobAssignment& a : job.assignments) {
    const Worker* worker = s.workers_.Find(a.worker_id);
    const bool held = worker && std::any_of(worker->assigned_jobs.begin(), worker->assigned_jobs.end(),
                                            [&](const WorkerAssignment& w) {
                                              return w.assignment_id == a.assignment_id;
                                            });
    if (held) ++active;
  }
  const JobAssignment* current = job.ActiveAssignment();
  SB_CHECK(active == (current ? 1 : 0), "job " + job.id + " held by the wrong number of workers");
  const bool needs_queue = job.status == JobStatus::kQueued || job.status == JobStatus::kAssigned;
  SB_CHECK(!needs_queue || s.QueueOf(job), "job " + job.id + " without a queue");
}

void CheckWorker(const EngineState& s, const Worker& w) {
  int used = 0;
  std::map<std::string, int, std::less<>> per_channel;
  std::set<std::string> offered_channels;
  for (const std::string& id : w.open_offer_ids) {
    const Offer& offer = s.offers_.at(id);
    used += offer.capacity_cost;
    ++per_channel[offer.channel_id];
    offered_channels.insert(offer.channel_id);
  }
  for (const WorkerAssignment& a : w.assigned_jobs) {
    const Job* job = s.jobs_.Find(a.job_id);
    SB_CHECK(job && job->ActiveAssignment() &&
                 job->ActiveAssignment()->assignment_id == a.assignment_id,
             "worker " + w.id + " holds an assignment its job does not have");
    used += a.capacity_cost;
    ++per_channel[a.channel_id];
  }
  SB_CHECK(used == w.used_capacity, "worker " + w.id + " capacity count is wrong");
  SB_CHECK(per_channel == w.jobs_per_channel, "worker " + w.id + " channel counts are wrong");
  // Offers only go to room the worker has, so with open offers it is within its capacity, and
  // within the limit of every channel it holds an offer on. (Another channel may be over a
  // lowered limit through assignments alone.)
  if (!w.open_offer_ids.empty()) {
    SB_CHECK(w.used_capacity <= w.spec.capacity, "worker " + w.id + " over capacity");
    for (const Channel& c : w.spec.channels) {
      SB_CHECK(!c.max_number_of_jobs || offered_channels.count(c.channel_id) == 0 ||
                   w.JobsOnChannel(c.channel_id) <= *c.max_number_of_jobs,
               "worker " + w.id + " over a channel's maxNumberOfJobs");
    }
    SB_CHECK(!w.spec.max_concurrent_offers ||
                 static_cast<int>(w.open_offer_ids.size()) <= *w.spec.max_concurrent_offers,
             "worker " + w.id + " over maxConcurrentOffers");
  }
  const WorkerState expected = w.spec.available_for_offers ? WorkerState::kActive
                               : w.assigned_jobs.empty()   ? WorkerState::kInactive
                                                           : WorkerState::kDraining;
  SB_CHECK(w.state == expected,
           "worker " + w.id + " in the wrong state");
}

void CheckQueue(const EngineState& s, const QueueState& queue) {
  std::size_t queued = 0;
  for (const auto& [seq, job] : s.jobs_.in_order()) {
    if (job->status != JobStatus::kQueued || job->spec.queue_id != queue.id) continue;
    ++queued;
    SB_CHECK(queue.queued.find(KeyOf(*job)) != queue.queued.end(), "job " + job->id + " not filed");
  }
  SB_CHECK(queued == queue.queued.size(), "queue " + queue.id + " files jobs that are not queued");
  for (const auto& [channel_id, index] : queue.channels) {
    for (const JobKey& key : index.matchable_jobs) {
      // Filed first: a matchable key outside `queued` may point at a deleted job.
      SB_CHECK(queue.queued.find(key) != queue.queued.end(),
               "queue " + queue.id + " lists a matchable job it has not filed");
      SB_CHECK(key.job->status == JobStatus::kQueued && key.job->spec.channel_id == channel_id,
               "queue " + queue.id + " lists an unmatchable job");
    }
    for (const WorkerKey& key : index.ready_workers) {
      const Channel* channel = key.worker->spec.FindChannel(channel_id);
      SB_CHECK(s.IsReady(*key.worker) && channel && key.worker->HasRoomFor(*channel),
               "queue " + queue.id + " lists worker " + key.worker->id + " as ready wrongly");
    }
  }
}

}  // namespace

void Engine::CheckInvariants() const {
  const EngineState& s = *state_;
  CheckOffers(s);
  for (const auto& [seq, job] : s.jobs_.in_order()) CheckJob(s, *job);
  for (const auto& [seq, worker] : s.workers_.in_order()) CheckWorker(s, *worker);
  for (const auto& [seq, queue] : s.queues_.in_order()) CheckQueue(s, *queue);
}

}  // namespace sb::core
