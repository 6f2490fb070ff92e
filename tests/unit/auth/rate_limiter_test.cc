#include "auth/rate_limiter.h"

#include <gtest/gtest.h>

namespace sb::auth {
namespace {

const Timestamp kT0 = Timestamp::FromUnixSeconds(1'700'000'000);

TEST(TokenBucketTest, BurstThenRefusalWithTheWaitThenRefill) {
  const RateLimit limit{2, 3};  // 2 per second, 3 at once
  TokenBucket bucket(limit, kT0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.Take(limit, kT0).allowed) << i;
  const Admission refused = bucket.Take(limit, kT0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, Duration::Millis(500));
  EXPECT_FALSE(bucket.Take(limit, kT0 + Duration::Millis(499)).allowed);
  EXPECT_TRUE(bucket.Take(limit, kT0 + Duration::Millis(500)).allowed);
  EXPECT_FALSE(bucket.Full(limit, kT0 + Duration::Seconds(1)));
  EXPECT_TRUE(bucket.Full(limit, kT0 + Duration::Seconds(2)));
  // Refilling stops at the burst.
  const Timestamp later = kT0 + Duration::Seconds(100);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.Take(limit, later).allowed);
  EXPECT_FALSE(bucket.Take(limit, later).allowed);
}

TEST(TokenBucketTest, PeekTakesNothing) {
  const RateLimit limit{1, 1};
  TokenBucket bucket(limit, kT0);
  EXPECT_TRUE(bucket.Peek(limit, kT0).allowed);
  EXPECT_TRUE(bucket.Peek(limit, kT0).allowed);
  EXPECT_TRUE(bucket.Take(limit, kT0).allowed);
  EXPECT_FALSE(bucket.Peek(limit, kT0).allowed);
}

TEST(TokenBucketTest, UnlimitedAlwaysAdmits) {
  const RateLimit unlimited{0, 1};
  TokenBucket bucket(unlimited, kT0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(bucket.Take(unlimited, kT0).allowed);
}

TEST(TokenBucketTest, AClockGoingBackRefillsNothing) {
  const RateLimit limit{1, 1};
  TokenBucket bucket(limit, kT0);
  EXPECT_TRUE(bucket.Take(limit, kT0).allowed);
  EXPECT_FALSE(bucket.Take(limit, kT0 - Duration::Seconds(3600)).allowed);
  EXPECT_FALSE(bucket.Take(limit, kT0 + Duration::Millis(900)).allowed);
  EXPECT_TRUE(bucket.Take(limit, kT0 + Duration::Seconds(1)).allowed);
}

TEST(RateLimiterTest, KeysHaveTheirOwnBuckets) {
  RateLimiter limiter({1, 2}, 100);
  EXPECT_TRUE(limiter.Take("a", kT0).allowed);
  EXPECT_TRUE(limiter.Take("a", kT0).allowed);
  EXPECT_FALSE(limiter.Take("a", kT0).allowed);
  EXPECT_FALSE(limiter.Peek("a", kT0).allowed);
  EXPECT_TRUE(limiter.Peek("b", kT0).allowed);
  EXPECT_TRUE(limiter.Take("b", kT0).allowed);
  EXPECT_EQ(limiter.tracked(), 2u);
}

TEST(RateLimiterTest, TheTableIsBoundedAndOverflowSharesOneBucket) {
  RateLimiter limiter({1, 1}, 2);
  EXPECT_TRUE(limiter.Take("a", kT0).allowed);
  EXPECT_TRUE(limiter.Take("b", kT0).allowed);
  // Full table, nothing to forget: "c" and "d" share the overflow bucket.
  EXPECT_TRUE(limiter.Take("c", kT0).allowed);
  EXPECT_FALSE(limiter.Take("d", kT0).allowed);
  EXPECT_EQ(limiter.tracked(), 2u);
  // Once a and b have refilled they are forgotten, and new keys get buckets again.
  const Timestamp later = kT0 + Duration::Seconds(5);
  EXPECT_TRUE(limiter.Take("e", later).allowed);
  EXPECT_TRUE(limiter.Take("f", later).allowed);
  EXPECT_EQ(limiter.tracked(), 2u);
  EXPECT_FALSE(limiter.Take("e", later).allowed);
}

}  // namespace
}  // namespace sb::auth
