#include "classify.h"

#include <cctype>
#include <set>

#include "expr/program.h"

namespace sb::conformance {
namespace {

// Date and time functions (out of scope: Job Router labels carry no dates).
const std::set<std::string, std::less<>>& DateTimeFunctions() {
  static const std::set<std::string, std::less<>> kNames = {
      "Date",       "Time",   "DateTime", "DateValue",      "TimeValue", "DateTimeValue", "Now",
      "Today",      "UTCNow", "UTCToday", "IsToday",        "DateAdd",   "DateDiff",      "Year",
      "Month",      "Day",    "Hour",     "Minute",         "Second",    "Weekday",       "WeekNum",
      "ISOWeekNum", "EDate",  "EOMonth",  "TimeZoneOffset", "Calendar",  "Clock"};
  return kNames;
}

// Functions over tables and records.
const std::set<std::string, std::less<>>& TableFunctions() {
  static const std::set<std::string, std::less<>> kNames = {
      "Table",       "Filter",       "First",         "Last",     "FirstN",        "LastN",
      "Index",       "CountRows",    "CountA",        "CountIf",  "ForAll",        "AddColumns",
      "DropColumns", "ShowColumns",  "RenameColumns", "Sort",     "SortByColumns", "Distinct",
      "LookUp",      "Concat",       "Sequence",      "Split",    "IsEmpty",       "With",
      "Collect",     "ClearCollect", "Clear",         "Patch",    "Remove",        "Shuffle",
      "Search",      "GroupBy",      "Ungroup",       "MatchAll", "Match",         "Summarize"};
  return kNames;
}

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A light scan of the source outside literals and comments.
struct Scan {
  std::vector<std::string> calls;   // names directly followed by '('
  std::vector<std::string> dotted;  // names directly followed by '.' (other than job/worker)
  bool table_syntax = false;        // '[' or '{'
};

std::size_t SkipQuoted(std::string_view s, std::size_t i) {
  const char quote = s[i];
  for (++i; i < s.size(); ++i) {
    if (s[i] == quote) {
      if (i + 1 < s.size() && s[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return s.size();
}

// Past the label name after `job.` / `worker.`.
std::size_t SkipLabelName(std::string_view s, std::size_t i) {
  if (i < s.size() && s[i] == '\'') return SkipQuoted(s, i);
  while (i < s.size() && IsIdentChar(s[i])) ++i;
  return i;
}

std::size_t NextNonSpace(std::string_view s, std::size_t i) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

Scan ScanSource(std::string_view s) {
  Scan scan;
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '"' || c == '\'') {
      i = SkipQuoted(s, i);
    } else if (s.substr(i, 2) == "//") {
      i = s.find('\n', i) == std::string_view::npos ? s.size() : s.find('\n', i);
    } else if (s.substr(i, 2) == "/*") {
      const std::size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < s.size() && (IsIdentChar(s[i]) || s[i] == '.')) ++i;  // 1.5e3 and the like
    } else if (IsIdentStart(c)) {
      const std::size_t start = i;
      while (i < s.size() && IsIdentChar(s[i])) ++i;
      const std::string name(s.substr(start, i - start));
      const std::size_t next = NextNonSpace(s, i);
      const bool word_operator = name == "in" || name == "exactin";  // "a" in ("b" & c)
      if (next < s.size() && s[next] == '(' && !word_operator) scan.calls.push_back(name);
      if (i < s.size() && s[i] == '.' && (name == "job" || name == "worker")) {
        i = SkipLabelName(s, i + 1);  // job.X, worker.'Some Label'
      } else if (i < s.size() && s[i] == '.') {
        scan.dotted.push_back(name);
      }
    } else {
      if (c == '[' || c == '{') scan.table_syntax = true;
      ++i;
    }
  }
  return scan;
}

}  // namespace

std::string_view Describe(SkipReason reason) {
  switch (reason) {
    case SkipReason::kSetupDirective:
      return "file needs engine features (#SETUP)";
    case SkipReason::kMarkedSkip:
      return "marked #Skip in the file";
    case SkipReason::kTablesAndRecords:
      return "tables and records";
    case SkipReason::kDatesAndTimes:
      return "dates and times";
    case SkipReason::kEnumsAndFields:
      return "enums and record fields";
    case SkipReason::kOtherFunction:
      return "function outside the subset";
    case SkipReason::kExpectedOutOfScope:
      return "expected value is a table, record or date";
  }
  return "unknown";
}

std::optional<Skip> Classify(const TestFile& file, const TestCase& c, const Expectation& expected) {
  if (!file.setup.empty()) return Skip{SkipReason::kSetupDirective, file.setup.front()};
  if (expected.kind == Expectation::Kind::kSkip) return Skip{SkipReason::kMarkedSkip, ""};
  const Scan scan = ScanSource(c.input);
  if (scan.table_syntax) return Skip{SkipReason::kTablesAndRecords, "[ or {"};
  for (const std::string& name : scan.calls) {
    if (expr::IsBuiltinFunction(name)) continue;
    if (DateTimeFunctions().contains(name)) return Skip{SkipReason::kDatesAndTimes, name};
    if (TableFunctions().contains(name)) return Skip{SkipReason::kTablesAndRecords, name};
    return Skip{SkipReason::kOtherFunction, name};
  }
  if (!scan.dotted.empty()) return Skip{SkipReason::kEnumsAndFields, scan.dotted.front()};
  if (expected.kind == Expectation::Kind::kOutOfScope) {
    return Skip{SkipReason::kExpectedOutOfScope, c.expected.substr(0, 20)};
  }
  return std::nullopt;
}

}  // namespace sb::conformance
