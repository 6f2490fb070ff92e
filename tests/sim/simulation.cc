// The deterministic engine simulation. For each seed: a random world, then random commands at
// random times; after every step the engine's own invariant checker and the external Checker run.
// A failure prints its seed, step and command and exits non-zero; rerun with --seed to replay.
//
// Usage: simulation [--seeds N] [--steps N] [--first-seed S] [--seed S] [--trace]
// Environment (overridden by the flags): SB_SIM_SEEDS, SB_SIM_STEPS, SB_SIM_FIRST_SEED.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "core/engine.h"
#include "sim_checker.h"
#include "sim_workload.h"

namespace sb::sim {
namespace {

struct Config {
  std::uint64_t first_seed = 1;
  std::uint64_t seeds = 200;
  std::uint64_t steps = 2000;
  bool trace = false;
};

constexpr Timestamp kStart = Timestamp::FromUnixSeconds(1'700'000'000);
constexpr int kMaxTimerStepsPerAdvance = 100'000;

// What the simulation is doing, kept preformatted so the abort handler can print it.
char g_context[1024] = "starting";

void SetContext(std::uint64_t seed, std::uint64_t step, const std::string& what) {
  std::snprintf(g_context, sizeof g_context,
                "seed %llu step %llu: %s\nreplay: simulation --seed %llu --steps %llu\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(step),
                what.c_str(), static_cast<unsigned long long>(seed),
                static_cast<unsigned long long>(step + 1));
}

// An engine assertion aborts; say where the simulation was when it did.
extern "C" void OnAbort(int) {
  const char header[] = "simulation aborted at ";
  [[maybe_unused]] auto a = write(STDERR_FILENO, header, sizeof header - 1);
  [[maybe_unused]] auto b = write(STDERR_FILENO, g_context, std::strlen(g_context));
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

struct Totals {
  std::uint64_t steps = 0;
  std::uint64_t events = 0;
  std::map<std::string, std::uint64_t> event_counts;
  std::map<std::string, std::uint64_t> command_counts;
};

class Run {
 public:
  Run(std::uint64_t seed, const Config& config, Totals& totals)
      : seed_(seed),
        config_(config),
        totals_(totals),
        engine_(core::EngineOptions{seed, 0, core::Limits{}}),
        checker_(engine_),
        workload_(seed, engine_, checker_, [this](const std::string& what) { Describe(what); }) {}

  // Returns true when every step held.
  bool Execute() {
    if (!Check(workload_.BuildWorld(now_, effects_))) return false;
    for (step_ = 0; step_ < config_.steps; ++step_) {
      if (!AdvanceClock(now_ + workload_.NextAdvance())) return false;
      effects_.Clear();
      if (!Check(workload_.RunCommand(now_, effects_))) return false;
    }
    for (const auto& [name, count] : workload_.tally()) totals_.command_counts[name] += count;
    return true;
  }

 private:
  void Describe(const std::string& what) {
    what_ = what;
    SetContext(seed_, step_, what);
    if (!config_.trace) return;
    std::printf("seed %llu step %llu t=%lldus: %s\n", static_cast<unsigned long long>(seed_),
                static_cast<unsigned long long>(step_),
                static_cast<long long>((now_ - kStart).micros()), what.c_str());
  }

  // Moves the clock to `target` one timer deadline at a time, checking after each.
  bool AdvanceClock(Timestamp target) {
    for (int i = 0; i < kMaxTimerStepsPerAdvance; ++i) {
      const std::optional<Timestamp> next = engine_.NextDeadline();
      if (!next || *next > target) break;
      if (*next > now_) now_ = *next;
      Describe("timers due at +" + std::to_string((now_ - kStart).micros()) + "us");
      effects_.Clear();
      engine_.AdvanceTo(now_, effects_);
      if (!Check(std::nullopt)) return false;
    }
    if (engine_.NextDeadline() && *engine_.NextDeadline() <= target) {
      return Check("timers keep falling due at the same instant");
    }
    if (target <= now_) return true;
    now_ = target;
    Describe("advance to +" + std::to_string((now_ - kStart).micros()) + "us");
    effects_.Clear();
    engine_.AdvanceTo(now_, effects_);
    return Check(std::nullopt);
  }

  // Runs both checkers after a step; prints and returns false on the first failure.
  bool Check(std::optional<std::string> failure) {
    engine_.CheckInvariants();
    if (!failure) failure = checker_.Step(effects_, now_);
    if (!failure) failure = CheckPersistence();
    ++totals_.steps;
    totals_.events += effects_.events.size();
    for (const core::Event& e : effects_.events)
      ++totals_.event_counts[core::EventTypeName(e.type)];
    if (!failure) return true;
    std::fprintf(stderr,
                 "FAIL seed %llu step %llu: %s\n  after: %s\n  replay: simulation --seed %llu "
                 "--steps %llu --trace\n",
                 static_cast<unsigned long long>(seed_), static_cast<unsigned long long>(step_),
                 failure->c_str(), what_.c_str(), static_cast<unsigned long long>(seed_),
                 static_cast<unsigned long long>(step_ + 1));
    return false;
  }

  using Records = std::map<std::pair<core::EntityKind, std::string>, std::string>;

  static Records AsMap(std::vector<core::StateRecord> records) {
    Records out;
    for (core::StateRecord& r : records) out[{r.kind, std::move(r.id)}] = std::move(*r.data);
    return out;
  }

  static std::optional<std::string> Compare(const Records& expected, const Records& actual,
                                            const char* what) {
    if (expected == actual) return std::nullopt;
    for (const auto& [key, data] : expected) {
      auto it = actual.find(key);
      if (it == actual.end() || it->second != data) {
        return std::string(what) + ": entity '" + key.second + "' (kind " +
               std::to_string(static_cast<int>(key.first)) + ") differs or is missing";
      }
    }
    return std::string(what) + ": an entity is there that should not be";
  }

  // Durability: the records a store would hold after applying every step's changes equal the
  // engine's whole state; every so often, an engine restored from them is the same engine.
  std::optional<std::string> CheckPersistence() {
    for (core::StateRecord& r : engine_.ExportChanges(effects_.changes)) {
      if (r.data) {
        persisted_[{r.kind, r.id}] = std::move(*r.data);
      } else {
        persisted_.erase({r.kind, r.id});
      }
    }
    ++persistence_checks_;
    if (persistence_checks_ % 25 != 0) return std::nullopt;
    const Records all = AsMap(engine_.ExportAll());
    if (auto diff = Compare(all, persisted_, "stored changes miss a change")) return diff;
    if (persistence_checks_ % 250 != 0) return std::nullopt;
    std::vector<core::StateRecord> records;
    for (const auto& [key, data] : persisted_) records.push_back({key.first, key.second, data});
    core::Engine restored(core::EngineOptions{seed_ + 1, 1, core::Limits{}});
    if (Status s = restored.Restore(std::move(records), engine_.ExportMeta()); !s) {
      return "restore failed: " + s.error().message;
    }
    restored.CheckInvariants();
    if (restored.ExportMeta() != engine_.ExportMeta()) return std::string("restored meta differs");
    return Compare(all, AsMap(restored.ExportAll()), "restored state differs");
  }

  Records persisted_;
  std::uint64_t persistence_checks_ = 0;
  std::uint64_t seed_;
  const Config& config_;
  Totals& totals_;
  core::Engine engine_;
  Checker checker_;
  Workload workload_;
  core::Effects effects_;
  Timestamp now_ = kStart;
  std::uint64_t step_ = 0;
  std::string what_;
};

std::uint64_t Number(const char* text, const char* name) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (!end || *end != '\0' || end == text) {
    std::fprintf(stderr, "simulation: %s must be a number, not '%s'\n", name, text);
    std::exit(2);
  }
  return value;
}

Config ParseConfig(int argc, char** argv) {
  Config config;
  if (const char* v = std::getenv("SB_SIM_SEEDS")) config.seeds = Number(v, "SB_SIM_SEEDS");
  if (const char* v = std::getenv("SB_SIM_STEPS")) config.steps = Number(v, "SB_SIM_STEPS");
  if (const char* v = std::getenv("SB_SIM_FIRST_SEED")) {
    config.first_seed = Number(v, "SB_SIM_FIRST_SEED");
  }
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--trace") {
      config.trace = true;
    } else if (flag == "--seeds" && has_value) {
      config.seeds = Number(argv[++i], "--seeds");
    } else if (flag == "--steps" && has_value) {
      config.steps = Number(argv[++i], "--steps");
    } else if (flag == "--first-seed" && has_value) {
      config.first_seed = Number(argv[++i], "--first-seed");
    } else if (flag == "--seed" && has_value) {
      config.first_seed = Number(argv[++i], "--seed");
      config.seeds = 1;
    } else {
      std::fprintf(stderr,
                   "usage: simulation [--seeds N] [--steps N] [--first-seed S] [--seed S] "
                   "[--trace]\n");
      std::exit(2);
    }
  }
  return config;
}

}  // namespace
}  // namespace sb::sim

int main(int argc, char** argv) {
  using namespace sb::sim;
  const Config config = ParseConfig(argc, argv);
  std::signal(SIGABRT, OnAbort);
  const auto start = std::chrono::steady_clock::now();
  Totals totals;
  for (std::uint64_t seed = config.first_seed; seed < config.first_seed + config.seeds; ++seed) {
    Run run(seed, config, totals);
    if (!run.Execute()) return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "simulation: seeds %llu..%llu, %llu steps each: %llu checked steps, %llu events, "
      "%.1f s\n",
      static_cast<unsigned long long>(config.first_seed),
      static_cast<unsigned long long>(config.first_seed + config.seeds - 1),
      static_cast<unsigned long long>(config.steps), static_cast<unsigned long long>(totals.steps),
      static_cast<unsigned long long>(totals.events), seconds);
  for (const auto& [name, count] : totals.event_counts) {
    std::printf("  event %-36s %llu\n", name.c_str(), static_cast<unsigned long long>(count));
  }
  for (const auto& [name, count] : totals.command_counts) {
    std::printf("  command %-34s %llu\n", name.c_str(), static_cast<unsigned long long>(count));
  }
  return 0;
}
