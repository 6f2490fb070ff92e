// Token-bucket rate limits: a bucket holds up to `burst` tokens and gains `per_second` tokens a
// second; a request takes one or is refused with the time until the next. RateLimiter keeps one
// bucket per key (an access key, a remote address) in a bounded table.
//
// Time comes in as `now` (a clock that goes backwards refills nothing). Not thread-safe: the
// server uses it from the engine's thread only.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include "base/time.h"

namespace sb::auth {

struct RateLimit {
  double per_second = 0;  // 0: unlimited
  double burst = 1;       // the most requests at once after a quiet spell; at least 1

  bool limited() const { return per_second > 0; }
};

struct Admission {
  bool allowed = true;
  Duration retry_after;  // when refused: until a token is due
};

class TokenBucket {
 public:
  TokenBucket(const RateLimit& limit, Timestamp now) : tokens_(limit.burst), updated_(now) {}

  Admission Peek(const RateLimit& limit, Timestamp now) const;
  Admission Take(const RateLimit& limit, Timestamp now);
  // As good as a new bucket: it may be forgotten.
  bool Full(const RateLimit& limit, Timestamp now) const;

 private:
  double TokensAt(const RateLimit& limit, Timestamp now) const;

  double tokens_;
  Timestamp updated_;
};

class RateLimiter {
 public:
  // Tracks at most `max_keys` keys; beyond that, keys share one overflow bucket (so a flood
  // from many addresses is still limited, as a whole).
  RateLimiter(RateLimit limit, std::size_t max_keys);

  const RateLimit& limit() const { return limit_; }
  // Would a request under `key` be admitted by its own bucket? Takes nothing. A key without a
  // bucket (new, or untracked because the table is full) is admitted.
  Admission Peek(const std::string& key, Timestamp now) const;
  // Admits a request under `key` (taking a token) or refuses it. A new key gets a bucket; when
  // the table is full even after forgetting full buckets, the overflow bucket decides.
  Admission Take(const std::string& key, Timestamp now);
  std::size_t tracked() const { return buckets_.size(); }

 private:
  TokenBucket* Find(const std::string& key, Timestamp now);
  void ForgetFull(Timestamp now);

  RateLimit limit_;
  std::size_t max_keys_;
  std::unordered_map<std::string, TokenBucket> buckets_;
  TokenBucket overflow_;
  Timestamp last_sweep_;
};

}  // namespace sb::auth
