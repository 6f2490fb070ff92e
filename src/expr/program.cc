#include "expr/program.h"

#include <cmath>

#include "base/assert.h"
#include "expr/ast.h"
#include "expr/builtins.h"
#include "expr/coerce.h"
#include "expr/evaluator.h"
#include "expr/parser.h"

namespace sb::expr {

Result<Program> Program::Compile(std::string_view source, const Limits& limits) {
  SB_ASSERT(limits.max_depth > 0 && limits.max_depth <= kMaxDepthCap);
  if (source.size() > limits.max_source_bytes) {
    return Error::InvalidArgument("expression: " + std::to_string(source.size()) +
                                  " bytes is longer than the limit of " +
                                  std::to_string(limits.max_source_bytes));
  }
  auto tree = std::make_shared<Tree>();
  tree->source = std::string(source);
  tree->limits = limits;
  if (Status parsed = Parse(*tree); !parsed) return std::move(parsed).error();
  return Program(std::move(tree));
}

Type Program::result_type() const { return tree_->at(tree_->root).type; }

EvalValue Program::Evaluate(const Bindings& bindings) const {
  return Evaluator(*tree_, bindings).Run();
}

std::string_view Program::source() const { return tree_->source; }
const Limits& Program::limits() const { return tree_->limits; }

bool IsBuiltinFunction(std::string_view name) { return FindBuiltin(name) != nullptr; }

namespace {

// Kept out of line: GCC 12 under the sanitizers misreports moving a freshly built Value into a
// Result as a use of uninitialized memory when all of this is inlined into one function.
[[gnu::noinline]] Value LabelValueOf(const EvalValue& value) {
  switch (value.type()) {
    case Type::kBoolean:
      return Value(value.boolean());
    case Type::kText:
      return Value(value.text());
    case Type::kNumber: {
      const double d = value.number();
      constexpr double kExactLimit = 9007199254740992.0;  // 2^53
      if (std::trunc(d) == d && std::fabs(d) <= kExactLimit) {
        return Value(static_cast<std::int64_t>(d));
      }
      return Value(d);
    }
    default:
      return {};
  }
}

}  // namespace

Result<Value> ToLabelValue(const EvalValue& value) {
  if (value.is_error()) return Error::InvalidArgument(value.errors().front().message);
  return LabelValueOf(value);
}

EvalValue FromLabelValue(const Value& value) {
  if (value.is_bool()) return EvalValue::Boolean(value.as_bool());
  if (value.is_string()) return EvalValue::Text(value.as_string());
  if (value.is_number()) {
    const double d = value.as_number();
    if (std::isfinite(d)) return EvalValue::Number(d);
    return EvalValue::Error(ErrorKind::kNumeric, "label value is not a finite number");
  }
  return EvalValue::Blank();
}

Result<double> ToNumber(const EvalValue& value) {
  const EvalValue n = CoerceToNumber(value);
  if (n.is_error()) return Error::InvalidArgument(n.errors().front().message);
  return NumberOr0(n);
}

Result<bool> ToBoolean(const EvalValue& value) {
  const EvalValue b = CoerceToBoolean(value);
  if (b.is_error()) return Error::InvalidArgument(b.errors().front().message);
  return BooleanOrFalse(b);
}

bool CanProduce(Type static_type, Type wanted) {
  switch (static_type) {
    case Type::kUnknown:
    case Type::kBlank:
      return true;
    case Type::kNumber:
    case Type::kBoolean:
      return wanted == Type::kNumber || wanted == Type::kBoolean;
    case Type::kText:
      return wanted == Type::kText;
    case Type::kError:
      return false;
  }
  return false;
}

}  // namespace sb::expr
