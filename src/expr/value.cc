#include "expr/value.h"

#include <charconv>
#include <cmath>

#include "base/assert.h"

namespace sb::expr {

EvalValue EvalValue::Boolean(bool b) {
  EvalValue v;
  v.storage_.emplace<bool>(b);
  return v;
}

EvalValue EvalValue::Number(double d) {
  SB_ASSERT_MSG(!std::isnan(d), "NaN is never a Power Fx number");
  EvalValue v;
  v.storage_.emplace<double>(d == 0 ? 0.0 : d);
  return v;
}

EvalValue EvalValue::Text(std::string s) {
  EvalValue v;
  v.storage_.emplace<std::string>(std::move(s));
  return v;
}

EvalValue EvalValue::Error(ErrorKind kind, std::string message) {
  return Errors({ErrorInfo{kind, std::move(message)}});
}

EvalValue EvalValue::Errors(std::vector<ErrorInfo> errors) {
  SB_ASSERT(!errors.empty());
  EvalValue v;
  v.storage_.emplace<std::vector<ErrorInfo>>(std::move(errors));
  return v;
}

Type EvalValue::type() const {
  switch (storage_.index()) {
    case 0:
      return Type::kBlank;
    case 1:
      return Type::kBoolean;
    case 2:
      return Type::kNumber;
    case 3:
      return Type::kText;
    default:
      return Type::kError;
  }
}

bool EvalValue::boolean() const {
  SB_ASSERT(is_boolean());
  return std::get<bool>(storage_);
}

double EvalValue::number() const {
  SB_ASSERT(is_number());
  return std::get<double>(storage_);
}

const std::string& EvalValue::text() const {
  SB_ASSERT(is_text());
  return std::get<std::string>(storage_);
}

const std::vector<ErrorInfo>& EvalValue::errors() const {
  SB_ASSERT(is_error());
  return std::get<std::vector<ErrorInfo>>(storage_);
}

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kDiv0:
      return "Div0";
    case ErrorKind::kNotSupported:
      return "NotSupported";
    case ErrorKind::kQuotaExceeded:
      return "QuotaExceeded";
    case ErrorKind::kNumeric:
      return "Numeric";
    case ErrorKind::kInvalidArgument:
      return "InvalidArgument";
  }
  return "Unknown";
}

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kBlank:
      return "Blank";
    case Type::kBoolean:
      return "Boolean";
    case Type::kNumber:
      return "Number";
    case Type::kText:
      return "Text";
    case Type::kError:
      return "Error";
    case Type::kUnknown:
      return "Unknown";
  }
  return "Unknown";
}

namespace {

// Shortest round-trip digits of |value| (no trailing zeros) and the decimal exponent of the
// first digit: value = 0.d1d2... * 10^(exponent + 1).
void ShortestDigits(double value, std::string& digits, int& exponent) {
  char buf[64];
  const auto result =
      std::to_chars(buf, buf + sizeof buf, std::fabs(value), std::chars_format::scientific);
  SB_ASSERT(result.ec == std::errc());
  const std::string_view text(buf, static_cast<std::size_t>(result.ptr - buf));
  const std::size_t e = text.find('e');
  for (char c : text.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const std::string_view exp_text = text.substr(e + 1);
  const bool negative = exp_text.front() == '-';
  const std::string_view magnitude = exp_text.substr(exp_text.front() == '+' || negative ? 1 : 0);
  std::from_chars(magnitude.data(), magnitude.data() + magnitude.size(), exponent);
  if (negative) exponent = -exponent;
}

std::string Scientific(const std::string& digits, int exponent) {
  std::string out(1, digits[0]);
  if (digits.size() > 1) out += "." + digits.substr(1);
  out += exponent < 0 ? "E-" : "E+";
  const int magnitude = std::abs(exponent);
  if (magnitude < 10) out.push_back('0');
  out += std::to_string(magnitude);
  return out;
}

std::string Fixed(const std::string& digits, int scale) {
  if (scale <= 0) return "0." + std::string(static_cast<std::size_t>(-scale), '0') + digits;
  const auto whole = static_cast<std::size_t>(scale);
  if (digits.size() <= whole) return digits + std::string(whole - digits.size(), '0');
  return digits.substr(0, whole) + "." + digits.substr(whole);
}

}  // namespace

std::string FormatNumber(double value) {
  if (value == 0) return "0";
  std::string digits;
  int exponent = 0;
  ShortestDigits(value, digits, exponent);
  const int scale = exponent + 1;  // digits before the decimal point
  const int max_digits = std::max(static_cast<int>(digits.size()), 15);
  std::string body =
      (scale > max_digits || scale < -3) ? Scientific(digits, exponent) : Fixed(digits, scale);
  return value < 0 ? "-" + body : body;
}

namespace {

std::string QuoteText(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    out.push_back(c);
    if (c == '"') out.push_back('"');
  }
  return out + "\"";
}

std::string ErrorLiteral(const std::vector<ErrorInfo>& errors) {
  auto one = [](const ErrorInfo& e) {
    return "{Kind:ErrorKind." + std::string(ErrorKindName(e.kind)) + "}";
  };
  if (errors.size() == 1) return "Error(" + one(errors[0]) + ")";
  std::string out = "Error(Table(";
  for (std::size_t i = 0; i < errors.size(); ++i) out += (i ? "," : "") + one(errors[i]);
  return out + "))";
}

}  // namespace

std::string ToLiteral(const EvalValue& value) {
  switch (value.type()) {
    case Type::kBlank:
      return "Blank()";
    case Type::kBoolean:
      return value.boolean() ? "true" : "false";
    case Type::kNumber:
      return FormatNumber(value.number());
    case Type::kText:
      return QuoteText(value.text());
    default:
      return ErrorLiteral(value.errors());
  }
}

}  // namespace sb::expr
