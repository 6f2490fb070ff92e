// TimerQueue: the engine's timers, ordered by due time, then kind, then the ids they carry - an
// order that depends only on what the timers are, so an engine rebuilt from stored state fires
// simultaneous timers in the same order as the engine it replaces. A timer identical to one
// already set is set once. Timers carry ids, not pointers; the engine checks at firing time that
// a timer still applies. Offer expiry timers, the most numerous, are cancelled explicitly.
// Not thread-safe.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "base/time.h"

namespace sb::core {

enum class TimerKind {
  kOfferExpiry,          // id = offer id
  kSelectorExpiry,       // id = job id
  kScheduledActivation,  // id = job id
  kCloseAt,              // id = job id
  kDeclineRetry,         // id = job id, other_id = worker id
  kExceptionWaitTime,    // id = job id, other_id = "<queue visit>/<exception rule id>"
};

struct Timer {
  Timestamp at;
  TimerKind kind = TimerKind::kOfferExpiry;
  std::string id;
  std::string other_id;

  bool operator<(const Timer& o) const {
    return std::tie(at, kind, id, other_id) < std::tie(o.at, o.kind, o.id, o.other_id);
  }
};

class TimerQueue {
 public:
  void Schedule(Timestamp at, TimerKind kind, std::string id, std::string other_id = {});
  void Cancel(const Timer& timer);
  std::optional<Timestamp> NextDue() const;
  // Removes and returns the earliest timer due at or before `now`.
  std::optional<Timer> PopDue(Timestamp now);
  std::size_t size() const { return timers_.size(); }

 private:
  std::set<Timer> timers_;
};

}  // namespace sb::core
