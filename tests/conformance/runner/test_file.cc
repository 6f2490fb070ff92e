#include "test_file.h"

#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <boost/json.hpp>

namespace sb::conformance {
namespace {

namespace json = boost::json;

std::string Trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// A JSON primitive as a label Value; false for arrays and objects. (An out-parameter rather than
// an optional: GCC 12 under the sanitizers misreports moving a Value into an optional.)
bool LabelValue(const json::value& v, Value& out) {
  if (v.is_null()) {
    out = Value();
  } else if (v.is_bool()) {
    out = Value(v.as_bool());
  } else if (v.is_string()) {
    out = Value(std::string(v.as_string()));
  } else if (v.is_int64()) {
    out = Value(v.as_int64());
  } else if (v.is_uint64()) {
    out = Value(static_cast<double>(v.as_uint64()));
  } else if (v.is_double()) {
    out = Value(v.as_double());
  } else {
    return false;
  }
  return true;
}

class Reader {
 public:
  explicit Reader(std::string path) { file_.path = std::move(path); }

  TestFile Run(std::istream& in) {
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines_.push_back(line);
    }
    while (next_ < lines_.size()) Step();
    return std::move(file_);
  }

 private:
  void Fail(std::size_t index, const std::string& message) {
    file_.format_errors.push_back(file_.path + ":" + std::to_string(index + 1) + ": " + message);
  }

  static bool Ignorable(const std::string& line) {
    return Trim(line).empty() || StartsWith(line, "//");
  }

  void Step() {
    const std::size_t index = next_++;
    const std::string& line = lines_[index];
    if (Ignorable(line)) return;
    if (StartsWith(line, ">>")) return ReadCase(index);
    if (StartsWith(line, "#LABELS")) return ReadLabels(index);
    if (StartsWith(line, "#SETUP") || StartsWith(line, "#OVERRIDE") ||
        StartsWith(line, "#DISABLE")) {
      if (!file_.cases.empty()) Fail(index, "directive after the first test");
      file_.setup.push_back(Trim(line));
      return;
    }
    Fail(index, "line outside a test: " + Trim(line));
  }

  void ReadCase(std::size_t index) {
    TestCase c;
    c.file = file_.path;
    c.line = static_cast<int>(index + 1);
    c.input = Trim(lines_[index].substr(2));
    c.job_labels = job_;
    c.worker_labels = worker_;
    std::string generic;
    std::string interpreter;
    for (; next_ < lines_.size(); ++next_) {
      const std::string& line = lines_[next_];
      if (Trim(line).empty()) continue;
      if (line[0] == ' ' || line[0] == '\t') {
        c.input += "\n" + Trim(line);
        continue;
      }
      if (StartsWith(line, "//")) continue;
      if (StartsWith(line, ">>")) break;
      if (StartsWith(line, "/*")) {
        const std::size_t close = line.find("*/");
        if (close != std::string::npos && line.substr(2, close - 2) == "InterpreterRunner") {
          interpreter = Trim(line.substr(close + 2));
        }
        continue;
      }
      generic = Trim(line);
      ++next_;
      break;
    }
    if (generic.empty()) return Fail(index, "test without an expected result");
    c.expected = interpreter.empty() ? generic : interpreter;
    if (!inputs_.insert(c.input).second) return Fail(index, "input repeated in this file");
    file_.cases.push_back(std::move(c));
  }

  // #LABELS job {"Skill": 11}
  void ReadLabels(std::size_t index) {
    std::istringstream words(lines_[index].substr(7));
    std::string scope;
    words >> scope;
    std::string rest;
    std::getline(words, rest);
    LabelMap* target = scope == "job" ? &job_ : scope == "worker" ? &worker_ : nullptr;
    if (target == nullptr) return Fail(index, "#LABELS needs 'job' or 'worker'");
    boost::system::error_code ec;
    const json::value parsed = json::parse(rest, ec);
    if (ec || !parsed.is_object()) return Fail(index, "#LABELS needs a JSON object");
    LabelMap labels;
    for (const auto& [key, v] : parsed.as_object()) {
      if (!LabelValue(v, labels[std::string(key)])) {
        return Fail(index, "label '" + std::string(key) + "' is not a primitive");
      }
    }
    *target = std::move(labels);
    inputs_.clear();  // the same input may recur under other labels
  }

  TestFile file_;
  std::vector<std::string> lines_;
  std::size_t next_ = 0;
  LabelMap job_;
  LabelMap worker_;
  std::set<std::string> inputs_;
};

}  // namespace

TestFile ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    TestFile file;
    file.path = path;
    file.format_errors.push_back(path + ": cannot read the file");
    return file;
  }
  return Reader(path).Run(in);
}

}  // namespace sb::conformance
