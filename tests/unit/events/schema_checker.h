// SchemaChecker: checks a JSON value against a definition of the Event Grid data schemas (the
// swagger file in data/), following $ref and allOf. A value conforms when it is an object
// holding no property the definition (with its bases) does not declare, every required one,
// and each value of the declared type: strings (and enums), integers, numbers, booleans,
// arrays of the item schema, string maps (additionalProperties), nested $refs. A property typed
// a bare "object" (AcsRouterWorkerSelector.value, SDK type "any") accepts any value.
#pragma once

#include <boost/json.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sb::events::testing {

class SchemaChecker {
 public:
  explicit SchemaChecker(const std::string& path);  // aborts the test run if unreadable

  // What is wrong with `value` as a `definition`; empty when it conforms.
  std::vector<std::string> Check(const boost::json::value& value,
                                 std::string_view definition) const;
  // Every property `definition` declares, with its bases'.
  std::set<std::string> Properties(std::string_view definition) const;
  bool Has(std::string_view definition) const;

 private:
  const boost::json::object& Definition(std::string_view name) const;
  const boost::json::object& Resolve(const boost::json::object& schema) const;
  void Collect(const boost::json::object& schema, boost::json::object& properties,
               std::set<std::string>& required) const;
  void CheckValue(const boost::json::value& value, const boost::json::object& schema,
                  const std::string& path, std::vector<std::string>& errors) const;
  void CheckObject(const boost::json::value& value, const boost::json::object& schema,
                   const std::string& path, std::vector<std::string>& errors) const;

  boost::json::object definitions_;
};

}  // namespace sb::events::testing
