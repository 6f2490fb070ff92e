// engine_bench: the routing engine's benchmarks (Google Benchmark), driven through the Engine's
// public API with a simulated clock. It prints figures and judges none of them:
// - MatchCost/...: one UpsertJob, matching included, in each distribution mode,
//   against 100 / 10,000 / 100,000 idle workers (match_bench.cc), then the 100k/100 ratios;
// - JobCreateToOffer/... and WorkerAvailableToOffer/... (flow_bench.cc).
// Takes the usual --benchmark_* flags; scripts/bench.sh sets --benchmark_min_time and repeats each
// benchmark (--benchmark_repetitions), since the machines it runs on are often shared.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <vector>

#include "flow_bench.h"
#include "match_bench.h"

namespace {

// The console reporter, keeping every run for the summary printed after the table. When the
// benchmarks are repeated it shows each one's median only, with the spread of the repetitions as
// time_cv_pct (stddev / mean). Colour only on a terminal: the library applies --benchmark_color
// to its own reporter, not to this one.
class KeepingReporter : public benchmark::ConsoleReporter {
 public:
  KeepingReporter() : ConsoleReporter(isatty(STDOUT_FILENO) != 0 ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    kept_.insert(kept_.end(), runs.begin(), runs.end());
    std::vector<Run> shown;
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration) shown.push_back(run);
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        shown.push_back(run);
        shown.back().counters["time_cv_pct"] = CvPercent(runs);
      }
    }
    if (!shown.empty()) ConsoleReporter::ReportRuns(shown);
  }
  const std::vector<Run>& kept() const { return kept_; }

 private:
  static double CvPercent(const std::vector<Run>& aggregates) {
    double mean = 0, stddev = 0;
    for (const Run& run : aggregates) {
      if (run.aggregate_name == "mean") mean = run.GetAdjustedRealTime();
      if (run.aggregate_name == "stddev") stddev = run.GetAdjustedRealTime();
    }
    return mean > 0 ? 100 * stddev / mean : 0;
  }

  std::vector<Run> kept_;
};

}  // namespace

int main(int argc, char** argv) {
  sb::bench::RegisterMatchBenchmarks();
  sb::bench::RegisterFlowBenchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  KeepingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::fflush(stdout);
  sb::bench::PrintMatchRatios(reporter.kept());
  return 0;
}
