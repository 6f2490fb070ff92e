// EngineState: the engine's tables, indexes and timers, and the steps commands are made of.
// Private to core (Engine is the public face). The implementation is split by concern:
// engine_admin.cc (policies, queues), engine_jobs.cc (job lifecycle), engine_workers.cc
// (workers), engine_offers.cc (offers), matching.cc (who gets offered what), engine_time.cc
// (timers), engine_queries.cc (lists, statistics), invariants.cc (the invariant checker).
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/random.h"
#include "core/engine.h"
#include "core/entity_table.h"
#include "core/queue_state.h"
#include "core/rule_eval.h"
#include "core/timers.h"

namespace sb::core {

struct WorkerIdLess {
  using is_transparent = void;
  bool operator()(const Worker* a, const Worker* b) const { return a->id < b->id; }
  bool operator()(const Worker* a, std::string_view b) const { return a->id < b; }
  bool operator()(std::string_view a, const Worker* b) const { return a < b->id; }
};
using LabelPostings = std::set<Worker*, WorkerIdLess>;

class EngineState {
 public:
  explicit EngineState(EngineOptions options);

  // --- Command framing --------------------------------------------------------------------
  // Starts a command at `now`: moves time forward and fires due timers.
  void Begin(Timestamp now, Effects& effects);
  // Ends a command: runs matching for everything the command made dirty.
  void End();

  // --- Bookkeeping ------------------------------------------------------------------------
  void Touch(EntityKind kind, const std::string& id, EntityMeta& meta);
  // Raises an event about `job` and/or `worker`, snapshotting them as they are now; the caller
  // fills the type's extra fields in the returned event.
  Event& Emit(EventType type, const Job* job, const Worker* worker = nullptr);
  std::shared_ptr<const EventWorker> SnapshotWorker(const Worker& worker, bool with_queues) const;
  void TouchJob(Job& job) { Touch(EntityKind::kJob, job.id, job.meta); }
  void TouchWorker(Worker& worker) { Touch(EntityKind::kWorker, worker.id, worker.meta); }

  // --- Jobs (engine_jobs.cc) ---------------------------------------------------------------
  Status ValidateJobReferences(const JobSpec& spec) const;
  void CreateJob(Job& job);
  void UpdateJob(Job& job, JobSpec spec);
  void StartRouting(Job& job);            // a new or reactivated job: classify, schedule or queue
  void Route(Job& job);                   // classify if there is a policy, else queue
  void Schedule(Job& job);                // scheduleAndSuspend: scheduled until scheduleAt
  void Suspend(Job& job);                 // waitingForActivation until updated
  void Enqueue(Job& job, bool keep_enqueued_at);  // status -> queued, then File
  void File(Job& job);                    // enters its queue's indexes (status queued)
  void Unfile(Job& job);                  // leaves its queue's indexes (status unchanged)
  void SetStatus(Job& job, JobStatus status);
  void AddNote(Job& job, const std::optional<std::string>& note);
  void ReleaseAssignment(Job& job);
  void FinishClose(Job& job, std::optional<std::string> disposition_code);
  void RefreshSelectors(Job& job);        // expiry timers, expedite flag
  void ChangeJobCount(const Job& job, int delta);
  QueueState* QueueOf(const Job& job) const;

  // --- Workers (engine_workers.cc) --------------------------------------------------------
  Status ValidateWorkerReferences(const WorkerSpec& spec) const;
  void ApplyWorkerSpec(Worker& worker, WorkerSpec spec, bool created);
  void Register(Worker& worker);
  void Deregister(Worker& worker);
  void UpdateDrainState(Worker& worker);
  void IndexWorker(Worker& worker);    // (re)files the worker where it is ready for offers
  void UnindexWorker(Worker& worker);  // before its spec changes
  bool IsReady(const Worker& worker) const;
  // Files the worker under its queues and labels (link) or takes it out (before a spec change).
  void LinkWorker(Worker& worker, bool link);

  // --- Offers (engine_offers.cc) ----------------------------------------------------------
  void IssueOffer(Job& job, Worker& worker, QueueState& queue);
  // Ends an open offer; returns capacity to the worker and marks both sides for matching.
  void CloseOffer(const std::string& offer_id, OfferEnd end);
  void RevokeJobOffers(Job& job, OfferEnd end);
  void RevokeWorkerOffers(Worker& worker);
  void ClearDecline(Job& job, const std::string& worker_id);
  void RefreshMatchable(Job& job);        // job's membership in its queue's matchable set

  // --- Matching (matching.cc) -------------------------------------------------------------
  void MarkJob(const Job& job) { jobs_to_match_.insert(job.id); }
  void MarkWorker(const Worker& worker) { workers_to_match_.insert(worker.id); }
  void RunMatching();
  void MatchJob(Job& job);
  void MatchWorker(Worker& worker);
  bool Eligible(const Job& job, const Worker& worker, const DistributionMode& mode) const;
  // The workers carrying the label of the job's most selective active `equal` selector, or
  // nullptr when no such selector applies; an empty set when no worker carries it.
  const LabelPostings* NarrowestPostings(const Job& job, const DistributionMode& mode) const;
  void RebuildQueueIndexes(QueueState& queue);
  // Brings a queue's cached distribution mode up to date and re-matches its jobs.
  void ApplyDistributionPolicy(QueueState& queue);
  // Records that an entity's stored state changed without a visible change (no new etag).
  void MarkDirty(EntityKind kind, const std::string& id);

