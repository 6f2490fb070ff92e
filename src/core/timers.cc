#include "core/timers.h"

namespace sb::core {

void TimerQueue::Schedule(Timestamp at, TimerKind kind, std::string id, std::string other_id) {
  timers_.insert(Timer{at, kind, std::move(id), std::move(other_id)});
}

void TimerQueue::Cancel(const Timer& timer) { timers_.erase(timer); }

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
