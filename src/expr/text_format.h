// Number formats for Text(number, format): the Excel/.NET custom numeric format language as
// Power Fx's Text uses it - 0 (digit or zero), # (digit if significant), . (decimal point),
// , (thousands grouping between placeholders; scaling by 1000 right before the point or the
// end), % and per-mille (scale and print the sign), E+0 / e-0 (scientific), "quoted" and
// \-escaped literals, up to three ;-separated sections (positive;negative;zero). Rounding is
// half away from zero on 15 significant digits, as .NET does for custom formats. Date/time
// formats (the letters d, m, y, h, s outside quotes, AM/PM, A/P) are out of scope and reported
// as NotSupported; other characters are literals. Pure.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "expr/value.h"

namespace sb::expr {

// The formatted text, or the error (kind and message) explaining why the format is unusable.
std::variant<std::string, ErrorInfo> FormatWithPattern(double value, std::string_view format);

}  // namespace sb::expr
