// Helpers for the expr unit tests: compile-or-fail and evaluate in one call, and the first
// error's message of a failed compile.
#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "expr/program.h"

namespace sb::expr::testing {

inline EvalValue Eval(std::string_view source, const Bindings& bindings = {},
                      const Limits& limits = {}) {
  Result<Program> program = Program::Compile(source, limits);
  EXPECT_TRUE(program.ok()) << source << ": " << (program.ok() ? "" : program.error().message);
  if (!program.ok()) return EvalValue::Error(ErrorKind::kNotSupported, "did not compile");
  return program->Evaluate(bindings);
}

// The compile error message, or "" when the source compiles.
inline std::string CompileError(std::string_view source, const Limits& limits = {}) {
  Result<Program> program = Program::Compile(source, limits);
  return program.ok() ? "" : program.error().message;
}

inline bool IsErrorOfKind(const EvalValue& v, ErrorKind kind) {
  return v.is_error() && v.errors().front().kind == kind;
}

}  // namespace sb::expr::testing
