#include "memcmp_spy.h"

#include <atomic>
#include <map>
#include <mutex>

namespace {
std::mutex mutex;
std::map<std::size_t, std::size_t>& Calls() {
  static std::map<std::size_t, std::size_t> calls;
  return calls;
}
}  // namespace

// Same contract as OpenSSL's: 0 when equal, in time independent of the contents.
extern "C" int CRYPTO_memcmp(const void* a, const void* b, std::size_t size) {
  {
    std::lock_guard lock(mutex);
    ++Calls()[size];
  }
  const auto* x = static_cast<const volatile unsigned char*>(a);
  const auto* y = static_cast<const volatile unsigned char*>(b);
  unsigned char difference = 0;
  for (std::size_t i = 0; i < size; ++i) difference |= x[i] ^ y[i];
  return difference;
}

namespace sb::auth::testing {

std::size_t ConstantTimeCompares(std::size_t size) {
  std::lock_guard lock(mutex);
  return Calls()[size];
}

}  // namespace sb::auth::testing
