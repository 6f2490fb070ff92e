#include "api/paging.h"

#include <array>

#include "api/json.h"

namespace sb::api {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : in) {
    const std::size_t index = kAlphabet.find(c);
    if (index == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(index);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

Error BadToken() {
  return Error::InvalidArgument("continuationToken is not a token this server issued",
                                "continuationToken");
}

}  // namespace

std::string EncodeContinuation(const Continuation& c) {
  json::object filters;
  for (const auto& [name, value] : c.filters) filters[name] = value;
  json::object token{{"a", c.after}, {"n", c.page_size}, {"f", std::move(filters)}};
  return Base64UrlEncode(Serialize(token));
}

Result<Continuation> DecodeContinuation(std::string_view token) {
  if (token.size() > 4096) return BadToken();
  const auto text = Base64UrlDecode(token);
  if (!text) return BadToken();
  auto parsed = ParseJson(*text);
  if (!parsed || !parsed->is_object()) return BadToken();
  const json::object& o = parsed->get_object();
  const json::value* after = o.if_contains("a");
  const json::value* size = o.if_contains("n");
  const json::value* filters = o.if_contains("f");
  if (!after || !after->is_number() || !size || !size->is_number() || !filters ||
      !filters->is_object()) {
    return BadToken();
  }
  Continuation c;
  c.after = after->to_number<std::uint64_t>();
  c.page_size = size->to_number<std::size_t>();
  if (c.page_size < 1 || c.page_size > kMaxPageSize) return BadToken();
  for (const auto& member : filters->get_object()) {
    if (!member.value().is_string()) return BadToken();
    c.filters.emplace(member.key(), member.value().get_string());
  }
  return c;
}

std::string EncodeQueryValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : value) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace sb::api
