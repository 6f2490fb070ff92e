#include "base/time.h"

#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(TimeTest, FormatsRfc3339WithSevenFractionDigits) {
  EXPECT_EQ(FormatRfc3339(Timestamp::FromUnixSeconds(0)), "1970-01-01T00:00:00.0000000+00:00");
  EXPECT_EQ(FormatRfc3339(Timestamp::FromUnixMicros(1'699'402'427'676'120)),
            "2023-11-08T00:13:47.6761200+00:00");
  EXPECT_EQ(FormatRfc3339(Timestamp::FromUnixMicros(-1)), "1969-12-31T23:59:59.9999990+00:00");
}

TEST(TimeTest, ParsesRfc3339Forms) {
  const Timestamp expected = Timestamp::FromUnixMicros(1'699'402'427'676'120);
  EXPECT_EQ(ParseRfc3339("2023-11-08T00:13:47.67612Z"), expected);
  EXPECT_EQ(ParseRfc3339("2023-11-08T00:13:47.6761202+00:00"), expected);  // 100 ns cut
  EXPECT_EQ(ParseRfc3339("2023-11-08T02:13:47.67612+02:00"), expected);
  EXPECT_EQ(ParseRfc3339("2023-11-07t19:13:47.67612-05:00"), expected);
  EXPECT_EQ(ParseRfc3339("2040-01-01T01:01:01.000000001Z"), ParseRfc3339("2040-01-01T01:01:01Z"));
  EXPECT_EQ(ParseRfc3339("0001-01-01T00:00:00.0000000Z"), kMinTimestamp);
}

TEST(TimeTest, RejectsMalformedRfc3339) {
  for (const char* bad : {"", "2023-11-08", "2023-11-08T00:13:47", "2023-13-01T00:00:00Z",
                          "2023-02-29T00:00:00Z", "2023-11-08T24:00:00Z", "2023-11-08T00:13:47.Z",
                          "2023-11-08T00:13:47Zjunk", "2023-11-08T00:13:47+2:00", "0000-01-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseRfc3339("2024-02-29T00:00:00Z").has_value());
}

TEST(TimeTest, RoundTripsEveryFormattedValue) {
  for (std::int64_t us : {0LL, 1LL, 999'999LL, 1'700'000'000'123'456LL, -86'400'000'001LL}) {
    const Timestamp t = Timestamp::FromUnixMicros(us);
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t) << us;
  }
}

TEST(TimeTest, FormatsAndParsesHttpDates) {
  const Timestamp t = Timestamp::FromUnixSeconds(784'111'777);
  EXPECT_EQ(FormatHttpDate(t), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), t);
  EXPECT_EQ(FormatHttpDate(Timestamp::FromUnixMicros(1'699'402'427'676'120)),
            "Wed, 08 Nov 2023 00:13:47 GMT");
  EXPECT_FALSE(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT").has_value());
}

TEST(TimeTest, DurationsConvert) {
  EXPECT_EQ(Duration::FromSecondsDouble(1.5).micros(), 1'500'000);
  EXPECT_EQ(Duration::Minutes(2).seconds(), 120.0);
  EXPECT_EQ(Timestamp::FromUnixSeconds(10) - Timestamp::FromUnixSeconds(4), Duration::Seconds(6));
  EXPECT_EQ(Timestamp::FromUnixMicros(-1).unix_seconds_floor(), -1);
}

}  // namespace
}  // namespace sb
