// The rules engine's costs: compiling and evaluating a typical classification expression, and
// classifying jobs in-process through a policy with Power Fx rules (jobs per second). Google
// Benchmark; prints figures and asserts nothing about speed.
#include <benchmark/benchmark.h>

#include "core/engine.h"
#include "engine_fixture.h"
#include "expr/program.h"

namespace sb::bench {
namespace {

constexpr char kPriority[] =
    "If(job.Escalated = true, 10, If(job.Segment = \"VIP\" And job.Tenure > 5, 8, 1))";
constexpr char kCondition[] = "StartsWith(job.Region, \"EU\") Or job.Language = \"de\"";

void BM_CompileExpression(benchmark::State& state) {
  for (auto _ : state) {
    auto program = expr::Program::Compile(kPriority);
    benchmark::DoNotOptimize(program);
  }
}
BENCHMARK(BM_CompileExpression);

void BM_EvaluateExpression(benchmark::State& state) {
  const auto program = Require(expr::Program::Compile(kPriority), "compile");
  const LabelMap labels = {{"Escalated", Value(false)}, {"Segment", Value("VIP")},
                           {"Tenure", Value(7)}, {"Region", Value("EU-West")}};
  for (auto _ : state) {
    auto value = program.Evaluate(expr::Bindings{&labels, nullptr});
    benchmark::DoNotOptimize(value);
  }
}
BENCHMARK(BM_EvaluateExpression);

// Jobs classified per second: a policy with a Power Fx prioritization rule, a Power Fx
// condition choosing between two queues, and a pass-through worker selector.
void BM_ClassifyJob(benchmark::State& state) {
  BenchEngine b;
  b.AddQueue("eu", core::DistributionModeKind::kLongestIdle);
  b.AddQueue("other", core::DistributionModeKind::kLongestIdle);
  core::ClassificationPolicySpec policy;
  policy.fallback_queue_id = "other";
  policy.prioritization_rule = core::ExpressionRule{"powerFx", kPriority};
  policy.queue_selector_attachments.push_back(core::ConditionalQueueSelectorAttachment{
      core::ExpressionRule{"powerFx", kCondition},
      {core::QueueSelector{"Id", core::LabelOperator::kEqual, Value("eu")}}});
  policy.worker_selector_attachments.push_back(
      core::PassThroughWorkerSelectorAttachment{"Language", core::LabelOperator::kEqual, std::nullopt});
  Require(b.engine().UpsertClassificationPolicy("cp", policy, b.Tick(), b.effects()), "policy");
  std::uint64_t n = 0;
  for (auto _ : state) {
    core::JobSpec job = VoiceJob("", 1, {});
    job.queue_id.reset();
    job.classification_policy_id = "cp";
    job.labels = {{"Escalated", Value(n % 7 == 0)}, {"Segment", Value("VIP")},
                  {"Tenure", Value(static_cast<std::int64_t>(n % 10))},
                  {"Region", Value(n % 2 ? "EU-West" : "US-East")}, {"Language", Value("de")}};
    const std::string id = NumberedId("job", n++);
    Require(b.engine().UpsertJob(id, std::move(job), b.Tick(), b.effects()), "classify");
    state.PauseTiming();
    Require(b.engine().CancelJob(id, {}, b.Tick(), b.effects()), "cancel");
    Require(b.engine().DeleteJob(id, b.Tick(), b.effects()), "delete");
    state.ResumeTiming();
  }
  state.counters["jobs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ClassifyJob);

}  // namespace
}  // namespace sb::bench

BENCHMARK_MAIN();
