#include "expr/text_format.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace sb::expr {
namespace {

enum class ItemKind { kZero, kHash, kPoint, kComma, kPercent, kPermille, kExponent, kLiteral };

struct Item {
  ItemKind kind = ItemKind::kLiteral;
  std::string literal;    // kLiteral
  bool exp_sign = false;  // kExponent: always print the sign (E+0)
  int exp_digits = 1;     // kExponent: minimum exponent digits
};

constexpr std::string_view kPermilleSign = "\xE2\x80\xB0";  // U+2030

bool IsPlaceholder(const Item& item) {
  return item.kind == ItemKind::kZero || item.kind == ItemKind::kHash;
}

// Splits at ';' outside quotes and escapes.
std::vector<std::string_view> Sections(std::string_view format) {
  std::vector<std::string_view> sections;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\\') {
      ++i;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ';') {
      sections.push_back(format.substr(start, i - start));
      start = i + 1;
    }
  }
  sections.push_back(format.substr(start));
  return sections;
}

// Day, month/minute, year, hour and second letters, and AM/PM or A/P, make a date/time format.
bool IsDateTimeToken(std::string_view s, std::size_t i) {
  switch (s[i]) {
    case 'd':
    case 'D':
    case 'm':
    case 'M':
    case 'y':
    case 'Y':
    case 'h':
    case 'H':
    case 's':
    case 'S':
      return true;
    default:
      break;
  }
  auto at = [&](std::string_view token) {
    if (s.size() - i < token.size()) return false;
    for (std::size_t k = 0; k < token.size(); ++k) {
      if (std::toupper(static_cast<unsigned char>(s[i + k])) != token[k]) return false;
    }
    return true;
  };
  return at("AM/PM") || at("A/P");
}

std::size_t ParseExponent(std::string_view s, std::size_t i, std::vector<Item>& items) {
  std::size_t j = i + 1;
  Item item;
  item.kind = ItemKind::kExponent;
  item.literal = std::string(1, s[i]);
  if (j < s.size() && (s[j] == '+' || s[j] == '-')) item.exp_sign = s[j++] == '+';
  if (j >= s.size() || s[j] != '0') return 0;  // not an exponent: a literal letter
  item.exp_digits = 0;
  while (j < s.size() && s[j] == '0') ++item.exp_digits, ++j;
  items.push_back(std::move(item));
  return j - i;
}

// Tokenizes one section; false when it is a date/time format.
bool Tokenize(std::string_view s, std::vector<Item>& items) {
  bool seen_point = false;
  auto literal = [&](std::string_view text) {
    if (!items.empty() && items.back().kind == ItemKind::kLiteral) {
      items.back().literal += text;
    } else {
      items.push_back(Item{ItemKind::kLiteral, std::string(text)});
    }
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '0' || c == '#') {
      items.push_back(Item{c == '0' ? ItemKind::kZero : ItemKind::kHash, {}});
    } else if (c == '.') {
      if (!seen_point) items.push_back(Item{ItemKind::kPoint, {}});
      seen_point = true;
    } else if (c == ',') {
      items.push_back(Item{ItemKind::kComma, {}});
    } else if (c == '%') {
      items.push_back(Item{ItemKind::kPercent, {}});
    } else if (s.substr(i).starts_with(kPermilleSign)) {
      items.push_back(Item{ItemKind::kPermille, {}});
      i += kPermilleSign.size() - 1;
    } else if (const std::size_t used = (c == 'E' || c == 'e') ? ParseExponent(s, i, items) : 0;
               used > 0) {
      i += used - 1;
    } else if (c == '\\') {
      if (i + 1 < s.size()) literal(s.substr(++i, 1));
    } else if (c == '"' || c == '\'') {
      const std::size_t close = s.find(c, i + 1);
      const std::size_t end = close == std::string_view::npos ? s.size() : close;
      literal(s.substr(i + 1, end - i - 1));
      i = end;
    } else if (IsDateTimeToken(s, i)) {
      return false;
    } else {
      literal(s.substr(i, 1));
    }
  }
  return true;
}

struct Shape {
  int int_placeholders = 0;
  int min_int = 0;
  int frac_placeholders = 0;
  int min_frac = 0;
  bool grouping = false;
  int scale_commas = 0;
  int percents = 0;
  int permilles = 0;
  const Item* exponent = nullptr;
};

