// Endpoint: a subscriber's webhook URL, parsed and checked once when the subscription is
// written: absolute http or https, a host, no user-info (credentials do not belong in URLs
// that are listed back), at most 2048 characters. Values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace sb::outbound {

struct Endpoint {
  std::string url;   // as given
  bool tls = false;  // https
  std::string host;  // a name or an IP literal (IPv6 without brackets)
  std::uint16_t port = 0;
  std::string target;       // path and query, as sent in the request line
  std::string host_header;  // "host[:port]" for the Host header
};

inline constexpr std::size_t kMaxEndpointUrlLength = 2048;

Result<Endpoint> ParseEndpoint(std::string_view url);

}  // namespace sb::outbound
