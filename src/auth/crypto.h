// The few cryptographic primitives authentication needs, over OpenSSL's libcrypto: base64,
// SHA-256, HMAC-SHA256, a constant-time comparison and random bytes from the system's CSPRNG.
// Stateless functions; safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sb::auth {

// Standard base64 with padding (RFC 4648 section 4), as the SDKs write it.
std::string Base64Encode(std::string_view bytes);
// Strict: the standard alphabet, correct padding, no whitespace. nullopt otherwise.
std::optional<std::string> Base64Decode(std::string_view text);

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view message);

// Equal length and equal bytes, in time that depends only on the lengths (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// `count` bytes from the operating system's CSPRNG (RAND_bytes); aborts if it fails, since a
// predictable key would be worse than no server.
std::string RandomBytes(std::size_t count);

}  // namespace sb::auth
