// What every operation handler works with: the request, its decoded path and query, the
// api-version, the engine and the clock; and the helpers handlers share to read bodies and
// write responses. Internal to the api module.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/codec.h"
#include "api/json.h"
#include "core/engine.h"
#include "http/message.h"

namespace sb::api {

struct Context {
  const http::Request& request;
  core::Engine& engine;
  Timestamp now;
  core::Effects& effects;
  ApiVersion version;
  std::string_view version_text;
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::size_t max_json_depth = kMaxJsonDepth;

  EncodeContext encoding() const { return {engine, version}; }
  std::optional<std::string> Query(std::string_view name) const;
};

// --- Responses --------------------------------------------------------------------------
http::Response JsonResponse(unsigned status, const json::value& body);
http::Response NoContent();
// An entity with its ETag and Last-Modified headers.
http::Response EntityResponse(unsigned status, json::object body, const core::EntityMeta& meta,
                              const core::Engine& engine);
http::Response Respond(const Error& error);

// --- Requests ---------------------------------------------------------------------------
// The body of a PATCH upsert: merge-patch JSON (or plain JSON), an object, keys normalised.
Result<json::object> ReadPatchBody(const Context& c);
// The optional options object of a POST action ({} when there is no body).
Result<json::object> ReadOptionsBody(const Context& c);
// If-Match, If-None-Match and If-Unmodified-Since against the entity (nullptr: none exists).
Status CheckPreconditions(const Context& c, const core::EntityMeta* meta);

// A read-only property of an entity: `scalar` ones may be sent back unchanged (a different
// value is a 400); the others (server-kept collections, etag) are ignored whatever their value.
struct ReadOnlyProperty {
  std::string_view name;
  bool scalar;
};

// Merges `patch` into the current entity's representation (`current`, empty when creating)
// after checking and removing read-only properties. Returns the object to decode.
Result<json::object> MergeForUpsert(json::object patch, json::object current,
                                    const std::vector<ReadOnlyProperty>& read_only);

}  // namespace sb::api
