#include "api/json.h"

namespace sb::api {
namespace {

std::string Lower(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '-' || c == '_') continue;
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

const char* KindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return "a string";
    case json::kind::bool_: return "a boolean";
    case json::kind::object: return "an object";
    case json::kind::array: return "an array";
    case json::kind::null: return "null";
    default: return "a number";
  }
}

}  // namespace

Result<json::value> ParseJson(std::string_view text, std::size_t max_depth) {
  json::parse_options options;
  options.max_depth = max_depth;
  boost::system::error_code ec;
  json::value value = json::parse(text, ec, {}, options);
  if (ec) {
    return Error::InvalidArgument("the request body is not valid JSON (" + ec.message() + ")");
  }
  return value;
}

json::string ToJsonTime(Timestamp t) {
  std::string text = FormatRfc3339(t);
  // .NET drops trailing zeros of the fraction ("...47.67612+00:00", "...01+00:00").
  const std::size_t dot = text.find('.');
  std::size_t end = text.find('+', dot);
  std::size_t last = end;
  while (last > dot + 1 && text[last - 1] == '0') --last;
  if (last == dot + 1) last = dot;
  text.erase(last, end - last);
  return json::string(text);
}

int MatchEnum(std::string_view text, const std::vector<std::string_view>& names) {
  std::string wanted = Lower(text);
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (Lower(names[i]) == wanted) return static_cast<int>(i);
    }
    // Preview-era kinds carried a family suffix: "static-rule", "pass-through-queue-selector".
    for (std::string_view suffix : {"queueselector", "workerselector", "rule", "mode"}) {
      if (wanted.size() > suffix.size() && wanted.ends_with(suffix)) {
        wanted.resize(wanted.size() - suffix.size());
        break;
      }
    }
  }
  return -1;
}

Reader::Reader(const json::object& object, std::string path)
    : Reader(object, std::move(path), std::make_shared<Slot>()) {}

Reader::Reader(const json::object& object, std::string path, std::shared_ptr<Slot> slot)
    : object_(&object), path_(std::move(path)), slot_(std::move(slot)) {}

std::string Reader::PathOf(std::string_view name) const {
  if (path_.empty()) return std::string(name);
  return path_ + "." + std::string(name);
}

const json::value* Reader::Get(std::string_view name) const {
  if (!slot_->ok()) return nullptr;
  const json::value* v = object_->if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

bool Reader::has(std::string_view name) const {
  const json::value* v = object_->if_contains(name);
  return v && !v->is_null();
}

void Reader::Fail(std::string_view name, std::string_view what) {
  if (!slot_->ok()) return;
  const std::string field = PathOf(name);
  slot_->error = Error::InvalidArgument(field + " " + std::string(what), field);
}

void Reader::Require(std::string_view name) {
  if (!has(name)) Fail(name, "is required");
}

std::optional<std::string> Reader::String(std::string_view name) {
  const json::value* v = Get(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Fail(name, std::string("must be a string, not ") + KindName(*v));
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::optional<int> Reader::Int32(std::string_view name) {
  const json::value* v = Get(name);
  if (!v) return std::nullopt;
  std::optional<std::int64_t> n;
  if (v->is_int64()) n = v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) n = static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double() && std::floor(v->get_double()) == v->get_double() &&
      std::fabs(v->get_double()) < 1e15) {
    n = static_cast<std::int64_t>(v->get_double());
  }
  if (!n || *n < INT32_MIN || *n > INT32_MAX) {
    Fail(name, "must be a 32-bit integer");
    return std::nullopt;
  }
  return static_cast<int>(*n);
}

std::optional<double> Reader::Number(std::string_view name) {
  const json::value* v = Get(name);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    Fail(name, std::string("must be a number, not ") + KindName(*v));
    return std::nullopt;
  }
  return v->to_number<double>();
}

std::optional<bool> Reader::Bool(std::string_view name) {
  const json::value* v = Get(name);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    Fail(name, std::string("must be a boolean, not ") + KindName(*v));
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<Timestamp> Reader::Time(std::string_view name) {
  const std::optional<std::string> text = String(name);
  if (!text) return std::nullopt;
  const std::optional<Timestamp> t = ParseRfc3339(*text);
  if (!t) Fail(name, "must be an RFC 3339 date-time such as 2024-01-31T12:00:00Z");
  return t;
}

std::optional<Value> Reader::Primitive(std::string_view name) {
  const json::value* v = Get(name);
  if (!v) return std::nullopt;
  switch (v->kind()) {
    case json::kind::bool_: return Value(v->get_bool());
    case json::kind::int64: return Value(v->get_int64());
    case json::kind::uint64:
      return v->get_uint64() <= INT64_MAX ? Value(static_cast<std::int64_t>(v->get_uint64()))
                                          : Value(static_cast<double>(v->get_uint64()));
    case json::kind::double_: return Value(v->get_double());
    case json::kind::string: return Value(std::string(v->get_string()));
    default:
      Fail(name, std::string("must be a number, string or boolean, not ") + KindName(*v));
      return std::nullopt;
  }
}

LabelMap Reader::Labels(std::string_view name) {
  LabelMap labels;
  const json::value* v = Get(name);
  if (!v) return labels;
  if (!v->is_object()) {
    Fail(name, std::string("must be an object, not ") + KindName(*v));
    return labels;
  }
  Reader inner(v->get_object(), PathOf(name), slot_);
  for (const auto& member : v->get_object()) {
    if (member.value().is_null()) continue;  // null removes a label
    if (auto value = inner.Primitive(member.key())) labels.emplace(member.key(), std::move(*value));
  }
  return labels;
}

std::vector<std::string> Reader::Strings(std::string_view name) {
  std::vector<std::string> out;
  const json::value* v = Get(name);
  if (!v) return out;
  if (!v->is_array()) {
    Fail(name, std::string("must be an array, not ") + KindName(*v));
    return out;
  }
  for (std::size_t i = 0; i < v->get_array().size(); ++i) {
    const json::value& item = v->get_array()[i];
    if (!item.is_string()) {
      Fail(std::string(name) + "[" + std::to_string(i) + "]", "must be a string");
      return {};
    }
    out.emplace_back(item.get_string());
  }
  return out;
}

std::optional<int> Reader::Enum(std::string_view name, const std::vector<std::string_view>& names,
                                bool required) {
  if (required) Require(name);
  const std::optional<std::string> text = String(name);
  if (!text) return std::nullopt;
  const int index = MatchEnum(*text, names);
  if (index < 0) {
    std::string allowed;
    for (std::string_view n : names) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
    Fail(name, "must be one of: " + allowed + " (got '" + *text + "')");
    return std::nullopt;
  }
  return index;
}

std::optional<Reader> Reader::Child(std::string_view name) {
  const json::value* v = Get(name);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    Fail(name, std::string("must be an object, not ") + KindName(*v));
    return std::nullopt;
  }
  return Reader(v->get_object(), PathOf(name), slot_);
}

std::vector<Reader> Reader::Items(std::string_view name) {
  std::vector<Reader> out;
  const json::value* v = Get(name);
  if (!v) return out;
  if (!v->is_array()) {
    Fail(name, std::string("must be an array, not ") + KindName(*v));
    return out;
  }
  const json::array& array = v->get_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string item = std::string(name) + "[" + std::to_string(i) + "]";
    if (!array[i].is_object()) {
      Fail(item, std::string("must be an object, not ") + KindName(array[i]));
      return {};
    }
    out.push_back(Reader(array[i].get_object(), PathOf(item), slot_));
  }
  return out;
}

}  // namespace sb::api
