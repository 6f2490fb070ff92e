// Static typing rules used by the parser as it builds nodes: result types of operators and
// calls, branch unification (Power Fx takes an If/Switch/Coalesce/IfError result type from its
// first non-Blank result argument and coerces the others to it at run time), and the checks
// that reject at compile time what Power Fx rejects: wrong argument counts and comparisons
// between statically incompatible types. Pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "expr/ast.h"
#include "expr/builtins.h"

namespace sb::expr {

Type UnaryResultType(Op op);
Type BinaryResultType(Op op);
Type CallResultType(const Builtin& fn, std::span<const Type> arg_types);

// A message when `fn` cannot take `count` arguments.
std::optional<std::string> CheckArity(const Builtin& fn, std::size_t count);
// A message when `left op right` can never be valid (e.g. 1 = "a", true < 2).
std::optional<std::string> CheckComparison(Op op, Type left, Type right);

// An argument that can never be valid for `fn`: a Switch match value whose static type can
// never equal the subject's (Switch(1, "a", ...)).
struct ArgumentProblem {
  std::size_t index = 0;
  std::string message;
};
std::optional<ArgumentProblem> CheckArguments(const Builtin& fn, std::span<const Type> arg_types);

}  // namespace sb::expr
