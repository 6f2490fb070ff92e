#include "engine_fixture.h"

namespace sb::core::testing {

DistributionPolicySpec Policy(DistributionModeKind kind, int min_offers, int max_offers,
                              std::optional<double> offer_expires_after_seconds,
                              bool bypass_selectors) {
  DistributionPolicySpec spec;
  spec.offer_expires_after_seconds = offer_expires_after_seconds;
  DistributionMode mode;
  mode.kind = kind;
  mode.min_concurrent_offers = min_offers;
  mode.max_concurrent_offers = max_offers;
  mode.bypass_selectors = bypass_selectors;
  spec.mode = mode;
  return spec;
}

WorkerSelector Sel(std::string key, LabelOperator op, Value value) {
  WorkerSelector selector;
  selector.key = std::move(key);
  selector.label_operator = op;
  selector.value = std::move(value);
  return selector;
}

JobSpec JobIn(std::string queue_id, std::string channel_id, std::vector<WorkerSelector> selectors,
              int priority) {
  JobSpec spec;
  spec.queue_id = std::move(queue_id);
  spec.channel_id = std::move(channel_id);
  spec.requested_worker_selectors = std::move(selectors);
  spec.priority = priority;
  return spec;
}

WorkerSpec WorkerIn(std::vector<std::string> queues, int capacity, std::vector<Channel> channels,
                    LabelMap labels, bool available) {
  WorkerSpec spec;
  spec.queues = std::move(queues);
  spec.capacity = capacity;
  spec.channels = std::move(channels);
  spec.labels = std::move(labels);
  spec.available_for_offers = available;
  return spec;
}

void EngineTest::Advance(double seconds) { AdvanceTo(now_ + Duration::FromSecondsDouble(seconds)); }

void EngineTest::AdvanceTo(Timestamp at) {
  now_ = at;
  effects_.Clear();
  engine_.AdvanceTo(now_, effects_);
  engine_.CheckInvariants();
}

void EngineTest::AddPolicy(const std::string& id, DistributionPolicySpec spec) {
  effects_.Clear();
  auto result = engine_.UpsertDistributionPolicy(id, std::move(spec), now_, effects_);
  ASSERT_TRUE(result.ok()) << result.error().message;
  engine_.CheckInvariants();
}

void EngineTest::AddQueue(const std::string& id, const std::string& policy_id, LabelMap labels) {
  QueueSpec spec;
  spec.distribution_policy_id = policy_id;
  spec.labels = std::move(labels);
  effects_.Clear();
  auto result = engine_.UpsertQueue(id, std::move(spec), now_, effects_);
  ASSERT_TRUE(result.ok()) << result.error().message;
  engine_.CheckInvariants();
}

const Worker& EngineTest::PutWorker(const std::string& id, WorkerSpec spec) {
  effects_.Clear();
  auto result = engine_.UpsertWorker(id, std::move(spec), now_, effects_);
  EXPECT_TRUE(result.ok()) << result.error().message;
  engine_.CheckInvariants();
  return WorkerNamed(id);
}

const Job& EngineTest::PutJob(const std::string& id, JobSpec spec) {
  effects_.Clear();
  auto result = engine_.UpsertJob(id, std::move(spec), now_, effects_);
  EXPECT_TRUE(result.ok()) << result.error().message;
  engine_.CheckInvariants();
  return JobNamed(id);
}

AcceptJobOfferResult EngineTest::Accept(const std::string& worker_id, const std::string& offer_id) {
  effects_.Clear();
  auto result = engine_.AcceptJobOffer(worker_id, offer_id, now_, effects_);
  engine_.CheckInvariants();
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? *result : AcceptJobOfferResult{};
}

void EngineTest::Decline(const std::string& worker_id, const std::string& offer_id,
                         std::optional<Timestamp> retry_offer_at) {
  effects_.Clear();
  auto status = engine_.DeclineJobOffer(worker_id, offer_id, {retry_offer_at}, now_, effects_);
  EXPECT_TRUE(status.ok()) << status.error().message;
  engine_.CheckInvariants();
}

void EngineTest::Complete(const std::string& job_id, const std::string& assignment_id) {
  effects_.Clear();
  auto status = engine_.CompleteJob(job_id, assignment_id, {}, now_, effects_);
  EXPECT_TRUE(status.ok()) << status.error().message;
  engine_.CheckInvariants();
}

void EngineTest::Close(const std::string& job_id, const std::string& assignment_id,
                       CloseJobOptions options) {
  effects_.Clear();
  auto status = engine_.CloseJob(job_id, assignment_id, std::move(options), now_, effects_);
  EXPECT_TRUE(status.ok()) << status.error().message;
  engine_.CheckInvariants();
}

void EngineTest::Cancel(const std::string& job_id, CancelJobOptions options) {
  effects_.Clear();
  auto status = engine_.CancelJob(job_id, std::move(options), now_, effects_);
  EXPECT_TRUE(status.ok()) << status.error().message;
  engine_.CheckInvariants();
}

std::string EngineTest::AcceptOfferFor(const std::string& job_id, const std::string& worker_id) {
  const std::string offer_id = OfferId(job_id, worker_id);
  EXPECT_FALSE(offer_id.empty()) << "no offer of " << job_id << " to " << worker_id;
  if (offer_id.empty()) return {};
  return Accept(worker_id, offer_id).assignment_id;
}

void EngineTest::BasicQueue(DistributionPolicySpec policy) {
  AddPolicy("p", std::move(policy));
  AddQueue("q", "p");
}

const Job& EngineTest::JobNamed(const std::string& id) const {
  const Job* job = engine_.FindJob(id);
  SB_ASSERT_MSG(job != nullptr, id.c_str());
  return *job;
}

const Worker& EngineTest::WorkerNamed(const std::string& id) const {
  const Worker* worker = engine_.FindWorker(id);
  SB_ASSERT_MSG(worker != nullptr, id.c_str());
  return *worker;
}

std::vector<Event> EngineTest::Events(EventType type) const {
  std::vector<Event> out;
  for (const Event& event : effects_.events) {
    if (event.type == type) out.push_back(event);
  }
  return out;
}

std::vector<std::string> EngineTest::OfferedWorkers() const {
  std::vector<std::string> out;
  for (const Event& event : Events(EventType::kWorkerOfferIssued)) out.push_back(event.worker_id);
  return out;
}

std::string EngineTest::OfferId(const std::string& job_id, const std::string& worker_id) const {
  const Worker* worker = engine_.FindWorker(worker_id);
  if (!worker) return {};
  for (const std::string& offer_id : worker->open_offer_ids) {
    const Offer* offer = engine_.FindOffer(offer_id);
    if (offer && offer->job_id == job_id) return offer_id;
  }
  return {};
}

std::vector<std::string> EngineTest::WorkersOffered(const std::string& job_id) const {
  std::vector<std::string> out;
  const Job* job = engine_.FindJob(job_id);
  if (!job) return out;
  for (const std::string& offer_id : job->open_offer_ids) {
    out.push_back(engine_.FindOffer(offer_id)->worker_id);
  }
  return out;
}

}  // namespace sb::core::testing
