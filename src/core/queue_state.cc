#include "core/queue_state.h"

namespace sb::core {

JobKey KeyOf(Job& job) {
  return JobKey{job.expedite ? 0 : 1, -job.spec.priority,
                job.enqueued_at ? job.enqueued_at->unix_micros() : 0, job.queue_seq, &job};
}

bool WorkerOrder::operator()(const WorkerKey& a, const WorkerKey& b) const {
  if (mode == DistributionModeKind::kLongestIdle) {
    if (a.load_ratio != b.load_ratio) return a.load_ratio < b.load_ratio;
  }
  if (mode != DistributionModeKind::kRoundRobin && a.idle_us != b.idle_us) {
    return a.idle_us < b.idle_us;
  }
  return a.worker->id < b.worker->id;
}

ChannelIndex& QueueState::Channel(const std::string& channel_id) {
  auto it = channels.find(channel_id);
  if (it == channels.end()) it = channels.emplace(channel_id, ChannelIndex(order_kind())).first;
  return it->second;
}

}  // namespace sb::core
