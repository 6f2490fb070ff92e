#include "base/assert.h"

#include <cstdio>
#include <cstdlib>

namespace sb::detail {

void AssertFail(const char* condition, const char* file, int line, const char* message) {
  std::fprintf(stderr, "assertion failed: %s at %s:%d %s\n", condition, file, line, message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace sb::detail
