// The public face of the expr module: a Power Fx subset compiled once into an immutable
// Program and evaluated many times against different label sets (a job's labels, a worker's).
//
// Language (see docs in src/expr/README.md): number, text ("a""b") and boolean (true/false)
// literals; `job.Label`, `worker.Label` and `job.'Label With Spaces'` (a missing label is
// Blank); calls to the built-in functions (IsBuiltinFunction); operators with Power Fx
// precedence: ^ (right-assoc) > postfix % > prefix - + ! Not > * / > + - > & > comparisons
// > in exactin > And && > Or ||. Names, keywords and function names are case-sensitive, as in
// Power Fx. Comments // and /* */ are allowed.
//
// Contract:
// - Compile never throws; syntax errors, unknown names or functions, wrong argument counts,
//   statically incompatible comparisons and exceeded limits are Error{kInvalidArgument} whose
//   message names the 1-based character position: "expression: position 12: expected ')'".
// - Evaluate never throws and never fails: every run-time problem is an Error value. Hitting a
//   limit (steps, text size) aborts the whole evaluation with an uncatchable kQuotaExceeded
//   error (IfError cannot hide it).
// - Thread-compatibility: a Program is immutable after Compile; Evaluate is const, keeps its
//   state on the stack and touches no shared mutable state, so one Program may be evaluated
//   from several threads at once. Copies share the compiled tree.
// - Pure: no I/O, no clock, no randomness.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "base/error.h"
#include "base/value.h"
#include "expr/value.h"

namespace sb::expr {

// The label sets `job.X` and `worker.X` read. A null map reads as empty (every label Blank).
struct Bindings {
  const LabelMap* job = nullptr;
  const LabelMap* worker = nullptr;
};

struct Limits {
  std::size_t max_source_bytes = 8192;  // longer sources do not compile
  int max_depth = 64;                   // nesting of parentheses, calls and operators
  std::size_t max_steps = 100000;       // evaluation steps (nodes, plus 1 per KiB of text)
  // The largest text value an evaluation may produce.
  std::size_t max_text_bytes = std::size_t{64} * 1024;
};
// Limits are configuration, not user input: Compile asserts max_depth is within this cap so
// evaluation recursion stays far from any thread's stack size.
inline constexpr int kMaxDepthCap = 512;

struct Tree;  // the compiled form; private to the module (expr/ast.h)

class Program {
 public:
  static Result<Program> Compile(std::string_view source, const Limits& limits = {});

  // Static result type: kUnknown when it depends on label values (e.g. `job.Priority`).
  Type result_type() const;
  EvalValue Evaluate(const Bindings& bindings) const;

  std::string_view source() const;
  const Limits& limits() const;

 private:
  explicit Program(std::shared_ptr<const Tree> tree) : tree_(std::move(tree)) {}
  std::shared_ptr<const Tree> tree_;
};

// True for the names of the functions this subset implements ("If", "Left", ...).
bool IsBuiltinFunction(std::string_view name);

// ---- Helpers for the engine ----

// A label Value from an evaluation result: Number -> integer Value when integral and exactly
// representable (|x| <= 2^53), else double; Text -> string; Boolean -> bool; Blank -> null.
// An Error value becomes Error{kInvalidArgument} carrying the first error's message.
Result<Value> ToLabelValue(const EvalValue& value);
// The EvalValue a label Value reads as (null -> Blank).
EvalValue FromLabelValue(const Value& value);

// Run-time coercions with Power Fx's rules, for callers that need a definite kind: Blank -> 0 /
// false; numeric text -> number; "true"/"false" (any case) -> boolean; Boolean -> 1/0; Number
// -> non-zero. Anything else (and an Error value) is Error{kInvalidArgument}.
Result<double> ToNumber(const EvalValue& value);
Result<bool> ToBoolean(const EvalValue& value);

// Whether a static type can yield `wanted` at run time without a coercion error being certain:
// kUnknown and kBlank can be anything; Number and Boolean convert both ways; Text only to Text.
// Lets a policy reject, at creation, e.g. a prioritizationRule that can only be text.
bool CanProduce(Type static_type, Type wanted);

}  // namespace sb::expr
