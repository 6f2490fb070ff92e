#include "engine_fixture.h"

#include <cstdio>
#include <cstdlib>

namespace sb::bench {

void Require(const Status& status, std::string_view what) {
  if (status) return;
  std::fprintf(stderr, "engine_bench: setup failed: %.*s: %s\n", static_cast<int>(what.size()),
               what.data(), status.error().message.c_str());
  std::abort();
}

BenchEngine::BenchEngine() : engine_(std::make_unique<core::Engine>(core::EngineOptions{})) {}

Timestamp BenchEngine::Tick() {
  effects_.Clear();
  now_ = now_ + Duration::Micros(1);
  return now_;
}

void BenchEngine::AddQueue(const std::string& queue_id, core::DistributionModeKind mode) {
  core::DistributionPolicySpec policy;
  policy.offer_expires_after_seconds = kOfferLifetimeSeconds;
  policy.mode = core::DistributionMode{};
  policy.mode->kind = mode;
  const std::string policy_id = "policy-" + queue_id;
  Require(engine_->UpsertDistributionPolicy(policy_id, policy, Tick(), effects_), policy_id);
  core::QueueSpec queue;
  queue.distribution_policy_id = policy_id;
  Require(engine_->UpsertQueue(queue_id, queue, Tick(), effects_), queue_id);
}

void BenchEngine::AddWorker(const std::string& worker_id, core::WorkerSpec spec) {
  Require(engine_->UpsertWorker(worker_id, std::move(spec), Tick(), effects_), worker_id);
}

void BenchEngine::AddJob(const std::string& job_id, core::JobSpec spec) {
  Require(engine_->UpsertJob(job_id, std::move(spec), Tick(), effects_), job_id);
}

std::string ModeName(core::DistributionModeKind mode) {
  switch (mode) {
    case core::DistributionModeKind::kLongestIdle:
      return "longestIdle";
    case core::DistributionModeKind::kRoundRobin:
      return "roundRobin";
    case core::DistributionModeKind::kBestWorker:
      return "bestWorker";
  }
  return "?";
}

std::string NumberedId(std::string_view prefix, std::uint64_t n) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%06llu", static_cast<unsigned long long>(n));
  return std::string(prefix) + digits;
}

core::WorkerSelector Selector(std::string key, core::LabelOperator op, Value value) {
  core::WorkerSelector selector;
  selector.key = std::move(key);
  selector.label_operator = op;
  selector.value = std::move(value);
  return selector;
}

core::WorkerSpec VoiceWorker(std::vector<std::string> queues, LabelMap labels) {
  core::WorkerSpec spec;
  spec.queues = std::move(queues);
  spec.capacity = 1;
  spec.labels = std::move(labels);
  spec.channels.push_back(core::Channel{"voice", 1, std::nullopt});
  spec.available_for_offers = true;
  return spec;
}

core::JobSpec VoiceJob(std::string queue_id, int priority,
                       std::vector<core::WorkerSelector> selectors) {
  core::JobSpec spec;
  spec.channel_id = "voice";
  spec.queue_id = std::move(queue_id);
  spec.priority = priority;
  spec.requested_worker_selectors = std::move(selectors);
  spec.labels = {{"product", Value("broadband")}, {"vip", Value(false)}};
  return spec;
}

const core::Event* FindEvent(const core::Effects& effects, core::EventType type) {
  for (const core::Event& event : effects.events) {
    if (event.type == type) return &event;
  }
  return nullptr;
}

}  // namespace sb::bench
