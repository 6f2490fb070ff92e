// Continuation tokens for list paging. A token is opaque to clients (base64url of a small JSON
// document): it carries the position after which the next page starts, the page size and the
// list's filter parameters, so that following nextLink alone gives every item exactly once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/error.h"

namespace sb::api {

inline constexpr std::size_t kDefaultPageSize = 100;
inline constexpr std::size_t kMaxPageSize = 1000;

struct Continuation {
  std::uint64_t after = 0;
  std::size_t page_size = kDefaultPageSize;
  std::map<std::string, std::string> filters;  // query parameter name -> value
};

std::string EncodeContinuation(const Continuation& continuation);
Result<Continuation> DecodeContinuation(std::string_view token);

// Percent-encodes a query parameter value (RFC 3986 unreserved characters stay).
std::string EncodeQueryValue(std::string_view value);

}  // namespace sb::api
