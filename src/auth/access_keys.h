// Access keys: the shared secrets clients sign requests with (HMAC-SHA256, as the Azure SDKs
// do), and the file that keeps them in the data directory.
//
// A key is given and stored as base64 text (what the Azure portal shows and connection strings
// carry); the HMAC key is its decoded bytes. Two keys are valid at once, primary and secondary,
// so clients can move to a new key before the old one is withdrawn.
//
// Secrecy: nothing here logs, and no error message ever quotes a key. AccessKey has no stream
// operator on purpose. Values are immutable and safe to share between threads; the file
// functions do blocking I/O and are meant for start-up.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace sb::auth {

// Generated keys are this long; given keys must decode to at least kMinAccessKeyBytes.
inline constexpr std::size_t kGeneratedAccessKeyBytes = 32;
inline constexpr std::size_t kMinAccessKeyBytes = 16;

class AccessKey {
 public:
  // Standard base64 of at least kMinAccessKeyBytes bytes. The error names `what` (e.g.
  // "--access-key"), never the text.
  static Result<AccessKey> FromBase64(std::string_view text, std::string_view what);
  // kGeneratedAccessKeyBytes from the system's CSPRNG.
  static AccessKey Generate();

  const std::string& secret() const { return secret_; }  // the HMAC key (raw bytes)
  const std::string& base64() const { return base64_; }  // what clients are given

 private:
  AccessKey(std::string secret, std::string base64)
      : secret_(std::move(secret)), base64_(std::move(base64)) {}
  std::string secret_;
  std::string base64_;
};

struct AccessKeys {
  AccessKey primary;
  std::optional<AccessKey> secondary;
};

// The key file's text: comment lines, then "primary=BASE64" and "secondary=BASE64".
std::string FormatKeyFile(const AccessKeys& keys);
Result<AccessKeys> ParseKeyFile(std::string_view text);

// Reads the key file at `path`; if there is none, generates both keys and writes them there
// first (mode 0600, atomically: a temporary file, fsync, rename, fsync of the directory).
// Refuses a file that is not a regular file owned by this user, or that group or others may
// read or write. `created` tells which happened.
Result<AccessKeys> LoadOrCreateKeyFile(const std::string& path, bool& created);

}  // namespace sb::auth
