// The four limits - source length, nesting depth, evaluation steps, text size - each enforced
// with a clear error, and the two evaluation limits not hideable by IfError/IsError.
#include <string>

#include <gtest/gtest.h>

#include "expr/program.h"
#include "test_util.h"

namespace sb::expr {
namespace {

using testing::CompileError;
using testing::Eval;
using testing::IsErrorOfKind;

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(ExprLimits, SourceLength) {
  const std::string at_limit = "1" + Repeat(" ", 8191);
  EXPECT_EQ(CompileError(at_limit), "");
  EXPECT_EQ(CompileError(at_limit + " "),
            "expression: 8193 bytes is longer than the limit of 8192");
  Limits small;
  small.max_source_bytes = 10;
  EXPECT_EQ(CompileError("1 + 2 + 3 + 4", small),
            "expression: 13 bytes is longer than the limit of 10");
}

TEST(ExprLimits, NestingDepth) {
  EXPECT_EQ(CompileError(Repeat("(", 64) + "1" + Repeat(")", 64)), "");
  EXPECT_EQ(CompileError(Repeat("(", 65) + "1" + Repeat(")", 65)),
            "expression: position 65: nesting deeper than 64 levels");
  EXPECT_EQ(CompileError(Repeat("Abs(", 65) + "1" + Repeat(")", 65)),
            "expression: position 257: nesting deeper than 64 levels");
  EXPECT_EQ(CompileError(Repeat("-", 65) + "1"),
            "expression: position 65: nesting deeper than 64 levels");
  EXPECT_EQ(CompileError("2" + Repeat("^2", 65)),
            "expression: position 130: nesting deeper than 64 levels");
  Limits shallow;
  shallow.max_depth = 2;
  EXPECT_EQ(CompileError("((1))", shallow), "");
  EXPECT_EQ(CompileError("(((1)))", shallow),
            "expression: position 3: nesting deeper than 2 levels");
}

TEST(ExprLimits, FlatChainsDoNotCountAsNesting) {
  EXPECT_EQ(CompileError("1" + Repeat(" + 1", 500)), "");
  EXPECT_EQ(CompileError("true" + Repeat(" && true", 500)), "");
  EXPECT_EQ(Eval("\"\"" + Repeat(" & \"ab\"", 500)), EvalValue::Text(Repeat("ab", 500)));
}

TEST(ExprLimits, EvaluationSteps) {
  Limits limits;
  limits.max_steps = 50;
  const std::string sum = "1" + Repeat("+1", 100);
  const EvalValue v = Eval(sum, {}, limits);
  ASSERT_TRUE(IsErrorOfKind(v, ErrorKind::kQuotaExceeded)) << ToLiteral(v);
  EXPECT_EQ(v.errors().front().message, "expression: evaluation step limit (50) exceeded");
  EXPECT_EQ(Eval("1" + Repeat("+1", 10), {}, limits), EvalValue::Number(11));
}

TEST(ExprLimits, StepLimitCannotBeCaught) {
  Limits limits;
  limits.max_steps = 50;
  const std::string sum = "1" + Repeat("+1", 100);
  EXPECT_TRUE(
      IsErrorOfKind(Eval("IfError(" + sum + ", 0)", {}, limits), ErrorKind::kQuotaExceeded));
  EXPECT_TRUE(
      IsErrorOfKind(Eval("If(IsError(" + sum + "), 1, 2)", {}, limits), ErrorKind::kQuotaExceeded));
}

TEST(ExprLimits, TextSize) {
  Limits limits;
  limits.max_text_bytes = 100;
  const EvalValue v =
      Eval("Substitute(\"aaaaaaaaaa\", \"a\", \"aaaaaaaaaaaaaaaaaaaa\")", {}, limits);
  ASSERT_TRUE(IsErrorOfKind(v, ErrorKind::kQuotaExceeded)) << ToLiteral(v);
  EXPECT_NE(v.errors().front().message.find("exceeds the limit of 100 bytes"), std::string::npos);
  EXPECT_EQ(Eval("Len(Substitute(\"aaaaa\", \"a\", \"aaaaaaaaaaaaaaaaaaaa\"))", {}, limits),
            EvalValue::Number(100));
  const std::string fifty = "\"" + std::string(50, 'x') + "\"";
  EXPECT_TRUE(IsErrorOfKind(Eval(fifty + " & " + fifty + " & \"!\"", {}, limits),
                            ErrorKind::kQuotaExceeded));
  EXPECT_TRUE(IsErrorOfKind(Eval("Concatenate(" + fifty + ", " + fifty + ", 1)", {}, limits),
                            ErrorKind::kQuotaExceeded));
  EXPECT_TRUE(IsErrorOfKind(
      Eval("IfError(Replace(" + fifty + ", 1, 0, " + fifty + " & 1), \"\")", {}, limits),
      ErrorKind::kQuotaExceeded));
}

TEST(ExprLimits, TextSizeStopsRunawayGrowthAtTheDefault) {
  // Each Substitute multiplies the length by 16: 16^5 characters would be 1 MiB.
  std::string source = "\"" + std::string(16, 'a') + "\"";
  for (int i = 0; i < 5; ++i)
    source = "Substitute(" + source + ", \"a\", \"" + std::string(16, 'a') + "\")";
  EXPECT_TRUE(IsErrorOfKind(Eval(source), ErrorKind::kQuotaExceeded));
}

TEST(ExprLimits, LabelTextCountsToo) {
  Limits limits;
  limits.max_text_bytes = 10;
  const LabelMap job = {{"Long", Value(std::string(20, 'x'))}};
  EXPECT_TRUE(IsErrorOfKind(Eval("job.Long", {&job, nullptr}, limits), ErrorKind::kQuotaExceeded));
  EXPECT_EQ(Eval("Len(job.Long)", {&job, nullptr}, limits), EvalValue::Number(20));
}

}  // namespace
}  // namespace sb::expr
