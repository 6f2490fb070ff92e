// The small behaviours of Job and Worker that do not need the engine.
#include <utility>

#include "base/assert.h"
#include "core/job.h"
#include "core/worker.h"

namespace sb::core {

bool IsLegalTransition(JobStatus from, JobStatus to) {
  using S = JobStatus;
  switch (from) {
    case S::kCreated:
      return to == S::kPendingClassification || to == S::kQueued || to == S::kPendingSchedule ||
             to == S::kWaitingForActivation || to == S::kCancelled;
    case S::kPendingClassification:
      return to == S::kQueued || to == S::kClassificationFailed || to == S::kCancelled;
    case S::kClassificationFailed:
      return to == S::kPendingClassification || to == S::kCancelled;
    case S::kQueued:
      return to == S::kAssigned || to == S::kCancelled || to == S::kWaitingForActivation ||
             to == S::kScheduled || to == S::kPendingClassification;
    case S::kAssigned:
      return to == S::kCompleted || to == S::kQueued || to == S::kWaitingForActivation ||
             to == S::kCancelled;
    case S::kCompleted:
      return to == S::kClosed;
    case S::kPendingSchedule:
      return to == S::kScheduled || to == S::kScheduleFailed || to == S::kCancelled;
    case S::kScheduled:
    case S::kScheduleFailed:
    case S::kWaitingForActivation:
      return to == S::kQueued || to == S::kPendingClassification || to == S::kScheduled ||
             to == S::kWaitingForActivation || to == S::kCancelled;
    case S::kClosed:
    case S::kCancelled:
      return false;
  }
  return false;
}

const JobAssignment* Job::ActiveAssignment() const {
  if (assignments.empty() || assignments.back().closed_at) return nullptr;
  if (status != JobStatus::kAssigned && status != JobStatus::kCompleted) return nullptr;
  return &assignments.back();
}

JobAssignment* Job::ActiveAssignment() {
  return const_cast<JobAssignment*>(std::as_const(*this).ActiveAssignment());
}

const Channel* WorkerSpec::FindChannel(std::string_view channel_id) const {
  for (const Channel& channel : channels) {
    if (channel.channel_id == channel_id) return &channel;
  }
  return nullptr;
}

double Worker::LoadRatio() const {
  if (spec.capacity <= 0) return used_capacity > 0 ? 1.0 : 0.0;
  const double ratio = static_cast<double>(used_capacity) / spec.capacity;
  return ratio > 1.0 ? 1.0 : ratio;
}

int Worker::JobsOnChannel(std::string_view channel_id) const {
  auto it = jobs_per_channel.find(channel_id);
  return it == jobs_per_channel.end() ? 0 : it->second;
}

bool Worker::HasRoomFor(const Channel& channel) const {
  if (used_capacity + channel.capacity_cost_per_job > spec.capacity) return false;
  if (channel.max_number_of_jobs && JobsOnChannel(channel.channel_id) >= *channel.max_number_of_jobs) {
    return false;
  }
  return true;
}

}  // namespace sb::core
