// Coercions and comparisons with Power Fx's rules, shared by operators and functions.
//
// The CoerceTo* functions keep Blank as Blank (callers decide what Blank means: 0, "", false,
// or Blank itself) and pass Error values through unchanged; a failed conversion is an
// InvalidArgument error. Text "" reads as Blank for Number and Boolean targets (Value("") is
// Blank in Power Fx). Pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "expr/ast.h"
#include "expr/value.h"

namespace sb::expr {

// Power Fx text-to-number (invariant culture): surrounding spaces, a leading sign, thousands
// separators in the integer part, a decimal point, an exponent, and either a currency sign ($,
// leading or trailing) or a percent sign (leading or trailing, dividing by 100) but not both.
std::optional<double> ParseNumberText(std::string_view text);
// "true" / "false" in any case, nothing else (no trimming).
std::optional<bool> ParseBooleanText(std::string_view text);

EvalValue CoerceToNumber(const EvalValue& value);
EvalValue CoerceToText(const EvalValue& value);
EvalValue CoerceToBoolean(const EvalValue& value);
// To a static type (kUnknown, kBlank and kError: unchanged); used to unify If/Switch branches.
EvalValue CoerceTo(const EvalValue& value, Type type);

// On already-coerced, non-error values: Blank reads as 0, "" or false.
double NumberOr0(const EvalValue& coerced);
std::string_view TextOrEmpty(const EvalValue& coerced);
bool BooleanOrFalse(const EvalValue& coerced);

// A number result, or a Numeric error when it is not finite (overflow, undefined).
EvalValue NumberResult(double value, std::string_view what);

// The errors of every Error value among `values`, in order, as one Error value; nullopt when
// none is an error.
std::optional<EvalValue> CollectErrors(std::span<const EvalValue> values);

// `a = b` (and `<>` via negation): Blank equals only Blank; numbers by value; text exactly
// (case-sensitive); booleans by value; Number vs Text compares as numbers when the text is
// numeric, Boolean vs Text as booleans when the text is "true"/"false"; any other mix is an
// InvalidArgument error. Errors propagate. Returns a Boolean or an Error.
EvalValue Equal(const EvalValue& a, const EvalValue& b);
// < <= > >= : both sides as numbers (Blank 0, numeric text); a Boolean is an error.
EvalValue Order(Op op, const EvalValue& a, const EvalValue& b);

}  // namespace sb::expr
