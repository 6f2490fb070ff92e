// Expected results of a test case and how an actual result is judged against them, following
// Power Fx's BaseRunner: values compare exactly, numbers also within |a-b| < 1e-5 or a relative
// 1e-14; `Error({Kind:ErrorKind.X})`, `Error(Table({Kind:...},...))` and the legacy
// `#Error(Kind=X, Y)` / `Error(Kind=X)` compare the error kinds in order; `#Error` accepts any
// error; `Errors: ...` means the expression must not compile (the .NET messages are not
// compared). `#Skip` and forms out of our scope (tables, records, dates) are classified as such.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "expr/value.h"

namespace sb::conformance {

struct Expectation {
  enum class Kind {
    kValue,         // `value`
    kAnyError,      // #Error
    kErrorKinds,    // error_kinds, in order
    kCompileError,  // Errors: ...
    kSkip,          // #Skip
    kOutOfScope,    // Table(...), Date(...), {...}: a value this subset cannot produce
    kUnrecognized,  // a form the runner does not understand (reported as a failure)
  };
  Kind kind = Kind::kUnrecognized;
  expr::EvalValue value;
  std::vector<std::string> error_kinds;
};

Expectation ParseExpectation(const std::string& text);

// Whether `actual` (a compiled expression's result) satisfies `expected`.
bool Matches(const Expectation& expected, const expr::EvalValue& actual);

}  // namespace sb::conformance
