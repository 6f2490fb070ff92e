// Matching: which ready workers a job is offered to, and which job a newly ready worker gets.
// Both walk ordered indexes and stop at the first fits, so the cost depends on how many
// candidates are examined before enough eligible ones are found, not on the size of the queue
// or the workforce. Best worker does the same where its default formula allows (scores that
// tie, scores by the job's labels, one graded selector: see SelectWorkers); an expression rule
// or several graded selectors score every eligible worker.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

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

const LabelPostings* EngineState::NarrowestPostings(const Job& job,
                                                    const DistributionMode& mode) const {
  static const LabelPostings kNone;
  if (mode.bypass_selectors) return nullptr;
  const LabelPostings* narrowest = nullptr;
  auto consider = [&](const WorkerSelector& selector) {
    if (!IsActive(selector) || selector.label_operator != LabelOperator::kEqual) return;
    auto it = workers_by_label_.find(std::make_pair(selector.key, selector.value));
    const LabelPostings* postings = it == workers_by_label_.end() ? &kNone : &it->second;
    if (!narrowest || postings->size() < narrowest->size()) narrowest = postings;
  };
  std::for_each(job.spec.requested_worker_selectors.begin(),
                job.spec.requested_worker_selectors.end(), consider);
  std::for_each(job.attached_worker_selectors.begin(), job.attached_worker_selectors.end(), consider);
  return narrowest;
}

namespace {

// Whether `worker` is among the queue's ready workers for the channel (what the ready set
// holds), for candidates found through a label index rather than the set itself.
bool InPool(const EngineState& s, const Worker& worker, const QueueState& queue,
            const std::string& channel_id) {
  if (!s.IsReady(worker)) return false;
  if (std::find(worker.spec.queues.begin(), worker.spec.queues.end(), queue.id) ==
      worker.spec.queues.end()) {
    return false;
  }
  const Channel* channel = worker.spec.FindChannel(channel_id);
  return channel && worker.HasRoomFor(*channel);
}

// Visits candidates in id order from just after `cursor`, wrapping around, until `visit`
// returns true.
template <class Set, class Visit>
void FromCursor(const Set& set, std::string_view cursor, const Visit& visit) {
  const auto start = set.upper_bound(cursor);
  for (auto it = start; it != set.end(); ++it) {
    if (visit(*it)) return;
  }
  for (auto it = set.begin(); it != start; ++it) {
    if (visit(*it)) return;
  }
}

Worker* WorkerOf(const WorkerKey& key) { return key.worker; }
Worker* WorkerOf(Worker* worker) { return worker; }

struct Candidates {
  const EngineState& s;
  const Job& job;
  const QueueState& queue;
  const DistributionMode& mode;
  const LabelPostings* postings;  // when set, walk these instead of the ready set

