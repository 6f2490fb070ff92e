// QueueState: a queue as the engine holds it - the stored queue plus the indexes matching runs
// on. For each queue:
// - `queued`: every job with status queued, in queue order (expedited first, then priority,
//   then enqueue time), as an order-statistics tree so a job's position costs O(log n);
// - per channel, `matchable_jobs`: queued jobs that may take another offer now, in queue order;
// - per channel, `ready_workers`: workers serving the queue that could take an offer on that
//   channel now, in the order the queue's distribution mode offers to them.
// Matching walks these in order and stops at the first fit, so its cost does not grow with the
// number of workers or jobs that are not eligible to begin with. Not thread-safe.
#pragma once

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "base/time.h"
#include "core/job.h"
#include "core/policies.h"
#include "core/worker.h"

namespace sb::core {

struct JobKey {
  int rank = 1;  // 0 while an expedite selector is active
  int neg_priority = 0;
  std::int64_t enqueued_us = 0;
  std::uint64_t seq = 0;
  Job* job = nullptr;  // payload; never compared

  bool operator<(const JobKey& o) const {
    return std::tie(rank, neg_priority, enqueued_us, seq) <
           std::tie(o.rank, o.neg_priority, o.enqueued_us, o.seq);
  }
};

JobKey KeyOf(Job& job);

struct WorkerKey {
  double load_ratio = 0;
  std::int64_t idle_us = 0;
  Worker* worker = nullptr;
};

// Orders ready workers as the distribution mode wants them offered: longest idle by load ratio,
// then idle time, then id; best worker by idle time, then id - its order among equal scores;
// round robin by id.
struct WorkerOrder {
  using is_transparent = void;
  DistributionModeKind mode = DistributionModeKind::kLongestIdle;
  bool operator()(const WorkerKey& a, const WorkerKey& b) const;
  // Lookup by worker id; meaningful only in the id-ordered mode (round robin).
  bool operator()(const WorkerKey& a, std::string_view id) const { return a.worker->id < id; }
  bool operator()(std::string_view id, const WorkerKey& b) const { return id < b.worker->id; }
};

using OrderedJobs = __gnu_pbds::tree<JobKey, __gnu_pbds::null_type, std::less<JobKey>,
                                     __gnu_pbds::rb_tree_tag,
                                     __gnu_pbds::tree_order_statistics_node_update>;
using ReadyWorkers = std::set<WorkerKey, WorkerOrder>;

struct ChannelIndex {
  explicit ChannelIndex(DistributionModeKind mode) : ready_workers(WorkerOrder{mode}) {}
  std::set<JobKey> matchable_jobs;
  ReadyWorkers ready_workers;
};

struct QueueState : Stored<QueueSpec> {
  OrderedJobs queued;
  std::map<std::string, ChannelIndex, std::less<>> channels;
  std::set<std::string, std::less<>> worker_ids;  // workers whose spec names this queue
  std::size_t active_jobs = 0;                    // non-terminal jobs whose queueId is this
  std::string round_robin_cursor;                 // the worker last offered a job
  std::deque<Timestamp> recent_assignments;       // for the wait-time estimate, newest last
  std::multiset<std::int64_t> enqueue_times_us;   // of queued jobs, for the longest wait
  std::map<int, std::size_t> priority_counts;     // of queued jobs, for per-priority estimates

  // Current distribution mode (nullopt: no policy or no mode, so no matching).
  std::optional<DistributionMode> mode;
  std::optional<Duration> offer_lifetime;

  DistributionModeKind order_kind() const {
    return mode ? mode->kind : DistributionModeKind::kLongestIdle;
  }
  ChannelIndex& Channel(const std::string& channel_id);
};

inline constexpr std::size_t kWaitEstimateWindow = 20;

}  // namespace sb::core
