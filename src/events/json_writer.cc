#include "events/json_writer.h"

#include "base/assert.h"
#include "wire/json.h"

namespace sb::events {
namespace {

std::string ShortestDouble(double d) {
  std::string out;
  wire::WriteNumber(d, out);
  return out;
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
  wire::WriteString(key, out_);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  wire::WriteString(value, out_);
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
