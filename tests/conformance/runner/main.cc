// powerfx_conformance FILE... [--list-skips]
//
// Runs Power Fx expression test files (see test_file.h for the format) against the expr module:
// compiles each case, evaluates it with the case's labels, and judges the result
// (expectation.h). Prints one line per failing case - file:line, expression, expected, actual -
// and, last, exactly "N passed, M failed, K skipped". Skips are whole features out of scope
// (classify.h); --list-skips also prints each skipped case and a count per reason. Exit status:
// 0 when nothing failed, 1 otherwise (2 for a usage error).
#include <array>
#include <iostream>
#include <string>
#include <vector>

#include "classify.h"
#include "expectation.h"
#include "expr/program.h"
#include "test_file.h"

namespace sb::conformance {
namespace {

struct Totals {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  std::array<int, kSkipReasonCount> by_reason{};
};

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

void ReportFailure(const TestCase& c, const std::string& actual) {
  std::cout << c.file << ":" << c.line << ": " << OneLine(c.input) << " | expected: " << c.expected
            << " | actual: " << actual << "\n";
}

// Pass or fail one runnable case.
bool RunCase(const TestCase& c, const Expectation& expected) {
  if (expected.kind == Expectation::Kind::kUnrecognized) {
    ReportFailure(c, "(the runner does not understand this expected value)");
    return false;
  }
  Result<expr::Program> program = expr::Program::Compile(c.input);
  if (!program) {
    if (expected.kind == Expectation::Kind::kCompileError) return true;
    ReportFailure(c, "compile error: " + program.error().message);
    return false;
  }
  const expr::EvalValue actual = program->Evaluate({&c.job_labels, &c.worker_labels});
  if (expected.kind == Expectation::Kind::kCompileError) {
    ReportFailure(c, "compiled; evaluated to " + expr::ToLiteral(actual));
    return false;
  }
  if (Matches(expected, actual)) return true;
  std::string detail = expr::ToLiteral(actual);
  if (actual.is_error()) detail += " (" + actual.errors().front().message + ")";
  ReportFailure(c, detail);
  return false;
}

void RunFile(const std::string& path, bool list_skips, Totals& totals) {
  const TestFile file = ReadTestFile(path);
  for (const std::string& error : file.format_errors) {
    std::cout << error << " | format error\n";
    ++totals.failed;
  }
  for (const TestCase& c : file.cases) {
    const Expectation expected = ParseExpectation(c.expected);
    if (const std::optional<Skip> skip = Classify(file, c, expected)) {
      ++totals.skipped;
      ++totals.by_reason[static_cast<std::size_t>(skip->reason)];
      if (list_skips) {
        std::cout << c.file << ":" << c.line << ": skipped (" << Describe(skip->reason)
                  << (skip->detail.empty() ? "" : ": " + skip->detail) << "): " << OneLine(c.input)
                  << "\n";
      }
      continue;
    }
    if (RunCase(c, expected)) {
      ++totals.passed;
    } else {
      ++totals.failed;
    }
  }
}

int Main(int argc, char** argv) {
  std::vector<std::string> files;
  bool list_skips = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--list-skips") {
      list_skips = true;
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::cerr << "usage: powerfx_conformance FILE... [--list-skips]\n";
    return 2;
  }
  Totals totals;
  for (const std::string& file : files) RunFile(file, list_skips, totals);
  if (list_skips) {
    for (int r = 0; r < kSkipReasonCount; ++r) {
      std::cout << "skipped " << totals.by_reason[static_cast<std::size_t>(r)] << ": "
                << Describe(static_cast<SkipReason>(r)) << "\n";
    }
  }
  std::cout << totals.passed << " passed, " << totals.failed << " failed, " << totals.skipped
            << " skipped" << std::endl;
  return totals.failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace sb::conformance

int main(int argc, char** argv) { return sb::conformance::Main(argc, argv); }
