#include "wire/json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace sb::wire {

void WriteString(std::string_view s, std::string& out) {
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

void WriteNumber(double d, std::string& out) {
  if (!std::isfinite(d)) {  // JSON has no NaN or infinity; never produced by validated state
    out += "null";
    return;
  }
  std::array<char, 32> buffer{};
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), d);
  out.append(buffer.data(), end);
}

void SerializeTo(const json::value& value, std::string& out) {
  switch (value.kind()) {
    case json::kind::null: out += "null"; return;
    case json::kind::bool_: out += value.get_bool() ? "true" : "false"; return;
    case json::kind::int64: out += std::to_string(value.get_int64()); return;
    case json::kind::uint64: out += std::to_string(value.get_uint64()); return;
    case json::kind::double_: WriteNumber(value.get_double(), out); return;
    case json::kind::string: WriteString(value.get_string(), out); return;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::value& item : value.get_array()) {
        if (!first) out += ',';
        first = false;
        SerializeTo(item, out);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& member : value.get_object()) {
        if (!first) out += ',';
        first = false;
        WriteString(member.key(), out);
        out += ':';
        SerializeTo(member.value(), out);
      }
      out += '}';
      return;
    }
  }
}

std::string Serialize(const json::value& value) {
  std::string out;
  out.reserve(256);
  SerializeTo(value, out);
  return out;
}

json::value ToJson(const Value& value) {
  if (value.is_bool()) return value.as_bool();
  if (value.is_int()) return value.as_int();
  if (value.is_double()) return value.as_double();
  if (value.is_string()) return json::string(value.as_string());
  return nullptr;
}

json::value ToJson(const LabelMap& labels) {
  json::object out;
  for (const auto& [key, value] : labels) out[key] = ToJson(value);
  return out;
}

}  // namespace sb::wire
