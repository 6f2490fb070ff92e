#include "events/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/assert.h"

namespace sb::events {
namespace {

void WriteEscaped(std::string_view s, std::string& out) {
  out += '"';
  std::size_t run = 0;  // start of the current run of characters that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
        out += buffer;
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::string ShortestDouble(double d) {
  if (!std::isfinite(d)) return "null";  // JSON has neither; validated state never holds them
  std::array<char, 32> buffer{};
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), d);
  return std::string(buffer.data(), end);
}

}  // namespace

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  SB_ASSERT(open_.empty() || open_.back() == '[');  // an object member needs its key first
  if (need_comma_) out_ += ',';
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_ += '{';
  open_.push_back('{');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  SB_ASSERT(!open_.empty() && open_.back() == '{' && !after_key_);
  open_.pop_back();
  out_ += '}';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_ += '[';
  open_.push_back('[');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  SB_ASSERT(!open_.empty() && open_.back() == '[');
  open_.pop_back();
  out_ += ']';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  SB_ASSERT(!open_.empty() && open_.back() == '{' && !after_key_);
  if (need_comma_) out_ += ',';
  WriteEscaped(key, out_);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  WriteEscaped(value, out_);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Int(std::int64_t value) { return Raw(std::to_string(value)); }
JsonWriter& JsonWriter::Double(double value) { return Raw(ShortestDouble(value)); }
JsonWriter& JsonWriter::Bool(bool value) { return Raw(value ? "true" : "false"); }
JsonWriter& JsonWriter::Null() { return Raw("null"); }

JsonWriter& JsonWriter::Primitive(const Value& value) {
  if (value.is_bool()) return Bool(value.as_bool());
  if (value.is_int()) return Int(value.as_int());
  if (value.is_double()) return Double(value.as_double());
  if (value.is_string()) return String(value.as_string());
  return Null();
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_ += json;
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Time(Timestamp t) { return String(FormatEventTime(t)); }

std::string LabelText(const Value& value) {
  if (value.is_bool()) return value.as_bool() ? "true" : "false";
  if (value.is_int()) return std::to_string(value.as_int());
  if (value.is_double()) return ShortestDouble(value.as_double());
  if (value.is_string()) return value.as_string();
  return "";
}

std::string FormatEventTime(Timestamp t) {
  std::string text = FormatRfc3339(t);  // "...:47.0941718+00:00"
  const std::size_t zone = text.rfind('+');
  SB_ASSERT(zone != std::string::npos);
  text.resize(zone);
  text += 'Z';
  return text;
}

}  // namespace sb::events
