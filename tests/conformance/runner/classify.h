// Which cases the runner skips, and why. A case is skipped only for a whole feature that this
// Power Fx subset leaves out on purpose; every reason is one of SkipReason and is printed with
// --list-skips. Everything else must pass: there is no per-case exception list.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expectation.h"
#include "test_file.h"

namespace sb::conformance {

enum class SkipReason {
  kSetupDirective,    // the file needs engine features (#SETUP/#OVERRIDE/#DISABLE) we do not model
  kMarkedSkip,        // the file itself says #Skip for this case (for the interpreter engine)
  kTablesAndRecords,  // [..], {..}, Table(..) and the functions over them
  kDatesAndTimes,     // Date, Time, DateTime values and their functions
  kEnumsAndFields,    // enums and record fields: ErrorKind.X, FirstError.Kind
  kOtherFunction,     // a function outside the subset (e.g. Type, Sequence, UI functions)
  kExpectedOutOfScope,  // the expected value is a table, record, date or time
};

std::string_view Describe(SkipReason reason);
inline constexpr int kSkipReasonCount = 7;

struct Skip {
  SkipReason reason;
  std::string detail;  // e.g. the function name
};

// Why the case is skipped, or nullopt when it must run.
std::optional<Skip> Classify(const TestFile& file, const TestCase& c, const Expectation& expected);

}  // namespace sb::conformance
