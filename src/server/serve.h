// The composition root: builds the engine, the REST service and the HTTP transport, drives the
// engine's timers from the real clock, and runs until SIGINT or SIGTERM.
//
// Threading model: one thread runs the io_context. Connections, the engine, the service and the
// timer all run on it, so the engine is only ever touched by that thread and needs no locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/log.h"

namespace sb::server {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free port
  std::string store = "sqlite";           // "sqlite" (durable, in data_dir) or "memory"
  std::string data_dir = "data";
  LogLevel log_level = LogLevel::kInfo;

  // Who may talk to the server (see front_door.h).
  std::string access_key;                 // base64; empty: from <data>/access-keys, or generated
  std::string secondary_access_key;       // base64; needs access_key
  bool insecure_no_auth = false;          // loopback only
  bool insecure_http_on_network = false;  // plain HTTP on a non-loopback address
  std::string tls_cert;                   // PEM files; both or neither
  std::string tls_key;
  bool tls_self_signed = false;

  // Limits.
  std::size_t max_header_bytes = std::size_t{8} * 1024;   // request line + headers -> 431
  std::size_t max_body_bytes = std::size_t{1024} * 1024;  // -> 413, refused before reading
  std::size_t max_json_depth = 32;                        // -> 400
  double header_timeout_seconds = 10;                     // -> 408 (includes the TLS handshake)
  double body_timeout_seconds = 30;                       // -> 408
  double idle_timeout_seconds = 60;     // keep-alive connections with nothing to do
  double write_timeout_seconds = 30;    // a client that does not read its response
  std::size_t max_connections = 10000;  // beyond -> 503
  double rate_limit = 0;                // requests/s per access key; 0: unlimited
  double rate_burst = 0;                // 0: one second's worth of rate_limit
  double auth_failure_rate_limit = 1;   // failed authentications/s per remote address
  double auth_failure_burst = 20;
  double max_clock_skew_seconds = 15 * 60;  // x-ms-date versus the server's clock

  // Events: webhook subscriptions and the live stream (see events/dispatcher.h).
  std::string event_topic =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/switchboard/providers/"
      "Microsoft.Communication/communicationServices/switchboard";
  std::string event_origin = "eventgrid.azure.net";  // WebHook-Request-Origin (CloudEvents)
  std::string event_retry_schedule = "10s,30s,1m,5m,10m,30m,1h";  // the last step repeats
  int event_max_delivery_attempts = 30;
  std::string event_ttl = "24h";                // an undelivered event is dead-lettered after
  std::string event_delivery_timeout = "30s";   // per delivery attempt
  std::string event_retention = "24h";          // outbox kept for live-stream resume...
  std::size_t event_retention_events = 100000;  // ...or this many events, whichever is fewer
  std::string subscriptions_file;               // JSON: subscriptions created at start
  std::string outbound_allow;                   // CIDRs internal outbound addresses may use
  std::string outbound_ca_file;                 // PEM CA bundle for https webhooks
  std::size_t event_max_subscriptions = 100;
  std::size_t event_max_streams = 64;           // concurrent GET /events streams
  std::string event_stream_heartbeat = "15s";
  std::string rule_call_timeout = "10s";  // one function or webhook rule call, token included
  std::size_t event_stream_backlog_bytes = std::size_t{1024} * 1024;
};

// Runs the server until it is signalled; returns the process exit code.
int Serve(const ServeConfig& config);

}  // namespace sb::server
