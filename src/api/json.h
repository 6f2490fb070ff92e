// JSON for the API: parsing request bodies with limits, writing responses, and a Reader that
// pulls typed fields out of an object and records the first error with the field's path.
// Boost.JSON parses and holds values; wire/json.h writes them.
// Stateless functions; Reader is a short-lived single-thread helper.
#pragma once

#include <boost/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/time.h"
#include "base/value.h"
#include "wire/json.h"

namespace sb::api {

namespace json = boost::json;

// The default nesting limit of request bodies (ServiceOptions::max_json_depth).
inline constexpr std::size_t kMaxJsonDepth = 32;

// Parses a request body. Malformed JSON or nesting deeper than `max_depth`: kInvalidArgument.
Result<json::value> ParseJson(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

// Writing JSON and label values (see wire/json.h).
using wire::Serialize;
using wire::SerializeTo;
using wire::ToJson;

json::string ToJsonTime(Timestamp t);

// Matches an enum's wire name, case-insensitively and ignoring '-' (so the preview's
// "longest-idle" reads as "longestIdle"). Returns the index in `names`, or -1.
int MatchEnum(std::string_view text, const std::vector<std::string_view>& names);

// Reads fields of one JSON object. Absent and null fields read as nullopt (or empty). A field
// of the wrong type records an error naming its path; later reads then do nothing. Readers made
// with Child()/Item() share the first error with their parent.
class Reader {
 public:
  Reader(const json::object& object, std::string path);

  std::optional<std::string> String(std::string_view name);
  std::optional<int> Int32(std::string_view name);
  std::optional<double> Number(std::string_view name);
  std::optional<bool> Bool(std::string_view name);
  std::optional<Timestamp> Time(std::string_view name);
  std::optional<Value> Primitive(std::string_view name);
  LabelMap Labels(std::string_view name);
  std::vector<std::string> Strings(std::string_view name);
  // Reads an enum by its wire names; `required` records an error when absent.
  std::optional<int> Enum(std::string_view name, const std::vector<std::string_view>& names,
                          bool required);

  // A nested object, or nullopt when absent/null (an error when another type).
  std::optional<Reader> Child(std::string_view name);
  // The objects of an array field (an error when an item is not an object).
  std::vector<Reader> Items(std::string_view name);

  bool has(std::string_view name) const;
  void Fail(std::string_view name, std::string_view what);  // records "<path> <what>"
  void Require(std::string_view name);                        // error if absent or null
  bool ok() const { return slot_->ok(); }
  Error error() const { return *slot_->error; }
  const std::string& path() const { return path_; }

 private:
  struct Slot {
    std::optional<Error> error;
    bool ok() const { return !error.has_value(); }
  };
  Reader(const json::object& object, std::string path, std::shared_ptr<Slot> slot);
  const json::value* Get(std::string_view name) const;
  std::string PathOf(std::string_view name) const;

  const json::object* object_;
  std::string path_;
  std::shared_ptr<Slot> slot_;
};

}  // namespace sb::api
