#include "api/json.h"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

TEST(JsonTest, WritesNumbersAsTheServiceDoes) {
  EXPECT_EQ(Serialize(json::value(300.0)), "300");
  EXPECT_EQ(Serialize(json::value(0.5)), "0.5");
  EXPECT_EQ(Serialize(json::value(0.1)), "0.1");
  EXPECT_EQ(Serialize(json::value(-7)), "-7");
  EXPECT_EQ(Serialize(json::value(std::uint64_t{18446744073709551615ULL})), "18446744073709551615");
  EXPECT_EQ(Serialize(json::value(1e21)), "1e+21");
}

TEST(JsonTest, EscapesStrings) {
  EXPECT_EQ(Serialize(json::value("a\"b\\c\n\x01")), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(Serialize(json::value("é")), "\"é\"");
}

TEST(JsonTest, KeepsMemberOrder) {
  json::object o{{"id", "x"}, {"a", 1}, {"etag", "e"}};
  EXPECT_EQ(Serialize(o), R"({"id":"x","a":1,"etag":"e"})");
}

TEST(JsonTest, ParsesWithADepthLimit) {
  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_FALSE(ParseJson(deep).ok());
  std::string shallow(kMaxJsonDepth - 1, '[');
  shallow += std::string(kMaxJsonDepth - 1, ']');
  EXPECT_TRUE(ParseJson(shallow).ok());
  EXPECT_FALSE(ParseJson("{").ok());
  EXPECT_FALSE(ParseJson("{} x").ok());
}

TEST(JsonTest, TimesDropTrailingFractionZeros) {
  EXPECT_EQ(ToJsonTime(Timestamp::FromUnixMicros(1'699'402'427'676'120)), "2023-11-08T00:13:47.67612+00:00");
  EXPECT_EQ(ToJsonTime(Timestamp::FromUnixSeconds(2208992461)), "2040-01-01T01:01:01+00:00");
}

TEST(JsonTest, MatchesEnumsLeniently) {
  const std::vector<std::string_view> names = {"bestWorker", "longestIdle", "roundRobin"};
  EXPECT_EQ(MatchEnum("longestIdle", names), 1);
  EXPECT_EQ(MatchEnum("LongestIdle", names), 1);
  EXPECT_EQ(MatchEnum("longest-idle", names), 1);
  EXPECT_EQ(MatchEnum("round-robin-mode", names), 2);
  EXPECT_EQ(MatchEnum("fastest", names), -1);
  EXPECT_EQ(MatchEnum("static-rule", {"static", "directMap"}), 0);
}

TEST(JsonTest, ReaderNamesTheFieldAtFault) {
  auto parsed = ParseJson(R"({"a":{"b":[{"c":"x"}]}})");
  ASSERT_TRUE(parsed.ok());
  Reader r(parsed->get_object(), "");
  auto a = r.Child("a");
  ASSERT_TRUE(a.has_value());
  auto items = a->Items("b");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_FALSE(items[0].Int32("c").has_value());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().target, "a.b[0].c");
  EXPECT_NE(r.error().message.find("a.b[0].c must be a 32-bit integer"), std::string::npos);
}

TEST(JsonTest, ReaderReadsTypedFields) {
  auto parsed = ParseJson(
      R"({"s":"x","i":5,"d":2.5,"b":true,"t":"2024-01-31T12:00:00Z","l":{"k":1,"n":null},"big":3000000000})");
  ASSERT_TRUE(parsed.ok());
  Reader r(parsed->get_object(), "");
  EXPECT_EQ(r.String("s"), "x");
  EXPECT_EQ(r.Int32("i"), 5);
  EXPECT_EQ(r.Number("d"), 2.5);
  EXPECT_EQ(r.Bool("b"), true);
  EXPECT_EQ(r.Time("t"), ParseRfc3339("2024-01-31T12:00:00Z"));
  EXPECT_EQ(r.Labels("l").size(), 1u);
  EXPECT_FALSE(r.String("missing").has_value());
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.Int32("big").has_value());
  EXPECT_FALSE(r.ok());
}

TEST(JsonTest, LabelValuesMustBePrimitive) {
  auto parsed = ParseJson(R"({"labels":{"a":{"x":1}}})");
  Reader r(parsed->get_object(), "");
  r.Labels("labels");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().target, "labels.a");
}

}  // namespace
}  // namespace sb::api
