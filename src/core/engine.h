// Engine: the routing engine. A pure, single-threaded, deterministic state machine over
// distribution/classification/exception policies, queues, jobs, workers and offers.
//
// Contract:
// - Every command takes the current time and an Effects to append to; it first fires the timers
//   due by then, then applies itself, then runs matching, and returns a Result. A failed command
//   changes nothing (it validates before it mutates).
// - Time only moves forward: an earlier `now` than the engine has seen is read as the latest.
// - No I/O, no clock, no threads; randomness comes from the seeded Random. Same commands, same
//   times, same seed => same state, same effects, same ids.
// - Pointers returned by Find* and List* stay valid until the next non-const call.
// Thread-safety: none. One thread owns the Engine.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/time.h"
#include "core/events.h"
#include "core/job.h"
#include "core/limits.h"
#include "core/policies.h"
#include "core/worker.h"

namespace sb::core {

struct EngineOptions {
  std::uint64_t seed = 1;
  std::uint32_t etag_epoch = 0;  // distinguishes etags across engine instances
  Limits limits;
};

template <class T>
struct UpsertResult {
  const T* entity = nullptr;
  bool created = false;
};

struct CancelJobOptions {
  std::optional<std::string> note;
  std::optional<std::string> disposition_code;
};
struct CompleteJobOptions {
  std::optional<std::string> note;
};
struct CloseJobOptions {
  std::optional<std::string> disposition_code;
  std::optional<Timestamp> close_at;
  std::optional<std::string> note;
};
struct UnassignJobOptions {
  bool suspend_matching = false;
};
struct DeclineJobOfferOptions {
  std::optional<Timestamp> retry_offer_at;
};
struct AcceptJobOfferResult {
  std::string assignment_id;
  std::string job_id;
  std::string worker_id;
};
struct UnassignJobResult {
  std::string job_id;
  int unassignment_count = 0;
};

struct QueueStatistics {
  std::string queue_id;
  int length = 0;
  std::map<int, double> estimated_wait_time_minutes;  // by priority; only where estimable
  std::optional<double> longest_job_wait_time_minutes;
};

struct JobPosition {
  std::string job_id;
  int position = 0;  // 1-based
  std::string queue_id;
  int queue_length = 0;
  std::optional<double> estimated_wait_time_minutes;
};

// List filters. Absent fields do not filter.
struct JobFilter {
  std::optional<JobStatus> status;
  bool active_only = false;  // RouterJobStatusSelector "active"
  std::optional<std::string> queue_id;
  std::optional<std::string> channel_id;
  std::optional<std::string> classification_policy_id;
  std::optional<Timestamp> scheduled_before;  // inclusive
  std::optional<Timestamp> scheduled_after;   // inclusive
};
struct WorkerFilter {
  std::optional<WorkerState> state;
  std::optional<std::string> channel_id;
  std::optional<std::string> queue_id;
  bool has_capacity = false;
};

// One page of a list, in creation order. `next_after` continues the listing when set; a page
// may be short (even empty) when the scan budget ran out before the page filled.
template <class T>
struct Page {
  std::vector<const T*> items;
  std::optional<std::uint64_t> next_after;
};

// An entity's whole state as the store keeps it: opaque bytes, or nullopt once deleted.
struct StateRecord {
  EntityKind kind;
  std::string id;
  std::optional<std::string> data;
};

class EngineState;  // the indexes and tables, private to core

class Engine {
 public:
  explicit Engine(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- Administration ---------------------------------------------------------------------
  Result<UpsertResult<DistributionPolicy>> UpsertDistributionPolicy(
      std::string_view id, DistributionPolicySpec spec, Timestamp now, Effects& effects);
  Status DeleteDistributionPolicy(std::string_view id, Timestamp now, Effects& effects);
  Result<UpsertResult<ClassificationPolicy>> UpsertClassificationPolicy(
      std::string_view id, ClassificationPolicySpec spec, Timestamp now, Effects& effects);
  Status DeleteClassificationPolicy(std::string_view id, Timestamp now, Effects& effects);
  Result<UpsertResult<ExceptionPolicy>> UpsertExceptionPolicy(
      std::string_view id, ExceptionPolicySpec spec, Timestamp now, Effects& effects);
  Status DeleteExceptionPolicy(std::string_view id, Timestamp now, Effects& effects);
  Result<UpsertResult<Stored<QueueSpec>>> UpsertQueue(std::string_view id, QueueSpec spec,
                                                      Timestamp now, Effects& effects);
  Status DeleteQueue(std::string_view id, Timestamp now, Effects& effects);

  // --- Jobs -------------------------------------------------------------------------------
  Result<UpsertResult<Job>> UpsertJob(std::string_view id, JobSpec spec, Timestamp now,
                                      Effects& effects);
  Status DeleteJob(std::string_view id, Timestamp now, Effects& effects);
  Status CancelJob(std::string_view id, CancelJobOptions options, Timestamp now, Effects& effects);
  Status CompleteJob(std::string_view id, std::string_view assignment_id,
                     CompleteJobOptions options, Timestamp now, Effects& effects);
  Status CloseJob(std::string_view id, std::string_view assignment_id, CloseJobOptions options,
                  Timestamp now, Effects& effects);
  Result<UnassignJobResult> UnassignJob(std::string_view id, std::string_view assignment_id,
                                        UnassignJobOptions options, Timestamp now,
                                        Effects& effects);
  Status ReclassifyJob(std::string_view id, Timestamp now, Effects& effects);

  // --- Workers and offers -----------------------------------------------------------------
  Result<UpsertResult<Worker>> UpsertWorker(std::string_view id, WorkerSpec spec, Timestamp now,
                                            Effects& effects);
  Status DeleteWorker(std::string_view id, Timestamp now, Effects& effects);
  Result<AcceptJobOfferResult> AcceptJobOffer(std::string_view worker_id,
                                              std::string_view offer_id, Timestamp now,
                                              Effects& effects);
  Status DeclineJobOffer(std::string_view worker_id, std::string_view offer_id,
                         DeclineJobOfferOptions options, Timestamp now, Effects& effects);

  // --- Outbound rules ---------------------------------------------------------------------
  // The answer (or failure) of a RuleCall the engine asked for. Answers to calls the engine no
  // longer waits for (the job moved on) are ignored.
  Status CompleteRuleCall(std::string_view call_id, Result<RuleAnswer> answer, Timestamp now,
                          Effects& effects);
  // After Restore: asks again for the rule calls that were in flight when the state was saved.
  void ResumeRuleCalls(Timestamp now, Effects& effects);

  // --- Time -------------------------------------------------------------------------------
  // Fires every timer due at or before `now`.
  void AdvanceTo(Timestamp now, Effects& effects);
  // When the next timer is due, if any.
  std::optional<Timestamp> NextDeadline() const;
  Timestamp now() const;

  // --- Queries ----------------------------------------------------------------------------
  const DistributionPolicy* FindDistributionPolicy(std::string_view id) const;
  const ClassificationPolicy* FindClassificationPolicy(std::string_view id) const;
  const ExceptionPolicy* FindExceptionPolicy(std::string_view id) const;
  const Stored<QueueSpec>* FindQueue(std::string_view id) const;
  const Job* FindJob(std::string_view id) const;
  const Worker* FindWorker(std::string_view id) const;
  const Offer* FindOffer(std::string_view offer_id) const;

  Page<DistributionPolicy> ListDistributionPolicies(std::uint64_t after, std::size_t max) const;
  Page<ClassificationPolicy> ListClassificationPolicies(std::uint64_t after,
                                                        std::size_t max) const;
  Page<ExceptionPolicy> ListExceptionPolicies(std::uint64_t after, std::size_t max) const;
  Page<Stored<QueueSpec>> ListQueues(std::uint64_t after, std::size_t max) const;
  Page<Job> ListJobs(const JobFilter& filter, std::uint64_t after, std::size_t max) const;
  Page<Worker> ListWorkers(const WorkerFilter& filter, std::uint64_t after,
                           std::size_t max) const;

  Result<QueueStatistics> GetQueueStatistics(std::string_view queue_id, Timestamp now) const;
  Result<JobPosition> GetJobPosition(std::string_view job_id, Timestamp now) const;

  // The etag of an entity: a quoted, GUID-shaped string that changes on every change.
  std::string Etag(const EntityMeta& meta) const;

  const Limits& limits() const;

  // For tests and the simulation: checks every invariant of the state, aborting on a breach.
  void CheckInvariants() const;

  // --- Durability (snapshot.cc, restore.cc) -----------------------------------------------
  // The current state of each entity `changes` names, once each.
  std::vector<StateRecord> ExportChanges(const std::vector<EntityChange>& changes) const;
  std::vector<StateRecord> ExportAll() const;
  // The engine's counters, clock and random state.
  std::string ExportMeta() const;
  // Loads what Export* produced into this engine, which must be new, and rebuilds every index
  // and timer from it. A record that does not decode is an error (kInternal).
  // Takes the records by value: their bytes move into the engine (finished jobs stay as bytes).
  Status Restore(std::vector<StateRecord> records, std::string_view meta);

 private:
  std::unique_ptr<EngineState> state_;
};

}  // namespace sb::core
