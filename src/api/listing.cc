#include <charconv>

#include "api/handlers.h"

namespace sb::api {

Result<Continuation> PageRequest(const Context& c, std::initializer_list<std::string_view> filters) {
  Continuation page;
  if (const auto token = c.Query("continuationToken")) {
    auto decoded = DecodeContinuation(*token);
    if (!decoded) return std::move(decoded).error();
    page = std::move(*decoded);
  } else {
    for (std::string_view name : filters) {
      if (auto value = c.Query(name)) page.filters.emplace(std::string(name), std::move(*value));
    }
  }
  if (const auto size = c.Query("maxpagesize")) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(size->data(), size->data() + size->size(), n);
    if (ec != std::errc() || end != size->data() + size->size() || n < 1 || n > kMaxPageSize) {
      return Error::InvalidArgument("maxpagesize must be an integer from 1 to " +
                                        std::to_string(kMaxPageSize),
                                    "maxpagesize");
    }
    page.page_size = n;
  }
  return page;
}

http::Response PageResponse(const Context& c, std::string_view collection, json::array items,
                            Continuation continuation, std::optional<std::uint64_t> next_after) {
  json::object body{{"value", std::move(items)}};
  if (next_after) {
    continuation.after = *next_after;
    std::string link = "/routing/" + std::string(collection) +
                       "?api-version=" + EncodeQueryValue(c.version_text) +
                       "&continuationToken=" + EncodeContinuation(continuation);
    body["nextLink"] = json::string(link);
  }
  return JsonResponse(200, body);
}

}  // namespace sb::api
