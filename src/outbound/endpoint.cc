#include "outbound/endpoint.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>

namespace sb::outbound {

Result<Endpoint> ParseEndpoint(std::string_view url) {
  auto fail = [&](std::string why) {
    return Error::InvalidArgument("endpointUrl " + why, "endpointUrl");
  };
  if (url.empty()) return fail("is required");
  if (url.size() > kMaxEndpointUrlLength) return fail("is longer than 2048 characters");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return fail("is not an absolute URL");
  const boost::urls::url_view u = *parsed;
  Endpoint e;
  e.url = std::string(url);
  const std::string scheme = u.scheme();
  if (scheme == "https") {
    e.tls = true;
  } else if (scheme != "http") {
    return fail("must use http or https");
  }
  if (u.has_userinfo()) return fail("must not carry user information");
  if (u.host_type() == boost::urls::host_type::ipv6) {
    e.host = u.host_ipv6_address().to_string();
  } else if (u.host_type() == boost::urls::host_type::ipv4 ||
             u.host_type() == boost::urls::host_type::name) {
    e.host = u.host();
  }
  if (e.host.empty()) return fail("has no host");
  e.port = e.tls ? 443 : 80;
  if (u.has_port()) {
    const std::string_view port = u.port();
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return fail("has an invalid port");
    }
    e.port = static_cast<std::uint16_t>(value);
  }
  e.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) e.target += "?" + std::string(u.encoded_query());
  e.host_header = std::string(u.encoded_host_and_port());
  return e;
}

}  // namespace sb::outbound
