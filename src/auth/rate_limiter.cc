#include "auth/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "base/assert.h"

namespace sb::auth {
namespace {

// Full buckets are swept from a full table at most this often, bounding the sweep's cost.
constexpr Duration kSweepInterval = Duration::Seconds(1);

}  // namespace

double TokenBucket::TokensAt(const RateLimit& limit, Timestamp now) const {
  const double elapsed_s = std::max(0.0, (now - updated_).seconds());
  return std::min(limit.burst, tokens_ + elapsed_s * limit.per_second);
}

Admission TokenBucket::Peek(const RateLimit& limit, Timestamp now) const {
  if (!limit.limited()) return {};
  const double tokens = TokensAt(limit, now);
  if (tokens >= 1) return {};
  return {false, Duration::FromSecondsDouble((1 - tokens) / limit.per_second)};
}

Admission TokenBucket::Take(const RateLimit& limit, Timestamp now) {
  const Admission admission = Peek(limit, now);
  if (!limit.limited()) return admission;
  tokens_ = TokensAt(limit, now);
  updated_ = std::max(updated_, now);
  if (admission.allowed) tokens_ -= 1;
  return admission;
}

bool TokenBucket::Full(const RateLimit& limit, Timestamp now) const {
  return TokensAt(limit, now) >= limit.burst;
}

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_keys)
    : limit_(limit), max_keys_(max_keys), overflow_(limit, Timestamp()) {
  SB_ASSERT(limit.burst >= 1 && limit.per_second >= 0 && std::isfinite(limit.per_second));
}

Admission RateLimiter::Peek(const std::string& key, Timestamp now) const {
  if (!limit_.limited()) return {};
  const auto it = buckets_.find(key);
  // A key without a bucket of its own has not used any of its allowance yet.
  return it == buckets_.end() ? Admission{} : it->second.Peek(limit_, now);
}

Admission RateLimiter::Take(const std::string& key, Timestamp now) {
  if (!limit_.limited()) return {};
  TokenBucket* bucket = Find(key, now);
  return (bucket ? *bucket : overflow_).Take(limit_, now);
}

TokenBucket* RateLimiter::Find(const std::string& key, Timestamp now) {
  if (auto it = buckets_.find(key); it != buckets_.end()) return &it->second;
  if (buckets_.size() >= max_keys_) ForgetFull(now);
  if (buckets_.size() >= max_keys_) return nullptr;
  return &buckets_.emplace(key, TokenBucket(limit_, now)).first->second;
}

void RateLimiter::ForgetFull(Timestamp now) {
  if (now - last_sweep_ < kSweepInterval && last_sweep_ != Timestamp()) return;
  last_sweep_ = now;
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.Full(limit_, now); });
}

}  // namespace sb::auth
