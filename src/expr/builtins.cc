// The function table. Parameter types drive argument coercion (see Builtin::param); result
// types feed the static type pass.
#include "expr/builtins.h"

#include <cctype>

namespace sb::expr {
namespace {

constexpr Type kN = Type::kNumber;
constexpr Type kT = Type::kText;
constexpr Type kB = Type::kBoolean;
constexpr Type kAny = Type::kUnknown;

constexpr Builtin Lazy(std::string_view name, int min, int max, Type result, ResultRule rule,
                       LazyFn lazy) {
  Builtin b;
  b.name = name;
  b.min_args = min;
  b.max_args = max;
  b.result = result;
  b.rule = rule;
  b.lazy = lazy;
  return b;
}

constexpr Builtin Eager(std::string_view name, int min, int max, Type result,
                        std::array<Type, 4> params, EagerFn eager) {
  Builtin b;
  b.name = name;
  b.min_args = min;
  b.max_args = max;
  b.result = result;
  b.params = params;
  b.eager = eager;
  return b;
}

constexpr std::array<Type, 4> All(Type t) { return {t, t, t, t}; }

constexpr Builtin kBuiltins[] = {
    // Logic and control (lazy where Power Fx is lazy).
    Lazy("If", 2, kVariadic, kAny, ResultRule::kIf, fn::If),
    Lazy("Switch", 3, kVariadic, kAny, ResultRule::kSwitch, fn::Switch),
    Lazy("And", 1, kVariadic, kB, ResultRule::kFixed, fn::And),
    Lazy("Or", 1, kVariadic, kB, ResultRule::kFixed, fn::Or),
    Lazy("Coalesce", 1, kVariadic, kAny, ResultRule::kAll, fn::Coalesce),
    Lazy("IfError", 2, kVariadic, kAny, ResultRule::kIfError, fn::IfError),
    Lazy("IsError", 1, 1, kB, ResultRule::kFixed, fn::IsError),
    Lazy("IsBlankOrError", 1, 1, kB, ResultRule::kFixed, fn::IsBlankOrError),
    Eager("Not", 1, 1, kB, All(kB), fn::Not),
    Eager("IsBlank", 1, 1, kB, All(kAny), fn::IsBlank),
    Eager("Blank", 0, 0, Type::kBlank, All(kAny), fn::Blank),
    Eager("Boolean", 1, 1, kB, All(kAny), fn::Boolean),
    Eager("IsNumeric", 1, 1, kB, All(kAny), fn::IsNumeric),
    Eager("Value", 1, 1, kN, All(kAny), fn::Value),
    Eager("Float", 1, 1, kN, All(kAny), fn::Value),
    // Text.
    Eager("Text", 1, 2, kT, {kAny, kT, kT, kT}, fn::Text),
    Eager("Len", 1, 1, kN, All(kT), fn::Len),
    Eager("Left", 2, 2, kT, {kT, kN, kN, kN}, fn::Left),
    Eager("Right", 2, 2, kT, {kT, kN, kN, kN}, fn::Right),
    Eager("Mid", 2, 3, kT, {kT, kN, kN, kN}, fn::Mid),
    Eager("Upper", 1, 1, kT, All(kT), fn::Upper),
    Eager("Lower", 1, 1, kT, All(kT), fn::Lower),
    Eager("Trim", 1, 1, kT, All(kT), fn::Trim),
    Eager("TrimEnds", 1, 1, kT, All(kT), fn::TrimEnds),
    Eager("Concatenate", 1, kVariadic, kT, All(kT), fn::Concatenate),
    Eager("StartsWith", 2, 2, kB, All(kT), fn::StartsWith),
    Eager("EndsWith", 2, 2, kB, All(kT), fn::EndsWith),
    Eager("Find", 2, 3, kN, {kT, kT, kN, kN}, fn::Find),
    Eager("Substitute", 3, 4, kT, {kT, kT, kT, kN}, fn::Substitute),
    Eager("Replace", 4, 4, kT, {kT, kN, kN, kT}, fn::Replace),
    Eager("Char", 1, 1, kT, All(kN), fn::Char),
    // Math.
    Eager("Abs", 1, 1, kN, All(kN), fn::Abs),
    Eager("Int", 1, 1, kN, All(kN), fn::Int),
    Eager("Trunc", 1, 2, kN, All(kN), fn::Trunc),
    Eager("Mod", 2, 2, kN, All(kN), fn::Mod),
    Eager("Round", 2, 2, kN, All(kN), fn::Round),
    Eager("RoundUp", 2, 2, kN, All(kN), fn::RoundUp),
    Eager("RoundDown", 2, 2, kN, All(kN), fn::RoundDown),
    Eager("Min", 1, kVariadic, kN, All(kN), fn::Min),
    Eager("Max", 1, kVariadic, kN, All(kN), fn::Max),
    Eager("Sum", 1, kVariadic, kN, All(kN), fn::Sum),
    Eager("Average", 1, kVariadic, kN, All(kN), fn::Average),
    Eager("Sqrt", 1, 1, kN, All(kN), fn::Sqrt),
    Eager("Power", 2, 2, kN, All(kN), fn::Power),
    Eager("Ln", 1, 1, kN, All(kN), fn::Ln),
    Eager("Exp", 1, 1, kN, All(kN), fn::Exp),
};

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

const Builtin* FindBuiltin(std::string_view name) {
  for (const Builtin& b : kBuiltins) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

const Builtin* FindBuiltinIgnoringCase(std::string_view name) {
  for (const Builtin& b : kBuiltins) {
    if (EqualsIgnoringCase(b.name, name)) return &b;
  }
  return nullptr;
}

}  // namespace sb::expr
