// Gate: what every request passes before the REST service sees it.
//
//   1. GET/HEAD /healthz and /readyz pass (probes need no key).
//   2. Without authentication (the loopback-only --insecure-no-auth mode) everything passes.
//   3. A remote address that has used up its allowance of failed authentications is refused
//      429 before its signature is even checked, so a flood of bad signatures costs little.
//   4. HMAC-SHA256 authentication (hmac_auth.h); a failure is 401 and charges the address.
//   5. The access key's own rate limit; over it, 429.
//
// A refusal carries the status, a message fit for the client (one generic message for every
// authentication failure, so it tells an attacker nothing), the wait for 429s and, separately,
// the precise reason for the server's debug log (never a key or a signature).
//
// Pure apart from its rate-limit state: time comes in as `now`. Not thread-safe; the server
// calls it from the engine's thread only.
#pragma once

#include <optional>
#include <string>

#include "auth/access_keys.h"
#include "auth/hmac_auth.h"
#include "auth/rate_limiter.h"
#include "base/time.h"
#include "http/message.h"

namespace sb::auth {

struct GateOptions {
  // nullopt: requests are not authenticated (and not rate limited).
  std::optional<AccessKeys> keys;
  HmacOptions hmac;
  RateLimit per_key;  // each access key's requests
  RateLimit auth_failures_per_address = {1, 20};
  std::size_t max_tracked_addresses = 10000;
};

struct Refusal {
  unsigned status = 401;                // 401 or 429
  std::string message;                  // for the client
  std::optional<Duration> retry_after;  // 429 only
  std::string reason;                   // for the debug log
};

inline constexpr std::string_view kUnauthorizedMessage =
    "The request is not authorized: sign it with HMAC-SHA256 and a current access key, as the "
    "Azure SDKs do (with x-ms-date close to the server's clock and x-ms-content-sha256 matching "
    "the body).";

class Gate {
 public:
  explicit Gate(GateOptions options);

  // nullopt: let the request through.
  std::optional<Refusal> Check(const http::Request& request, Timestamp now);

  bool authenticates() const { return options_.keys.has_value(); }

 private:
  GateOptions options_;
  RateLimiter per_key_;
  RateLimiter failures_by_address_;
};

// The part of "ip:port" a client cannot vary cheaply: the IPv4 address, or the /64 prefix of
// an IPv6 one (one host usually holds a whole /64).
std::string AddressKey(std::string_view remote_address);

}  // namespace sb::auth
