// JSON as the service writes it, for every module that speaks JSON on the wire (the REST API,
// outbound rule calls): Boost.JSON holds the values; Serialize is our own because Boost.JSON
// writes doubles in exponent form ("3E2") and the service writes them as .NET does ("300",
// "0.5"). Label values convert to and from JSON values here. Stateless functions.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "base/value.h"

namespace sb::wire {

namespace json = boost::json;

// Writes compact JSON; doubles in their shortest round-trip form, integral ones without a
// fraction; NaN and infinities (which JSON lacks) as null.
std::string Serialize(const json::value& value);
void SerializeTo(const json::value& value, std::string& out);

// The pieces, for writers that build JSON text directly: a quoted, escaped string; a double
// as Serialize writes it.
void WriteString(std::string_view text, std::string& out);
void WriteNumber(double value, std::string& out);

json::value ToJson(const Value& value);
json::value ToJson(const LabelMap& labels);

}  // namespace sb::wire
