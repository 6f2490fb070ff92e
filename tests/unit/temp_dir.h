// TempDir: a directory path under the system's temp directory, unique to the test, removed
// with everything in it when the TempDir goes. Created at once unless the code under test is
// to create it (the stores do, with their own permissions). Not thread-safe.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace sb::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix, bool create = false) {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() / (prefix + std::to_string(entropy()));
    if (create) std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace sb::testing
