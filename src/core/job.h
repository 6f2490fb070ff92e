// The Job entity: the writable spec a client upserts, and the state the engine keeps on it
// (status, assignments, open offers, declines, timers). Owned by the Engine; others see it
// through const pointers that stay valid until the next command. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/time.h"
#include "base/value.h"
#include "core/policies.h"
#include "core/rules.h"

namespace sb::core {

enum class JobStatus {
  kPendingClassification,
  kQueued,
  kAssigned,
  kCompleted,
  kClosed,
  kCancelled,
  kClassificationFailed,
  kCreated,
  kPendingSchedule,
  kScheduled,
  kScheduleFailed,
  kWaitingForActivation,
};

// Closed and cancelled jobs are finished; nothing moves them on.
inline bool IsTerminal(JobStatus s) { return s == JobStatus::kClosed || s == JobStatus::kCancelled; }

// The status changes the engine may make (the lifecycle's edges).
bool IsLegalTransition(JobStatus from, JobStatus to);

enum class MatchingModeKind { kQueueAndMatch, kScheduleAndSuspend, kSuspend };

struct MatchingMode {
  MatchingModeKind kind = MatchingModeKind::kQueueAndMatch;
  std::optional<Timestamp> schedule_at;  // scheduleAndSuspend only
  bool operator==(const MatchingMode&) const = default;
};

struct JobNote {
  std::string message;
  std::optional<Timestamp> added_at;  // filled with the current time when absent
  bool operator==(const JobNote&) const = default;
};

inline constexpr int kDefaultJobPriority = 1;

struct JobSpec {
  std::optional<std::string> channel_reference;
  std::optional<std::string> channel_id;
  std::optional<std::string> classification_policy_id;
  std::optional<std::string> queue_id;
  int priority = kDefaultJobPriority;
  std::optional<std::string> disposition_code;
  std::vector<WorkerSelector> requested_worker_selectors;
  LabelMap labels;
  LabelMap tags;
  std::vector<JobNote> notes;
  MatchingMode matching_mode;
  bool operator==(const JobSpec&) const = default;
};

struct JobAssignment {
  std::string assignment_id;
  std::string worker_id;
  Timestamp assigned_at;
  std::optional<Timestamp> completed_at;
  std::optional<Timestamp> closed_at;
};

struct PendingClose {
  Timestamp close_at;
  std::optional<std::string> disposition_code;
};

struct Job {
  std::string id;
  JobSpec spec;
  JobStatus status = JobStatus::kCreated;
  std::optional<Timestamp> enqueued_at;
  std::vector<WorkerSelector> attached_worker_selectors;
  std::vector<JobAssignment> assignments;  // in assignment order; the last may be active
  std::optional<Timestamp> scheduled_at;
  EntityMeta meta;

  // --- Engine state, not part of the wire model -----------------------------------------
  std::vector<std::string> open_offer_ids;  // in the order issued
  // Workers that declined; nullopt = until they re-register, else until that time.
  std::map<std::string, std::optional<Timestamp>, std::less<>> declined_by;
  int unassignment_count = 0;
  std::optional<PendingClose> pending_close;
  std::uint64_t queue_seq = 0;  // order among jobs enqueued at the same instant
  bool expedite = false;        // an active selector asks for the front of the queue
  bool queue_from_classification = false;  // queueId was chosen by classification, not given
  // A queue visit lasts from joining a queue until the job leaves it for another queue or
  // stops waiting (assigned, suspended, cancelled...). Exception rules fire once per visit.
  std::uint64_t queue_visit = 0;                 // counts visits; names the current one
  std::optional<std::string> visit_queue_id;     // the queue of the current visit, if any
  Timestamp visit_started_at;
  std::set<std::string, std::less<>> fired_exception_rules;  // in the current visit

  // Outbound rule calls (not stored: after a restart they are asked again).
  std::set<std::string, std::less<>> pending_rule_calls;  // call ids the job waits for
  std::map<std::string, RuleAnswer, std::less<>> rule_answers;  // by the rule's field path
  std::map<std::string, std::optional<double>, std::less<>> worker_scores;  // by worker id
  bool scores_ready = false;  // a scoring round's answers are all in

  // The assignment currently holding a worker (assigned or completed, not closed), if any.
  const JobAssignment* ActiveAssignment() const;
  JobAssignment* ActiveAssignment();
};

}  // namespace sb::core
