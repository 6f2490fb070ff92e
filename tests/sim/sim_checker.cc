#include "sim_checker.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace sb::sim {
namespace {

using core::EventType;
using core::JobStatus;

constexpr std::size_t kClosedOfferMemory = 256;

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// Statuses a job may pass through without being seen between two steps.
bool Transient(JobStatus s) {
  return s == JobStatus::kCreated || s == JobStatus::kPendingClassification ||
         s == JobStatus::kPendingSchedule || s == JobStatus::kScheduled;
}

// `to` follows `from` along legal edges, passing only through transient statuses.
bool Reachable(JobStatus from, JobStatus to) {
  if (core::IsLegalTransition(from, to)) return true;
  for (int i = 0; i <= static_cast<int>(JobStatus::kWaitingForActivation); ++i) {
    const auto mid = static_cast<JobStatus>(i);
    if (!Transient(mid) || !core::IsLegalTransition(from, mid)) continue;
    if (core::IsLegalTransition(mid, to)) return true;
    for (int k = 0; k <= static_cast<int>(JobStatus::kWaitingForActivation); ++k) {
      const auto mid2 = static_cast<JobStatus>(k);
      if (Transient(mid2) && core::IsLegalTransition(mid, mid2) &&
          core::IsLegalTransition(mid2, to)) {
        return true;
      }
    }
  }
  return false;
}

template <class T>
std::vector<const T*> All(const std::function<core::Page<T>(std::uint64_t)>& list) {
  std::vector<const T*> out;
  std::uint64_t after = 0;
  for (;;) {
    core::Page<T> page = list(after);
    out.insert(out.end(), page.items.begin(), page.items.end());
    if (!page.next_after) return out;
    after = *page.next_after;
  }
}

const std::set<std::string> kNone;

// The ids name the same offers as the model's set (ids are unique on both sides).
bool SameIds(const std::vector<std::string>& ids, const std::set<std::string>& model) {
  if (ids.size() != model.size()) return false;
  return std::all_of(ids.begin(), ids.end(),
                     [&](const std::string& id) { return model.count(id) == 1; });
}

bool Active(const core::WorkerSelector& selector) {
  return selector.status.value_or(core::WorkerSelectorStatus::kActive) ==
         core::WorkerSelectorStatus::kActive;
}

}  // namespace

bool SatisfiesSelector(const LabelMap& labels, const core::WorkerSelector& selector) {
  using Op = core::LabelOperator;
  auto it = labels.find(selector.key);
  if (it == labels.end() || it->second.is_null()) return selector.label_operator == Op::kNotEqual;
  if (selector.label_operator == Op::kEqual) return it->second == selector.value;
  if (selector.label_operator == Op::kNotEqual) return !(it->second == selector.value);
  const std::optional<int> c = CompareForOrdering(it->second, selector.value);
  if (!c) return false;
  switch (selector.label_operator) {
    case Op::kLessThan:
      return *c < 0;
    case Op::kLessThanOrEqual:
      return *c <= 0;
    case Op::kGreaterThan:
      return *c > 0;
    default:
      return *c >= 0;
  }
}

void Checker::NoteDecline(const std::string& job_id, const std::string& worker_id,
                          std::optional<Timestamp> retry_at) {
  declines_[{job_id, worker_id}] = retry_at;
}

bool Checker::Declined(const std::string& job_id, const std::string& worker_id,
                       Timestamp at) const {
  auto it = declines_.find({job_id, worker_id});
  return it != declines_.end() && (!it->second || *it->second > at);
}

const core::DistributionMode* Checker::ModeOf(const std::string& queue_id) const {
  const auto* queue = engine_.FindQueue(queue_id);
  if (!queue || !queue->spec.distribution_policy_id) return nullptr;
  const auto* policy = engine_.FindDistributionPolicy(*queue->spec.distribution_policy_id);
  return policy && policy->spec.mode ? &*policy->spec.mode : nullptr;
}

Checker::WorkerLoad Checker::LoadOf(const std::string& worker_id) const {
  WorkerLoad load;
  if (auto it = offers_by_worker_.find(worker_id); it != offers_by_worker_.end()) {
    for (const std::string& offer_id : it->second) {
      const ModelOffer& offer = offers_.at(offer_id);
      load.used += offer.cost;
      ++load.per_channel[offer.channel_id];
    }
    load.offers = it->second.size();
  }
  for (const auto& [job_id, assignment] : assignments_) {
    if (assignment.worker_id != worker_id) continue;
    load.used += assignment.cost;
    ++load.per_channel[assignment.channel_id];
  }
  return load;
}

