// The built-in function table: name, arity, how arguments are evaluated and coerced, how the
// static result type is chosen, and the implementation. The table is a constant; lookups are
// by exact (case-sensitive) name, as Power Fx resolves functions.
//
// Eager functions get their arguments already evaluated and coerced to the parameter types,
// with no Error among them (the caller returns the collected errors instead). Lazy functions
// (If, Switch, And, Or, Coalesce, IfError, IsError, IsBlankOrError) evaluate their own
// arguments through the Evaluator, so untaken branches are never evaluated.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "expr/ast.h"
#include "expr/value.h"

namespace sb::expr {

class Evaluator;  // expr/evaluator.h

enum class ResultRule {
  kFixed,    // Builtin::result
  kIf,       // unify args 1, 3, 5, ... and a trailing else
  kSwitch,   // unify args 2, 4, ... and a trailing default
  kAll,      // unify every argument (Coalesce)
  kIfError,  // unify the fallbacks and the last value, in Power Fx's order (see typing.cc)
};

using EagerFn = EvalValue (*)(std::span<const EvalValue> args, Evaluator& ev);
using LazyFn = EvalValue (*)(const Node& call, Evaluator& ev);

inline constexpr int kVariadic = -1;

struct Builtin {
  std::string_view name;
  int min_args = 0;
  int max_args = 0;  // kVariadic: no upper bound
  Type result = Type::kUnknown;
  ResultRule rule = ResultRule::kFixed;
  // Coercion target of argument i is params[min(i, 3)]; kUnknown takes the value as it is.
  std::array<Type, 4> params = {Type::kUnknown, Type::kUnknown, Type::kUnknown, Type::kUnknown};
  EagerFn eager = nullptr;
  LazyFn lazy = nullptr;

  Type param(std::size_t i) const { return params[i < 3 ? i : 3]; }
};

// nullptr when no built-in has exactly this name.
const Builtin* FindBuiltin(std::string_view name);
// A built-in whose name matches ignoring case, for "did you mean" hints; nullptr if none.
const Builtin* FindBuiltinIgnoringCase(std::string_view name);

// The implementations, grouped by file (builtins_logic.cc, builtins_text.cc, builtins_math.cc).
namespace fn {
// logic
EvalValue If(const Node& call, Evaluator& ev);
EvalValue Switch(const Node& call, Evaluator& ev);
EvalValue And(const Node& call, Evaluator& ev);
EvalValue Or(const Node& call, Evaluator& ev);
EvalValue Coalesce(const Node& call, Evaluator& ev);
EvalValue IfError(const Node& call, Evaluator& ev);
EvalValue IsError(const Node& call, Evaluator& ev);
EvalValue IsBlankOrError(const Node& call, Evaluator& ev);
EvalValue Not(std::span<const EvalValue> args, Evaluator& ev);
EvalValue IsBlank(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Blank(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Boolean(std::span<const EvalValue> args, Evaluator& ev);
EvalValue IsNumeric(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Value(std::span<const EvalValue> args, Evaluator& ev);
// text
EvalValue Text(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Len(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Left(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Right(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Mid(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Upper(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Lower(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Trim(std::span<const EvalValue> args, Evaluator& ev);
EvalValue TrimEnds(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Concatenate(std::span<const EvalValue> args, Evaluator& ev);
EvalValue StartsWith(std::span<const EvalValue> args, Evaluator& ev);
EvalValue EndsWith(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Find(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Substitute(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Replace(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Char(std::span<const EvalValue> args, Evaluator& ev);
// math
EvalValue Abs(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Int(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Trunc(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Mod(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Round(std::span<const EvalValue> args, Evaluator& ev);
EvalValue RoundUp(std::span<const EvalValue> args, Evaluator& ev);
EvalValue RoundDown(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Min(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Max(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Sum(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Average(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Sqrt(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Power(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Ln(std::span<const EvalValue> args, Evaluator& ev);
EvalValue Exp(std::span<const EvalValue> args, Evaluator& ev);
}  // namespace fn

// Shared by the ^ operator and Power(): 0^negative is Div0, other non-finite results Numeric.
EvalValue PowerOf(double base, double exponent);

}  // namespace sb::expr
