#include "api/context.h"

#include <cmath>

#include "api/errors.h"
#include "api/merge_patch.h"

namespace sb::api {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view MediaType(std::string_view content_type) {
  return Trim(content_type.substr(0, content_type.find(';')));
}

// Whether an entity-tag list (If-Match / If-None-Match) names `etag`. Weak tags compare by
// their opaque part; unquoted tags are accepted for lenient clients.
bool TagListMatches(std::string_view list, std::string_view etag) {
  std::string_view bare = etag;
  if (bare.size() >= 2 && bare.front() == '"') bare = bare.substr(1, bare.size() - 2);
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view tag = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
    if (tag == bare) return true;
  }
  return false;
}

bool SameScalar(const json::value& a, const json::value& b, std::string_view name) {
  if (a.is_string() && b.is_string()) {
    if (name.ends_with("At")) {
      const auto x = ParseRfc3339(a.get_string()), y = ParseRfc3339(b.get_string());
      return x && y && *x == *y;
    }
    return a.get_string() == b.get_string();
  }
  if (a.is_number() && b.is_number()) {
    const double x = a.to_number<double>(), y = b.to_number<double>();
    return std::fabs(x - y) <= 1e-9 * std::max(1.0, std::fabs(y));
  }
  return a == b;
}

}  // namespace

std::optional<std::string> Context::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (http::EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

http::Response JsonResponse(unsigned status, const json::value& body) {
  http::Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  response.body = Serialize(body);
  return response;
}

http::Response NoContent() {
  http::Response response;
  response.status = 204;
  return response;
}

http::Response EntityResponse(unsigned status, json::object body, const core::EntityMeta& meta,
                              const core::Engine& engine) {
  http::Response response = JsonResponse(status, json::value(std::move(body)));
  response.headers.push_back({"ETag", engine.Etag(meta)});
  response.headers.push_back({"Last-Modified", FormatHttpDate(meta.last_modified)});
  return response;
}

http::Response Respond(const Error& error) { return ErrorResponse(error); }

Result<json::object> ReadPatchBody(const Context& c) {
  const std::string_view type = MediaType(c.request.header("Content-Type"));
  if (!http::EqualsIgnoreCase(type, "application/merge-patch+json") &&
      !http::EqualsIgnoreCase(type, "application/json")) {
    return Error{ErrorCode::kUnsupportedMediaType,
                 "an upsert takes a JSON merge patch: Content-Type application/merge-patch+json",
                 "Content-Type"};
  }
  if (c.request.body.empty()) return Error::InvalidArgument("the request body is required");
  auto parsed = ParseJson(c.request.body, c.max_json_depth);
  if (!parsed) return std::move(parsed).error();
  if (!parsed->is_object()) return Error::InvalidArgument("the request body must be a JSON object");
  NormalizePropertyNames(*parsed);
  return std::move(parsed->get_object());
}

Result<json::object> ReadOptionsBody(const Context& c) {
  if (c.request.body.empty()) return json::object();
  const std::string_view type = MediaType(c.request.header("Content-Type"));
  if (!type.empty() && !http::EqualsIgnoreCase(type, "application/json") &&
      !http::EqualsIgnoreCase(type, "application/merge-patch+json")) {
    return Error{ErrorCode::kUnsupportedMediaType,
                 "the request body must be JSON: Content-Type application/json", "Content-Type"};
  }
  auto parsed = ParseJson(c.request.body, c.max_json_depth);
  if (!parsed) return std::move(parsed).error();
  if (parsed->is_null()) return json::object();
  if (!parsed->is_object()) return Error::InvalidArgument("the request body must be a JSON object");
  NormalizePropertyNames(*parsed);
  return std::move(parsed->get_object());
}

Status CheckPreconditions(const Context& c, const core::EntityMeta* meta) {
  const std::string etag = meta ? c.engine.Etag(*meta) : std::string();
  if (c.request.has_header("If-Match")) {
    if (!meta) return Error::PreconditionFailed("If-Match: the entity does not exist");
    if (!TagListMatches(c.request.header("If-Match"), etag)) {
      return Error::PreconditionFailed("If-Match: the entity has changed; its etag is now " + etag);
    }
  }
  if (c.request.has_header("If-None-Match") && meta &&
      TagListMatches(c.request.header("If-None-Match"), etag)) {
    return Error::PreconditionFailed("If-None-Match: the entity exists with a matching etag");
  }
  if (c.request.has_header("If-Unmodified-Since") && meta) {
    // An unparsable date is ignored, as RFC 9110 says.
    if (const auto since = ParseHttpDate(c.request.header("If-Unmodified-Since"))) {
      if (meta->last_modified.unix_seconds_floor() > since->unix_seconds_floor()) {
        return Error::PreconditionFailed("If-Unmodified-Since: the entity was modified at " +
                                         FormatHttpDate(meta->last_modified));
      }
    }
  }
  return Ok{};
}

Result<json::object> MergeForUpsert(json::object patch, json::object current,
                                    const std::vector<ReadOnlyProperty>& read_only) {
  for (const ReadOnlyProperty& property : read_only) {
    const json::value* sent = patch.if_contains(property.name);
    if (sent && !sent->is_null() && property.scalar) {
      const json::value* held = current.if_contains(property.name);
      if (!held || !SameScalar(*sent, *held, property.name)) {
        const std::string name(property.name);
        return Error::InvalidArgument(
            name + " is read-only: it can be sent back unchanged but not set or changed", name);
      }
    }
    patch.erase(property.name);
    current.erase(property.name);
  }
  json::value merged = std::move(current);
  ApplyMergePatch(merged, patch);
  return std::move(merged.get_object());
}

}  // namespace sb::api
