#include "match_bench.h"

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "engine_fixture.h"

namespace sb::bench {
namespace {

using core::DistributionModeKind;
using core::LabelOperator;

// What the job asks for, and how the benchmark undoes it.
enum class Variant {
  kNone,           // no selectors; undone by cancel + delete
  kThreeAllMatch,  // three selectors every worker satisfies
  kOnePercent,     // one selector only 1% of workers satisfy
  kNoneRotating,   // no selectors; undone by accept + complete + close + delete, so the offered
                   // worker goes to the back of the longest-idle line, as in production
};

constexpr int kWorkforceSizes[] = {100, 10'000, 100'000};
constexpr int kRareEvery = 100;  // one worker in 100 carries the rare label

const char* Tag(Variant variant) {
  switch (variant) {
    case Variant::kNone:
      return "sel0";
    case Variant::kThreeAllMatch:
      return "sel3all";
    case Variant::kOnePercent:
      return "eligible1pct";
    case Variant::kNoneRotating:
      return "sel0rotating";
  }
  return "?";
}

const char* Describe(Variant variant) {
  switch (variant) {
    case Variant::kNone:
      return "0 selectors";
    case Variant::kThreeAllMatch:
      return "3 selectors every worker satisfies";
    case Variant::kOnePercent:
      return "1% of workers eligible";
    case Variant::kNoneRotating:
      return "0 selectors, offered worker rotates to the back";
  }
  return "?";
}

// Idle workers in one queue, registered in id order (so longest-idle order is id order too).
// The last worker of every block of 100 carries the rare label: whichever order a mode walks,
// the 1% case examines about 100 workers before it finds an eligible one, at any size.
struct Workforce {
  DistributionModeKind mode;
  int size = 0;
  BenchEngine bench;
  std::uint64_t next_job = 0;
};

std::unique_ptr<Workforce> BuildWorkforce(DistributionModeKind mode, int size) {
  auto workforce = std::make_unique<Workforce>();
  workforce->mode = mode;
  workforce->size = size;
  BenchEngine& bench = workforce->bench;
  bench.AddQueue("queue", mode);
  for (int i = 0; i < size; ++i) {
    LabelMap labels{{"region", Value("emea")}, {"tier", Value(2)}, {"language", Value("en")}};
    if (i % kRareEvery == kRareEvery - 1) labels.emplace("rare", Value(true));
    bench.AddWorker(NumberedId("w", static_cast<std::uint64_t>(i)),
                    VoiceWorker({"queue"}, std::move(labels)));
  }
  return workforce;
}

// One workforce lives at a time (100k workers take a few hundred MB); the benchmarks are
// registered so that every case on one (mode, size) runs back to back.
Workforce& WorkforceFor(DistributionModeKind mode, int size) {
  static std::unique_ptr<Workforce> current;
  if (!current || current->mode != mode || current->size != size) {
    current.reset();
    current = BuildWorkforce(mode, size);
  }
  return *current;
}

core::JobSpec JobFor(Variant variant) {
  std::vector<core::WorkerSelector> list;
  if (variant == Variant::kThreeAllMatch) {
    list.push_back(Selector("region", LabelOperator::kEqual, Value("emea")));
    list.push_back(Selector("tier", LabelOperator::kGreaterThanOrEqual, Value(1)));
    list.push_back(Selector("language", LabelOperator::kNotEqual, Value("fr")));
  } else if (variant == Variant::kOnePercent) {
    list.push_back(Selector("rare", LabelOperator::kEqual, Value(true)));
  }
  return VoiceJob("queue", 1, std::move(list));
}

// Undoes a job that was offered. Cancelling returns the worker to where it was in the ready
// index; going through an assignment instead files it again under a fresh idle time.
void Undo(BenchEngine& bench, const std::string& job_id, const core::Event& offer,
          Variant variant) {
  core::Engine& engine = bench.engine();
  if (variant != Variant::kNoneRotating) {
    Require(engine.CancelJob(job_id, {}, bench.Tick(), bench.effects()), "cancel");
    Require(engine.DeleteJob(job_id, bench.Tick(), bench.effects()), "delete");
    return;
  }
  const std::string worker_id = offer.worker_id, offer_id = offer.offer_id;
  const std::string assignment_id =
      Require(engine.AcceptJobOffer(worker_id, offer_id, bench.Tick(), bench.effects()), "accept")
          .assignment_id;
  Require(engine.CompleteJob(job_id, assignment_id, {}, bench.Tick(), bench.effects()), "complete");
  Require(engine.CloseJob(job_id, assignment_id, {}, bench.Tick(), bench.effects()), "close");
  Require(engine.DeleteJob(job_id, bench.Tick(), bench.effects()), "delete");
}

// Times the UpsertJob that creates and offers a job; undoing it afterwards (untimed, reported
// as undo_us) leaves the workforce as it was, or rotated (kNoneRotating), for the next one.
void MatchCost(benchmark::State& state, DistributionModeKind mode, Variant variant, int size) {
  Workforce& workforce = WorkforceFor(mode, size);
  BenchEngine& bench = workforce.bench;
  const core::JobSpec job = JobFor(variant);
  double undo_seconds = 0;
  for (auto _ : state) {
    const std::string id = NumberedId("job", ++workforce.next_job);
    core::JobSpec spec = job;
    const Timestamp now = bench.Tick();
    bool created = false;
    state.SetIterationTime(SecondsOf([&] {
      created = bench.engine().UpsertJob(id, std::move(spec), now, bench.effects()).ok();
    }));
    if (!created) {
      state.SkipWithError("UpsertJob failed: the benchmark's setup is wrong");
      break;
    }
    const core::Event* offer = FindEvent(bench.effects(), core::EventType::kWorkerOfferIssued);
    if (!offer) {
      state.SkipWithError("the job was not offered: the benchmark's setup is wrong");
      break;
    }
    undo_seconds += SecondsOf([&] { Undo(bench, id, *offer, variant); });
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["undo_us"] = undo_seconds * 1e6 / (iterations > 0 ? iterations : 1);
  state.counters["workers"] = size;
}

struct Case {
  DistributionModeKind mode;
  Variant variant;
  int size;
};

// Registered name -> case, for the ratio summary.
std::map<std::string, Case>& Registry() {
  static std::map<std::string, Case> registry;
  return registry;
}

std::string NameOf(const Case& c) {
  return "MatchCost/" + ModeName(c.mode) + "/" + Tag(c.variant) +
         "/workers:" + std::to_string(c.size);
}

std::string Micros(const std::map<int, double>& by_size, int size) {
  auto it = by_size.find(size);
  if (it == by_size.end()) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f us", it->second);
  return text;
}

void PrintRatio(const std::pair<DistributionModeKind, Variant>& key,
                const std::map<int, double>& by_size, bool& header) {
  auto small = by_size.find(100), large = by_size.find(100'000);
  if (small == by_size.end() || large == by_size.end() || small->second <= 0) return;
  if (!header) {
    std::printf(
        "\nMatch cost of one UpsertJob (create + match + offer); the issue's target "
        "is a ratio of at most 2:\n");
    header = true;
  }
  std::printf("match cost ratio 100k/100 (%s, %s): %.2f   [100: %s, 10k: %s, 100k: %s]\n",
              ModeName(key.first).c_str(), Describe(key.second), large->second / small->second,
              Micros(by_size, 100).c_str(), Micros(by_size, 10'000).c_str(),
              Micros(by_size, 100'000).c_str());
}

}  // namespace

void RegisterMatchBenchmarks() {
  for (DistributionModeKind mode :
       {DistributionModeKind::kLongestIdle, DistributionModeKind::kRoundRobin,
        DistributionModeKind::kBestWorker}) {
    for (int size : kWorkforceSizes) {
      for (Variant variant : {Variant::kNone, Variant::kThreeAllMatch, Variant::kOnePercent,
                              Variant::kNoneRotating}) {
        // Round robin moves on after every offer anyway; rotating shows longest idle doing so.
        if (variant == Variant::kNoneRotating && mode != DistributionModeKind::kLongestIdle) {
          continue;
        }
        const Case c{mode, variant, size};
        const std::string name = NameOf(c);
        Registry().emplace(name, c);
        benchmark::RegisterBenchmark(name.c_str(), MatchCost, mode, variant, size)
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

void PrintMatchRatios(const std::vector<benchmark::BenchmarkReporter::Run>& runs) {
  using Run = benchmark::BenchmarkReporter::Run;
  // (mode, variant) -> size -> microseconds per UpsertJob. With --benchmark_repetitions the
  // median stands for a case (it is reported after the repetitions, so it overwrites them).
  std::map<std::pair<DistributionModeKind, Variant>, std::map<int, double>> times;
  for (const Run& run : runs) {
    const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
    if (run.error_occurred || (run.run_type != Run::RT_Iteration && !median)) continue;
    auto it = Registry().find(run.run_name.function_name);
    if (it == Registry().end()) continue;
    const Case& c = it->second;
    times[{c.mode, c.variant}][c.size] = run.GetAdjustedRealTime();  // us (the unit set)
  }
  bool header = false;
  for (const auto& entry : times) PrintRatio(entry.first, entry.second, header);
}

}  // namespace sb::bench
