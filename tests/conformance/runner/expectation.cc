#include "expectation.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace sb::conformance {
namespace {

using expr::EvalValue;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// "a""b" -> a"b; nullopt when it is not exactly one text literal.
std::optional<std::string> TextLiteral(const std::string& s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::nullopt;
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '"') {
      if (i + 2 >= s.size() || s[i + 1] != '"') return std::nullopt;
      ++i;
    }
    out.push_back(s[i]);
  }
  return out;
}

std::optional<double> NumberLiteral(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || std::isnan(d)) return std::nullopt;
  return d;
}

// Every `ErrorKind.X` in the modern form, in order.
std::vector<std::string> ModernErrorKinds(const std::string& s) {
  std::vector<std::string> kinds;
  const std::string marker = "ErrorKind.";
  for (std::size_t at = s.find(marker); at != std::string::npos; at = s.find(marker, at)) {
    at += marker.size();
    std::size_t end = at;
    while (end < s.size() && std::isalnum(static_cast<unsigned char>(s[end]))) ++end;
    kinds.push_back(s.substr(at, end - at));
  }
  return kinds;
}

// `#Error(Kind=Div0, InvalidArgument)` and `Error(Kind=Div0)`.
std::vector<std::string> LegacyErrorKinds(const std::string& s) {
  std::vector<std::string> kinds;
  const std::size_t open = s.find('(');
  const std::size_t close = s.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return kinds;
  std::string item;
  const std::string inner = s.substr(open + 1, close - open - 1) + ",";
  for (char c : inner) {
    if (c != ',') {
      item.push_back(c);
      continue;
    }
    item = Trim(item);
    if (StartsWith(item, "Kind=")) item = item.substr(5);
    if (!item.empty()) kinds.push_back(item);
    item.clear();
  }
  return kinds;
}

Expectation Make(Expectation::Kind kind) {
  Expectation e;
  e.kind = kind;
  return e;
}

Expectation ErrorExpectation(const std::string& s) {
  Expectation e = Make(Expectation::Kind::kErrorKinds);
  e.error_kinds =
      s.find("ErrorKind.") != std::string::npos ? ModernErrorKinds(s) : LegacyErrorKinds(s);
  if (e.error_kinds.empty()) e.kind = Expectation::Kind::kUnrecognized;
  return e;
}

bool NumbersMatch(double expected, double actual) {
  if (expected == actual) return true;
  const double diff = std::fabs(expected - actual);
  return diff < 1e-5 || (expected != 0 && diff / std::fabs(expected) < 1e-14);
}

}  // namespace

Expectation ParseExpectation(const std::string& raw) {
  const std::string s = Trim(raw);
  if (Lower(s) == "#skip") return Make(Expectation::Kind::kSkip);
  if (StartsWith(s, "Errors:")) return Make(Expectation::Kind::kCompileError);
  if (s == "#Error") return Make(Expectation::Kind::kAnyError);
  if (StartsWith(s, "#Error(") || StartsWith(s, "Error(")) return ErrorExpectation(s);
  for (const char* scope : {"Table(", "Date(", "DateTime(", "Time(", "{", "["}) {
    if (StartsWith(s, scope)) return Make(Expectation::Kind::kOutOfScope);
  }
  Expectation e = Make(Expectation::Kind::kValue);
  if (s == "Blank()") return e;
  if (s == "true" || s == "false") {
    e.value = EvalValue::Boolean(s == "true");
    return e;
  }
  if (std::optional<std::string> text = TextLiteral(s)) {
    e.value = EvalValue::Text(*text);
    return e;
  }
  if (std::optional<double> number = NumberLiteral(s)) {
    e.value = EvalValue::Number(*number);
    return e;
  }
  return Make(Expectation::Kind::kUnrecognized);
}

bool Matches(const Expectation& expected, const EvalValue& actual) {
  switch (expected.kind) {
    case Expectation::Kind::kAnyError:
      return actual.is_error();
    case Expectation::Kind::kErrorKinds: {
      if (!actual.is_error() || actual.errors().size() != expected.error_kinds.size()) return false;
      for (std::size_t i = 0; i < expected.error_kinds.size(); ++i) {
        if (expr::ErrorKindName(actual.errors()[i].kind) != expected.error_kinds[i]) return false;
      }
      return true;
    }
    case Expectation::Kind::kValue:
      if (expected.value.is_number() && actual.is_number()) {
        return NumbersMatch(expected.value.number(), actual.number());
      }
      return expected.value == actual;
    default:
      return false;
  }
}

}  // namespace sb::conformance
