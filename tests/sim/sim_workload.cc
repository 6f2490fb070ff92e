// The world the workload builds, the random specs it draws, and the choice of command. The
// commands themselves are in sim_commands.cc.
#include "sim_workload.h"

#include <algorithm>

namespace sb::sim {
namespace {

using core::DistributionModeKind;
using core::LabelOperator;

const std::vector<std::string> kChannels = {"voice", "chat", "email"};
const std::vector<std::string> kLabelKeys = {"skill", "lang", "vip", "level"};
const std::vector<std::string> kLanguages = {"en", "fr", "de", "es"};

constexpr std::size_t kMaxLiveJobs = 160;
constexpr std::size_t kMaxWorkers = 60;

}  // namespace

Workload::Workload(std::uint64_t seed, core::Engine& engine, Checker& checker,
                   std::function<void(const std::string&)> describe)
    : random_(seed ^ 0x5eed5eed5eed5eedULL),
      engine_(engine),
      checker_(checker),
      describe_(std::move(describe)) {}

Value Workload::RandomLabelValue(const std::string& key) {
  if (Chance(0.03)) return Value("odd");  // a kind the key does not usually have
  if (key == "skill") return Value(Between(0, 10));
  if (key == "lang") return Value(Pick(kLanguages));
  if (key == "vip") return Value(Chance(0.5));
  return Value(Between(0, 10) / 2.0);  // level: 0, 0.5, ..., 5
}

LabelMap Workload::RandomLabels() {
  LabelMap labels;
  for (const std::string& key : kLabelKeys) {
    if (Chance(key == "skill" || key == "lang" ? 0.75 : 0.4)) labels[key] = RandomLabelValue(key);
  }
  return labels;
}

core::WorkerSelector Workload::RandomSelector() {
  core::WorkerSelector selector;
  selector.key = Pick(kLabelKeys);
  selector.label_operator = static_cast<LabelOperator>(random_.Uniform(6));
  selector.value = RandomLabelValue(selector.key);
  if (Chance(0.25)) selector.expires_after_seconds = Between(5, 120);
  if (Chance(0.1)) selector.expedite = true;
  return selector;
}

std::vector<core::WorkerSelector> Workload::RandomSelectors() {
  std::vector<core::WorkerSelector> selectors;
  const int n = Chance(0.4) ? 0 : (Chance(0.67) ? 1 : 2);
  for (int i = 0; i < n; ++i) selectors.push_back(RandomSelector());
  return selectors;
}

core::DistributionPolicySpec Workload::RandomPolicy() {
  core::DistributionPolicySpec spec;
  core::DistributionMode mode;
  mode.kind = static_cast<DistributionModeKind>(random_.Uniform(3));
  mode.min_concurrent_offers = Chance(0.7) ? 1 : Between(2, 3);
  mode.max_concurrent_offers = mode.min_concurrent_offers + Between(0, 2);
  mode.bypass_selectors = Chance(0.1);
  spec.mode = mode;
  if (!Chance(0.15)) spec.offer_expires_after_seconds = Between(10, 300);
  return spec;
}

std::vector<std::string> Workload::RandomQueues() {
  std::vector<std::string> queues;
  const int n = Chance(0.05) ? 0 : Between(1, 3);
  for (int i = 0; i < n; ++i) {
    const std::string& id = Pick(queue_ids_);
    if (std::find(queues.begin(), queues.end(), id) == queues.end()) queues.push_back(id);
  }
  return queues;
}

core::WorkerSpec Workload::RandomWorker() {
  core::WorkerSpec spec;
  spec.queues = RandomQueues();
  spec.capacity = Chance(0.1) ? 100 : Between(1, 10);
  for (const std::string& channel : kChannels) {
    if (!Chance(0.6)) continue;
    const int cost = spec.capacity == 100
                         ? Pick(std::vector<int>{20, 50, 100})
                         : (Chance(0.1) ? 0 : Between(1, std::max(1, spec.capacity / 2)));
    std::optional<int> max_jobs;
    if (Chance(0.3)) max_jobs = Between(1, 3);
    spec.channels.push_back({channel, cost, max_jobs});
  }
  if (spec.channels.empty()) spec.channels.push_back({Pick(kChannels), 1, std::nullopt});
  spec.labels = RandomLabels();
  spec.available_for_offers = Chance(0.8);
  if (Chance(0.25)) spec.max_concurrent_offers = Between(1, 3);
  return spec;
}

core::JobSpec Workload::RandomJob(Timestamp now) {
  core::JobSpec spec;
  spec.channel_id = Pick(kChannels);
  if (Chance(0.15)) {
    spec.classification_policy_id = "cp";
    if (Chance(0.4)) spec.queue_id = Pick(queue_ids_);
    if (Chance(0.5)) spec.labels["lang"] = Value(Pick(kLanguages));
  } else {
    spec.queue_id = Pick(queue_ids_);
  }
  spec.priority = Chance(0.05) ? Pick(std::vector<int>{-100, 100}) : Between(-3, 5);
  spec.requested_worker_selectors = RandomSelectors();
  const double mode = random_.UniformDouble();
  if (mode < 0.08) {
    const int offset_s = Chance(0.2) ? -Between(0, 30) : Between(1, 300);
    spec.matching_mode = {core::MatchingModeKind::kScheduleAndSuspend,
                          now + Duration::Seconds(offset_s)};
  } else if (mode < 0.14) {
    spec.matching_mode.kind = core::MatchingModeKind::kSuspend;
  }
  return spec;
}

std::string Workload::PickJob(const std::function<bool(const core::Job&)>& keep) {
  std::vector<std::string> candidates;
  for (const std::string& id : job_ids_) {
    if (keep(*engine_.FindJob(id))) candidates.push_back(id);
  }
  return candidates.empty() ? std::string() : Pick(candidates);
}

std::string Workload::PickWorker(const std::function<bool(const core::Worker&)>& keep) {
  std::vector<std::string> candidates;
  for (const std::string& id : worker_ids_) {
    if (keep(*engine_.FindWorker(id))) candidates.push_back(id);
  }
  return candidates.empty() ? std::string() : Pick(candidates);
}

std::optional<std::string> Workload::BuildWorld(Timestamp now, core::Effects& effects) {
  describe_("build the world");
  const int policies = Between(3, 6);
  for (int i = 0; i < policies; ++i) {
    core::DistributionPolicySpec spec = RandomPolicy();
    spec.mode->kind = static_cast<DistributionModeKind>(i % 3);  // every mode at least once
    if (i < 3) spec.mode->min_concurrent_offers = 1;             // and each with single offers
    spec.mode->max_concurrent_offers =
        std::max(spec.mode->max_concurrent_offers, spec.mode->min_concurrent_offers);
    policy_ids_.push_back("p" + std::to_string(i));
    if (auto r = engine_.UpsertDistributionPolicy(policy_ids_.back(), spec, now, effects); !r) {
      return "policy: " + r.error().message;
    }
  }
  if (auto failure = BuildExceptionPolicy(now, effects)) return failure;
  const int queues = Between(3, 6);
  for (int i = 0; i < queues; ++i) {
    core::QueueSpec spec;
    spec.distribution_policy_id = policy_ids_[static_cast<std::size_t>(i) % policy_ids_.size()];
    if (i > 0 && Chance(0.5)) spec.exception_policy_id = "ep";
    spec.labels["lang"] = Value(kLanguages[static_cast<std::size_t>(i) % kLanguages.size()]);
    queue_ids_.push_back("q" + std::to_string(i));
    if (auto r = engine_.UpsertQueue(queue_ids_.back(), spec, now, effects); !r) {
      return "queue: " + r.error().message;
    }
  }
  core::ClassificationPolicySpec classification;
  classification.fallback_queue_id = queue_ids_[0];
  if (Chance(0.5)) {
    classification.queue_selector_attachments.push_back(core::StaticQueueSelectorAttachment{
        {"lang", LabelOperator::kEqual, Value(Pick(kLanguages))}});
  }
  if (Chance(0.5)) {
    classification.worker_selector_attachments.push_back(
        core::PassThroughWorkerSelectorAttachment{"lang", LabelOperator::kEqual, 60.0});
  }
  if (Chance(0.3)) {
    classification.prioritization_rule = core::StaticRule{Value(Between(-2, 8))};
  } else if (Chance(0.5)) {
    classification.prioritization_rule =
        core::ExpressionRule{"powerFx", "If(job.lang = \"fr\", 5, If(IsBlank(job.lang), 0, 1))"};
  }
  if (Chance(0.5)) {
    classification.queue_selector_attachments.push_back(core::ConditionalQueueSelectorAttachment{
        core::ExpressionRule{"powerFx", "StartsWith(job.lang, \"e\")"},
        {{"lang", LabelOperator::kEqual, Value("en")}}});
  }
  if (auto r = engine_.UpsertClassificationPolicy("cp", classification, now, effects); !r) {
    return "classification policy: " + r.error().message;
  }
  const int workers = Between(20, 60);
  for (int i = 0; i < workers; ++i) {
    if (auto failure = CreateWorker(now, effects)) return failure;
  }
  return std::nullopt;
}

// An exception policy some queues use: a wait-time rule and a queue-length rule, with random
// actions - so triggers, escalations and cancellations happen amid everything else.
std::optional<std::string> Workload::BuildExceptionPolicy(Timestamp now, core::Effects& effects) {
  auto action = [&](int i) -> core::ExceptionAction {
    switch (random_.Uniform(3)) {
      case 0:
        return core::CancelExceptionAction{"a" + std::to_string(i), std::string("exception"), std::nullopt};
      case 1:
        return core::ManualReclassifyExceptionAction{
            "a" + std::to_string(i), Chance(0.5) ? std::optional<std::string>("q0") : std::nullopt,
            Between(-5, 10), {}};
      default:
        return core::ReclassifyExceptionAction{"a" + std::to_string(i), "cp",
                                               {{"escalated", Value(true)}}};
    }
  };
  core::ExceptionPolicySpec spec;
  spec.exception_rules.push_back({"wait", core::WaitTimeExceptionTrigger{static_cast<double>(Between(5, 120))},
                                  {action(0)}});
  spec.exception_rules.push_back({"length", core::QueueLengthExceptionTrigger{Between(2, 8)},
                                  {action(1)}});
  // The classification policy a reclassify names must exist first; queue q0 does not yet, so
  // the policy starts without it and the first "cp" upsert below is what it reclassifies with.
  core::ClassificationPolicySpec placeholder;
  if (auto r = engine_.UpsertClassificationPolicy("cp", placeholder, now, effects); !r) {
    return "classification policy: " + r.error().message;
  }
  for (auto& rule : spec.exception_rules) {
    for (auto& a : rule.actions) {
      if (auto* m = std::get_if<core::ManualReclassifyExceptionAction>(&a)) m->queue_id.reset();
    }
  }
  if (auto r = engine_.UpsertExceptionPolicy("ep", spec, now, effects); !r) {
    return "exception policy: " + r.error().message;
  }
  return std::nullopt;
}

Duration Workload::NextAdvance() {
  const double r = random_.UniformDouble();
  if (r < 0.35) return Duration();
  if (r < 0.75) return Duration::Micros(static_cast<std::int64_t>(random_.Uniform(5'000'000)));
  if (r < 0.90) return Duration::Seconds(Between(5, 60));
  if (r < 0.98) return Duration::Seconds(Between(60, 300));
  return Duration::Seconds(Between(600, 1800));
}

std::optional<std::string> Workload::RunCommand(Timestamp now, core::Effects& effects) {
  using Command = std::optional<std::string> (Workload::*)(Timestamp, core::Effects&);
  struct Weighted {
    int weight;
    Command command;
  };
  static const Weighted kCommands[] = {
      {14, &Workload::CreateJob},   {6, &Workload::UpdateJob},     {4, &Workload::CancelJob},
      {8, &Workload::CompleteJob},  {8, &Workload::CloseJob},      {3, &Workload::UnassignJob},
      {5, &Workload::DeleteJob},    {1, &Workload::ReclassifyJob}, {16, &Workload::AcceptOffer},
      {6, &Workload::DeclineOffer}, {2, &Workload::LateAccept},    {5, &Workload::ToggleWorker},
      {4, &Workload::UpdateWorker}, {1, &Workload::CreateWorker},  {1, &Workload::DeleteWorker},
      {1, &Workload::UpdatePolicy}, {1, &Workload::RepointQueue},
  };
  int total = 0;
  for (const Weighted& w : kCommands) total += w.weight;
  int pick = static_cast<int>(random_.Uniform(static_cast<std::uint64_t>(total)));
  Command chosen = kCommands[0].command;
  for (const Weighted& w : kCommands) {
    if (pick < w.weight) {
      chosen = w.command;
      break;
    }
    pick -= w.weight;
  }
  if (chosen == &Workload::CreateJob && job_ids_.size() >= kMaxLiveJobs) {
    chosen = &Workload::DeleteJob;
  }
  if (chosen == &Workload::CreateWorker && worker_ids_.size() >= kMaxWorkers) {
    chosen = &Workload::DeleteWorker;
  }
  return (this->*chosen)(now, effects);
}

}  // namespace sb::sim