bool Checker::HasRoom(const core::Worker& worker, const core::Channel& channel,
                      const WorkerLoad& load) const {
  if (load.used + channel.capacity_cost_per_job > worker.spec.capacity) return false;
  auto it = load.per_channel.find(channel.channel_id);
  const int on_channel = it == load.per_channel.end() ? 0 : it->second;
  return !channel.max_number_of_jobs || on_channel < *channel.max_number_of_jobs;
}

void Checker::AddOffer(const std::string& offer_id, ModelOffer offer) {
  offers_by_job_[offer.job_id].insert(offer_id);
  offers_by_worker_[offer.worker_id].insert(offer_id);
  offers_.emplace(offer_id, std::move(offer));
}

void Checker::CloseOffer(const std::string& offer_id, OfferFate fate) {
  auto it = offers_.find(offer_id);
  if (it == offers_.end()) {
    return Fail("an event closed offer " + Quote(offer_id) + " that is not open");
  }
  const ModelOffer offer = it->second;
  offers_.erase(it);
  offers_by_job_[offer.job_id].erase(offer_id);
  if (offers_by_job_[offer.job_id].empty()) offers_by_job_.erase(offer.job_id);
  offers_by_worker_[offer.worker_id].erase(offer_id);
  if (offers_by_worker_[offer.worker_id].empty()) offers_by_worker_.erase(offer.worker_id);
  closed_.push_back({offer_id, offer.worker_id, fate});
  if (closed_.size() > kClosedOfferMemory) closed_.pop_front();
}

bool Checker::Eligible(const core::Job& job, const core::Worker& worker,
                       const core::DistributionMode& mode, Timestamp at) const {
  if (Declined(job.id, worker.id, at)) return false;
  if (mode.bypass_selectors) return true;
  for (const auto* list : {&job.spec.requested_worker_selectors, &job.attached_worker_selectors}) {
    for (const core::WorkerSelector& selector : *list) {
      if (Active(selector) && !SatisfiesSelector(worker.spec.labels, selector)) return false;
    }
  }
  return true;
}

void Checker::CheckIssued(const core::Effects& effects, std::size_t index) {
  const core::Event& e = effects.events[index];
  const std::string what = "offer " + Quote(e.offer_id) + " of job " + Quote(e.job_id) +
                           " to worker " + Quote(e.worker_id) + ": ";
  // The job as it was when the offer was made (later events in the step may move it on).
  const core::EventJob* job = e.job.get();
  const core::Worker* worker = engine_.FindWorker(e.worker_id);
  if (!job || !worker) return Fail(what + "the job or the worker does not exist");
  if (job->status != JobStatus::kQueued) return Fail(what + "the job is not queued");
  if (job->queue_id != e.queue_id) return Fail(what + "the job is in another queue");
  const auto& queues = worker->spec.queues;
  if (std::find(queues.begin(), queues.end(), e.queue_id) == queues.end()) {
    return Fail(what + "the worker does not serve queue " + Quote(e.queue_id));
  }
  const core::Channel* channel = worker->spec.FindChannel(*job->channel_id);
  if (!channel) return Fail(what + "the worker lacks channel " + Quote(*job->channel_id));
  if (!available_[worker->id]) return Fail(what + "the worker is not registered");
  const core::DistributionMode* mode = ModeOf(e.queue_id);
  if (!mode) return Fail(what + "the queue has no distribution mode");
  if (Declined(job->id, worker->id, e.at)) return Fail(what + "the worker declined the job");
  auto by_job = offers_by_job_.find(job->id);
  const std::size_t open = by_job == offers_by_job_.end() ? 0 : by_job->second.size();
  if (by_job != offers_by_job_.end()) {
    for (const std::string& id : by_job->second) {
      if (offers_.at(id).worker_id == worker->id) {
        return Fail(what + "a second offer to the worker");
      }
    }
  }
  if (static_cast<int>(open) + 1 > mode->max_concurrent_offers) {
    return Fail(what + "more than maxConcurrentOffers offers");
  }
  if (!mode->bypass_selectors) {
    for (const auto* list : {&job->requested_worker_selectors, &job->attached_worker_selectors}) {
      for (const core::WorkerSelector& selector : *list) {
        if (Active(selector) &&
            !SatisfiesSelector(worker->spec.labels, selector)) {
          return Fail(what + "the worker's labels fail selector " + Quote(selector.key));
        }
      }
    }
  }
  const WorkerLoad load = LoadOf(worker->id);
  if (!HasRoom(*worker, *channel, load)) {
    return Fail(what + "the worker has no room on the channel");
  }
  if (worker->spec.max_concurrent_offers &&
      static_cast<int>(load.offers) + 1 > *worker->spec.max_concurrent_offers) {
    return Fail(what + "more than the worker's maxConcurrentOffers");
  }
  if (const core::Offer* offer = engine_.FindOffer(e.offer_id);
      offer && offer->capacity_cost != channel->capacity_cost_per_job) {
    return Fail(what + "its capacity cost is not the channel's");
  }
  AddOffer(e.offer_id, {job->id, worker->id, channel->channel_id, channel->capacity_cost_per_job});
  issued_jobs_.insert(job->id);
  // The end of a round of offers to one job: it holds at least minConcurrentOffers.
  const bool round_ends = index + 1 == effects.events.size() ||
                          effects.events[index + 1].type != EventType::kWorkerOfferIssued ||
                          effects.events[index + 1].job_id != job->id;
  if (round_ends &&
      static_cast<int>(offers_by_job_[job->id].size()) < mode->min_concurrent_offers) {
    Fail(what + "a round left the job below minConcurrentOffers");
  }
}