  bool Fits(Worker& worker) const {
    return (!postings || InPool(s, worker, queue, *job.spec.channel_id)) &&
           s.Eligible(job, worker, mode);
  }
};

std::vector<Worker*> LongestIdle(const Candidates& c, const ReadyWorkers& ready, std::size_t need) {
  std::vector<Worker*> chosen;
  for (const WorkerKey& key : ready) {
    if (c.Fits(*key.worker)) chosen.push_back(key.worker);
    if (chosen.size() >= need) break;
  }
  return chosen;
}

std::vector<Worker*> RoundRobin(const Candidates& c, const ReadyWorkers& ready, std::size_t need) {
  std::vector<Worker*> chosen;
  auto take = [&](const auto& item) {
    Worker* worker = WorkerOf(item);
    if (c.Fits(*worker)) chosen.push_back(worker);
    return chosen.size() >= need;
  };
  // Resume after the worker last offered a job from this queue.
  if (c.postings) {
    FromCursor(*c.postings, c.queue.round_robin_cursor, take);
  } else {
    FromCursor(ready, c.queue.round_robin_cursor, take);
  }
  return chosen;
}

// A worker's score: the policy's scoring rule when it is static or an expression, else the
// documented default formula. A rule that fails for a worker ranks the worker last.
std::optional<double> Score(const Candidates& c, const Worker& worker) {
  const auto& rule = c.mode.scoring_rule;
  const bool local = rule && (std::holds_alternative<StaticRule>(*rule) ||
                              std::holds_alternative<ExpressionRule>(*rule));
  if (!local) return DefaultScore(c.job, worker);
  auto score = c.s.rules_.EvaluateScore(*rule, c.job.spec.labels, worker.spec.labels,
                                        "mode.scoringRule");
  if (!score) return std::nullopt;
  return *score;
}

struct Scored {
  std::optional<double> score;
  std::int64_t idle_us;
  Worker* worker;
};

bool Descending(const DistributionMode& mode) {
  return !mode.scoring_rule_options || mode.scoring_rule_options->descending_order.value_or(true);
}

// The best `need` of `scored`, best first: by score, then longest idle, then id; workers whose
// rule failed last.
std::vector<Worker*> Best(std::vector<Scored>& scored, bool descending, std::size_t need) {
  auto better = [descending](const Scored& a, const Scored& b) {
    if (a.score.has_value() != b.score.has_value()) return a.score.has_value();
    if (a.score != b.score) return descending ? *a.score > *b.score : *a.score < *b.score;
    if (a.idle_us != b.idle_us) return a.idle_us < b.idle_us;  // longest idle wins ties
    return a.worker->id < b.worker->id;
  };
  const std::size_t n = std::min(need, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(n), scored.end(),
                    better);
  std::vector<Worker*> chosen;
  for (std::size_t i = 0; i < n; ++i) chosen.push_back(scored[i].worker);
  return chosen;
}

std::vector<Worker*> BestWorkers(const Candidates& c, const ReadyWorkers& ready, std::size_t need) {
  std::vector<Scored> scored;
  auto score = [&](Worker* worker) {
    if (c.Fits(*worker)) scored.push_back({Score(c, *worker), worker->idle_since.unix_micros(), worker});
  };
  if (c.postings) {
    scored.reserve(c.postings->size());
    for (Worker* worker : *c.postings) score(worker);
  } else {
    scored.reserve(ready.size());
    for (const WorkerKey& key : ready) score(key.worker);
  }
  return Best(scored, Descending(c.mode), need);
}

// The default formula for a job with labels and no selectors scores a worker by the share of
// the job's labels it carries, so only the workers filed under one of those labels score above
// zero: they are scored and ranked; the rest tie at zero and follow in the ready order (longest
// idle first), walked only as far as needed.
std::vector<Worker*> BestByJobLabels(const Candidates& c, const ReadyWorkers& ready,
                                     std::size_t need) {
  std::set<const Worker*> carrying;
  std::vector<Scored> scored;
  for (const auto& [key, value] : c.job.spec.labels) {
    auto it = c.s.workers_by_label_.find(std::make_pair(key, value));
    if (it == c.s.workers_by_label_.end()) continue;
    for (Worker* worker : it->second) {
      if (!carrying.insert(worker).second) continue;
      if (InPool(c.s, *worker, c.queue, *c.job.spec.channel_id) &&
          c.s.Eligible(c.job, *worker, c.mode)) {
        scored.push_back({DefaultScore(c.job, *worker), worker->idle_since.unix_micros(), worker});
      }
    }
  }
  std::vector<Worker*> chosen = Best(scored, /*descending=*/true, need);
  for (auto it = ready.begin(); it != ready.end() && chosen.size() < need; ++it) {
    if (!carrying.count(it->worker) && c.Fits(*it->worker)) chosen.push_back(it->worker);
  }
  return chosen;
}

bool IsEquality(const WorkerSelector& selector) {
  return selector.label_operator == LabelOperator::kEqual ||
         selector.label_operator == LabelOperator::kNotEqual;
}

// The job's active selectors whose default score can differ between eligible workers: the
// ordering ones with a number (an eligible worker satisfies an equality selector: 1; an
// ordering one on text scores 0 for everyone).
std::vector<const WorkerSelector*> GradedSelectors(const Job& job, bool& any_active) {
  std::vector<const WorkerSelector*> graded;
  any_active = false;
  for (const auto* list : {&job.spec.requested_worker_selectors, &job.attached_worker_selectors}) {
    for (const WorkerSelector& selector : *list) {
      if (!IsActive(selector)) continue;
      any_active = true;
      if (!IsEquality(selector) && selector.value.is_number()) graded.push_back(&selector);
    }
  }
  return graded;
}

// Best worker by one graded selector (say `skill >= 7`): the label index holds the workers by
// value, so the values are visited best first, and the workers of values that score alike are
// taken longest idle first - from the index when they are fewer than the ready workers, else by
// walking the ready set - until enough fit.
std::vector<Worker*> BestByGradedLabel(const Candidates& c, const ReadyWorkers& ready,
                                       std::size_t need, const WorkerSelector& selector) {
  const auto& index = c.s.workers_by_label_;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  auto first = index.lower_bound(std::make_pair(selector.key, Value(-kInf)));
  auto last = index.upper_bound(std::make_pair(selector.key, Value(kInf)));
  const bool rising = selector.label_operator == LabelOperator::kGreaterThan ||
                      selector.label_operator == LabelOperator::kGreaterThanOrEqual;
  std::vector<Worker*> chosen;
  std::vector<Value> values;  // of the tie being gathered
  std::size_t tie_size = 0;
  double tie_score = 0;
  auto take_tie = [&] {
    auto in_tie = [&](const Worker& worker) {
      auto it = worker.spec.labels.find(selector.key);
      return it != worker.spec.labels.end() &&
             std::find(values.begin(), values.end(), it->second) != values.end();
    };
    if (tie_size >= ready.size()) {
      for (auto it = ready.begin(); it != ready.end() && chosen.size() < need; ++it) {
        if (in_tie(*it->worker) && c.Fits(*it->worker)) chosen.push_back(it->worker);
      }
      return;
    }
    std::vector<Worker*> fits;
    for (const Value& value : values) {
      for (Worker* worker : index.find(std::make_pair(selector.key, value))->second) {
        if (InPool(c.s, *worker, c.queue, *c.job.spec.channel_id) &&
            c.s.Eligible(c.job, *worker, c.mode)) {
          fits.push_back(worker);
        }
      }
    }
    std::sort(fits.begin(), fits.end(), [](const Worker* a, const Worker* b) {
      if (a->idle_since != b->idle_since) return a->idle_since < b->idle_since;
      return a->id < b->id;
    });
    for (Worker* worker : fits) {
      if (chosen.size() >= need) break;
      chosen.push_back(worker);
    }
  };
  auto visit = [&](const auto& entry) {  // one value's workers; true when enough are chosen
    const Value& value = entry.first.second;
    const LabelMap labels{{selector.key, value}};
    if (!Satisfies(labels, selector)) return false;  // ineligible, whoever carries it
    const double score = SelectorScore(labels, selector);
    if (!values.empty() && score != tie_score) {
      take_tie();
      if (chosen.size() >= need) return true;
      values.clear();
      tie_size = 0;
    }
    tie_score = score;
    values.push_back(value);
    tie_size += entry.second.size();
    return false;
  };
  bool done = false;
  if (rising) {
    for (auto it = std::make_reverse_iterator(last); !done && it != std::make_reverse_iterator(first); ++it) {
      done = visit(*it);
    }
  } else {
    for (auto it = first; !done && it != last; ++it) done = visit(*it);
  }
  if (!done && !values.empty()) take_tie();
  return chosen;
}

// Whether every eligible worker gets the same score, so that the best are simply the first
// fits in the tie order (longest idle): a static scoring rule; or the default formula over
// selectors none of which is graded; or no selectors and no job labels (score 0).
bool ScoresTie(const Job& job, const DistributionMode& mode) {
  if (mode.scoring_rule) return std::holds_alternative<StaticRule>(*mode.scoring_rule);
  bool any = false;
  const bool graded = !GradedSelectors(job, any).empty();
  if (any) return !graded && !mode.bypass_selectors;
  return job.spec.labels.empty();
}

// The one graded selector, when the default formula ranks eligible workers by that label alone
// (best first): a worker's score then rises, or falls, with the label's value.
const WorkerSelector* SoleGradedSelector(const Job& job, const DistributionMode& mode) {
  if (mode.scoring_rule || !Descending(mode) || mode.bypass_selectors) return nullptr;
  bool any = false;
  const std::vector<const WorkerSelector*> graded = GradedSelectors(job, any);
  return graded.size() == 1 ? graded.front() : nullptr;
}

// Whether the default formula scores by the job's labels (no active selectors), best first.
bool ScoresByJobLabels(const Job& job, const DistributionMode& mode) {
  if (mode.scoring_rule || !Descending(mode)) return false;
  auto active = [](const WorkerSelector& selector) { return IsActive(selector); };
  return std::none_of(job.spec.requested_worker_selectors.begin(),
                      job.spec.requested_worker_selectors.end(), active) &&
         std::none_of(job.attached_worker_selectors.begin(), job.attached_worker_selectors.end(),
                      active);
}

}  // namespace

