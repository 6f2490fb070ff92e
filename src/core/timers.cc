#include "core/timers.h"

namespace sb::core {

TimerHandle TimerQueue::Schedule(Timestamp at, TimerKind kind, std::string id,
                                 std::string other_id) {
  const std::uint64_t seq = next_seq_++;
  timers_.insert(Timer{at, seq, kind, std::move(id), std::move(other_id)});
  return {at, seq};
}

void TimerQueue::Cancel(TimerHandle handle) {
  auto it = timers_.find(handle);
  if (it != timers_.end()) timers_.erase(it);
}

std::optional<Timestamp> TimerQueue::NextDue() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->at;
}

std::optional<Timer> TimerQueue::PopDue(Timestamp now) {
  if (timers_.empty() || timers_.begin()->at > now) return std::nullopt;
  auto node = timers_.extract(timers_.begin());
  return std::move(node.value());
}

}  // namespace sb::core
