#include "expr/typing.h"

#include <vector>

namespace sb::expr {

Type UnaryResultType(Op op) { return op == Op::kNot ? Type::kBoolean : Type::kNumber; }

Type BinaryResultType(Op op) {
  switch (op) {
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
    case Op::kDiv:
    case Op::kPow:
      return Type::kNumber;
    case Op::kConcat:
      return Type::kText;
    default:
      return Type::kBoolean;
  }
}

namespace {

// IfError(v1, f1, ..., [default]) as Power Fx's binder visits it: arguments 0, 2, 4, ... and
// then the last one, keeping the fallbacks and the value that can be returned last (the
// default, or the last value when there is no default).
std::vector<std::size_t> IfErrorResultArguments(std::size_t count) {
  std::vector<std::size_t> result;
  const std::size_t last_value = count % 2 == 0 ? count - 2 : count - 1;
  for (std::size_t i = 0; i < count;) {
    if (i % 2 == 1 || i == last_value) result.push_back(i);
    i += 2;
    if (i == count) --i;
  }
  return result;
}

// The indices of the arguments whose values a call can return, in unification order.
std::vector<std::size_t> ResultArguments(ResultRule rule, std::size_t count) {
  if (rule == ResultRule::kIfError) return IfErrorResultArguments(count);
  std::vector<std::size_t> result;
  for (std::size_t i = 0; i < count; ++i) {
    const bool last = i + 1 == count;
    switch (rule) {
      case ResultRule::kIf:
        if (i % 2 == 1 || (last && count % 2 == 1)) result.push_back(i);
        break;
      case ResultRule::kSwitch:
        if ((i >= 2 && i % 2 == 0) || (last && count % 2 == 0)) result.push_back(i);
        break;
      default:
        result.push_back(i);
        break;
    }
  }
  return result;
}

}  // namespace

Type CallResultType(const Builtin& fn, std::span<const Type> arg_types) {
  if (fn.rule == ResultRule::kFixed) return fn.result;
  for (std::size_t i : ResultArguments(fn.rule, arg_types.size())) {
    if (arg_types[i] != Type::kBlank) return arg_types[i];
  }
  return Type::kBlank;
}

std::optional<std::string> CheckArity(const Builtin& fn, std::size_t count) {
  const auto n = static_cast<int>(count);
  if (n >= fn.min_args && (fn.max_args == kVariadic || n <= fn.max_args)) return std::nullopt;
  std::string expected;
  if (fn.max_args == kVariadic) {
    expected = "at least " + std::to_string(fn.min_args);
  } else if (fn.min_args == fn.max_args) {
    expected = std::to_string(fn.min_args);
  } else {
    expected = std::to_string(fn.min_args) + " to " + std::to_string(fn.max_args);
  }
  const char* noun = (fn.max_args == 1 && fn.min_args == 1) ? " argument" : " arguments";
  return "'" + std::string(fn.name) + "' takes " + expected + noun + ", not " +
         std::to_string(count);
}

namespace {

bool IsConcrete(Type t) { return t == Type::kBoolean || t == Type::kNumber || t == Type::kText; }

}  // namespace

std::optional<std::string> CheckComparison(Op op, Type left, Type right) {
  if (op == Op::kEq || op == Op::kNe) {
    if (IsConcrete(left) && IsConcrete(right) && left != right) {
      return "cannot compare " + std::string(TypeName(left)) + " with " +
             std::string(TypeName(right));
    }
    return std::nullopt;
  }
  if (left == Type::kBoolean || right == Type::kBoolean) {
    return "cannot order Boolean values with " + std::string(op == Op::kLt   ? "<"
                                                             : op == Op::kLe ? "<="
                                                             : op == Op::kGt ? ">"
                                                                             : ">=");
  }
  return std::nullopt;
}

std::optional<ArgumentProblem> CheckArguments(const Builtin& fn, std::span<const Type> arg_types) {
  if (fn.name != "Switch") return std::nullopt;
  for (std::size_t i = 1; i + 1 < arg_types.size(); i += 2) {
    if (auto bad = CheckComparison(Op::kEq, arg_types[0], arg_types[i])) {
      return ArgumentProblem{i, "Switch: " + *bad};
    }
  }
  return std::nullopt;
}

}  // namespace sb::expr
