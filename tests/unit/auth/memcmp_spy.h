// Counts calls to CRYPTO_memcmp, OpenSSL's constant-time comparison, made from this test
// binary: memcmp_spy.cc defines CRYPTO_memcmp itself (a constant-time loop), and the linker
// binds sb_auth's references to it rather than to libcrypto's. Lets a test prove that a
// signature is compared in constant time.
#pragma once

#include <cstddef>

namespace sb::auth::testing {

// Calls so far whose length was `size`.
std::size_t ConstantTimeCompares(std::size_t size);

}  // namespace sb::auth::testing
