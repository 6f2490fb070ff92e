// JsonWriter: appends compact JSON to a string, value by value, in the order written (so event
// payloads come out with their fields in a fixed, documented order). Doubles are written in
// their shortest round-trip form and integral ones without a fraction ("300", "0.5"), as the
// service writes numbers; strings are escaped per RFC 8259. The caller nests Begin/End calls
// correctly (asserted). A short-lived single-thread helper.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "base/value.h"

namespace sb::events {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A label value as it was sent: number, string or boolean (null for an absent value).
  JsonWriter& Primitive(const Value& value);
  // Already-serialized JSON, written as one value.
  JsonWriter& Raw(std::string_view json);
  // An event timestamp: "2024-01-31T12:00:00.1234567Z".
  JsonWriter& Time(Timestamp t);

  // `"key": value` in one call.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, std::int64_t value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }

 private:
  void BeforeValue();

  std::string& out_;
  std::vector<char> open_;  // '{' or '[' for each open container
  bool need_comma_ = false;
  bool after_key_ = false;
};

// The text of a label value in a string->string map, as the event schema types labels and
// tags: strings as they are, numbers in their shortest form ("5", "2.5"), booleans as "true" /
// "false", and an absent value as "".
std::string LabelText(const Value& value);

// The event timestamp form: RFC 3339 in UTC with seven fraction digits and "Z".
std::string FormatEventTime(Timestamp t);

}  // namespace sb::events