void Checker::ApplyEvent(const core::Effects& effects, std::size_t index) {
  const core::Event& e = effects.events[index];
  switch (e.type) {
    case EventType::kWorkerOfferIssued:
      return CheckIssued(effects, index);
    case EventType::kWorkerOfferAccepted: {
      auto it = offers_.find(e.offer_id);
      if (it == offers_.end()) return Fail("accepted offer " + Quote(e.offer_id) + " is not open");
      if (assignments_.count(e.job_id)) return Fail("job " + Quote(e.job_id) + " assigned twice");
      assignments_[e.job_id] = {e.assignment_id, e.worker_id, it->second.channel_id,
                                it->second.cost};
      return CloseOffer(e.offer_id, OfferFate::kAccepted);
    }
    case EventType::kWorkerOfferRevoked:
      return CloseOffer(e.offer_id, accepted_in_step_.count(e.job_id) ? OfferFate::kTakenByOther
                                                                      : OfferFate::kOther);
    case EventType::kWorkerOfferDeclined:
    case EventType::kWorkerOfferExpired:
      return CloseOffer(e.offer_id, OfferFate::kOther);
    case EventType::kJobClosed:
    case EventType::kJobCancelled:
    case EventType::kJobUnassigned: {
      auto it = assignments_.find(e.job_id);
      if (it == assignments_.end()) {
        if (e.type != EventType::kJobCancelled) {
          Fail("job " + Quote(e.job_id) + " released unassigned");
        }
        return;
      }
      if (!e.assignment_id.empty() && e.assignment_id != it->second.assignment_id) {
        return Fail("job " + Quote(e.job_id) + " released another assignment");
      }
      assignments_.erase(it);
      return;
    }
    case EventType::kWorkerRegistered:
      available_[e.worker_id] = true;
      for (auto it = declines_.begin(); it != declines_.end();) {
        it = it->first.second == e.worker_id ? declines_.erase(it) : std::next(it);
      }
      return;
    case EventType::kWorkerDeregistered:
      available_[e.worker_id] = false;
      return;
    case EventType::kWorkerDeleted:
      available_.erase(e.worker_id);
      if (offers_by_worker_.count(e.worker_id)) {
        Fail("worker " + Quote(e.worker_id) + " deleted with offers");
      }
      for (auto it = declines_.begin(); it != declines_.end();) {
        it = it->first.second == e.worker_id ? declines_.erase(it) : std::next(it);
      }
      return;
    case EventType::kJobDeleted:
      last_status_.erase(e.job_id);
      if (offers_by_job_.count(e.job_id) || assignments_.count(e.job_id)) {
        Fail("job " + Quote(e.job_id) + " deleted while offered or assigned");
      }
      return;
    default:
      return;
  }
}

