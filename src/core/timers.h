// TimerQueue: the engine's timers, ordered by due time then by creation, so timers due at the
// same instant fire in the order they were set. Timers carry ids, not pointers; the engine checks
// at firing time that the timer still applies (the entity may have moved on). Offer expiry
// timers, the most numerous, are cancelled explicitly when the offer ends.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "base/time.h"

namespace sb::core {

enum class TimerKind {
  kOfferExpiry,          // id = offer id
  kSelectorExpiry,       // id = job id
  kScheduledActivation,  // id = job id
  kCloseAt,              // id = job id
  kDeclineRetry,         // id = job id, other_id = worker id
};

struct Timer {
  Timestamp at;
  std::uint64_t seq = 0;
  TimerKind kind = TimerKind::kOfferExpiry;
  std::string id;
  std::string other_id;
};

struct TimerHandle {
  Timestamp at;
  std::uint64_t seq = 0;
};

class TimerQueue {
 public:
  TimerHandle Schedule(Timestamp at, TimerKind kind, std::string id, std::string other_id = {});
  void Cancel(TimerHandle handle);
  std::optional<Timestamp> NextDue() const;
  // Removes and returns the earliest timer due at or before `now`.
  std::optional<Timer> PopDue(Timestamp now);
  std::size_t size() const { return timers_.size(); }

 private:
  struct Earlier {
    using is_transparent = void;
    bool operator()(const Timer& a, const Timer& b) const { return Key(a) < Key(b); }
    bool operator()(const Timer& a, const TimerHandle& b) const { return Key(a) < Key(b); }
    bool operator()(const TimerHandle& a, const Timer& b) const { return Key(a) < Key(b); }
    template <class T>
    static std::pair<std::int64_t, std::uint64_t> Key(const T& t) {
      return {t.at.unix_micros(), t.seq};
    }
  };
  std::set<Timer, Earlier> timers_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace sb::core
