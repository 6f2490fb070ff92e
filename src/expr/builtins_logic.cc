// Logic and control functions. The lazy ones evaluate arguments left to right and stop as soon
// as the result is known; a branch's value is coerced to the call's static type (Power Fx takes
// it from the first non-Blank result argument: If(false, 1, "2") is 2, If(false, "1", 2) "2").
#include "expr/builtins.h"
#include "expr/coerce.h"
#include "expr/evaluator.h"

namespace sb::expr::fn {
namespace {

EvalValue Unify(const Node& call, const EvalValue& value) { return CoerceTo(value, call.type); }

bool IsBlankOrEmpty(const EvalValue& v) {
  return v.is_blank() || (v.is_text() && v.text().empty());
}

// Condition of If/And/Or: Boolean, or an Error.
EvalValue Condition(const Node& call, std::size_t i, Evaluator& ev) {
  return CoerceToBoolean(ev.EvalChild(call, i));
}

EvalValue ShortCircuit(const Node& call, Evaluator& ev, bool is_and) {
  for (std::size_t i = 0; i < call.children.size(); ++i) {
    EvalValue b = Condition(call, i, ev);
    if (b.is_error()) return b;
    if (BooleanOrFalse(b) != is_and) return EvalValue::Boolean(!is_and);
  }
  return EvalValue::Boolean(is_and);
}

}  // namespace

// If(c1, r1, [c2, r2, ...], [else])
EvalValue If(const Node& call, Evaluator& ev) {
  const std::size_t n = call.children.size();
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    EvalValue condition = Condition(call, i, ev);
    if (condition.is_error()) return condition;
    if (BooleanOrFalse(condition)) return Unify(call, ev.EvalChild(call, i + 1));
  }
  if (n % 2 == 1) return Unify(call, ev.EvalChild(call, n - 1));
  return EvalValue::Blank();
}

// Switch(v, m1, r1, [m2, r2, ...], [default]); matches with `=`.
EvalValue Switch(const Node& call, Evaluator& ev) {
  const std::size_t n = call.children.size();
  EvalValue subject = ev.EvalChild(call, 0);
  if (subject.is_error()) return subject;
  for (std::size_t i = 1; i + 1 < n; i += 2) {
    EvalValue match = Equal(subject, ev.EvalChild(call, i));
    if (match.is_error()) return match;
    if (match.boolean()) return Unify(call, ev.EvalChild(call, i + 1));
  }
  if (n % 2 == 0) return Unify(call, ev.EvalChild(call, n - 1));
  return EvalValue::Blank();
}

EvalValue And(const Node& call, Evaluator& ev) { return ShortCircuit(call, ev, true); }
EvalValue Or(const Node& call, Evaluator& ev) { return ShortCircuit(call, ev, false); }

// The first argument that is neither Blank nor "".
EvalValue Coalesce(const Node& call, Evaluator& ev) {
  for (std::size_t i = 0; i < call.children.size(); ++i) {
    EvalValue v = ev.EvalChild(call, i);
    if (v.is_error()) return v;
    if (!IsBlankOrEmpty(v)) return Unify(call, v);
  }
  return EvalValue::Blank();
}

// IfError(v1, f1, [v2, f2, ...], [default]): the fallback of the first value that is an error;
// else the default if given, else the last value.
EvalValue IfError(const Node& call, Evaluator& ev) {
  const std::size_t n = call.children.size();
  EvalValue last;
  for (std::size_t i = 0; i < n; i += 2) {
    if (i + 1 == n) return Unify(call, ev.EvalChild(call, i));  // the default
    EvalValue v = ev.EvalChild(call, i);
    if (v.is_error()) return Unify(call, ev.EvalChild(call, i + 1));
    last = std::move(v);
  }
  return Unify(call, last);
}

EvalValue IsError(const Node& call, Evaluator& ev) {
  return EvalValue::Boolean(ev.EvalChild(call, 0).is_error());
}

EvalValue IsBlankOrError(const Node& call, Evaluator& ev) {
  const EvalValue v = ev.EvalChild(call, 0);
  return EvalValue::Boolean(v.is_error() || IsBlankOrEmpty(v));
}

EvalValue Not(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return EvalValue::Boolean(!BooleanOrFalse(args[0]));
}

// Blank and "" are blank; " " is not.
EvalValue IsBlank(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return EvalValue::Boolean(IsBlankOrEmpty(args[0]));
}

EvalValue Blank(std::span<const EvalValue> /*args*/, Evaluator& /*ev*/) {
  return EvalValue::Blank();
}

// "true"/"false" in any case (no trimming); a number is true when non-zero; Blank stays Blank.
EvalValue Boolean(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return CoerceToBoolean(args[0]);
}

// Numbers and numeric text; false for booleans and Blank.
EvalValue IsNumeric(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  const EvalValue& v = args[0];
  if (v.is_number()) return EvalValue::Boolean(true);
  return EvalValue::Boolean(v.is_text() && ParseNumberText(v.text()).has_value());
}

// Value and Float: text to number ("1,234.5", "$ 12", "12%", "2e3"); "" and Blank are Blank.
EvalValue Value(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return CoerceToNumber(args[0]);
}

}  // namespace sb::expr::fn
