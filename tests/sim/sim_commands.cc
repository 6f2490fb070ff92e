// The workload's commands: each picks a target, says what it will do, runs it and checks the
// engine's answer against the answers the command allows.
#include <algorithm>

#include "sim_workload.h"

namespace sb::sim {
namespace {

using core::JobStatus;
using Outcome = std::optional<ErrorCode>;

const char* CodeName(const Outcome& outcome) {
  if (!outcome) return "ok";
  switch (*outcome) {
    case ErrorCode::kInvalidArgument:
      return "InvalidArgument";
    case ErrorCode::kNotFound:
      return "NotFound";
    case ErrorCode::kConflict:
      return "Conflict";
    default:
      return "OtherError";
  }
}

template <class R>
Outcome OutcomeOf(const R& result) {
  if (result.ok()) return std::nullopt;
  return result.error().code;
}

bool Finished(JobStatus s) {
  return s == JobStatus::kCompleted || s == JobStatus::kClosed || s == JobStatus::kCancelled;
}

}  // namespace

template <class R>
std::optional<std::string> Workload::Expect(const std::string& command, const R& result,
                                            std::initializer_list<Outcome> allowed) {
  const Outcome outcome = OutcomeOf(result);
  ++tally_[command.substr(0, command.find(' ')) + " " + CodeName(outcome)];
  if (std::find(allowed.begin(), allowed.end(), outcome) != allowed.end()) return std::nullopt;
  std::string message = command + " answered " + CodeName(outcome);
  if (!result.ok()) message += ": " + result.error().message;
  return message;
}

std::optional<std::string> Workload::CreateJob(Timestamp now, core::Effects& effects) {
  const std::string id = "j" + std::to_string(next_job_++);
  const std::string command = "CreateJob " + id;
  describe_(command);
  auto result = engine_.UpsertJob(id, RandomJob(now), now, effects);
  if (result.ok()) job_ids_.push_back(id);
  return Expect(command, result, {std::nullopt});
}

std::optional<std::string> Workload::UpdateJob(Timestamp now, core::Effects& effects) {
  const std::string id =
      PickJob([](const core::Job& job) { return !core::IsTerminal(job.status); });
  if (id.empty()) return std::nullopt;
  const core::Job& job = *engine_.FindJob(id);
  core::JobSpec spec = job.spec;
  std::string change;
  switch (random_.Uniform(6)) {
    case 0:
      spec.priority = Between(-3, 5);
      change = "priority";
      break;
    case 1:
      spec.requested_worker_selectors = RandomSelectors();
      change = "selectors";
      break;
    case 2:
      spec.matching_mode = {core::MatchingModeKind::kQueueAndMatch, std::nullopt};
      change = "queueAndMatch";
      break;
    case 3:
      spec.matching_mode = Chance(0.5)
                               ? core::MatchingMode{core::MatchingModeKind::kSuspend, std::nullopt}
                               : core::MatchingMode{core::MatchingModeKind::kScheduleAndSuspend,
                                                    now + Duration::Seconds(Between(-5, 120))};
      change = "suspend or schedule";
      break;
    case 4:
      if (spec.classification_policy_id && Chance(0.5)) {
        spec.queue_id.reset();
        change = "no queue";
      } else {
        spec.queue_id = Pick(queue_ids_);
        change = "queue " + *spec.queue_id;
      }
      break;
    default:
      spec.channel_id = Chance(0.5) ? "voice" : "chat";
      change = "channel " + *spec.channel_id;
      break;
  }
  const std::string command = "UpdateJob " + id + " (" + change + ")";
  describe_(command);
  const bool loses_queue = !spec.queue_id && job.status == JobStatus::kAssigned;
  auto result = engine_.UpsertJob(id, std::move(spec), now, effects);
  if (loses_queue) return Expect(command, result, {ErrorCode::kConflict});
  return Expect(command, result, {std::nullopt});
}

std::optional<std::string> Workload::CancelJob(Timestamp now, core::Effects& effects) {
  const std::string id = PickJob([](const core::Job&) { return true; });
  if (id.empty()) return std::nullopt;
  const bool finished = Finished(engine_.FindJob(id)->status);
  const std::string command = "CancelJob " + id;
  describe_(command);
  core::CancelJobOptions options;
  if (Chance(0.3)) options.note = "cancelled by the simulation";
  if (Chance(0.3)) options.disposition_code = "SimCancel";
  auto result = engine_.CancelJob(id, options, now, effects);
  return Expect(command, result, {finished ? Outcome(ErrorCode::kConflict) : std::nullopt});
}

std::optional<std::string> Workload::CompleteJob(Timestamp now, core::Effects& effects) {
  std::string id = PickJob([](const core::Job& job) { return job.status == JobStatus::kAssigned; });
  const bool right = !id.empty() && !Chance(0.05);
  if (!right) id = PickJob([](const core::Job& job) { return !job.assignments.empty(); });
  if (id.empty()) return std::nullopt;
  const core::Job& job = *engine_.FindJob(id);
  const std::string assignment = job.assignments.back().assignment_id;
  const bool assigned = job.status == JobStatus::kAssigned;
  const std::string command = "CompleteJob " + id;
  describe_(command);
  auto result = engine_.CompleteJob(id, assignment, {}, now, effects);
  // Completed, closed or back in the queue: the assignment is no longer one to complete.
  return Expect(command, result, {assigned ? std::nullopt : Outcome(ErrorCode::kConflict)});
}

std::optional<std::string> Workload::CloseJob(Timestamp now, core::Effects& effects) {
  const std::string id =
      PickJob([](const core::Job& job) { return job.status == JobStatus::kCompleted; });
  if (id.empty()) return std::nullopt;
  const core::Job& job = *engine_.FindJob(id);
  const bool pending = job.pending_close.has_value();
  core::CloseJobOptions options;
  const double r = random_.UniformDouble();
  if (r < 0.4) options.close_at = now + Duration::Seconds(Between(1, 120));
  if (r >= 0.4 && r < 0.5) options.close_at = now - Duration::Seconds(Between(0, 60));
  if (Chance(0.3)) options.disposition_code = "SimDone";
  const std::string command = "CloseJob " + id + (options.close_at ? " (closeAt)" : "");
  describe_(command);
  auto result = engine_.CloseJob(id, job.assignments.back().assignment_id, options, now, effects);
  return Expect(command, result, {pending ? Outcome(ErrorCode::kConflict) : std::nullopt});
}

std::optional<std::string> Workload::UnassignJob(Timestamp now, core::Effects& effects) {
  const std::string id =
      PickJob([](const core::Job& job) { return job.status == JobStatus::kAssigned; });
  if (id.empty()) return std::nullopt;
  const core::Job& job = *engine_.FindJob(id);
  core::UnassignJobOptions options;
  options.suspend_matching = Chance(0.3);
  const int before = job.unassignment_count;
  const std::string command = "UnassignJob " + id + (options.suspend_matching ? " (suspend)" : "");
  describe_(command);
  auto result =
      engine_.UnassignJob(id, job.assignments.back().assignment_id, options, now, effects);
  if (result.ok() && result->unassignment_count != before + 1) {
    return command + " did not count the unassignment";
  }
  return Expect(command, result, {std::nullopt});
}

std::optional<std::string> Workload::DeleteJob(Timestamp now, core::Effects& effects) {
  std::string id;
  if (Chance(0.85)) id = PickJob([](const core::Job& job) { return core::IsTerminal(job.status); });
  if (id.empty()) id = PickJob([](const core::Job&) { return true; });
  if (id.empty()) return std::nullopt;
  const bool terminal = core::IsTerminal(engine_.FindJob(id)->status);
  const std::string command = "DeleteJob " + id;
  describe_(command);
  auto result = engine_.DeleteJob(id, now, effects);
  if (result.ok()) job_ids_.erase(std::find(job_ids_.begin(), job_ids_.end(), id));
  return Expect(command, result, {terminal ? std::nullopt : Outcome(ErrorCode::kConflict)});
}

std::optional<std::string> Workload::ReclassifyJob(Timestamp now, core::Effects& effects) {
  const std::string id = PickJob([](const core::Job& job) {
    return job.spec.classification_policy_id.has_value() || job.status == JobStatus::kQueued;
  });
  if (id.empty()) return std::nullopt;
  const core::Job& job = *engine_.FindJob(id);
  Outcome expected;
  if (!job.spec.classification_policy_id) {
    expected = ErrorCode::kInvalidArgument;
  } else if (job.status != JobStatus::kQueued && job.status != JobStatus::kClassificationFailed) {
    expected = ErrorCode::kConflict;
  }
  const std::string command = "ReclassifyJob " + id;
  describe_(command);
  return Expect(command, engine_.ReclassifyJob(id, now, effects), {expected});
}

std::optional<std::string> Workload::AcceptOffer(Timestamp now, core::Effects& effects) {
  const auto& offers = checker_.open_offers();
  if (offers.empty()) return std::nullopt;
  auto it = offers.begin();
  std::advance(it, static_cast<long>(random_.Uniform(offers.size())));
  const std::string offer_id = it->first, worker_id = it->second.worker_id;
  const std::string job_id = it->second.job_id;
  const std::string command = "AcceptOffer " + offer_id + " of " + job_id + " by " + worker_id;
  describe_(command);
  auto result = engine_.AcceptJobOffer(worker_id, offer_id, now, effects);
  if (result.ok()) {
    checker_.NoteAccept(job_id);
    if (result->job_id != job_id || result->worker_id != worker_id) {
      return command + " answered for another job";
    }
  }
  return Expect(command, result, {std::nullopt});
}

std::optional<std::string> Workload::DeclineOffer(Timestamp now, core::Effects& effects) {
  const auto& offers = checker_.open_offers();
  if (offers.empty()) return std::nullopt;
  auto it = offers.begin();
  std::advance(it, static_cast<long>(random_.Uniform(offers.size())));
  const std::string offer_id = it->first, worker_id = it->second.worker_id;
  const std::string job_id = it->second.job_id;
  core::DeclineJobOfferOptions options;
  const double r = random_.UniformDouble();
  if (r < 0.4) {  // up to two minutes ahead
    const auto ahead_us = static_cast<std::int64_t>(1 + random_.Uniform(120'000'000));
    options.retry_offer_at = now + Duration::Micros(ahead_us);
  } else if (r < 0.55) {  // already past: no decline at all
    options.retry_offer_at = now - Duration::Seconds(Between(0, 10));
  }
  const std::string command = "DeclineOffer " + offer_id + " of " + job_id + " by " + worker_id +
                              (options.retry_offer_at ? " (retryOfferAt)" : "");
  describe_(command);
  if (!options.retry_offer_at || *options.retry_offer_at > now) {
    checker_.NoteDecline(job_id, worker_id, options.retry_offer_at);
  }
  return Expect(command, engine_.DeclineJobOffer(worker_id, offer_id, options, now, effects),
                {std::nullopt});
}

std::optional<std::string> Workload::LateAccept(Timestamp now, core::Effects& effects) {
  const auto& closed = checker_.closed_offers();
  if (closed.empty() || Chance(0.1)) {
    const std::string worker_id = worker_ids_.empty() ? "nobody" : Pick(worker_ids_);
    const std::string command = "LateAccept of an unknown offer by " + worker_id;
    describe_(command);
    return Expect(command, engine_.AcceptJobOffer(worker_id, "no-such-offer", now, effects),
                  {ErrorCode::kNotFound});
  }
  const ClosedOfferRecord record = closed[random_.Uniform(closed.size())];
  const std::string command = "LateAccept " + record.offer_id + " by " + record.worker_id;
  describe_(command);
  auto result = engine_.AcceptJobOffer(record.worker_id, record.offer_id, now, effects);
  if (record.fate == OfferFate::kOther || !engine_.FindWorker(record.worker_id)) {
    return Expect(command, result, {ErrorCode::kNotFound});
  }
  // The worker remembers only its latest closed offers; older ones are simply not found.
  return Expect(command, result, {ErrorCode::kConflict, ErrorCode::kNotFound});
}

std::optional<std::string> Workload::ToggleWorker(Timestamp now, core::Effects& effects) {
  if (worker_ids_.empty()) return std::nullopt;
  const std::string id = Pick(worker_ids_);
  core::WorkerSpec spec = engine_.FindWorker(id)->spec;
  spec.available_for_offers = !spec.available_for_offers;
  const std::string command =
      std::string(spec.available_for_offers ? "RegisterWorker " : "DeregisterWorker ") + id;
  describe_(command);
  return Expect(command, engine_.UpsertWorker(id, std::move(spec), now, effects), {std::nullopt});
}

std::optional<std::string> Workload::UpdateWorker(Timestamp now, core::Effects& effects) {
  if (worker_ids_.empty()) return std::nullopt;
  const std::string id = Pick(worker_ids_);
  core::WorkerSpec spec = engine_.FindWorker(id)->spec;
  const core::WorkerSpec fresh = RandomWorker();
  std::string change;
  switch (random_.Uniform(5)) {
    case 0:
      spec.labels = fresh.labels;
      change = "labels";
      break;
    case 1:
      spec.capacity = std::max(0, spec.capacity + Between(-3, 2));
      change = "capacity";
      break;
    case 2:
      spec.channels = fresh.channels;
      change = "channels";
      break;
    case 3:
      spec.queues = fresh.queues;
      change = "queues";
      break;
    default:
      spec.max_concurrent_offers = fresh.max_concurrent_offers;
      change = "maxConcurrentOffers";
      break;
  }
  const std::string command = "UpdateWorker " + id + " (" + change + ")";
  describe_(command);
  return Expect(command, engine_.UpsertWorker(id, std::move(spec), now, effects), {std::nullopt});
}

std::optional<std::string> Workload::CreateWorker(Timestamp now, core::Effects& effects) {
  const std::string id = "w" + std::to_string(next_worker_++);
  const std::string command = "CreateWorker " + id;
  describe_(command);
  auto result = engine_.UpsertWorker(id, RandomWorker(), now, effects);
  if (result.ok()) worker_ids_.push_back(id);
  return Expect(command, result, {std::nullopt});
}

std::optional<std::string> Workload::DeleteWorker(Timestamp now, core::Effects& effects) {
  if (worker_ids_.empty()) return std::nullopt;
  const std::string id = Pick(worker_ids_);
  const bool busy = !engine_.FindWorker(id)->assigned_jobs.empty();
  const std::string command = "DeleteWorker " + id;
  describe_(command);
  auto result = engine_.DeleteWorker(id, now, effects);
  if (result.ok()) worker_ids_.erase(std::find(worker_ids_.begin(), worker_ids_.end(), id));
  return Expect(command, result, {busy ? Outcome(ErrorCode::kConflict) : std::nullopt});
}

std::optional<std::string> Workload::UpdatePolicy(Timestamp now, core::Effects& effects) {
  const std::string id = Pick(policy_ids_);
  const std::string command = "UpdatePolicy " + id;
  describe_(command);
  return Expect(command, engine_.UpsertDistributionPolicy(id, RandomPolicy(), now, effects),
                {std::nullopt});
}

std::optional<std::string> Workload::RepointQueue(Timestamp now, core::Effects& effects) {
  const std::string id = Pick(queue_ids_);
  core::QueueSpec spec = engine_.FindQueue(id)->spec;
  spec.distribution_policy_id = Pick(policy_ids_);
  const std::string command = "RepointQueue " + id + " to " + *spec.distribution_policy_id;
  describe_(command);
  return Expect(command, engine_.UpsertQueue(id, std::move(spec), now, effects), {std::nullopt});
}

}  // namespace sb::sim
