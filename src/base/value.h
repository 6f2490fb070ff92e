// Value: a primitive label value (number, string, boolean) as Job Router allows in labels, tags,
// selectors and static rules; "null" stands for absent. Integers and fractions are kept apart so
// a value comes back exactly as it was sent. LabelMap orders keys so output is deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace sb {

class Value {
 public:
  Value() = default;
  explicit Value(bool b) : storage_(b) {}
  explicit Value(std::int64_t i) : storage_(i) {}
  explicit Value(int i) : storage_(static_cast<std::int64_t>(i)) {}
  explicit Value(double d) : storage_(d) {}
  explicit Value(std::string s) : storage_(std::move(s)) {}
  explicit Value(const char* s) : storage_(std::string(s)) {}

  bool is_null() const { return std::holds_alternative<std::monostate>(storage_); }
  bool is_bool() const { return std::holds_alternative<bool>(storage_); }
  bool is_int() const { return std::holds_alternative<std::int64_t>(storage_); }
  bool is_double() const { return std::holds_alternative<double>(storage_); }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return std::holds_alternative<std::string>(storage_); }

  bool as_bool() const { return std::get<bool>(storage_); }
  std::int64_t as_int() const { return std::get<std::int64_t>(storage_); }
  double as_double() const { return std::get<double>(storage_); }
  const std::string& as_string() const { return std::get<std::string>(storage_); }
  // Any number as a double.
  double as_number() const { return is_int() ? static_cast<double>(as_int()) : as_double(); }

  // Equality as label selectors see it: numbers compare by value (1 == 1.0), other kinds
  // only equal their own kind; strings are compared exactly (case-sensitive).
  friend bool operator==(const Value& a, const Value& b);

  // Ordering for lessThan/greaterThan selectors: defined between two numbers or two strings
  // (ordinal); nullopt otherwise.
  friend std::optional<int> CompareForOrdering(const Value& a, const Value& b);

  // Deterministic total order over all values, for use as a map key.
  friend bool operator<(const Value& a, const Value& b);

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string> storage_;
};

using LabelMap = std::map<std::string, Value, std::less<>>;

}  // namespace sb