std::optional<std::string> Checker::Step(const core::Effects& effects, Timestamp now) {
  issued_jobs_.clear();
  accepted_in_step_.clear();
  // The engine reports the other offers' revocation before the acceptance that caused it.
  for (const core::Event& e : effects.events) {
    if (e.type == EventType::kWorkerOfferAccepted) accepted_in_step_.insert(e.job_id);
  }
  for (std::size_t i = 0; i < effects.events.size() && !failure_; ++i) {
    const core::Event& e = effects.events[i];
    if (e.at < last_event_at_ || e.at > now) Fail("event times run backwards or ahead of now");
    last_event_at_ = e.at;
    ApplyEvent(effects, i);
  }
  if (engine_.now() != now) Fail("the engine's clock is not at the time of the step");
  if (accepted_job_ && offers_by_job_.count(*accepted_job_)) {
    Fail("accepting an offer of job " + Quote(*accepted_job_) + " left other offers open");
  }
  accepted_job_.reset();
  if (!failure_) CheckWorkers();
  if (!failure_) CheckJobs(now);
  if (!failure_) CheckWorkConserved(now);
  return failure_;
}

void Checker::CheckWorkers() {
  const auto workers =
      All<core::Worker>([&](std::uint64_t after) { return engine_.ListWorkers({}, after, 1000); });
  std::set<std::string> held_jobs;
  for (const core::Worker* w : workers) {
    auto fail = [&](const std::string& m) { Fail("worker " + Quote(w->id) + ": " + m); };
    auto it = offers_by_worker_.find(w->id);
    const std::set<std::string>& model = it == offers_by_worker_.end() ? kNone : it->second;
    if (!SameIds(w->open_offer_ids, model)) return fail("open offers differ from the events");
    if (available_[w->id] != w->spec.available_for_offers) {
      return fail("availability differs from the events");
    }
    const bool active = w->state == core::WorkerState::kActive;
    if (active != w->spec.available_for_offers) return fail("state does not follow availability");
    const bool draining = w->state == core::WorkerState::kDraining;
    if (!active && draining == w->assigned_jobs.empty()) return fail("draining/inactive mixed up");
    for (const core::WorkerAssignment& a : w->assigned_jobs) {
      auto model_assignment = assignments_.find(a.job_id);
      if (model_assignment == assignments_.end() || model_assignment->second.worker_id != w->id ||
          model_assignment->second.assignment_id != a.assignment_id) {
        return fail("holds job " + Quote(a.job_id) + " the events did not assign to it");
      }
      if (!held_jobs.insert(a.job_id).second) return fail("holds a job another worker holds");
    }
    if (model.empty()) continue;
    const WorkerLoad load = LoadOf(w->id);
    if (load.used > w->spec.capacity) return fail("over capacity while holding offers");
    const auto& max_offers = w->spec.max_concurrent_offers;
    if (max_offers && static_cast<int>(load.offers) > *max_offers) {
      return fail("holds more offers than its maxConcurrentOffers");
    }
    // Only channels it holds offers on: another may be over a lowered limit by assignments.
    for (const std::string& offer_id : model) {
      const core::Channel* c = w->spec.FindChannel(offers_.at(offer_id).channel_id);
      if (!c) return fail("holds an offer on a channel it does not have");
      const int on_channel = load.per_channel.at(c->channel_id);
      if (c->max_number_of_jobs && on_channel > *c->max_number_of_jobs) {
        return fail("over maxNumberOfJobs on " + Quote(c->channel_id) + " while offered on it");
      }
    }
  }
  if (held_jobs.size() != assignments_.size()) {
    Fail("an assignment the events made is held by nobody");
  }
}

void Checker::CheckSelectors(const core::Job& job, Timestamp now) {
  // A selector's clock starts when the job is queued; it is expired exactly from expiresAt on
  // (until the job is finished: then nothing changes on it any more).
  if (core::IsTerminal(job.status)) return;
  auto fail = [&](const std::string& m) { Fail("job " + Quote(job.id) + ": " + m); };
  for (const auto* list : {&job.spec.requested_worker_selectors, &job.attached_worker_selectors}) {
    for (const core::WorkerSelector& selector : *list) {
      if (selector.expires_at && Active(selector) == (*selector.expires_at <= now)) {
        return fail("selector " + Quote(selector.key) + " expired at the wrong time");
      }
      if (!selector.expires_at && !Active(selector)) return fail("selector expired early");
      const bool queued = job.status == JobStatus::kQueued;
      if (queued && selector.expires_after_seconds && !selector.expires_at) {
        return fail("queued, but selector " + Quote(selector.key) + " has no expiresAt");
      }
    }
  }
}

