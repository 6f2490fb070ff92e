// Text functions. Arguments arrive coerced (text parameters: numbers in Power Fx's text form,
// booleans as "true"/"false"; Blank stays Blank and reads as ""). Positions are 1-based and
// count characters (code points); numeric positions and counts are truncated toward zero.
// Every text result goes through Evaluator::MakeText, which enforces the text-size limit.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "expr/builtins.h"
#include "expr/coerce.h"
#include "expr/evaluator.h"
#include "expr/text_format.h"
#include "expr/utf8.h"

namespace sb::expr {
namespace {

EvalValue Invalid(std::string message) {
  return EvalValue::Error(ErrorKind::kInvalidArgument, std::move(message));
}

// A count or position argument, truncated and clamped to what a string index can hold.
double Whole(const EvalValue& v) { return std::trunc(NumberOr0(v)); }
std::size_t ToIndex(double d) {
  constexpr double kMax = 1e15;  // far beyond any text the limits allow
  return d <= 0 ? 0 : static_cast<std::size_t>(std::fmin(d, kMax));
}

std::string TrimSpaces(std::string_view s) {
  const std::size_t first = s.find_first_not_of(' ');
  if (first == std::string_view::npos) return "";
  const std::size_t last = s.find_last_not_of(' ');
  return std::string(s.substr(first, last - first + 1));
}

// Replaces `old` (non-empty) by `with`: every occurrence when instance is 0, else only the
// instance-th. Stops early (returns false) if the result would exceed `max_bytes`.
bool SubstituteInto(std::string_view text, std::string_view old, std::string_view with,
                    std::size_t instance, std::size_t max_bytes, std::string& out) {
  std::size_t from = 0;
  std::size_t seen = 0;
  while (true) {
    const std::size_t at = text.find(old, from);
    if (at == std::string_view::npos) break;
    ++seen;
    const bool replace = instance == 0 || seen == instance;
    out.append(text.substr(from, at - from));
    out.append(replace ? with : old);
    from = at + old.size();
    if (out.size() > max_bytes) return false;
    if (instance != 0 && seen == instance) break;
  }
  out.append(text.substr(from));
  return out.size() <= max_bytes;
}

}  // namespace

namespace fn {

// Text(value): Power Fx's text form, Blank stays Blank. Text(number, format): see text_format.h.
EvalValue Text(std::span<const EvalValue> args, Evaluator& ev) {
  const EvalValue& value = args[0];
  if (args.size() == 1) return value.is_blank() ? value : CoerceToText(value);
  if (value.is_blank() || args[1].is_blank() || TextOrEmpty(args[1]).empty()) {
    return EvalValue::Text("");
  }
  if (value.is_boolean()) return Invalid("Text: a format applies to numbers only");
  EvalValue number = CoerceToNumber(value);
  if (number.is_error()) return number;
  if (args[1].text().size() > 100) return Invalid("Text: format longer than 100 characters");
  auto formatted = FormatWithPattern(NumberOr0(number), args[1].text());
  if (auto* error = std::get_if<ErrorInfo>(&formatted)) {
    return EvalValue::Errors({std::move(*error)});
  }
  return ev.MakeText(std::move(std::get<std::string>(formatted)));
}

EvalValue Len(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return EvalValue::Number(static_cast<double>(utf8::Length(TextOrEmpty(args[0]))));
}

EvalValue Left(std::span<const EvalValue> args, Evaluator& ev) {
  const double n = Whole(args[1]);
  if (n < 0) return Invalid("Left: the count must not be negative");
  return ev.MakeText(std::string(utf8::Slice(TextOrEmpty(args[0]), 0, ToIndex(n))));
}

EvalValue Right(std::span<const EvalValue> args, Evaluator& ev) {
  const double n = Whole(args[1]);
  if (n < 0) return Invalid("Right: the count must not be negative");
  const std::string_view text = TextOrEmpty(args[0]);
  const std::size_t length = utf8::Length(text);
  const std::size_t count = std::min(ToIndex(n), length);
  return ev.MakeText(std::string(utf8::Slice(text, length - count, count)));
}

// Mid(text, start, [count]): start >= 1, count >= 0; past the end gives "".
EvalValue Mid(std::span<const EvalValue> args, Evaluator& ev) {
  const double start = Whole(args[1]);
  const double count = args.size() > 2 ? Whole(args[2]) : 1e15;
  if (start < 1) return Invalid("Mid: the start must be at least 1");
  if (count < 0) return Invalid("Mid: the count must not be negative");
  const std::string_view slice =
      utf8::Slice(TextOrEmpty(args[0]), ToIndex(start - 1), ToIndex(count));
  return ev.MakeText(std::string(slice));
}

EvalValue Upper(std::span<const EvalValue> args, Evaluator& ev) {
  return ev.MakeText(utf8::Upper(TextOrEmpty(args[0])));
}

EvalValue Lower(std::span<const EvalValue> args, Evaluator& ev) {
  return ev.MakeText(utf8::Lower(TextOrEmpty(args[0])));
}

// Strips spaces at both ends and collapses runs of spaces inside to one.
EvalValue Trim(std::span<const EvalValue> args, Evaluator& ev) {
  const std::string trimmed = TrimSpaces(TextOrEmpty(args[0]));
  std::string out;
  out.reserve(trimmed.size());
  for (char c : trimmed) {
    if (c != ' ' || out.empty() || out.back() != ' ') out.push_back(c);
  }
  return ev.MakeText(std::move(out));
}

EvalValue TrimEnds(std::span<const EvalValue> args, Evaluator& ev) {
  return ev.MakeText(TrimSpaces(TextOrEmpty(args[0])));
}

EvalValue Concatenate(std::span<const EvalValue> args, Evaluator& ev) {
  std::size_t total = 0;
  for (const EvalValue& a : args) total += TextOrEmpty(a).size();
  if (!ev.TextFits(total)) return ev.AbortTextTooLong(total);
  std::string out;
  out.reserve(total);
  for (const EvalValue& a : args) out += TextOrEmpty(a);
  return ev.MakeText(std::move(out));
}

// Case-insensitive, as Power Fx.
EvalValue StartsWith(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  const std::string text = utf8::Lower(TextOrEmpty(args[0]));
  return EvalValue::Boolean(text.starts_with(utf8::Lower(TextOrEmpty(args[1]))));
}

EvalValue EndsWith(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  const std::string text = utf8::Lower(TextOrEmpty(args[0]));
  return EvalValue::Boolean(text.ends_with(utf8::Lower(TextOrEmpty(args[1]))));
}

// Find(find, within, [start]): case-sensitive; the 1-based position, or Blank if absent.
EvalValue Find(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  const std::string_view needle = TextOrEmpty(args[0]);
  const std::string_view within = TextOrEmpty(args[1]);
  const double start = args.size() > 2 ? Whole(args[2]) : 1;
  const std::size_t length = utf8::Length(within);
  if (start < 1 || start > static_cast<double>(length) + 1) {
    return Invalid("Find: the start must be between 1 and the length of the text plus 1");
  }
  const std::size_t from = utf8::Offset(within, ToIndex(start - 1));
  const std::size_t at = within.find(needle, from);
  if (at == std::string_view::npos) return EvalValue::Blank();
  return EvalValue::Number(static_cast<double>(utf8::IndexOf(within, at) + 1));
}

// Substitute(text, old, new, [instance]): case-sensitive; old "" leaves the text alone.
EvalValue Substitute(std::span<const EvalValue> args, Evaluator& ev) {
  const std::string_view text = TextOrEmpty(args[0]);
  const std::string_view old = TextOrEmpty(args[1]);
  std::size_t instance = 0;
  if (args.size() > 3) {
    const double n = Whole(args[3]);
    if (args[3].is_blank() || n < 1) return Invalid("Substitute: the instance must be at least 1");
    instance = ToIndex(n);
  }
  if (old.empty()) return ev.MakeText(std::string(text));
  std::string out;
  const std::size_t limit = ev.tree().limits.max_text_bytes;
  if (!SubstituteInto(text, old, TextOrEmpty(args[2]), instance, limit, out)) {
    return ev.AbortTextTooLong(out.size());
  }
  return ev.MakeText(std::move(out));
}

// Replace(text, start, count, new): start >= 1, count >= 0; a start past the end appends.
EvalValue Replace(std::span<const EvalValue> args, Evaluator& ev) {
  const double start = Whole(args[1]);
  const double count = Whole(args[2]);
  if (start < 1) return Invalid("Replace: the start must be at least 1");
  if (count < 0) return Invalid("Replace: the count must not be negative");
  const std::string_view text = TextOrEmpty(args[0]);
  const std::string_view with = TextOrEmpty(args[3]);
  const std::size_t begin = utf8::Offset(text, ToIndex(start - 1));
  const std::size_t end = begin + utf8::Offset(text.substr(begin), ToIndex(count));
  const std::size_t total = begin + with.size() + (text.size() - end);
  if (!ev.TextFits(total)) return ev.AbortTextTooLong(total);
  return ev.MakeText(std::string(text.substr(0, begin)) + std::string(with) +
                     std::string(text.substr(end)));
}

// Char(code): the character with that code, 1..255.
EvalValue Char(std::span<const EvalValue> args, Evaluator& ev) {
  if (args[0].is_blank()) return EvalValue::Blank();
  const double code = Whole(args[0]);
  if (code < 1 || code >= 256) return Invalid("Char: the code must be between 1 and 255");
  return ev.MakeText(utf8::Encode(static_cast<char32_t>(code)));
}

}  // namespace fn
}  // namespace sb::expr
