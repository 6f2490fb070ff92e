// Matching: which ready workers a job is offered to, and which job a newly ready worker gets.
// Both walk ordered indexes and stop at the first fits, so the cost depends on how many
// candidates are examined before enough eligible ones are found, not on the size of the queue
// or the workforce. Best-worker mode is the exception by nature: it scores every ready worker.
#include <algorithm>
#include <cmath>

#include "core/engine_state.h"

namespace sb::core {
namespace {

constexpr std::size_t kMaxWorkerRounds = 10'000;

double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Score of one selector for the default best-worker formula (distribution concepts, "default
// worker selector matching"): 1/0 for (not)equal, a logistic curve of the relative distance
// for the ordering operators.
double SelectorScore(const LabelMap& labels, const WorkerSelector& selector) {
  switch (selector.label_operator) {
    case LabelOperator::kEqual:
    case LabelOperator::kNotEqual:
      return Satisfies(labels, selector) ? 1.0 : 0.0;
    default:
      break;
  }
  auto it = labels.find(selector.key);
  if (it == labels.end() || !it->second.is_number() || !selector.value.is_number()) return 0.0;
  const double label = it->second.as_number(), value = selector.value.as_number();
  double x = 0;
  const bool greater = selector.label_operator == LabelOperator::kGreaterThan ||
                       selector.label_operator == LabelOperator::kGreaterThanOrEqual;
  const double diff = greater ? label - value : value - label;
  x = value == 0 ? diff : diff / value;
  return Logistic(x);
}

double DefaultScore(const Job& job, const Worker& worker) {
  double sum = 0;
  int count = 0;
  auto add = [&](const WorkerSelector& selector) {
    if (!IsActive(selector)) return;
    sum += SelectorScore(worker.spec.labels, selector);
    ++count;
  };
  std::for_each(job.spec.requested_worker_selectors.begin(),
                job.spec.requested_worker_selectors.end(), add);
  std::for_each(job.attached_worker_selectors.begin(), job.attached_worker_selectors.end(), add);
  if (count > 0) return sum / count;
  if (job.spec.labels.empty()) return 0;
  int matched = 0;
  for (const auto& [key, value] : job.spec.labels) {
    auto it = worker.spec.labels.find(key);
    if (it != worker.spec.labels.end() && it->second == value) ++matched;
  }
  return static_cast<double>(matched) / static_cast<double>(job.spec.labels.size());
}

}  // namespace

bool EngineState::Eligible(const Job& job, const Worker& worker,
                           const DistributionMode& mode) const {
  for (const std::string& offer_id : job.open_offer_ids) {
    if (offers_.find(offer_id)->second.worker_id == worker.id) return false;
  }
  if (job.declined_by.find(worker.id) != job.declined_by.end()) return false;
  if (mode.bypass_selectors) return true;
  for (const WorkerSelector& selector : job.spec.requested_worker_selectors) {
    if (IsActive(selector) && !Satisfies(worker.spec.labels, selector)) return false;
  }
  for (const WorkerSelector& selector : job.attached_worker_selectors) {
    if (IsActive(selector) && !Satisfies(worker.spec.labels, selector)) return false;
  }
  return true;
}

// Up to `need` eligible workers, in the order the mode offers to them.
static std::vector<Worker*> SelectWorkers(const EngineState& s, const Job& job,
                                          const QueueState& queue, const ReadyWorkers& ready,
                                          const DistributionMode& mode, std::size_t need) {
  std::vector<Worker*> chosen;
  auto take = [&](const WorkerKey& key) {
    if (s.Eligible(job, *key.worker, mode)) chosen.push_back(key.worker);
    return chosen.size() >= need;
  };
  if (mode.kind == DistributionModeKind::kLongestIdle) {
    for (const WorkerKey& key : ready) {
      if (take(key)) break;
    }
  } else if (mode.kind == DistributionModeKind::kRoundRobin) {
    // Resume after the worker last offered a job from this queue, wrapping around.
    const auto start = ready.upper_bound(std::string_view(queue.round_robin_cursor));
    bool done = false;
    for (auto it = start; it != ready.end() && !done; ++it) done = take(*it);
    for (auto it = ready.begin(); it != start && !done; ++it) done = take(*it);
  } else {
    struct Scored {
      double score;
      std::int64_t idle_us;
      Worker* worker;
    };
    std::vector<Scored> scored;
    for (const WorkerKey& key : ready) {
      if (s.Eligible(job, *key.worker, mode)) {
        scored.push_back({DefaultScore(job, *key.worker), key.worker->idle_since.unix_micros(),
                          key.worker});
      }
    }
    const bool descending = !mode.scoring_rule_options ||
                            mode.scoring_rule_options->descending_order.value_or(true);
    auto better = [descending](const Scored& a, const Scored& b) {
      if (a.score != b.score) return descending ? a.score > b.score : a.score < b.score;
      if (a.idle_us != b.idle_us) return a.idle_us < b.idle_us;  // longest idle wins ties
      return a.worker->id < b.worker->id;
    };
    const std::size_t n = std::min(need, scored.size());
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(n), scored.end(), better);
    for (std::size_t i = 0; i < n; ++i) chosen.push_back(scored[i].worker);
  }
  return chosen;
}

void EngineState::MatchJob(Job& job) {
  if (job.status != JobStatus::kQueued) return;
  QueueState& queue = *QueueOf(job);
  if (!queue.mode) return;
  const DistributionMode& mode = *queue.mode;
  const int open = static_cast<int>(job.open_offer_ids.size());
  if (open >= mode.max_concurrent_offers) return;
  auto it = queue.channels.find(*job.spec.channel_id);
  if (it == queue.channels.end()) return;
  const std::vector<Worker*> chosen =
      SelectWorkers(*this, job, queue, it->second.ready_workers, mode,
                    static_cast<std::size_t>(mode.max_concurrent_offers - open));
  if (open + static_cast<int>(chosen.size()) < mode.min_concurrent_offers) return;
  for (Worker* worker : chosen) IssueOffer(job, *worker, queue);
}

void EngineState::MatchWorker(Worker& worker) {
  std::set<std::string, std::less<>> passed_over;  // jobs that went to other workers
  for (std::size_t round = 0; round < kMaxWorkerRounds && IsReady(worker); ++round) {
    Job* best = nullptr;
    JobKey best_key;
    for (const std::string& queue_id : worker.spec.queues) {
      QueueState& queue = *queues_.Find(queue_id);
      if (!queue.mode) continue;
      for (const Channel& channel : worker.spec.channels) {
        if (!worker.HasRoomFor(channel)) continue;
        auto it = queue.channels.find(channel.channel_id);
        if (it == queue.channels.end()) continue;
        for (const JobKey& key : it->second.matchable_jobs) {
          if (best && !(key < best_key)) break;  // cannot beat the best found so far
          if (passed_over.count(key.job->id) == 0 && Eligible(*key.job, worker, *queue.mode)) {
            best = key.job;
            best_key = key;
            break;
          }
        }
      }
    }
    if (!best) return;
    const std::size_t offers_before = worker.open_offer_ids.size();
    MatchJob(*best);
    if (worker.open_offer_ids.size() == offers_before) passed_over.insert(best->id);
  }
}

void EngineState::RunMatching() {
  std::vector<Job*> jobs;
  for (const std::string& id : jobs_to_match_) {
    Job* job = jobs_.Find(id);
    if (job && job->status == JobStatus::kQueued) jobs.push_back(job);
  }
  jobs_to_match_.clear();
  std::sort(jobs.begin(), jobs.end(), [](Job* a, Job* b) { return KeyOf(*a) < KeyOf(*b); });
  for (Job* job : jobs) MatchJob(*job);
  const std::vector<std::string> workers(workers_to_match_.begin(), workers_to_match_.end());
  workers_to_match_.clear();
  for (const std::string& id : workers) {
    if (Worker* worker = workers_.Find(id)) MatchWorker(*worker);
  }
  SB_ASSERT(jobs_to_match_.empty() && workers_to_match_.empty());
}

void EngineState::RebuildQueueIndexes(QueueState& queue) {
  for (auto& [channel_id, index] : queue.channels) {
    ReadyWorkers rebuilt(WorkerOrder{queue.order_kind()});
    for (const WorkerKey& key : index.ready_workers) rebuilt.insert(key);
    index.ready_workers = std::move(rebuilt);
  }
}

}  // namespace sb::core
