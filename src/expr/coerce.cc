#include "expr/coerce.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "base/assert.h"

namespace sb::expr {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Strips one leading or trailing `mark` (not both); reports whether it found one.
bool StripAffix(std::string_view& s, char mark, bool& failed) {
  const bool leading = !s.empty() && s.front() == mark;
  const bool trailing = s.size() > 1 && s.back() == mark;
  if (leading && trailing) failed = true;
  if (leading) s.remove_prefix(1);
  if (!leading && trailing) s.remove_suffix(1);
  s = Trim(s);
  return leading || trailing;
}

// digits[,digits]*[.digits][e[+-]digits], thousands separators only between digits.
std::optional<double> ParseUnsigned(std::string_view s) {
  std::string clean;
  std::size_t i = 0;
  bool any_digit = false;
  for (; i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == ','); ++i) {
    if (s[i] == ',') {
      if (!any_digit || i + 1 >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
        return std::nullopt;
      }
      continue;
    }
    any_digit = true;
    clean.push_back(s[i]);
  }
  clean.append(s.substr(i));
  double value = 0;
  const char* end = clean.data() + clean.size();
  const auto result = std::from_chars(clean.data(), end, value);
  if (result.ec != std::errc() || result.ptr != end || !std::isfinite(value)) return std::nullopt;
  if (clean.empty() || clean[0] == '-' || clean[0] == '+') return std::nullopt;
  return value;
}

EvalValue ConversionError(std::string_view what, const std::string& text) {
  return EvalValue::Error(ErrorKind::kInvalidArgument,
                          "cannot convert \"" + text + "\" to " + std::string(what));
}

}  // namespace

std::optional<double> ParseNumberText(std::string_view text) {
  std::string_view s = Trim(text);
  bool failed = false;
  const bool percent = StripAffix(s, '%', failed);
  double sign = 1;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    sign = s.front() == '-' ? -1 : 1;
    s = Trim(s.substr(1));
  }
  const bool currency = StripAffix(s, '$', failed);
  if (failed || (percent && currency) || s.empty()) return std::nullopt;
  const std::optional<double> magnitude = ParseUnsigned(s);
  if (!magnitude) return std::nullopt;
  return sign * (percent ? *magnitude / 100 : *magnitude);
}

std::optional<bool> ParseBooleanText(std::string_view text) {
  auto equals_ignore_case = [&](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(text[i])) != word[i]) return false;
    }
    return true;
  };
  if (equals_ignore_case("true")) return true;
  if (equals_ignore_case("false")) return false;
  return std::nullopt;
}

EvalValue CoerceToNumber(const EvalValue& value) {
  switch (value.type()) {
    case Type::kBoolean:
      return EvalValue::Number(value.boolean() ? 1 : 0);
    case Type::kText: {
      if (value.text().empty()) return EvalValue::Blank();
      const std::optional<double> parsed = ParseNumberText(value.text());
      return parsed ? EvalValue::Number(*parsed) : ConversionError("a number", value.text());
    }
    default:
      return value;
  }
}

EvalValue CoerceToText(const EvalValue& value) {
  switch (value.type()) {
    case Type::kBoolean:
      return EvalValue::Text(value.boolean() ? "true" : "false");
    case Type::kNumber:
      return EvalValue::Text(FormatNumber(value.number()));
    default:
      return value;
  }
}

EvalValue CoerceToBoolean(const EvalValue& value) {
  switch (value.type()) {
    case Type::kNumber:
      return EvalValue::Boolean(value.number() != 0);
    case Type::kText: {
      if (value.text().empty()) return EvalValue::Blank();
      const std::optional<bool> parsed = ParseBooleanText(value.text());
      return parsed ? EvalValue::Boolean(*parsed) : ConversionError("a boolean", value.text());
    }
    default:
      return value;
  }
}

EvalValue CoerceTo(const EvalValue& value, Type type) {
  switch (type) {
    case Type::kNumber:
      return CoerceToNumber(value);
    case Type::kText:
      return CoerceToText(value);
    case Type::kBoolean:
      return CoerceToBoolean(value);
    default:
      return value;
  }
}

double NumberOr0(const EvalValue& coerced) { return coerced.is_number() ? coerced.number() : 0; }

std::string_view TextOrEmpty(const EvalValue& coerced) {
  return coerced.is_text() ? std::string_view(coerced.text()) : std::string_view();
}

bool BooleanOrFalse(const EvalValue& coerced) { return coerced.is_boolean() && coerced.boolean(); }

EvalValue NumberResult(double value, std::string_view what) {
  if (std::isfinite(value)) return EvalValue::Number(value);
  return EvalValue::Error(ErrorKind::kNumeric,
                          std::string(what) + ": result is not a finite number");
}

std::optional<EvalValue> CollectErrors(std::span<const EvalValue> values) {
  std::vector<ErrorInfo> errors;
  for (const EvalValue& v : values) {
    if (v.is_error()) errors.insert(errors.end(), v.errors().begin(), v.errors().end());
  }
  if (errors.empty()) return std::nullopt;
  return EvalValue::Errors(std::move(errors));
}

namespace {

EvalValue MixedEquality(const EvalValue& a, const EvalValue& b) {
  const EvalValue& text = a.is_text() ? a : b;
  const EvalValue& other = a.is_text() ? b : a;
  if (text.is_text() && other.is_number()) {
    const std::optional<double> n = ParseNumberText(text.text());
    if (n) return EvalValue::Boolean(*n == other.number());
  } else if (text.is_text() && other.is_boolean()) {
    const std::optional<bool> t = ParseBooleanText(text.text());
    if (t) return EvalValue::Boolean(*t == other.boolean());
  }
  return EvalValue::Error(ErrorKind::kInvalidArgument,
                          "cannot compare " + std::string(TypeName(a.type())) + " " + ToLiteral(a) +
                              " with " + std::string(TypeName(b.type())) + " " + ToLiteral(b));
}

}  // namespace

EvalValue Equal(const EvalValue& a, const EvalValue& b) {
  if (a.is_error() || b.is_error()) {
    const EvalValue both[] = {a, b};
    return *CollectErrors(both);
  }
  if (a.is_blank() || b.is_blank()) return EvalValue::Boolean(a.is_blank() && b.is_blank());
  if (a.type() == b.type()) return EvalValue::Boolean(a == b);
  return MixedEquality(a, b);
}

EvalValue Order(Op op, const EvalValue& a, const EvalValue& b) {
  EvalValue operands[] = {a, b};
  for (EvalValue& v : operands) {
    if (v.is_boolean()) {
      v = EvalValue::Error(ErrorKind::kInvalidArgument, "cannot order Boolean values");
    } else {
      v = CoerceToNumber(v);
    }
  }
  if (std::optional<EvalValue> errors = CollectErrors(operands)) return *errors;
  const double x = NumberOr0(operands[0]);
  const double y = NumberOr0(operands[1]);
  switch (op) {
    case Op::kLt:
      return EvalValue::Boolean(x < y);
    case Op::kLe:
      return EvalValue::Boolean(x <= y);
    case Op::kGt:
      return EvalValue::Boolean(x > y);
    case Op::kGe:
      return EvalValue::Boolean(x >= y);
    default:
      break;
  }
  SB_ASSERT_MSG(false, "Order called with a non-ordering operator");
  return EvalValue::Blank();
}

}  // namespace sb::expr