void Checker::CheckJob(const core::Job& job, Timestamp now) {
  auto fail = [&](const std::string& m) { Fail("job " + Quote(job.id) + ": " + m); };
  CheckSelectors(job, now);
  auto it = offers_by_job_.find(job.id);
  const std::set<std::string>& model = it == offers_by_job_.end() ? kNone : it->second;
  if (!SameIds(job.open_offer_ids, model)) return fail("open offers differ from the events");
  if (!model.empty() && job.status != JobStatus::kQueued) return fail("offers on a job not queued");
  auto last = last_status_.find(job.id);
  const JobStatus from = last == last_status_.end() ? JobStatus::kCreated : last->second;
  if (from != job.status && !Reachable(from, job.status)) {
    return fail("illegal status change " + std::to_string(static_cast<int>(from)) + " -> " +
                std::to_string(static_cast<int>(job.status)));
  }
  if (last == last_status_.end()) {
    last_status_.emplace(job.id, job.status);
  } else {
    last->second = job.status;
  }
  const bool holds = job.status == JobStatus::kAssigned || job.status == JobStatus::kCompleted;
  auto assignment = assignments_.find(job.id);
  if (holds != (assignment != assignments_.end())) return fail("assignment does not match status");
  if (holds && (job.assignments.empty() ||
                job.assignments.back().assignment_id != assignment->second.assignment_id)) {
    return fail("active assignment is not the one accepted");
  }
  if (issued_jobs_.count(job.id)) {
    const core::DistributionMode* mode = ModeOf(*job.spec.queue_id);
    if (!mode || static_cast<int>(model.size()) > mode->max_concurrent_offers) {
      return fail("more offers than the policy allows");
    }
  }
}

void Checker::CheckJobs(Timestamp now) {
  const auto jobs =
      All<core::Job>([&](std::uint64_t after) { return engine_.ListJobs({}, after, 1000); });
  for (const core::Job* job : jobs) {
    CheckJob(*job, now);
    if (failure_) return;
  }
  if (jobs.size() != last_status_.size()) Fail("a job vanished without a RouterJobDeleted event");
}

// For queues whose policy needs a single offer: no queued job that may take another offer is
// left while a ready worker could take it.
void Checker::CheckWorkConserved(Timestamp now) {
  const auto workers =
      All<core::Worker>([&](std::uint64_t after) { return engine_.ListWorkers({}, after, 1000); });
  std::vector<std::pair<const core::Worker*, WorkerLoad>> ready;
  for (const core::Worker* w : workers) {
    if (w->state != core::WorkerState::kActive || !w->spec.available_for_offers) continue;
    WorkerLoad load = LoadOf(w->id);
    if (w->spec.max_concurrent_offers &&
        static_cast<int>(load.offers) >= *w->spec.max_concurrent_offers) {
      continue;
    }
    ready.emplace_back(w, std::move(load));
  }
  if (ready.empty()) return;
  core::JobFilter queued;
  queued.status = JobStatus::kQueued;
  const auto jobs =
      All<core::Job>([&](std::uint64_t after) { return engine_.ListJobs(queued, after, 1000); });
  for (const core::Job* job : jobs) {
    const core::DistributionMode* mode = ModeOf(*job->spec.queue_id);
    if (!mode || mode->min_concurrent_offers != 1) continue;
    if (static_cast<int>(job->open_offer_ids.size()) >= mode->max_concurrent_offers) continue;
    for (const auto& [worker, load] : ready) {
      const auto& queues = worker->spec.queues;
      if (std::find(queues.begin(), queues.end(), *job->spec.queue_id) == queues.end()) continue;
      const core::Channel* channel = worker->spec.FindChannel(*job->spec.channel_id);
      if (!channel || !HasRoom(*worker, *channel, load)) continue;
      bool offered = false;
      for (const std::string& id : job->open_offer_ids)
        offered = offered || offers_.at(id).worker_id == worker->id;
      if (offered || !Eligible(*job, *worker, *mode, now)) continue;
      return Fail("work not conserved: job " + Quote(job->id) + " waits while worker " +
                  Quote(worker->id) + " could take it");
    }
  }
}

}  // namespace sb::sim
