// Evaluation: laziness, errors as values, label bindings, and one compiled Program evaluated many
// times (and from several threads) against different label sets.
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "expr/program.h"
#include "test_util.h"

namespace sb::expr {
namespace {

using testing::Eval;
using testing::IsErrorOfKind;

TEST(ExprEval, UntakenBranchesAreNotEvaluated) {
  EXPECT_EQ(Eval("If(true, 1, 1/0)"), EvalValue::Number(1));
  EXPECT_EQ(Eval("If(false, 1/0, 2)"), EvalValue::Number(2));
  EXPECT_EQ(Eval("If(true, 1, 1/0 = 1, 2)"), EvalValue::Number(1));
  EXPECT_EQ(Eval("And(false, 1/0 = 1)"), EvalValue::Boolean(false));
  EXPECT_EQ(Eval("false && 1/0 = 1"), EvalValue::Boolean(false));
  EXPECT_EQ(Eval("Or(true, 1/0 = 1)"), EvalValue::Boolean(true));
  EXPECT_EQ(Eval("true || 1/0 = 1"), EvalValue::Boolean(true));
  EXPECT_EQ(Eval("Coalesce(1, 1/0)"), EvalValue::Number(1));
  EXPECT_EQ(Eval("Switch(1, 1, 10, 1/0, 20)"), EvalValue::Number(10));
  EXPECT_EQ(Eval("IfError(1, 1/0)"), EvalValue::Number(1));
}

TEST(ExprEval, UntakenBranchesCostNoSteps) {
  std::string heavy = "1";
  for (int i = 0; i < 100; ++i) heavy += "+1";
  Limits limits;
  limits.max_steps = 20;
  EXPECT_EQ(Eval("If(true, 1, " + heavy + ")", {}, limits), EvalValue::Number(1));
}

TEST(ExprEval, ErrorsAreValues) {
  EXPECT_TRUE(IsErrorOfKind(Eval("1/0"), ErrorKind::kDiv0));
  EXPECT_TRUE(IsErrorOfKind(Eval("If(1/0 = 1, 1, 2)"), ErrorKind::kDiv0));
  EXPECT_TRUE(IsErrorOfKind(Eval("\"x\" * 2"), ErrorKind::kInvalidArgument));
  EXPECT_TRUE(IsErrorOfKind(Eval("Sqrt(-1)"), ErrorKind::kNumeric));
  EXPECT_EQ(Eval("IsError(1/0)"), EvalValue::Boolean(true));
  EXPECT_EQ(Eval("IfError(1/0, 7)"), EvalValue::Number(7));
  // Several invalid arguments report every error, in order.
  const EvalValue both = Eval("Mid(\"abcd\", \"x\", \"y\")");
  ASSERT_TRUE(both.is_error());
  EXPECT_EQ(both.errors().size(), 2u);
  EXPECT_EQ(ToLiteral(both),
            "Error(Table({Kind:ErrorKind.InvalidArgument},{Kind:ErrorKind.InvalidArgument}))");
}

TEST(ExprEval, RunTimeTypeMismatchIsAnError) {
  const LabelMap job = {{"Region", Value("NA")}, {"Urgent", Value(true)}};
  const EvalValue v = Eval("job.Region = 5", {&job, nullptr});
  ASSERT_TRUE(IsErrorOfKind(v, ErrorKind::kInvalidArgument));
  EXPECT_EQ(v.errors().front().message, "cannot compare Text \"NA\" with Number 5");
  EXPECT_TRUE(IsErrorOfKind(Eval("job.Urgent < 1", {&job, nullptr}), ErrorKind::kInvalidArgument));
}

TEST(ExprEval, MissingLabelsAndMissingMapsAreBlank) {
  const LabelMap job = {{"Skill", Value(11)}};
  EXPECT_EQ(Eval("job.Missing", {&job, nullptr}), EvalValue::Blank());
  EXPECT_EQ(Eval("worker.Anything"), EvalValue::Blank());
  EXPECT_EQ(Eval("If(worker.HandleEscalation = true, 100, 1)"), EvalValue::Number(1));
  EXPECT_EQ(Eval("job.'Caller Id'", {&job, nullptr}), EvalValue::Blank());
}

TEST(ExprEval, LabelValueKinds) {
  const LabelMap job = {{"Int", Value(7)},     {"Double", Value(2.5)}, {"Text", Value("NA")},
                        {"Bool", Value(true)}, {"Null", Value()},      {"Caller Id", Value("555")}};
  const Bindings b{&job, nullptr};
  EXPECT_EQ(Eval("job.Int", b), EvalValue::Number(7));
  EXPECT_EQ(Eval("job.Double", b), EvalValue::Number(2.5));
  EXPECT_EQ(Eval("job.Text", b), EvalValue::Text("NA"));
  EXPECT_EQ(Eval("job.Bool", b), EvalValue::Boolean(true));
  EXPECT_EQ(Eval("job.Null", b), EvalValue::Blank());
  EXPECT_EQ(Eval("job.'Caller Id'", b), EvalValue::Text("555"));
}

TEST(ExprEval, CompileOnceEvaluateManyWithDifferentBindings) {
  Result<Program> compiled =
      Program::Compile("If(job.Region = \"NA\", job.Skill * 2, worker.Boost + job.Skill)");
  ASSERT_TRUE(compiled.ok());
  const Program program = *compiled;
  const LabelMap na = {{"Region", Value("NA")}, {"Skill", Value(5)}};
  const LabelMap eu = {{"Region", Value("EU")}, {"Skill", Value(5)}};
  const LabelMap boost = {{"Boost", Value(100)}};
  EXPECT_EQ(program.Evaluate({&na, &boost}), EvalValue::Number(10));
  EXPECT_EQ(program.Evaluate({&eu, &boost}), EvalValue::Number(105));
  EXPECT_EQ(program.Evaluate({&eu, nullptr}), EvalValue::Number(5));
  EXPECT_EQ(program.Evaluate({}), EvalValue::Number(0));  // Blank + Blank
  // Evaluation leaves no trace: the first binding again gives the first answer.
  EXPECT_EQ(program.Evaluate({&na, &boost}), EvalValue::Number(10));
  // Copies share the compiled form and behave the same.
  const Program copy = program;
  EXPECT_EQ(copy.Evaluate({&na, &boost}), EvalValue::Number(10));
  EXPECT_EQ(copy.source(), program.source());
}

TEST(ExprEval, ConcurrentEvaluationOfOneProgram) {
  Result<Program> compiled = Program::Compile("worker.Level * 10 + Len(worker.Name)");
  ASSERT_TRUE(compiled.ok());
  const Program& program = *compiled;
  constexpr int kThreads = 4;
  constexpr int kRounds = 2000;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&program, &mismatches, t] {
      const LabelMap worker = {{"Level", Value(t)}, {"Name", Value(std::string(t + 1, 'w'))}};
      for (int i = 0; i < kRounds; ++i) {
        if (program.Evaluate({nullptr, &worker}) != EvalValue::Number(t * 10 + t + 1)) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(ExprEval, FirstResultTypeUnifiesBranches) {
  EXPECT_EQ(Eval("If(false, \"3\", 2)"), EvalValue::Text("2"));
  EXPECT_EQ(Eval("If(false, 3, \"2\")"), EvalValue::Number(2));
  EXPECT_EQ(Eval("If(false, true, 0)"), EvalValue::Boolean(false));
  EXPECT_TRUE(IsErrorOfKind(Eval("If(false, 1, \"Hello\")"), ErrorKind::kInvalidArgument));
  EXPECT_EQ(Eval("Coalesce(\"\", 1, 2)"), EvalValue::Text("1"));
}

}  // namespace
}  // namespace sb::expr
