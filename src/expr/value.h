// EvalValue: the value of a Power Fx expression as this subset sees it - Blank, Boolean, Number
// (an IEEE double, as Power Fx's float mode), Text (UTF-8), or Error. Errors are values: they
// flow through operators and function arguments until IsError/IfError (or an untaken branch)
// stops them, and carry one or more {kind, message} entries, as Power Fx's error tables do.
// Type names both the static type the compiler infers (kUnknown: decided by label values at run
// time) and the kind of a run-time value. EvalValue is a small immutable-by-convention value
// type; copies are independent, so it is safe to hand between threads.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sb::expr {

enum class Type { kBlank, kBoolean, kNumber, kText, kError, kUnknown };

// Power Fx's ErrorKind values for the kinds this subset produces (the numbers are Power Fx's,
// so `Value(FirstError.Kind)`-style reasoning carries over).
enum class ErrorKind {
  kDiv0 = 13,             // division or Mod by zero
  kNotSupported = 20,     // a valid Power Fx construct this subset does not evaluate
  kQuotaExceeded = 22,    // an evaluation limit (steps, text size) was reached
  kNumeric = 24,          // overflow or undefined math: Sqrt(-1), Ln(0), 1e308*10
  kInvalidArgument = 25,  // bad coercion, out-of-range argument, run-time type mismatch
};

struct ErrorInfo {
  ErrorKind kind = ErrorKind::kInvalidArgument;
  std::string message;

  friend bool operator==(const ErrorInfo&, const ErrorInfo&) = default;
};

class EvalValue {
 public:
  EvalValue() = default;  // Blank
  static EvalValue Blank() { return {}; }
  static EvalValue Boolean(bool b);
  static EvalValue Number(double d);  // -0 becomes 0
  static EvalValue Text(std::string s);
  static EvalValue Error(ErrorKind kind, std::string message);
  static EvalValue Errors(std::vector<ErrorInfo> errors);  // errors must not be empty

  Type type() const;
  bool is_blank() const { return std::holds_alternative<std::monostate>(storage_); }
  bool is_boolean() const { return std::holds_alternative<bool>(storage_); }
  bool is_number() const { return std::holds_alternative<double>(storage_); }
  bool is_text() const { return std::holds_alternative<std::string>(storage_); }
  bool is_error() const { return std::holds_alternative<std::vector<ErrorInfo>>(storage_); }

  // Each accessor asserts the value holds that kind.
  bool boolean() const;
  double number() const;
  const std::string& text() const;
  const std::vector<ErrorInfo>& errors() const;

  // Same kind and same content (numbers by ==, errors by kinds and messages).
  friend bool operator==(const EvalValue& a, const EvalValue& b) {
    return a.storage_ == b.storage_;
  }

 private:
  // Factories emplace into a Blank value (rather than move a variant in), which also keeps
  // GCC 12's -Wmaybe-uninitialized quiet under the sanitizers.
  using Storage = std::variant<std::monostate, bool, double, std::string, std::vector<ErrorInfo>>;
  Storage storage_;
};

// "Div0", "InvalidArgument", ... - Power Fx's names.
std::string_view ErrorKindName(ErrorKind kind);
// "Blank", "Boolean", "Number", "Text", "Error", "Unknown".
std::string_view TypeName(Type type);

// Power Fx's text form of a number: .NET's "G" (shortest round-trip digits, scientific notation
// past 15 integer digits or below 1E-04, e.g. "1E+308", "0.0001", "1E-05").
std::string FormatNumber(double value);

// The value in Power Fx literal syntax, as the conformance files write results: 12.5, "a""b",
// true, Blank(), Error({Kind:ErrorKind.Div0}) or Error(Table({Kind:...},{Kind:...})).
std::string ToLiteral(const EvalValue& value);

}  // namespace sb::expr
