// The match-cost benchmarks: what one UpsertJob costs, matching included, as the workforce
// grows from 100 to 100,000 idle workers, per distribution mode and selector shape. The indexed
// modes (longestIdle, roundRobin) walk the ready-worker index and stop at the first fit, so their
// cost should barely move with the workforce (the target: 100k costs at most 2x 100);
// bestWorker scores every ready worker by design and is listed apart. Each job is undone between
// iterations (cancel + delete) so the state repeats; one longestIdle variant goes through an
// assignment instead, so the offered worker moves to the back of the line as in production and
// the walk does not keep hitting the same few (cache-hot) workers. Figures only: nothing here
// judges them.
#pragma once

#include <benchmark/benchmark.h>

#include <vector>

namespace sb::bench {

void RegisterMatchBenchmarks();

// Prints "match cost ratio 100k/100 (mode, variant): X" for every case whose 100 and 100,000
// runs are both among `runs` (their medians when the benchmarks were repeated).
void PrintMatchRatios(const std::vector<benchmark::BenchmarkReporter::Run>& runs);

}  // namespace sb::bench
