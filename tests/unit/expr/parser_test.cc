// Lexer and parser: error messages with 1-based character positions, precedence and
// associativity, name and function resolution, and the static result types.
#include <gtest/gtest.h>

#include "expr/program.h"
#include "test_util.h"

namespace sb::expr {
namespace {

using testing::CompileError;
using testing::Eval;

TEST(ExprParser, ErrorsNameTheOneBasedPosition) {
  EXPECT_EQ(CompileError("1 +"),
            "expression: position 4: expected an operand, found end of expression");
  EXPECT_EQ(CompileError("(1 + 2"),
            "expression: position 7: expected ')', found end of expression");
  EXPECT_EQ(CompileError("1 2"), "expression: position 3: expected an operator, found a number");
  EXPECT_EQ(CompileError("If(true, 1, x)"), "expression: position 13: unknown name 'x'");
  EXPECT_EQ(CompileError("\"abc"), "expression: position 1: unterminated text literal");
  EXPECT_EQ(CompileError("1; 2"),
            "expression: position 2: ';' (expression chaining) is not supported");
  EXPECT_EQ(CompileError("1 /* x"), "expression: position 3: unterminated comment");
  EXPECT_EQ(CompileError("1 # 2"), "expression: position 3: unexpected character '#'");
  EXPECT_EQ(CompileError("   "), "expression: position 4: expression is empty");
}

TEST(ExprParser, PositionsCountCharactersNotBytes) {
  // "é" is two bytes in UTF-8 but one character.
  EXPECT_EQ(CompileError("\"é\" & x"), "expression: position 7: unknown name 'x'");
}

TEST(ExprParser, PositionsSpanLines) {
  EXPECT_EQ(CompileError("1 +\n  (2 *"),
            "expression: position 11: expected an operand, found end of expression");
}

TEST(ExprParser, FunctionErrors) {
  EXPECT_EQ(CompileError("Foo(1)"), "expression: position 1: unknown function 'Foo'");
  EXPECT_EQ(CompileError("if(true, 1)"),
            "expression: position 1: unknown function 'if' (did you mean 'If'?)");
  EXPECT_EQ(CompileError("1 + Left(\"a\")"),
            "expression: position 5: 'Left' takes 2 arguments, not 1");
  EXPECT_EQ(CompileError("Len()"), "expression: position 1: 'Len' takes 1 argument, not 0");
  EXPECT_EQ(CompileError("Mid(\"a\")"),
            "expression: position 1: 'Mid' takes 2 to 3 arguments, not 1");
  EXPECT_EQ(CompileError("If(true)"),
            "expression: position 1: 'If' takes at least 2 arguments, not 1");
  EXPECT_EQ(CompileError("Abs(1,)"), "expression: position 7: expected an operand, found ')'");
  EXPECT_EQ(CompileError("Abs(1 2)"),
            "expression: position 7: expected ',' or ')', found a number");
}

TEST(ExprParser, NamesAreCaseSensitive) {
  EXPECT_EQ(CompileError("True"),
            "expression: position 1: unknown name 'True' (did you mean 'true'?)");
  EXPECT_EQ(CompileError("Job.X"), "expression: position 1: unknown name 'Job'");
  EXPECT_EQ(CompileError("true and false"),
            "expression: position 6: expected an operator, found 'and'");
  EXPECT_EQ(Eval("true And false"), EvalValue::Boolean(false));
}

TEST(ExprParser, LabelSyntax) {
  EXPECT_EQ(CompileError("job"),
            "expression: position 1: 'job' is a set of labels; write job.<Label>");
  EXPECT_EQ(CompileError("job.X.Y"), "expression: position 6: a label value has no members");
  EXPECT_EQ(CompileError("worker.1"),
            "expression: position 8: expected a label name after 'worker.', found a number");
  EXPECT_EQ(CompileError("job.'Some Label' & worker.'It''s'"), "");
  EXPECT_EQ(CompileError("job.''"), "expression: position 5: empty quoted name");
}

TEST(ExprParser, UnsupportedSyntaxIsNamed) {
  EXPECT_EQ(CompileError("[1, 2]"), "expression: position 1: tables and records are not supported");
  EXPECT_EQ(CompileError("{a: 1}"), "expression: position 1: tables and records are not supported");
  EXPECT_EQ(CompileError("1e999"), "expression: position 1: number out of range");
}

TEST(ExprParser, StaticallyIncompatibleComparisons) {
  EXPECT_EQ(CompileError("1 = \"1\""), "expression: position 3: cannot compare Number with Text");
  EXPECT_EQ(CompileError("true < 1"), "expression: position 6: cannot order Boolean values with <");
  EXPECT_EQ(CompileError("Switch(1, \"a\", 2)"),
            "expression: position 11: Switch: cannot compare Number with Text");
  // Labels are typed at run time, so these compile.
  EXPECT_EQ(CompileError("job.X = \"1\""), "");
  EXPECT_EQ(CompileError("job.X < 1"), "");
}

double Number(const char* source) {
  const EvalValue v = Eval(source);
  EXPECT_TRUE(v.is_number()) << source << " gave " << ToLiteral(v);
  return v.is_number() ? v.number() : 0;
}

TEST(ExprParser, ArithmeticPrecedenceAndAssociativity) {
  EXPECT_EQ(Number("-2^2"), -4);    // ^ binds tighter than prefix minus
  EXPECT_EQ(Number("2^3^2"), 512);  // ^ is right-associative
  EXPECT_EQ(Number("2^-1"), 0.5);   // the exponent may carry a sign
  EXPECT_EQ(Number("1+2%"), 1.02);  // postfix % binds tightest
  EXPECT_EQ(Number("50%^2"), 0.25);
  EXPECT_EQ(Number("2+3*4"), 14);
  EXPECT_EQ(Number("10-4-3"), 3);  // left-associative
  EXPECT_EQ(Number("100/10/5"), 2);
  EXPECT_EQ(Number("2*3^2"), 18);
  EXPECT_EQ(Number("-3*-3"), 9);
}

TEST(ExprParser, LooserOperators) {
  EXPECT_EQ(Eval("\"a\" & 1 + 2"), EvalValue::Text("a3"));              // & below +
  EXPECT_EQ(Eval("2 > 1 & \"0\""), EvalValue::Boolean(false));          // comparison below &
  EXPECT_EQ(Eval("1 = 2 in \"false\""), EvalValue::Boolean(true));      // in below =
  EXPECT_EQ(Eval("true || false && false"), EvalValue::Boolean(true));  // && below ||
  EXPECT_EQ(Eval("Not 0 = true"), EvalValue::Boolean(true));            // (Not 0) = true
  EXPECT_EQ(Eval("1 = 1 = true"), EvalValue::Boolean(true));            // (1 = 1) = true
}

TEST(ExprParser, LongFlatChainsCompileAndEvaluate) {
  std::string source = "1";
  for (int i = 0; i < 2000; ++i) source += "+1";
  EXPECT_EQ(Eval(source), EvalValue::Number(2001));
}

TEST(ExprParser, ResultTypes) {
  auto type = [](const char* source) {
    Result<Program> p = Program::Compile(source);
    EXPECT_TRUE(p.ok()) << source;
    return p.ok() ? p->result_type() : Type::kError;
  };
  EXPECT_EQ(type("1 + 1"), Type::kNumber);
  EXPECT_EQ(type("\"a\" & 1"), Type::kText);
  EXPECT_EQ(type("1 < 2"), Type::kBoolean);
  EXPECT_EQ(type("Blank()"), Type::kBlank);
  EXPECT_EQ(type("job.Priority"), Type::kUnknown);
  EXPECT_EQ(type("If(true, \"a\", 1)"), Type::kText);
  EXPECT_EQ(type("If(true, Blank(), 1)"), Type::kNumber);
  EXPECT_EQ(type("If(true, job.X, 1)"), Type::kUnknown);
  EXPECT_EQ(type("Coalesce(Blank(), true)"), Type::kBoolean);
  EXPECT_EQ(type("Switch(1, 1, \"a\", 2)"), Type::kText);
  EXPECT_EQ(type("IfError(1, \"a\")"), Type::kNumber);
  EXPECT_EQ(type("Len(\"abc\")"), Type::kNumber);
}

TEST(ExprParser, BuiltinNames) {
  EXPECT_TRUE(IsBuiltinFunction("If"));
  EXPECT_TRUE(IsBuiltinFunction("Substitute"));
  EXPECT_FALSE(IsBuiltinFunction("if"));
  EXPECT_FALSE(IsBuiltinFunction("Filter"));
}

}  // namespace
}  // namespace sb::expr
