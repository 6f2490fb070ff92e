// Outbound rule calls: function and webhook rules are evaluated by the server, off the engine
// thread. The engine asks with a RuleCall effect and goes on; the job waits - in
// pendingClassification for classification, or unmatched for best-worker scoring - until the
// answers come back through CompleteRuleCall. Calls are not stored: after a restart the engine
// asks again (ResumeRuleCalls).
#include <algorithm>
#include <cmath>

#include "core/engine_state.h"

namespace sb::core {
namespace {

constexpr int kDefaultBatchSize = 20;  // ScoringRuleOptions.batchSize's documented default

bool Sends(const DistributionMode& mode, ScoringParameter parameter) {
  if (!mode.scoring_rule_options || !mode.scoring_rule_options->scoring_parameters) return true;
  const auto& parameters = *mode.scoring_rule_options->scoring_parameters;
  return std::find(parameters.begin(), parameters.end(), parameter) != parameters.end();
}

std::vector<WorkerSelector> ActiveSelectors(const Job& job) {
  std::vector<WorkerSelector> out;
  for (const auto* list : {&job.spec.requested_worker_selectors, &job.attached_worker_selectors}) {
    for (const WorkerSelector& s : *list) {
      if (IsActive(s)) out.push_back(s);
    }
  }
  return out;
}

std::optional<double> ScoreOf(const RuleAnswer& answer, std::size_t index, bool batch) {
  if (batch) {
    if (!answer.is_scores || index >= answer.scores.size()) return std::nullopt;
    if (!std::isfinite(answer.scores[index])) return std::nullopt;  // a worker left unscored
    return answer.scores[index];
  }
  if (!answer.value.is_number() || !std::isfinite(answer.value.as_number())) return std::nullopt;
  return answer.value.as_number();
}

}  // namespace

void EngineState::IssueRuleCall(Job& job, std::string path, RuleCall call,
                                std::vector<std::string> workers) {
  call.call_id = random_.Uuid();
  call.job_id = job.id;
  pending_calls_[call.call_id] = PendingCall{job.id, call.purpose, std::move(path), std::move(workers)};
  job.pending_rule_calls.insert(call.call_id);
  if (effects_) effects_->rule_calls.push_back(std::move(call));
}

bool EngineState::RuleCallPending(const Job& job, std::string_view path) const {
  return std::any_of(job.pending_rule_calls.begin(), job.pending_rule_calls.end(),
                     [&](const std::string& id) { return pending_calls_.at(id).path == path; });
}

void EngineState::DropRuleCalls(Job& job) {
  for (const std::string& id : job.pending_rule_calls) pending_calls_.erase(id);
  job.pending_rule_calls.clear();
  job.rule_answers.clear();
  job.worker_scores.clear();
  job.scores_ready = false;
}

void EngineState::RequestScores(Job& job, const DistributionMode& mode,
                                const std::vector<Worker*>& workers) {
  if (workers.empty()) return;
  const auto& options = mode.scoring_rule_options;
  const bool batch = options && options->is_batch_scoring_enabled.value_or(false);
  const std::size_t size = batch ? static_cast<std::size_t>(options->batch_size.value_or(kDefaultBatchSize)) : 1;
  for (std::size_t first = 0; first < workers.size(); first += size) {
    RuleCall call;
    call.purpose = RuleCall::Purpose::kScoring;
    call.rule = *mode.scoring_rule;
    call.batch = batch;
    call.send_job_labels = Sends(mode, ScoringParameter::kJobLabels);
    if (call.send_job_labels) call.job_labels = job.spec.labels;
    call.send_selectors = Sends(mode, ScoringParameter::kWorkerSelectors);
    if (call.send_selectors) call.selectors = ActiveSelectors(job);
    std::vector<std::string> ids;
    for (std::size_t i = first; i < std::min(workers.size(), first + size); ++i) {
      call.workers.emplace_back(workers[i]->id, workers[i]->spec.labels);
      ids.push_back(workers[i]->id);
    }
    IssueRuleCall(job, "mode.scoringRule", std::move(call), std::move(ids));
  }
}

void EngineState::OfferByScores(Job& job, QueueState& queue, const DistributionMode& mode,
                                const std::vector<Worker*>& fitting) {
  struct Scored {
    double score;
    std::int64_t idle_us;
    Worker* worker;
  };
  std::vector<Scored> scored;
  for (Worker* worker : fitting) {
    auto it = job.worker_scores.find(worker->id);
    if (it != job.worker_scores.end() && it->second) {
      scored.push_back({*it->second, worker->idle_since.unix_micros(), worker});
    }
  }
  job.worker_scores.clear();
  job.scores_ready = false;
  const bool descending = !mode.scoring_rule_options ||
                          mode.scoring_rule_options->descending_order.value_or(true);
  std::sort(scored.begin(), scored.end(), [descending](const Scored& a, const Scored& b) {
    if (a.score != b.score) return descending ? a.score > b.score : a.score < b.score;
    if (a.idle_us != b.idle_us) return a.idle_us < b.idle_us;
    return a.worker->id < b.worker->id;
  });
  const int open = static_cast<int>(job.open_offer_ids.size());
  const std::size_t need = static_cast<std::size_t>(mode.max_concurrent_offers - open);
  if (scored.size() > need) scored.resize(need);
  if (open + static_cast<int>(scored.size()) < mode.min_concurrent_offers) return;
  for (const Scored& s : scored) IssueOffer(job, *s.worker, queue);
}

Status Engine::CompleteRuleCall(std::string_view call_id, Result<RuleAnswer> answer, Timestamp now,
                                Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  auto it = s.pending_calls_.find(call_id);
  if (it == s.pending_calls_.end()) return Ok{};  // the job no longer waits for it
  const EngineState::PendingCall call = std::move(it->second);
  s.pending_calls_.erase(it);
  Job* job = s.jobs_.Find(call.job_id);
  if (!job) return Ok{};
  job->pending_rule_calls.erase(std::string(call_id));
  if (call.purpose == RuleCall::Purpose::kClassification) {
    if (job->status != JobStatus::kPendingClassification) return Ok{};
    if (!answer) {
      s.FailClassification(*job, call.path + " failed: " + answer.error().message);
      return Ok{};
    }
    job->rule_answers[call.path] = std::move(*answer);
    if (job->pending_rule_calls.empty()) s.Classify(*job);
    return Ok{};
  }
  if (job->status != JobStatus::kQueued) return Ok{};
  for (std::size_t i = 0; i < call.worker_ids.size(); ++i) {
    job->worker_scores[call.worker_ids[i]] =
        answer ? ScoreOf(*answer, i, call.worker_ids.size() > 1 || answer->is_scores) : std::nullopt;
  }
  if (job->pending_rule_calls.empty()) {
    job->scores_ready = true;
    s.MarkJob(*job);
  }
  return Ok{};
}

void Engine::ResumeRuleCalls(Timestamp now, Effects& effects) {
  EngineState& s = *state_;
  CommandScope scope(s, now, effects);
  for (const auto& [seq, job] : s.jobs_.in_order()) {
    if (job->status == JobStatus::kPendingClassification) {
      s.DropRuleCalls(*job);
      s.Classify(*job);
    } else if (job->status == JobStatus::kQueued) {
      s.MarkJob(*job);  // best-worker jobs with an outbound scoring rule ask for scores again
    }
  }
}

}  // namespace sb::core
