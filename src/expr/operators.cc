// The operators on evaluated operands: Power Fx coercions, then the operation. Arithmetic reads
// Blank as 0, text as a number, booleans as 1/0; & and in/exactin read everything as text.
#include <cmath>

#include "base/assert.h"
#include "expr/builtins.h"
#include "expr/coerce.h"
#include "expr/evaluator.h"
#include "expr/utf8.h"

namespace sb::expr {

EvalValue ApplyUnaryOp(Op op, const EvalValue& operand) {
  if (op == Op::kNot) {
    const EvalValue b = CoerceToBoolean(operand);
    return b.is_error() ? b : EvalValue::Boolean(!BooleanOrFalse(b));
  }
  EvalValue n = CoerceToNumber(operand);
  if (n.is_error()) return n;
  switch (op) {
    case Op::kNegate:
      return EvalValue::Number(-NumberOr0(n));
    case Op::kPlus:
      return EvalValue::Number(NumberOr0(n));
    case Op::kPercent:
      return EvalValue::Number(NumberOr0(n) / 100);
    default:
      break;
  }
  SB_ASSERT_MSG(false, "not a unary operator");
  return EvalValue::Blank();
}

EvalValue PowerOf(double base, double exponent) {
  if (base == 0 && exponent < 0) {
    return EvalValue::Error(ErrorKind::kDiv0, "power: zero raised to a negative exponent");
  }
  return NumberResult(std::pow(base, exponent), "power");
}

EvalValue ApplyArithmetic(Op op, const EvalValue& left, const EvalValue& right) {
  const EvalValue operands[] = {CoerceToNumber(left), CoerceToNumber(right)};
  if (std::optional<EvalValue> errors = CollectErrors(operands)) return *errors;
  const double x = NumberOr0(operands[0]);
  const double y = NumberOr0(operands[1]);
  switch (op) {
    case Op::kAdd:
      return NumberResult(x + y, "addition");
    case Op::kSub:
      return NumberResult(x - y, "subtraction");
    case Op::kMul:
      return NumberResult(x * y, "multiplication");
    case Op::kDiv:
      if (y == 0) return EvalValue::Error(ErrorKind::kDiv0, "division by zero");
      return NumberResult(x / y, "division");
    case Op::kPow:
      return PowerOf(x, y);
    default:
      break;
  }
  SB_ASSERT_MSG(false, "not an arithmetic operator");
  return EvalValue::Blank();
}

EvalValue ApplyTextOp(Op op, const EvalValue& left, const EvalValue& right, Evaluator& ev) {
  const EvalValue operands[] = {CoerceToText(left), CoerceToText(right)};
  if (std::optional<EvalValue> errors = CollectErrors(operands)) return *errors;
  const std::string_view a = TextOrEmpty(operands[0]);
  const std::string_view b = TextOrEmpty(operands[1]);
  switch (op) {
    case Op::kConcat:
      if (!ev.TextFits(a.size() + b.size())) return ev.AbortTextTooLong(a.size() + b.size());
      return ev.MakeText(std::string(a) + std::string(b));
    case Op::kIn:
      return EvalValue::Boolean(utf8::FindIgnoreCase(b, a) != std::string_view::npos);
    case Op::kExactIn:
      return EvalValue::Boolean(b.find(a) != std::string_view::npos);
    default:
      break;
  }
  SB_ASSERT_MSG(false, "not a text operator");
  return EvalValue::Blank();
}

EvalValue ApplyComparison(Op op, const EvalValue& left, const EvalValue& right) {
  if (op == Op::kEq || op == Op::kNe) {
    EvalValue equal = Equal(left, right);
    if (equal.is_error() || op == Op::kEq) return equal;
    return EvalValue::Boolean(!equal.boolean());
  }
  return Order(op, left, right);
}

}  // namespace sb::expr
