// Checker: the simulation's correctness oracle. It watches the engine from the outside - the
// Effects of every step and the public query API - and keeps its own model of what it has been
// told: open offers, assignments, availability, declines and the last status of every job. After
// each step it replays the step's events into the model, checking each against the rules at the
// moment it happened, then compares the model with the engine's state and checks the whole state
// (capacity, status edges, work conservation). It never reads the engine's private state.
// Not thread-safe; one Checker per Engine.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "core/engine.h"

namespace sb::sim {

struct ModelOffer {
  std::string job_id;
  std::string worker_id;
  std::string channel_id;
  int cost = 0;
};

struct ModelAssignment {
  std::string assignment_id;
  std::string worker_id;
  std::string channel_id;
  int cost = 0;
};

// How an offer the model saw close ended, for the expected answer to a late accept.
enum class OfferFate { kAccepted, kTakenByOther, kOther };

struct ClosedOfferRecord {
  std::string offer_id;
  std::string worker_id;
  OfferFate fate = OfferFate::kOther;
};

class Checker {
 public:
  explicit Checker(const core::Engine& engine) : engine_(engine) {}

  // A decline the workload made and the engine accepted, in force until `retry_at` (or until the
  // worker registers again). Call before Step for the decline's step.
  void NoteDecline(const std::string& job_id, const std::string& worker_id,
                   std::optional<Timestamp> retry_at);
  // The step accepted an offer of this job: afterwards it may hold no open offer.
  void NoteAccept(const std::string& job_id) { accepted_job_ = job_id; }

  // Replays one step's effects and checks them and the state they leave. Returns the first
  // breach found, if any; the model is then no longer trustworthy.
  std::optional<std::string> Step(const core::Effects& effects, Timestamp now);

  const std::map<std::string, ModelOffer>& open_offers() const { return offers_; }
  const std::deque<ClosedOfferRecord>& closed_offers() const { return closed_; }

 private:
  struct WorkerLoad {
    int used = 0;
    std::map<std::string, int> per_channel;
    std::size_t offers = 0;
  };

  void ApplyEvent(const core::Effects& effects, std::size_t index);
  void CheckIssued(const core::Effects& effects, std::size_t index);
  bool Declined(const std::string& job_id, const std::string& worker_id, Timestamp at) const;
  const core::DistributionMode* ModeOf(const std::string& queue_id) const;
  WorkerLoad LoadOf(const std::string& worker_id) const;
  bool HasRoom(const core::Worker& worker, const core::Channel& channel,
               const WorkerLoad& load) const;
  bool Eligible(const core::Job& job, const core::Worker& worker,
                const core::DistributionMode& mode, Timestamp at) const;

  void AddOffer(const std::string& offer_id, ModelOffer offer);
  void CloseOffer(const std::string& offer_id, OfferFate fate);

  void CheckWorkers();
  void CheckJobs(Timestamp now);
  void CheckSelectors(const core::Job& job, Timestamp now);
  void CheckJob(const core::Job& job, Timestamp now);
  void CheckWorkConserved(Timestamp now);

  void Fail(std::string message) {
    if (!failure_) failure_ = std::move(message);
  }

  const core::Engine& engine_;
  std::map<std::string, ModelOffer> offers_;
  std::map<std::string, std::set<std::string>> offers_by_job_;
  std::map<std::string, std::set<std::string>> offers_by_worker_;
  std::map<std::string, ModelAssignment> assignments_;  // by job id
  std::map<std::string, bool> available_;               // by worker id, from the events
  std::map<std::pair<std::string, std::string>, std::optional<Timestamp>> declines_;
  std::map<std::string, core::JobStatus> last_status_;
  std::deque<ClosedOfferRecord> closed_;
  std::set<std::string> issued_jobs_;  // jobs offered in the current step
  std::optional<std::string> accepted_job_;
  std::set<std::string> accepted_in_step_;
  Timestamp last_event_at_;
  std::optional<std::string> failure_;
};

// Label selector semantics as docs/COMPATIBILITY.md states them, written again here so the
// checker does not share the engine's code: a missing label satisfies only notEqual; ordering
// compares numbers with numbers and strings with strings.
bool SatisfiesSelector(const LabelMap& labels, const core::WorkerSelector& selector);

}  // namespace sb::sim
