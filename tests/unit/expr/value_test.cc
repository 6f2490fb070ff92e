// EvalValue and the helpers the engine uses: number text form, literal rendering, conversions
// to and from label Values, coercions, and static-type compatibility.
#include <gtest/gtest.h>

#include "expr/program.h"
#include "expr/value.h"
#include "test_util.h"

namespace sb::expr {
namespace {

TEST(ExprValue, FormatNumberFollowsDotNetGeneral) {
  EXPECT_EQ(FormatNumber(0), "0");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(42), "42");
  EXPECT_EQ(FormatNumber(-123.45), "-123.45");
  EXPECT_EQ(FormatNumber(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatNumber(1e15), "1E+15");
  EXPECT_EQ(FormatNumber(123456789012345), "123456789012345");
  EXPECT_EQ(FormatNumber(1234567890123456), "1234567890123456");
  EXPECT_EQ(FormatNumber(1e308), "1E+308");
  EXPECT_EQ(FormatNumber(0.0001), "0.0001");
  EXPECT_EQ(FormatNumber(0.00001), "1E-05");
  EXPECT_EQ(FormatNumber(-1.5e-7), "-1.5E-07");
}

TEST(ExprValue, ToLiteral) {
  EXPECT_EQ(ToLiteral(EvalValue::Blank()), "Blank()");
  EXPECT_EQ(ToLiteral(EvalValue::Boolean(true)), "true");
  EXPECT_EQ(ToLiteral(EvalValue::Number(2.5)), "2.5");
  EXPECT_EQ(ToLiteral(EvalValue::Text("a\"b")), "\"a\"\"b\"");
  EXPECT_EQ(ToLiteral(EvalValue::Error(ErrorKind::kDiv0, "x")), "Error({Kind:ErrorKind.Div0})");
}

TEST(ExprValue, ToLabelValue) {
  EXPECT_EQ(*ToLabelValue(EvalValue::Number(3)), Value(3));
  EXPECT_TRUE(ToLabelValue(EvalValue::Number(3))->is_int());
  EXPECT_TRUE(ToLabelValue(EvalValue::Number(2.5))->is_double());
  EXPECT_TRUE(ToLabelValue(EvalValue::Number(1e300))->is_double());
  EXPECT_EQ(*ToLabelValue(EvalValue::Text("NA")), Value("NA"));
  EXPECT_EQ(*ToLabelValue(EvalValue::Boolean(false)), Value(false));
  EXPECT_TRUE(ToLabelValue(EvalValue::Blank())->is_null());
  const Result<Value> error = ToLabelValue(EvalValue::Error(ErrorKind::kDiv0, "division by zero"));
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(error.error().message, "division by zero");
}

TEST(ExprValue, FromLabelValue) {
  EXPECT_EQ(FromLabelValue(Value(7)), EvalValue::Number(7));
  EXPECT_EQ(FromLabelValue(Value("x")), EvalValue::Text("x"));
  EXPECT_EQ(FromLabelValue(Value(true)), EvalValue::Boolean(true));
  EXPECT_EQ(FromLabelValue(Value()), EvalValue::Blank());
}

TEST(ExprValue, Coercions) {
  EXPECT_EQ(*ToNumber(EvalValue::Text("1,234.5")), 1234.5);
  EXPECT_EQ(*ToNumber(EvalValue::Blank()), 0);
  EXPECT_EQ(*ToNumber(EvalValue::Boolean(true)), 1);
  EXPECT_FALSE(ToNumber(EvalValue::Text("abc")).ok());
  EXPECT_FALSE(ToNumber(EvalValue::Error(ErrorKind::kDiv0, "x")).ok());
  EXPECT_TRUE(*ToBoolean(EvalValue::Text("TRUE")));
  EXPECT_FALSE(*ToBoolean(EvalValue::Blank()));
  EXPECT_TRUE(*ToBoolean(EvalValue::Number(-2)));
  EXPECT_FALSE(ToBoolean(EvalValue::Text("yes")).ok());
}

TEST(ExprValue, CanProduce) {
  EXPECT_TRUE(CanProduce(Type::kUnknown, Type::kNumber));
  EXPECT_TRUE(CanProduce(Type::kBoolean, Type::kNumber));
  EXPECT_TRUE(CanProduce(Type::kNumber, Type::kBoolean));
  EXPECT_FALSE(CanProduce(Type::kText, Type::kNumber));
  EXPECT_TRUE(CanProduce(Type::kText, Type::kText));
}

TEST(ExprValue, NumberFormatsInText) {
  using testing::Eval;
  EXPECT_EQ(Eval("Text(1234.567, \"#,##0.00\")"), EvalValue::Text("1,234.57"));
  EXPECT_EQ(Eval("Text(123456789, \"0,\")"), EvalValue::Text("123457"));
  EXPECT_EQ(Eval("Text(567, \"!#!#!#!#!\")"), EvalValue::Text("!!5!6!7!"));
  EXPECT_EQ(Eval("Text(1.5, \"000\")"), EvalValue::Text("002"));
  EXPECT_EQ(Eval("Text(9.996, \"0.00E+00\")"), EvalValue::Text("1.00E+01"));
  EXPECT_EQ(Eval("Text(-0.4, \"0\")"), EvalValue::Text("0"));
}

}  // namespace
}  // namespace sb::expr
