// Math functions. Arguments arrive coerced to numbers (Blank stays Blank and reads as 0, except
// in the aggregates, which skip it). Results that are not finite are Numeric errors.
//
// Round, RoundUp and RoundDown work on the number's 15 significant decimal digits, as Power Fx
// and Excel do, so Round(3*0.415, 2) is 1.25 although 3*0.415 is 1.2449999999999999 in binary.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "expr/builtins.h"
#include "expr/coerce.h"
#include "expr/evaluator.h"

namespace sb::expr {
namespace {

enum class RoundMode { kHalfAwayFromZero, kUp, kDown };

// |x| rounded at 10^-digits on its 15-significant-digit decimal form.
double RoundDecimal(double x, int digits, RoundMode mode) {
  if (x == 0) return 0;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.14e", std::fabs(x));  // d.dddddddddddddde±XX
  std::string significand(1, buf[0]);
  significand.append(buf + 2, 14);
  const int exponent = std::atoi(buf + 17);
  const int keep = exponent + digits + 1;  // significant digits left of the rounding place
  if (keep >= 15) return x;                // nothing beyond the precision to round away
  std::string kept = keep > 0 ? significand.substr(0, static_cast<std::size_t>(keep)) : "0";
  const std::string dropped = keep >= 0 ? significand.substr(static_cast<std::size_t>(keep)) : "";
  bool increment = false;
  if (mode == RoundMode::kHalfAwayFromZero) {
    increment = keep >= 0 && dropped[0] >= '5';
  } else if (mode == RoundMode::kUp) {
    increment = true;  // x != 0, so some dropped digit is non-zero (or keep < 0)
    if (keep >= 0) increment = dropped.find_first_not_of('0') != std::string::npos;
  }
  double magnitude = std::strtod((kept + "e" + std::to_string(-digits)).c_str(), nullptr);
  if (increment) {
    const std::string bumped = std::to_string(std::strtoll(kept.c_str(), nullptr, 10) + 1);
    magnitude = std::strtod((bumped + "e" + std::to_string(-digits)).c_str(), nullptr);
  }
  return x < 0 ? -magnitude : magnitude;
}

// Digits argument: truncated toward zero and clamped (beyond ±400 every double behaves alike).
int DigitsOf(const EvalValue& v) {
  const double d = std::trunc(NumberOr0(v));
  return static_cast<int>(std::fmax(-400, std::fmin(400, d)));
}

EvalValue RoundWith(std::span<const EvalValue> args, RoundMode mode, std::string_view name) {
  const double x = NumberOr0(args[0]);
  const int digits = args.size() > 1 ? DigitsOf(args[1]) : 0;
  // Power Fx computes RoundUp/RoundDown in decimal; a scaled value past decimal's range
  // (about 7.9e28) overflows there, e.g. RoundUp(1e15, 15).
  if (mode != RoundMode::kHalfAwayFromZero && digits > 0 &&
      std::fabs(x) * std::pow(10.0, digits) >= 7.9e28) {
    return EvalValue::Error(ErrorKind::kNumeric, std::string(name) + ": result out of range");
  }
  return NumberResult(RoundDecimal(x, digits, mode), name);
}

// Min/Max/Sum/Average skip Blank arguments.
template <class Fold>
std::optional<double> FoldNumbers(std::span<const EvalValue> args, Fold fold, int& count) {
  std::optional<double> acc;
  count = 0;
  for (const EvalValue& v : args) {
    if (v.is_blank()) continue;
    ++count;
    acc = acc ? fold(*acc, v.number()) : v.number();
  }
  return acc;
}

}  // namespace

namespace fn {

EvalValue Abs(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return EvalValue::Number(std::fabs(NumberOr0(args[0])));
}

// The largest integer not above x: Int(-45.7) is -46.
EvalValue Int(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return EvalValue::Number(std::floor(NumberOr0(args[0])));
}

// Toward zero, at an optional number of digits.
EvalValue Trunc(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return RoundWith(args, RoundMode::kDown, "Trunc");
}

// The remainder with the sign of the divisor: Mod(-456, 15) is 9.
EvalValue Mod(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  const double n = NumberOr0(args[0]);
  const double d = NumberOr0(args[1]);
  if (d == 0) return EvalValue::Error(ErrorKind::kDiv0, "Mod: division by zero");
  double r = std::fmod(n, d);
  if (r != 0 && ((r < 0) != (d < 0))) r += d;
  return NumberResult(r, "Mod");
}

// Half away from zero: Round(-45.5, 0) is -46; negative digits round left of the point.
EvalValue Round(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return RoundWith(args, RoundMode::kHalfAwayFromZero, "Round");
}

EvalValue RoundUp(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return RoundWith(args, RoundMode::kUp, "RoundUp");
}

EvalValue RoundDown(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return RoundWith(args, RoundMode::kDown, "RoundDown");
}

EvalValue Min(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  int count = 0;
  const auto m = FoldNumbers(
      args, [](double a, double b) { return std::fmin(a, b); }, count);
  return m ? EvalValue::Number(*m) : EvalValue::Blank();
}

EvalValue Max(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  int count = 0;
  const auto m = FoldNumbers(
      args, [](double a, double b) { return std::fmax(a, b); }, count);
  return m ? EvalValue::Number(*m) : EvalValue::Blank();
}

EvalValue Sum(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  int count = 0;
  const auto s = FoldNumbers(
      args, [](double a, double b) { return a + b; }, count);
  return s ? NumberResult(*s, "Sum") : EvalValue::Blank();
}

EvalValue Average(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  int count = 0;
  const auto s = FoldNumbers(
      args, [](double a, double b) { return a + b; }, count);
  if (!s) return EvalValue::Error(ErrorKind::kDiv0, "Average: no numbers to average");
  return NumberResult(*s / count, "Average");
}

EvalValue Sqrt(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  const double x = NumberOr0(args[0]);
  if (x < 0) return EvalValue::Error(ErrorKind::kNumeric, "Sqrt: negative argument");
  return EvalValue::Number(std::sqrt(x));
}

EvalValue Power(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return PowerOf(NumberOr0(args[0]), NumberOr0(args[1]));
}

EvalValue Ln(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  const double x = NumberOr0(args[0]);
  if (x <= 0) return EvalValue::Error(ErrorKind::kNumeric, "Ln: argument must be positive");
  return EvalValue::Number(std::log(x));
}

EvalValue Exp(std::span<const EvalValue> args, Evaluator& /*ev*/) {
  return NumberResult(std::exp(NumberOr0(args[0])), "Exp");
}

}  // namespace fn
}  // namespace sb::expr
