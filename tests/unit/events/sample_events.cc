#include "sample_events.h"

namespace sb::events::testing {

using core::EventType;

namespace {

Timestamp At(int seconds) { return Timestamp::FromUnixSeconds(1'700'000'000 + seconds); }

core::WorkerSelector Selector(std::string key, core::LabelOperator op, Value value, bool expired) {
  core::WorkerSelector s;
  s.key = std::move(key);
  s.label_operator = op;
  s.value = std::move(value);
  s.expires_after_seconds = 90.5;
  s.status = expired ? core::WorkerSelectorStatus::kExpired : core::WorkerSelectorStatus::kActive;
  s.expires_at = At(90);
  return s;
}

std::shared_ptr<core::EventJob> SampleJob() {
  auto job = std::make_shared<core::EventJob>();
  job->id = "job-1";
  job->channel_reference = "call-123";
  job->channel_id = "voice";
  job->queue_id = "queue-1";
  job->classification_policy_id = "policy-1";
  job->priority = 5;
  job->status = core::JobStatus::kQueued;
  job->labels = {{"Language", Value("en")},
                 {"Skill", Value(11)},
                 {"Weight", Value(2.5)},
                 {"Vip", Value(true)}};
  job->tags = {{"Source", Value("web")}, {"Score", Value(0.75)}};
  job->requested_worker_selectors = {
      Selector("Skill", core::LabelOperator::kGreaterThan, Value(10), false)};
  job->attached_worker_selectors = {
      Selector("Language", core::LabelOperator::kEqual, Value("en"), false),
      Selector("Tier", core::LabelOperator::kLessThanOrEqual, Value(3), true)};
  job->scheduled_at = At(600);
  job->unavailable_for_matching = true;
  return job;
}

std::shared_ptr<core::EventWorker> SampleWorker(bool with_queues) {
  auto worker = std::make_shared<core::EventWorker>();
  worker->id = "worker-1";
  worker->labels = {{"Id", Value("worker-1")}, {"Skill", Value(11)}, {"English", Value(true)}};
  worker->tags = {{"Team", Value("blue")}};
  worker->capacity = 10;
  worker->channels = {{"voice", 10, std::nullopt}, {"chat", 2, 5}};
  if (with_queues) {
    worker->queues = {{"queue-1", std::string("Queue One"), {{"Region", Value("emea")}}},
                      {"queue-2", std::nullopt, {}}};
  }
  return worker;
}

}  // namespace

std::vector<EventType> AllEventTypes() {
  std::vector<EventType> out;
  for (int i = 0; i <= static_cast<int>(EventType::kWorkerUpdated); ++i) {
    out.push_back(static_cast<EventType>(i));
  }
  return out;
}

core::Event SampleEvent(EventType type) {
  core::Event e;
  e.type = type;
  e.at = At(1);
  const bool job_event = type <= EventType::kJobDeleted;
  const bool offer =
      type >= EventType::kWorkerOfferIssued && type <= EventType::kWorkerOfferExpired;
  if (job_event || offer) {
    e.job = SampleJob();
    e.job_id = "job-1";
    e.queue_id = "queue-1";
  }
  if (!job_event) {
    e.worker =
        SampleWorker(type == EventType::kWorkerRegistered || type == EventType::kWorkerUpdated);
    e.worker_id = "worker-1";
  }
  if (offer) e.offer_id = "offer-1";
  switch (type) {
    case EventType::kJobClassified:
      e.queue_details =
          core::EventQueue{"queue-1", std::string("Queue One"), {{"Region", Value("emea")}}};
      break;
    case EventType::kJobClassificationFailed: e.detail = "no queue matched"; break;
    case EventType::kJobCompleted:
    case EventType::kJobUnassigned:
    case EventType::kJobClosed:
      e.worker_id = "worker-1";
      e.assignment_id = "assignment-1";
      if (type == EventType::kJobClosed) e.detail = "resolved";
      break;
    case EventType::kJobCancelled:
      e.detail = "abandoned";
      e.note = "the caller hung up";
      break;
    case EventType::kJobExceptionTriggered:
      e.rule_key = "waitTime";
      e.exception_rule_id = "rule-1";
      break;
    case EventType::kJobWorkerSelectorsExpired:
    case EventType::kJobWaitingForActivation:
    case EventType::kJobSchedulingFailed:
      e.expired_requested_selectors = e.job->requested_worker_selectors;
      e.expired_attached_selectors = {e.job->attached_worker_selectors[1]};
      if (type == EventType::kJobSchedulingFailed) e.detail = "the schedule passed";
      break;
    case EventType::kWorkerOfferIssued:
      e.offered_at = At(2);
      e.expires_at = At(62);
      break;
    case EventType::kWorkerOfferAccepted: e.assignment_id = "assignment-1"; break;
    case EventType::kWorkerUpdated: e.updated_properties = {"TotalCapacity", "Labels"}; break;
    default: break;
  }
  return e;
}

}  // namespace sb::events::testing
