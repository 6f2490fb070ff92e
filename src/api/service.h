// Service: the Job Router REST surface (api-version 2023-11-01 and 2024-01-18-preview) over a
// core::Engine. It routes a request to its operation, checks the api-version, reads the body
// (merge patch for upserts, options for actions), runs the engine command and writes the
// response in the contract's shapes. Runs on the engine's thread; not thread-safe. The effects
// of each command are appended to the caller's Effects for the server to act on.
#pragma once

#include <cstddef>

#include "api/json.h"
#include "base/time.h"
#include "core/engine.h"
#include "http/message.h"

namespace sb::api {

struct ServiceOptions {
  std::size_t max_json_depth = kMaxJsonDepth;  // deeper request bodies are a 400
};

class Service {
 public:
  explicit Service(core::Engine& engine, ServiceOptions options = {})
      : engine_(engine), options_(options) {}

  http::Response Handle(const http::Request& request, Timestamp now, core::Effects& effects);

 private:
  core::Engine& engine_;
  const ServiceOptions options_;
};

// The api-versions served, newest last.
inline constexpr std::string_view kSupportedApiVersions[] = {"2023-11-01", "2024-01-18-preview"};

}  // namespace sb::api