Shape Analyze(const std::vector<Item>& items) {
  Shape shape;
  bool in_frac = false;
  bool comma_after_digit = false;
  int pending_commas = 0;
  int first_zero = -1;
  for (const Item& item : items) {
    if (item.kind == ItemKind::kExponent) {
      shape.exponent = &item;
      break;
    }
    if (IsPlaceholder(item) && !in_frac) {
      if (item.kind == ItemKind::kZero && first_zero < 0) first_zero = shape.int_placeholders;
      if (comma_after_digit) shape.grouping = true;
      ++shape.int_placeholders;
      comma_after_digit = false;
      pending_commas = 0;
    } else if (IsPlaceholder(item)) {
      ++shape.frac_placeholders;
      if (item.kind == ItemKind::kZero) shape.min_frac = shape.frac_placeholders;
    } else if (item.kind == ItemKind::kComma && !in_frac) {
      if (shape.int_placeholders > 0) comma_after_digit = true;
      ++pending_commas;
    } else if (item.kind == ItemKind::kPoint) {
      in_frac = true;
      shape.scale_commas = pending_commas;
    } else if (item.kind == ItemKind::kPercent) {
      ++shape.percents;
    } else if (item.kind == ItemKind::kPermille) {
      ++shape.permilles;
    }
  }
  if (!in_frac) shape.scale_commas = pending_commas;
  if (first_zero >= 0) shape.min_int = shape.int_placeholders - first_zero;
  return shape;
}

// Increments a decimal digit string ("199" -> "200", "99" -> "100").
std::string Increment(std::string digits) {
  for (std::size_t i = digits.size(); i-- > 0;) {
    if (digits[i] != '9') {
      ++digits[i];
      return digits;
    }
    digits[i] = '0';
  }
  return "1" + digits;
}

// round(|value| * 10^frac) as a digit string ("" for zero), on 15 significant digits.
std::string ScaledDigits(double value, int frac) {
  if (value == 0) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.14e", std::fabs(value));
  std::string significand(1, buf[0]);
  significand.append(buf + 2, 14);
  const int keep = std::atoi(buf + 17) + frac + 1;
  if (keep >= 15) return significand + std::string(static_cast<std::size_t>(keep - 15), '0');
  if (keep < 0) return "";
  std::string kept = significand.substr(0, static_cast<std::size_t>(keep));
  if (significand[static_cast<std::size_t>(keep)] >= '5')
    kept = Increment(kept.empty() ? "0" : kept);
  const std::size_t nonzero = kept.find_first_not_of('0');
  return nonzero == std::string::npos ? "" : kept.substr(nonzero);
}

struct Digits {
  std::string whole;  // integer digits, no leading zeros ("" for zero), padded to min_int
  std::string frac;   // fraction digits, trailing zeros trimmed down to min_frac
  int exponent = 0;
};

Digits MakeDigits(double magnitude, const Shape& shape) {
  Digits d;
  if (shape.exponent != nullptr && magnitude != 0) {
    const int lead = std::max(shape.int_placeholders, 1);
    d.exponent = static_cast<int>(std::floor(std::log10(magnitude))) - (lead - 1);
    magnitude /= std::pow(10.0, d.exponent);
  }
  std::string all = ScaledDigits(magnitude, shape.frac_placeholders);
  const auto frac = static_cast<std::size_t>(shape.frac_placeholders);
  if (all.size() < frac) all.insert(0, frac - all.size(), '0');
  d.whole = all.substr(0, all.size() - frac);
  d.frac = all.substr(all.size() - frac);
  if (shape.exponent != nullptr &&
      d.whole.size() > static_cast<std::size_t>(std::max(shape.int_placeholders, 1))) {
    d.whole.pop_back();  // rounding carried into a new digit: 9.99E+00 -> 1.00E+01
    d.frac.insert(0, 1, '0');
    d.frac.pop_back();
    ++d.exponent;
  }
  const auto min_int = static_cast<std::size_t>(shape.min_int);
  if (d.whole.size() < min_int) d.whole.insert(0, min_int - d.whole.size(), '0');
  while (d.frac.size() > static_cast<std::size_t>(shape.min_frac) && d.frac.back() == '0') {
    d.frac.pop_back();
  }
  return d;
}

