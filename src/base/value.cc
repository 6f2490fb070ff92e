#include "base/value.h"

namespace sb {
namespace {

// Kind rank for the total order; numbers share one rank so 1 and 1.0 are neighbours.
int Rank(const Value& v) {
  if (v.is_null()) return 0;
  if (v.is_bool()) return 1;
  if (v.is_number()) return 2;
  return 3;
}

int CompareNumbers(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) return a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int());
  const double x = a.as_number(), y = b.as_number();
  return x < y ? -1 : (x > y ? 1 : 0);
}

}  // namespace

bool operator==(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return CompareNumbers(a, b) == 0;
  return a.storage_ == b.storage_;
}

std::optional<int> CompareForOrdering(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return CompareNumbers(a, b);
  if (a.is_string() && b.is_string()) {
    const int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

bool operator<(const Value& a, const Value& b) {
  const int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return ra < rb;
  switch (ra) {
    case 0:
      return false;
    case 1:
      return !a.as_bool() && b.as_bool();
    case 2:
      return CompareNumbers(a, b) < 0;
    default:
      return a.as_string() < b.as_string();
  }
}

}  // namespace sb
