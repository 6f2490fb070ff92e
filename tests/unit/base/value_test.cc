#include "base/value.h"

#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(ValueTest, NumbersCompareByValueAcrossKinds) {
  EXPECT_EQ(Value(1), Value(1.0));
  EXPECT_FALSE(Value(1) == Value(1.5));
  EXPECT_EQ(CompareForOrdering(Value(2), Value(1.5)), 1);
  EXPECT_EQ(CompareForOrdering(Value(std::int64_t{1} << 62), Value((std::int64_t{1} << 62) + 1)), -1);
}

TEST(ValueTest, KindsDoNotMix) {
  EXPECT_FALSE(Value("1") == Value(1));
  EXPECT_FALSE(Value(true) == Value("true"));
  EXPECT_FALSE(Value(true) == Value(1));
  EXPECT_FALSE(CompareForOrdering(Value("10"), Value(9)).has_value());
  EXPECT_FALSE(CompareForOrdering(Value(true), Value(false)).has_value());
  EXPECT_EQ(CompareForOrdering(Value("abc"), Value("abd")), -1);
}

TEST(ValueTest, StringsAreCaseSensitive) {
  EXPECT_FALSE(Value("English") == Value("english"));
}

TEST(ValueTest, TotalOrderIsStrictWeak) {
  const Value values[] = {Value(), Value(false), Value(true), Value(-1), Value(0.5), Value(2), Value("a")};
  for (std::size_t i = 0; i < std::size(values); ++i) {
    EXPECT_FALSE(values[i] < values[i]);
    for (std::size_t j = i + 1; j < std::size(values); ++j) {
      EXPECT_TRUE(values[i] < values[j]) << i << " " << j;
      EXPECT_FALSE(values[j] < values[i]) << i << " " << j;
    }
  }
}

}  // namespace
}  // namespace sb
