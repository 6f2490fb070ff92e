// SB_ASSERT: checks an invariant of the program (never of user input) in every build type.
// A failed assertion prints the condition and location and aborts: continuing with a broken
// invariant in a router could assign a job twice, which is worse than a restart.
#pragma once

namespace sb::detail {
[[noreturn]] void AssertFail(const char* condition, const char* file, int line, const char* message);
}  // namespace sb::detail

#define SB_ASSERT(condition) \
  ((condition) ? static_cast<void>(0) : ::sb::detail::AssertFail(#condition, __FILE__, __LINE__, ""))
#define SB_ASSERT_MSG(condition, message)                                                  \
  ((condition) ? static_cast<void>(0)                                                      \
               : ::sb::detail::AssertFail(#condition, __FILE__, __LINE__, (message)))
