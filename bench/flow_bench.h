// The routing-flow benchmarks: how fast the engine turns a new job into an offer in a realistic
// contact centre (1,000 workers across 10 queues, jobs with 1-2 selectors, reported as jobs/s),
// and how fast a worker who becomes available is offered the best of the jobs waiting in a
// queue (100 or 10,000 of them). Figures only: nothing here judges them.
#pragma once

namespace sb::bench {

void RegisterFlowBenchmarks();

}  // namespace sb::bench
