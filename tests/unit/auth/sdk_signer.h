// The Azure SDK's request signing (azure-communication-* _shared/policy.py,
// HMACCredentialsPolicy._sign_request), reproduced for the tests independently of sb_auth - it
// uses libcrypto directly - so that the server's verification is checked against the SDK's
// algorithm rather than against itself:
//
//   query_url      = urlparse(url).path + ("?" + query if query)
//   content_hash   = b64(sha256(body or ""))
//   string_to_sign = VERB + "\n" + query_url + "\n" + utc_now + ";" + host + ";" + content_hash
//   Authorization  = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="
//                    + b64(hmac_sha256(b64decode(access_key), string_to_sign))
//
// where host is the endpoint without its scheme, as the client was constructed with it.
#pragma once

#include <string>

#include "http/message.h"

namespace sb::auth::testing {

// Signs `method url` with `body` at `date` (an IMF-fixdate) the SDK's way and returns the
// request as the server receives it: the raw target, Host, and the SDK's headers.
http::Request SdkSignedRequest(const std::string& method, const std::string& url,
                               const std::string& body, const std::string& access_key_base64,
                               const std::string& date);

// A fresh access key as the portal gives one: base64 of 32 random bytes.
std::string NewAccessKey();

}  // namespace sb::auth::testing
