#include "auth/hmac_auth.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "auth/crypto.h"

namespace sb::auth {
namespace {

constexpr std::string_view kScheme = "HMAC-SHA256 ";
constexpr std::size_t kMaxSignedHeaders = 16;

Error Unauthorized(std::string reason) {
  return Error{ErrorCode::kUnauthorized, std::move(reason), {}};
}

std::string ToUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::size_t CountHeader(const http::Request& request, std::string_view name) {
  return static_cast<std::size_t>(
      std::count_if(request.headers.begin(), request.headers.end(),
                    [&](const http::Header& h) { return http::EqualsIgnoreCase(h.name, name); }));
}

// The one value of a header that must not be repeated; nullopt when absent or repeated.
std::optional<std::string_view> SingleHeader(const http::Request& request, std::string_view name) {
  if (CountHeader(request, name) != 1) return std::nullopt;
  return request.header(name);
}

struct Credentials {
  std::vector<std::string_view> signed_headers;
  std::string_view signature;
};

// "a;b;c" -> {"a", "b", "c"}, at most kMaxSignedHeaders of them.
Result<std::vector<std::string_view>> SplitSignedHeaders(std::string_view list) {
  std::vector<std::string_view> names;
  for (;;) {
    const std::size_t semi = list.find(';');
    names.push_back(list.substr(0, semi));
    if (names.size() > kMaxSignedHeaders) return Unauthorized("too many signed headers");
    if (semi == std::string_view::npos) return names;
    list.remove_prefix(semi + 1);
  }
}

// "HMAC-SHA256 SignedHeaders=a;b;c&Signature=xyz" (parameters in either order).
Result<Credentials> ParseAuthorization(std::string_view value) {
  if (value.size() < kScheme.size() ||
      !http::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return Unauthorized("the Authorization scheme is not HMAC-SHA256");
  }
  value.remove_prefix(kScheme.size());
  std::optional<std::string_view> signed_headers, signature;
  while (!value.empty()) {
    const std::size_t amp = value.find('&');
    const std::string_view param = value.substr(0, amp);
    value.remove_prefix(amp == std::string_view::npos ? value.size() : amp + 1);
    const std::size_t eq = param.find('=');
    const std::string_view name = param.substr(0, eq);
    std::optional<std::string_view>* slot = nullptr;
    if (http::EqualsIgnoreCase(name, "SignedHeaders")) slot = &signed_headers;
    if (http::EqualsIgnoreCase(name, "Signature")) slot = &signature;
    if (eq == std::string_view::npos || !slot || *slot) {
      return Unauthorized("a malformed, unknown or repeated Authorization parameter");
    }
    *slot = param.substr(eq + 1);
  }
  if (!signed_headers || !signature || signature->empty()) {
    return Unauthorized("Authorization lacks SignedHeaders or Signature");
  }
  auto names = SplitSignedHeaders(*signed_headers);
  if (!names) return std::move(names).error();
  return Credentials{std::move(*names), *signature};
}

// The date the request claims: x-ms-date, else Date.
std::optional<std::string_view> DateValue(const http::Request& request) {
  if (request.has_header("x-ms-date")) return SingleHeader(request, "x-ms-date");
  return SingleHeader(request, "Date");
}

struct SignedPart {
  std::string values;                   // each signed header's value, joined by ';'
  std::vector<std::string_view> dates;  // the signed dates: the ones whose freshness counts
};

// The signed part of the string to sign. Checks that host, x-ms-content-sha256 and a date are
// among the signed headers.
Result<SignedPart> SignedValues(const http::Request& request,
                                const std::vector<std::string_view>& names) {
  bool has_host = false, has_hash = false;
  SignedPart part;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string_view name = names[i];
    const bool is_date =
        http::EqualsIgnoreCase(name, "x-ms-date") || http::EqualsIgnoreCase(name, "date");
    const std::optional<std::string_view> value = http::EqualsIgnoreCase(name, "x-ms-date")
                                                      ? DateValue(request)
                                                      : SingleHeader(request, name);
    if (!value) return Unauthorized("a signed header is missing or repeated");
    has_host = has_host || http::EqualsIgnoreCase(name, "host");
    has_hash = has_hash || http::EqualsIgnoreCase(name, "x-ms-content-sha256");
    if (is_date) part.dates.push_back(*value);
    if (i > 0) part.values += ';';
    part.values += *value;
  }
  if (!has_host || !has_hash || part.dates.empty()) {
    return Unauthorized("the signed headers must include host, x-ms-content-sha256 and a date");
  }
  return part;
}

// Only a signed date counts: an unsigned x-ms-date added to an old request signed over Date
// must not make it fresh.
Status CheckFreshness(std::string_view text, Timestamp now, const HmacOptions& options) {
  const std::optional<Timestamp> date = ParseHttpDate(text);
  if (!date) return Unauthorized("the request date is not an IMF-fixdate");
  const Duration skew = *date > now ? *date - now : now - *date;
  if (skew > options.max_clock_skew) {
    return Unauthorized("the request date is " + std::to_string(skew.micros() / 1'000'000) +
                        " s away from the server's clock");
  }
  return Ok{};
}

Status CheckContentHash(const http::Request& request) {
  const std::optional<std::string_view> given = SingleHeader(request, "x-ms-content-sha256");
  if (!given) return Unauthorized("no single x-ms-content-sha256 header");
  if (!ConstantTimeEquals(*given, ContentHash(request.body))) {
    return Unauthorized("x-ms-content-sha256 does not match the body received");
  }
  return Ok{};
}

}  // namespace

bool IsAnonymous(const http::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") return false;
  const std::string_view path =
      std::string_view(request.target)
          .substr(0, std::min(request.target.size(), request.target.find('?')));
  return path == "/healthz" || path == "/readyz";
}

std::string ContentHash(std::string_view body) { return Base64Encode(Sha256(body)); }

std::string ComputeSignature(const AccessKey& key, std::string_view string_to_sign) {
  return Base64Encode(HmacSha256(key.secret(), string_to_sign));
}

std::string StringToSign(std::string_view method, std::string_view target, std::string_view date,
                         std::string_view host, std::string_view content_hash) {
  std::string text = ToUpper(method);
  text.append("\n").append(target).append("\n");
  text.append(date).append(";").append(host).append(";").append(content_hash);
  return text;
}

Result<KeySlot> Authenticate(const http::Request& request, const AccessKeys& keys, Timestamp now,
                             const HmacOptions& options) {
  const std::optional<std::string_view> authorization = SingleHeader(request, "Authorization");
  if (!authorization) return Unauthorized("no single Authorization header");
  auto credentials = ParseAuthorization(*authorization);
  if (!credentials) return std::move(credentials).error();
  auto signed_part = SignedValues(request, credentials->signed_headers);
  if (!signed_part) return std::move(signed_part).error();
  for (const std::string_view date : signed_part->dates) {
    SB_TRY(CheckFreshness(date, now, options));
  }
  SB_TRY(CheckContentHash(request));
  const std::string string_to_sign =
      ToUpper(request.method) + "\n" + request.target + "\n" + signed_part->values;
  // Both keys are always computed and compared, so the time taken does not tell which matched.
  const bool primary =
      ConstantTimeEquals(credentials->signature, ComputeSignature(keys.primary, string_to_sign));
  const bool secondary =
      keys.secondary &&
      ConstantTimeEquals(credentials->signature, ComputeSignature(*keys.secondary, string_to_sign));
  if (primary) return KeySlot::kPrimary;
  if (secondary) return KeySlot::kSecondary;
  return Unauthorized("the signature does not match either access key");
}

}  // namespace sb::auth
