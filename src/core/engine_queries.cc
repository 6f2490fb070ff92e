// Read-only queries: lists with filters and paging, queue statistics and a job's position.
//
// Wait-time estimate: each queue remembers when its last 20 jobs were assigned. Its throughput
// is those assignments divided by the time from the oldest of them to now (at least a minute),
// so a queue that stops assigning sees its estimates grow. A job at position p waits about
// p / throughput minutes, rounded up. With no assignment history there is no estimate, and the
// field is left out, as the service does.
#include <cmath>

#include "core/engine_state.h"

namespace sb::core {
namespace {

std::optional<double> AssignmentsPerMinute(const QueueState& queue, Timestamp now) {
  if (queue.recent_assignments.empty()) return std::nullopt;
  const double minutes = std::max((now - queue.recent_assignments.front()).minutes(), 1.0);
  return static_cast<double>(queue.recent_assignments.size()) / minutes;
}

double WaitMinutes(std::size_t position, double per_minute) {
  return std::ceil(static_cast<double>(position) / per_minute);
}

bool KeepJob(const Job& job, const JobFilter& f) {
  if (f.status && job.status != *f.status) return false;
  if (f.active_only && (IsTerminal(job.status) || job.status == JobStatus::kCreated)) return false;
  if (f.queue_id && job.spec.queue_id != f.queue_id) return false;
  if (f.channel_id && job.spec.channel_id != f.channel_id) return false;
  if (f.classification_policy_id && job.spec.classification_policy_id != f.classification_policy_id) {
    return false;
  }
  if (f.scheduled_before && (!job.scheduled_at || *job.scheduled_at > *f.scheduled_before)) {
    return false;
  }
  if (f.scheduled_after && (!job.scheduled_at || *job.scheduled_at < *f.scheduled_after)) {
    return false;
  }
  return true;
}

bool KeepWorker(const Worker& worker, const WorkerFilter& f) {
  if (f.state && worker.state != *f.state) return false;
  if (f.queue_id && std::find(worker.spec.queues.begin(), worker.spec.queues.end(), *f.queue_id) ==
                        worker.spec.queues.end()) {
    return false;
  }
  const Channel* channel = f.channel_id ? worker.spec.FindChannel(*f.channel_id) : nullptr;
  if (f.channel_id && !channel) return false;
  if (f.has_capacity) {
    if (channel) return worker.HasRoomFor(*channel);
    for (const Channel& c : worker.spec.channels) {
      if (worker.HasRoomFor(c)) return true;
    }
    return false;
  }
  return true;
}

template <class T>
Page<T> ListAll(const EntityTable<T>& table, std::uint64_t after, std::size_t max) {
  Page<T> page;
  table.List(after, max, kListScanBudget, [](const T&) { return true; }, page.items, page.next_after);
  return page;
}

}  // namespace

Page<DistributionPolicy> Engine::ListDistributionPolicies(std::uint64_t after, std::size_t max) const {
  return ListAll(state_->distribution_policies_, after, max);
}
Page<ClassificationPolicy> Engine::ListClassificationPolicies(std::uint64_t after,
                                                              std::size_t max) const {
  return ListAll(state_->classification_policies_, after, max);
}
Page<ExceptionPolicy> Engine::ListExceptionPolicies(std::uint64_t after, std::size_t max) const {
  return ListAll(state_->exception_policies_, after, max);
}
Page<Stored<QueueSpec>> Engine::ListQueues(std::uint64_t after, std::size_t max) const {
  Page<Stored<QueueSpec>> page;
  std::vector<const QueueState*> items;
  state_->queues_.List(after, max, kListScanBudget, [](const QueueState&) { return true; }, items,
                       page.next_after);
  page.items.assign(items.begin(), items.end());
  return page;
}

Page<Job> Engine::ListJobs(const JobFilter& filter, std::uint64_t after, std::size_t max) const {
  Page<Job> page;
  state_->jobs_.List(after, max, kListScanBudget, [&](const Job& j) { return KeepJob(j, filter); },
                     page.items, page.next_after);
  return page;
}

Page<Worker> Engine::ListWorkers(const WorkerFilter& filter, std::uint64_t after,
                                 std::size_t max) const {
  Page<Worker> page;
  state_->workers_.List(after, max, kListScanBudget,
                        [&](const Worker& w) { return KeepWorker(w, filter); }, page.items,
                        page.next_after);
  return page;
}

Result<QueueStatistics> Engine::GetQueueStatistics(std::string_view queue_id, Timestamp now) const {
  const QueueState* queue = state_->queues_.Find(queue_id);
  if (!queue) return Error::NotFound("queue '" + std::string(queue_id) + "' does not exist", "queueId");
  QueueStatistics stats;
  stats.queue_id = queue->id;
  stats.length = static_cast<int>(queue->queued.size());
  if (!queue->enqueue_times_us.empty()) {
    const Timestamp oldest = Timestamp::FromUnixMicros(*queue->enqueue_times_us.begin());
    stats.longest_job_wait_time_minutes = std::max((now - oldest).minutes(), 0.0);
  }
  if (const auto per_minute = AssignmentsPerMinute(*queue, now)) {
    for (const auto& [priority, count] : queue->priority_counts) {
      // A job arriving now at this priority waits behind every job at or above it.
      const JobKey behind{1, -priority, INT64_MAX, UINT64_MAX, nullptr};
      stats.estimated_wait_time_minutes[priority] =
          WaitMinutes(queue->queued.order_of_key(behind) + 1, *per_minute);
    }
  }
  return stats;
}

Result<JobPosition> Engine::GetJobPosition(std::string_view job_id, Timestamp now) const {
  Job* job = state_->jobs_.Find(job_id);
  if (!job) return Error::NotFound("job '" + std::string(job_id) + "' does not exist", "jobId");
  if (job->status != JobStatus::kQueued) {
    return Error::Conflict("the job is not queued, so it has no position in a queue");
  }
  const QueueState& queue = *state_->QueueOf(*job);
  JobPosition position;
  position.job_id = job->id;
  position.queue_id = queue.id;
  position.position = static_cast<int>(queue.queued.order_of_key(KeyOf(*job))) + 1;
  position.queue_length = static_cast<int>(queue.queued.size());
  if (const auto per_minute = AssignmentsPerMinute(queue, now)) {
    position.estimated_wait_time_minutes =
        WaitMinutes(static_cast<std::size_t>(position.position), *per_minute);
  }
  return position;
}

}  // namespace sb::core
