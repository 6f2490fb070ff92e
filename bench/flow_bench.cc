#include "flow_bench.h"

#include <benchmark/benchmark.h>

#include <deque>
#include <memory>
#include <string>

#include "base/random.h"
#include "engine_fixture.h"

namespace sb::bench {
namespace {

using core::DistributionModeKind;
using core::LabelOperator;

// --- Job create -> offer issued -----------------------------------------------------------

constexpr int kQueues = 10;
constexpr int kAgents = 1'000;
constexpr std::uint64_t kJobPool = 1'024;  // job specs, drawn once and cycled through
constexpr const char* kLanguages[] = {"en", "fr", "de", "es"};

struct Assigned {
  std::string job_id;
  std::string assignment_id;
};

// 1,000 agents across 10 longest-idle queues (each in one queue, 30% in a second), on voice
// (one call at a time) and chat (up to two); each speaks one of four languages at a skill of
// 1-10. Jobs pick a queue, a channel (70% voice), a priority, a language and, half of them, a
// minimum skill. Accepted jobs stay assigned until `in_flight` are, then the oldest closes.
struct ContactCentre {
  BenchEngine bench;
  std::vector<core::JobSpec> jobs;
  std::uint64_t next_job = 0;
  std::deque<Assigned> assigned;
};

int Draw(Random& random, int bound) {
  return static_cast<int>(random.Uniform(static_cast<std::uint64_t>(bound)));
}

std::string QueueId(int i) { return NumberedId("queue", static_cast<std::uint64_t>(i)); }

core::WorkerSpec Agent(Random& random, int i) {
  core::WorkerSpec spec;
  spec.queues.push_back(QueueId(i % kQueues));
  if (Draw(random, 10) < 3)
    spec.queues.push_back(QueueId((i + 1 + Draw(random, kQueues - 1)) % kQueues));
  spec.capacity = 2;
  spec.labels = {{"language", Value(kLanguages[Draw(random, 4)])},
                 {"skill", Value(1 + Draw(random, 10))},
                 {"site", Value("lisbon")}};
  spec.channels = {core::Channel{"voice", 1, 1}, core::Channel{"chat", 1, 2}};
  spec.available_for_offers = true;
  return spec;
}

core::JobSpec CustomerJob(Random& random) {
  std::vector<core::WorkerSelector> selectors{
      Selector("language", LabelOperator::kEqual, Value(kLanguages[Draw(random, 4)]))};
  if (Draw(random, 2) == 0) {
    selectors.push_back(
        Selector("skill", LabelOperator::kGreaterThanOrEqual, Value(1 + Draw(random, 5))));
  }
  core::JobSpec spec = VoiceJob(QueueId(Draw(random, kQueues)), 1 + Draw(random, 10), selectors);
  if (Draw(random, 10) < 3) spec.channel_id = "chat";
  return spec;
}

ContactCentre& Centre() {
  static std::unique_ptr<ContactCentre> centre = [] {
    auto built = std::make_unique<ContactCentre>();
    Random random(7);
    for (int q = 0; q < kQueues; ++q)
      built->bench.AddQueue(QueueId(q), DistributionModeKind::kLongestIdle);
    for (int i = 0; i < kAgents; ++i) {
      built->bench.AddWorker(NumberedId("agent", static_cast<std::uint64_t>(i)), Agent(random, i));
    }
    for (std::uint64_t j = 0; j < kJobPool; ++j) built->jobs.push_back(CustomerJob(random));
    return built;
  }();
  return *centre;
}

void Finish(ContactCentre& centre, const Assigned& job) {
  core::Engine& engine = centre.bench.engine();
  core::Effects& effects = centre.bench.effects();
  Require(engine.CompleteJob(job.job_id, job.assignment_id, {}, centre.bench.Tick(), effects),
          "complete");
  Require(engine.CloseJob(job.job_id, job.assignment_id, {}, centre.bench.Tick(), effects),
          "close");
  Require(engine.DeleteJob(job.job_id, centre.bench.Tick(), effects), "delete");
}

// What follows the offer (or its absence): accept and keep the job assigned, closing the oldest
// beyond `in_flight`; a job nobody could be offered is cancelled and deleted.
void Settle(ContactCentre& centre, const std::string& job_id, const core::Event* offer,
            std::size_t in_flight) {
  core::Engine& engine = centre.bench.engine();
  if (!offer) {
    Require(engine.CancelJob(job_id, {}, centre.bench.Tick(), centre.bench.effects()), "cancel");
    Require(engine.DeleteJob(job_id, centre.bench.Tick(), centre.bench.effects()), "delete");
    return;
  }
  const std::string worker_id = offer->worker_id, offer_id = offer->offer_id;
  const core::AcceptJobOfferResult accepted = Require(
      engine.AcceptJobOffer(worker_id, offer_id, centre.bench.Tick(), centre.bench.effects()),
      "accept");
  centre.assigned.push_back({job_id, accepted.assignment_id});
  while (centre.assigned.size() > in_flight) {
    Finish(centre, centre.assigned.front());
    centre.assigned.pop_front();
  }
}

// Creates and settles jobs (untimed) until `in_flight` are assigned, so the timed loop starts
// in the steady state; bounded, since a job nobody can take does not count.
void FillTo(ContactCentre& centre, std::size_t in_flight) {
  for (std::size_t attempt = 0; centre.assigned.size() < in_flight && attempt < 4 * in_flight;
       ++attempt) {
    const std::string id = NumberedId("job", ++centre.next_job);
    centre.bench.AddJob(id, centre.jobs[centre.next_job % kJobPool]);
    const core::Event* offer =
        FindEvent(centre.bench.effects(), core::EventType::kWorkerOfferIssued);
    Settle(centre, id, offer, in_flight);
  }
}

// Times the UpsertJob that creates a job and issues its offer; the rest of the job's life
// (accept, complete, close, delete) is untimed and reported as settle_us.
void JobCreateToOffer(benchmark::State& state, std::size_t in_flight) {
  ContactCentre& centre = Centre();
  FillTo(centre, in_flight);
  BenchEngine& bench = centre.bench;
  std::int64_t offered = 0;
  double timed_seconds = 0, settle_seconds = 0;
  for (auto _ : state) {
    const std::string id = NumberedId("job", ++centre.next_job);
    core::JobSpec spec = centre.jobs[centre.next_job % kJobPool];
    const Timestamp now = bench.Tick();
    bool created = false;
    const double seconds = SecondsOf([&] {
      created = bench.engine().UpsertJob(id, std::move(spec), now, bench.effects()).ok();
    });
    state.SetIterationTime(seconds);
    timed_seconds += seconds;
    if (!created) {
      state.SkipWithError("UpsertJob failed: the benchmark's setup is wrong");
      break;
    }
    const core::Event* offer = FindEvent(bench.effects(), core::EventType::kWorkerOfferIssued);
    offered += offer != nullptr;
    settle_seconds += SecondsOf([&] { Settle(centre, id, offer, in_flight); });
  }
  const auto iterations = static_cast<double>(state.iterations() > 0 ? state.iterations() : 1);
  state.counters["jobs_per_s"] = timed_seconds > 0 ? iterations / timed_seconds : 0;
  state.counters["offered_pct"] = 100.0 * static_cast<double>(offered) / iterations;
  state.counters["settle_us"] = settle_seconds * 1e6 / iterations;
}

// --- Worker available -> offer for the best waiting job -------------------------------------

// `waiting` queued jobs (random priorities) in one queue that no worker is ready for, and one
// agent who toggles availableForOffers. With `one_percent`, only every 100th job (in creation
// order; spread over the queue order by the random priorities) fits the agent.
struct Backlog {
  int waiting = 0;
  bool one_percent = false;
  BenchEngine bench;
  core::WorkerSpec available;
  core::WorkerSpec away;
};

std::unique_ptr<Backlog> BuildBacklog(int waiting, bool one_percent) {
  auto backlog = std::make_unique<Backlog>();
  backlog->waiting = waiting;
  backlog->one_percent = one_percent;
  BenchEngine& bench = backlog->bench;
  bench.AddQueue("queue", DistributionModeKind::kLongestIdle);
  Random random(11);
  for (int i = 0; i < waiting; ++i) {
    const char* language = !one_percent || i % 100 == 99 ? "en" : "de";
    bench.AddJob(NumberedId("job", static_cast<std::uint64_t>(i)),
                 VoiceJob("queue", 1 + Draw(random, 10),
                          {Selector("language", LabelOperator::kEqual, Value(language))}));
  }
  backlog->available = VoiceWorker({"queue"}, {{"language", Value("en")}});
  backlog->away = backlog->available;
  backlog->away.available_for_offers = false;
  bench.AddWorker("agent", backlog->away);
  return backlog;
}

Backlog& BacklogFor(int waiting, bool one_percent) {
  static std::unique_ptr<Backlog> current;
  if (!current || current->waiting != waiting || current->one_percent != one_percent) {
    current.reset();
    current = BuildBacklog(waiting, one_percent);
  }
  return *current;
}

// Times the UpsertWorker that makes the agent available (and offers it the best job that fits);
// making the agent unavailable again (untimed) revokes the offer and restores the backlog.
void WorkerAvailableToOffer(benchmark::State& state, int waiting, bool one_percent) {
  Backlog& backlog = BacklogFor(waiting, one_percent);
  BenchEngine& bench = backlog.bench;
  std::int64_t offered = 0;
  for (auto _ : state) {
    core::WorkerSpec spec = backlog.available;
    const Timestamp now = bench.Tick();
    bool ok = false;
    state.SetIterationTime(SecondsOf([&] {
      ok = bench.engine().UpsertWorker("agent", std::move(spec), now, bench.effects()).ok();
    }));
    if (!ok) {
      state.SkipWithError("UpsertWorker failed: the benchmark's setup is wrong");
      break;
    }
    offered += FindEvent(bench.effects(), core::EventType::kWorkerOfferIssued) != nullptr;
    Require(bench.engine().UpsertWorker("agent", backlog.away, bench.Tick(), bench.effects()),
            "agent away");
  }
  if (offered != state.iterations()) state.SkipWithError("no offer was issued: setup is wrong");
  state.counters["waiting_jobs"] = waiting;
}

}  // namespace

void RegisterFlowBenchmarks() {
  for (std::size_t in_flight : {std::size_t{0}, std::size_t{500}}) {
    const std::string name =
        "JobCreateToOffer/workers:1000/queues:10/assignedInFlight:" + std::to_string(in_flight);
    benchmark::RegisterBenchmark(name.c_str(), JobCreateToOffer, in_flight)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
  for (bool one_percent : {false, true}) {
    for (int waiting : {100, 10'000}) {
      const std::string name = "WorkerAvailableToOffer/waiting:" + std::to_string(waiting) +
                               (one_percent ? "/jobsThatFit:1pct" : "/jobsThatFit:all");
      benchmark::RegisterBenchmark(name.c_str(), WorkerAvailableToOffer, waiting, one_percent)
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace sb::bench