  // --- Time (engine_time.cc) --------------------------------------------------------------
  void FireTimers(Timestamp now);
  void Fire(const Timer& timer);

  // --- Classification (classification.cc) -------------------------------------------------
  void Classify(Job& job);
  void FailClassification(Job& job, const std::string& reason);

  // --- Outbound rule calls (engine_rule_calls.cc) -----------------------------------------
  struct PendingCall {
    std::string job_id;
    RuleCall::Purpose purpose;
    std::string path;                     // classification: the rule's field path
    std::vector<std::string> worker_ids;  // scoring: the workers the call scores, in order
  };
  void IssueRuleCall(Job& job, std::string path, RuleCall call, std::vector<std::string> workers);
  bool RuleCallPending(const Job& job, std::string_view path) const;
  void DropRuleCalls(Job& job);  // forgets what the job waits for
  // Best worker with an outbound scoring rule: asks for scores, or offers once they are in.
  void MatchByOutboundScores(Job& job, QueueState& queue, const ReadyWorkers& ready,
                             const DistributionMode& mode);
  void RequestScores(Job& job, const DistributionMode& mode, const std::vector<Worker*>& workers);
  void OfferByScores(Job& job, QueueState& queue, const DistributionMode& mode,
                     const std::vector<Worker*>& fitting);

  // --- Exception policies (exceptions.cc) -------------------------------------------------
  // A job entered a queue: starts its wait-time triggers and notes its queue-length check.
  void OnQueueVisit(Job& job, std::size_t jobs_ahead);
  void ScheduleWaitTimeTriggers(const Job& job);  // for the job's current visit
  // The queue's exception policy changed (edited, or another one chosen): the jobs waiting
  // there get the timers of the policy as it is now, as a restored engine gives them.
  void RescheduleWaitTimeTriggers(const QueueState& queue);
  void RunQueueLengthChecks();
  void FireWaitTimeTrigger(Job& job, std::string_view visit_and_rule);
  // Matching and the exception checks that commands and timers leave behind.
  void Settle();

  // --- Data -------------------------------------------------------------------------------
  EngineOptions options_;
  Random random_;
  Timestamp now_;
  Effects* effects_ = nullptr;  // the running command's effects
  std::uint64_t next_created_seq_ = 1;
  std::uint64_t change_seq_ = 0;
  std::uint64_t next_queue_seq_ = 1;

  EntityTable<DistributionPolicy> distribution_policies_;
  EntityTable<ClassificationPolicy> classification_policies_;
  EntityTable<ExceptionPolicy> exception_policies_;
  EntityTable<QueueState> queues_;
  EntityTable<Job> jobs_;
  EntityTable<Worker> workers_;
  std::unordered_map<std::string, Offer, StringHash, std::equal_to<>> offers_;
  TimerQueue timers_;
  mutable RuleEvaluator rules_;  // a cache of compiled programs; evaluation is logically const

  // Every worker by each of its labels (key and value), ordered by id: lets a job with an
  // `equal` selector consider only the workers that can satisfy it.
  std::map<std::pair<std::string, Value>, LabelPostings, std::less<>> workers_by_label_;

  // Non-terminal jobs per classification policy id, for the delete check.
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> jobs_per_policy_;

  struct QueueLengthCheck {
    std::string job_id;
    std::uint64_t visit;
    std::size_t jobs_ahead;  // queued when it joined, itself not counted
  };
  std::vector<QueueLengthCheck> queue_length_checks_;
  std::unordered_map<std::string, PendingCall, StringHash, std::equal_to<>> pending_calls_;
  std::set<std::string, std::less<>> jobs_to_match_;
  std::set<std::string, std::less<>> workers_to_match_;
};

// Frames one command: Begin on construction, End (matching) on destruction.
class CommandScope {
 public:
  CommandScope(EngineState& state, Timestamp now, Effects& effects) : state_(state) {
    state_.Begin(now, effects);
  }
  ~CommandScope() { state_.End(); }
  CommandScope(const CommandScope&) = delete;
  CommandScope& operator=(const CommandScope&) = delete;

 private:
  EngineState& state_;
};

inline constexpr std::size_t kClosedOfferMemory = 32;  // per worker
inline constexpr std::size_t kMaxScoredWorkers = 1'000;  // per outbound scoring round
inline constexpr std::size_t kListScanBudget = 50'000;  // entities examined per page

// Decodes a stored job record (restore.cc); also how cold jobs thaw.
Result<std::unique_ptr<Job>> DecodeJob(std::string_view data);

// Selector semantics (selectors.cc).
bool Satisfies(const LabelMap& labels, const std::string& key, LabelOperator op,
               const Value& value);
bool Satisfies(const LabelMap& labels, const WorkerSelector& selector);
bool IsActive(const WorkerSelector& selector);

}  // namespace sb::core
