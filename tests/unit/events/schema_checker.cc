#include "schema_checker.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/time.h"

namespace sb::events::testing {

namespace json = boost::json;

namespace {

std::string_view TypeOf(const json::object& schema) {
  const json::value* type = schema.if_contains("type");
  return type && type->is_string() ? std::string_view(type->get_string()) : std::string_view();
}

}  // namespace

SchemaChecker::SchemaChecker(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  definitions_ = json::parse(text.str()).as_object().at("definitions").as_object();
}

bool SchemaChecker::Has(std::string_view definition) const {
  return definitions_.contains(definition);
}

const json::object& SchemaChecker::Definition(std::string_view name) const {
  return definitions_.at(name).as_object();
}

const json::object& SchemaChecker::Resolve(const json::object& schema) const {
  const json::value* ref = schema.if_contains("$ref");
  if (!ref) return schema;
  const std::string_view target = ref->as_string();
  constexpr std::string_view kPrefix = "#/definitions/";
  return Definition(target.substr(kPrefix.size()));
}

void SchemaChecker::Collect(const json::object& schema, json::object& properties,
                            std::set<std::string>& required) const {
  const json::object& resolved = Resolve(schema);
  if (const json::value* bases = resolved.if_contains("allOf")) {
    for (const json::value& base : bases->as_array())
      Collect(base.as_object(), properties, required);
  }
  if (const json::value* own = resolved.if_contains("properties")) {
    for (const auto& p : own->as_object()) properties[p.key()] = p.value();
  }
  if (const json::value* names = resolved.if_contains("required")) {
    for (const json::value& name : names->as_array())
      required.insert(std::string(name.as_string()));
  }
}

std::set<std::string> SchemaChecker::Properties(std::string_view definition) const {
  json::object properties;
  std::set<std::string> required;
  Collect(Definition(definition), properties, required);
  std::set<std::string> out;
  for (const auto& p : properties) out.insert(std::string(p.key()));
  return out;
}

std::vector<std::string> SchemaChecker::Check(const json::value& value,
                                              std::string_view definition) const {
  std::vector<std::string> errors;
  CheckObject(value, Definition(definition), "data", errors);
  return errors;
}

void SchemaChecker::CheckObject(const json::value& value, const json::object& schema,
                                const std::string& path, std::vector<std::string>& errors) const {
  if (!value.is_object()) {
    errors.push_back(path + " is not an object");
    return;
  }
  json::object properties;
  std::set<std::string> required;
  Collect(schema, properties, required);
  for (const auto& member : value.as_object()) {
    const json::value* declared = properties.if_contains(member.key());
    if (!declared) {
      errors.push_back(path + "." + std::string(member.key()) + " is not in the schema");
      continue;
    }
    CheckValue(member.value(), declared->as_object(), path + "." + std::string(member.key()),
               errors);
  }
  for (const std::string& name : required) {
    if (!value.as_object().contains(name)) errors.push_back(path + "." + name + " is required");
  }
}

void SchemaChecker::CheckValue(const json::value& value, const json::object& raw,
                               const std::string& path, std::vector<std::string>& errors) const {
  const json::object& schema = Resolve(raw);
  if (raw.contains("$ref") || schema.contains("allOf") || schema.contains("properties")) {
    CheckObject(value, schema, path, errors);
    return;
  }
  const std::string_view type = TypeOf(schema);
  auto fail = [&](const char* what) { errors.push_back(path + " is not " + what); };
  if (type == "string") {
    if (!value.is_string()) return fail("a string");
    if (const json::value* options = schema.if_contains("enum")) {
      bool found = false;
      for (const json::value& option : options->as_array()) found = found || option == value;
      if (!found) errors.push_back(path + " = " + json::serialize(value) + " is not in its enum");
    }
    const json::value* format = schema.if_contains("format");
    if (format && format->as_string() == "date-time" && !ParseRfc3339(value.as_string())) {
      fail("a date-time");
    }
  } else if (type == "integer") {
    if (!value.is_int64() && !value.is_uint64()) fail("an integer");
  } else if (type == "number") {
    if (!value.is_number()) fail("a number");
  } else if (type == "boolean") {
    if (!value.is_bool()) fail("a boolean");
  } else if (type == "array") {
    if (!value.is_array()) return fail("an array");
    std::size_t i = 0;
    for (const json::value& item : value.as_array()) {
      CheckValue(item, schema.at("items").as_object(), path + "[" + std::to_string(i++) + "]",
                 errors);
    }
  } else if (type == "object") {
    const json::value* map = schema.if_contains("additionalProperties");
    if (!map) return;  // a bare object: any value
    if (!value.is_object()) return fail("an object");
    for (const auto& member : value.as_object()) {
      CheckValue(member.value(), map->as_object(), path + "." + std::string(member.key()), errors);
    }
  }
}

}  // namespace sb::events::testing