class Emitter {
 public:
  Emitter(const Shape& shape, const Digits& digits) : shape_(shape), d_(digits) {}

  std::string Run(const std::vector<Item>& items) {
    for (const Item& item : items) Emit(item);
    if (!point_done_) EmitWholeRemainder();
    return out_;
  }

 private:
  void EmitWholeDigit(std::size_t j) {
    out_.push_back(d_.whole[j]);
    const std::size_t remaining = d_.whole.size() - 1 - j;
    if (shape_.grouping && remaining > 0 && remaining % 3 == 0) out_.push_back(',');
  }
  // Integer digits not yet written when the integer placeholders are exhausted (".##" with 12).
  void EmitWholeRemainder() {
    while (next_whole_ < d_.whole.size()) EmitWholeDigit(next_whole_++);
  }
  void EmitIntPlaceholder() {
    const std::size_t n = d_.whole.size();
    const auto k = static_cast<std::size_t>(shape_.int_placeholders);
    ++int_seen_;
    if (int_seen_ == 1 && n > k) {  // the first placeholder takes the surplus digits
      while (next_whole_ < n - k) EmitWholeDigit(next_whole_++);
    }
    if (k - int_seen_ < n && next_whole_ < n) EmitWholeDigit(next_whole_++);
  }
  void Emit(const Item& item) {
    switch (item.kind) {
      case ItemKind::kZero:
      case ItemKind::kHash:
        if (!point_done_) {
          EmitIntPlaceholder();
        } else if (frac_seen_ < d_.frac.size()) {
          out_.push_back(d_.frac[frac_seen_++]);
        } else {
          ++frac_seen_;
        }
        break;
      case ItemKind::kPoint:
        EmitWholeRemainder();
        point_done_ = true;
        if (!d_.frac.empty()) out_.push_back('.');
        break;
      case ItemKind::kComma:
        break;
      case ItemKind::kPercent:
        out_.push_back('%');
        break;
      case ItemKind::kPermille:
        out_ += kPermilleSign;
        break;
      case ItemKind::kExponent:
        EmitExponent(item);
        break;
      case ItemKind::kLiteral:
        out_ += item.literal;
        break;
    }
  }
  void EmitExponent(const Item& item) {
    EmitWholeRemainder();
    point_done_ = true;
    out_ += item.literal;
    if (d_.exponent < 0) {
      out_.push_back('-');
    } else if (item.exp_sign) {
      out_.push_back('+');
    }
    std::string e = std::to_string(std::abs(d_.exponent));
    if (e.size() < static_cast<std::size_t>(item.exp_digits)) {
      e.insert(0, static_cast<std::size_t>(item.exp_digits) - e.size(), '0');
    }
    out_ += e;
  }

  const Shape& shape_;
  const Digits& d_;
  std::string out_;
  std::size_t next_whole_ = 0;
  std::size_t int_seen_ = 0;
  std::size_t frac_seen_ = 0;
  bool point_done_ = false;
};

}  // namespace

std::variant<std::string, ErrorInfo> FormatWithPattern(double value, std::string_view format) {
  const std::vector<std::string_view> sections = Sections(format);
  std::string_view section = sections[0];
  bool sign = value < 0;
  if (value < 0 && sections.size() >= 2 && !sections[1].empty()) {
    section = sections[1];
    sign = false;
  } else if (value == 0 && sections.size() >= 3 && !sections[2].empty()) {
    section = sections[2];
  }
  std::vector<Item> items;
  if (!Tokenize(section, items)) {
    return ErrorInfo{ErrorKind::kNotSupported, "Text: date and time formats are not supported"};
  }
  const Shape shape = Analyze(items);
  double magnitude = std::fabs(value) * std::pow(100.0, shape.percents) *
                     std::pow(1000.0, shape.permilles) / std::pow(1000.0, shape.scale_commas);
  if (!std::isfinite(magnitude)) return ErrorInfo{ErrorKind::kNumeric, "Text: number too large"};
  const Digits digits = MakeDigits(magnitude, shape);
  std::string text = Emitter(shape, digits).Run(items);
  const bool nonzero = digits.whole.find_first_not_of('0') != std::string::npos ||
                       digits.frac.find_first_not_of('0') != std::string::npos;
  return sign && nonzero ? "-" + text : text;
}

}  // namespace sb::expr