// Up to `need` eligible workers, in the order the mode offers to them. Longest idle walks the
// ready set, ordered as it offers, and stops at the first fits; so does best worker when all
// scores tie. Round robin, and best worker when it must score, walk the workers carrying the
// job's rarest required label instead when those are fewer; otherwise best worker ranks by one
// graded selector or by the job's labels through the label index, or scores every worker.
static std::vector<Worker*> SelectWorkers(const EngineState& s, const Job& job,
                                          const QueueState& queue, const ReadyWorkers& ready,
                                          const DistributionMode& mode, std::size_t need) {
  Candidates c{s, job, queue, mode, nullptr};
  const bool best = mode.kind == DistributionModeKind::kBestWorker;
  if (mode.kind == DistributionModeKind::kLongestIdle || (best && ScoresTie(job, mode))) {
    return LongestIdle(c, ready, need);  // best worker's ready set is in its tie order
  }
  const LabelPostings* postings = s.NarrowestPostings(job, mode);
  if (postings && postings->size() < ready.size()) c.postings = postings;
  if (!best) return RoundRobin(c, ready, need);
  if (!c.postings) {
    if (const WorkerSelector* graded = SoleGradedSelector(job, mode)) {
      return BestByGradedLabel(c, ready, need, *graded);
    }
    if (ScoresByJobLabels(job, mode)) return BestByJobLabels(c, ready, need);
  }
  return BestWorkers(c, ready, need);
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
  if (mode.kind == DistributionModeKind::kBestWorker && mode.scoring_rule &&
      IsExternal(*mode.scoring_rule)) {
    MatchByOutboundScores(job, queue, it->second.ready_workers, mode);
    return;
  }
  const std::vector<Worker*> chosen =
      SelectWorkers(*this, job, queue, it->second.ready_workers, mode,
                    static_cast<std::size_t>(mode.max_concurrent_offers - open));
  if (open + static_cast<int>(chosen.size()) < mode.min_concurrent_offers) return;
  for (Worker* worker : chosen) IssueOffer(job, *worker, queue);
}

void EngineState::MatchByOutboundScores(Job& job, QueueState& queue, const ReadyWorkers& ready,
                                        const DistributionMode& mode) {
  if (!job.pending_rule_calls.empty()) return;  // a scoring round is under way
  Candidates c{*this, job, queue, mode, nullptr};
  const LabelPostings* postings = NarrowestPostings(job, mode);
  if (postings && postings->size() < ready.size()) c.postings = postings;
  std::vector<Worker*> fitting;
  auto consider = [&](Worker* worker) {
    if (fitting.size() < kMaxScoredWorkers && c.Fits(*worker)) fitting.push_back(worker);
  };
  if (c.postings) {
    for (Worker* worker : *c.postings) consider(worker);
  } else {
    for (const WorkerKey& key : ready) consider(key.worker);
  }
  if (job.scores_ready) {
    OfferByScores(job, queue, mode, fitting);
    return;
  }
  RequestScores(job, mode, fitting);
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
