// Reader for Power Fx's expression test files (the `>> expression` / expected-result format of
// microsoft/Power-Fx's TestRunner, see shared/reference/powerfx-notes.md section 5):
//   - `>> expr` starts a case; following lines that begin with whitespace continue the input;
//   - legacy per-engine lines `/*InterpreterRunner*/ value` may precede the expected line;
//   - the next other line is the expected result;
//   - empty lines and lines starting with `//` are ignored;
//   - header directives #SETUP / #OVERRIDE / #DISABLE are recorded for the classifier.
// Our extension: `#LABELS job {json}` / `#LABELS worker {json}` (a flat JSON object of label
// values; {} clears) binds the labels that `job.X` / `worker.X` read in the cases after it.
// Format errors (a stray line, a `>>` with no result, a repeated input) are reported, not
// thrown.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/value.h"

namespace sb::conformance {

struct TestCase {
  std::string file;  // as given on the command line
  int line = 0;      // of the `>>`
  std::string input;
  std::string expected;  // the InterpreterRunner line if present, else the generic one
  LabelMap job_labels;
  LabelMap worker_labels;
};

struct TestFile {
  std::string path;
  std::vector<std::string> setup;  // #SETUP / #OVERRIDE / #DISABLE lines, verbatim
  std::vector<TestCase> cases;
  std::vector<std::string> format_errors;  // "file:line: message"
};

// Reads and parses one file; an unreadable file is a single format error.
TestFile ReadTestFile(const std::string& path);

}  // namespace sb::conformance
