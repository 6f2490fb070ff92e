// The composition root: builds the engine, the REST service and the HTTP transport, drives the
// engine's timers from the real clock, and runs until SIGINT or SIGTERM.
//
// Threading model: one thread runs the io_context. Connections, the engine, the service and the
// timer all run on it, so the engine is only ever touched by that thread and needs no locks.
#pragma once

#include <cstdint>
#include <string>

#include "base/log.h"

namespace sb::server {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free port
  std::string store = "sqlite";           // "sqlite" (durable, in data_dir) or "memory"
  std::string data_dir = "data";
  std::string access_key;                 // reserved for HMAC authentication
  LogLevel log_level = LogLevel::kInfo;
};

// Runs the server until it is signalled; returns the process exit code.
int Serve(const ServeConfig& config);

}  // namespace sb::server
