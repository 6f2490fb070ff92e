// HMAC-SHA256 request authentication, exactly as the Azure Communication Services SDKs sign
// (azure-communication-* HMACCredentialsPolicy):
//
//   Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<b64>
//   string to sign = METHOD + "\n" + TARGET + "\n" + <x-ms-date>;<host>;<x-ms-content-sha256>
//   signature      = base64(HMAC-SHA256(base64-decoded access key, string to sign))
//
// METHOD is upper case; TARGET is the raw request target (path and query exactly as received:
// the two Python transports encode queries differently, so nothing is decoded or re-encoded);
// the values are those of the headers SignedHeaders names, in its order, joined by ';'. The
// signed headers must include host, x-ms-content-sha256 and a date (x-ms-date, or Date when
// x-ms-date is absent). x-ms-content-sha256 must be the base64 SHA-256 of the body received, and
// the date within max_clock_skew of `now`. Both keys are tried, in constant time.
//
// Pure functions of the request, the keys and `now`; thread-safe. A failure is an Error of code
// kUnauthorized whose message says why - for the server's debug log only, never for the client,
// and never quoting a key or a signature.
#pragma once

#include <string>
#include <string_view>

#include "auth/access_keys.h"
#include "base/error.h"
#include "base/time.h"
#include "http/message.h"

namespace sb::auth {

struct HmacOptions {
  Duration max_clock_skew = Duration::Minutes(15);
};

enum class KeySlot { kPrimary, kSecondary };

// GET or HEAD of /healthz or /readyz: probes, answered without authentication.
bool IsAnonymous(const http::Request& request);

// base64(SHA-256(body)): the value of x-ms-content-sha256.
std::string ContentHash(std::string_view body);

// base64(HMAC-SHA256(key, string_to_sign)).
std::string ComputeSignature(const AccessKey& key, std::string_view string_to_sign);

// The string to sign for the SDKs' header set: METHOD\nTARGET\nDATE;HOST;CONTENT_HASH.
std::string StringToSign(std::string_view method, std::string_view target, std::string_view date,
                         std::string_view host, std::string_view content_hash);

// Which key signed the request, or kUnauthorized.
Result<KeySlot> Authenticate(const http::Request& request, const AccessKeys& keys, Timestamp now,
                             const HmacOptions& options = {});

}  // namespace sb::auth
