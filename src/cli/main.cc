// switchboard: the command line. A thin layer over the server library: parse flags (each also
// read from an environment variable SWITCHBOARD_<NAME>), then run.
#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>
#include <string>

#include "server/serve.h"

#ifndef SWITCHBOARD_VERSION
#define SWITCHBOARD_VERSION "0.0.0"
#endif

namespace {

// "--max-body-bytes" -> "SWITCHBOARD_MAX_BODY_BYTES"
std::string EnvName(const std::string& flag) {
  std::string name = "SWITCHBOARD_";
  for (char c : flag.substr(2)) name += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return name;
}

template <class T>
CLI::Option* Option(CLI::App* app, const std::string& flag, T& value, const std::string& help) {
  return app->add_option(flag, value, help)->envname(EnvName(flag));
}

CLI::Option* Flag(CLI::App* app, const std::string& flag, bool& value, const std::string& help) {
  return app->add_flag(flag, value, help)->envname(EnvName(flag));
}

void AddSecurityFlags(CLI::App* serve, sb::server::ServeConfig& config) {
  Option(serve, "--access-key", config.access_key,
         "Base64 access key clients sign requests with (HMAC-SHA256). Default: the primary key "
         "in <data>/access-keys, generated on first start");
  Option(serve, "--secondary-access-key", config.secondary_access_key,
         "A second valid key, for rotating keys without downtime");
  Flag(serve, "--insecure-no-auth", config.insecure_no_auth,
       "Accept unsigned requests (local experiments, benchmarks); loopback --listen only");
  Option(serve, "--tls-cert", config.tls_cert, "Serve HTTPS: PEM certificate chain file")
      ->check(CLI::ExistingFile);
  Option(serve, "--tls-key", config.tls_key, "Serve HTTPS: PEM private key file")
      ->check(CLI::ExistingFile);
  Flag(serve, "--tls-self-signed", config.tls_self_signed,
       "Serve HTTPS with a self-signed certificate for 127.0.0.1 and localhost, made on first "
       "start in <data>/tls; prints the CA file clients must trust");
  Flag(serve, "--insecure-http-on-network", config.insecure_http_on_network,
       "Allow plain HTTP on a non-loopback --listen address (behind a trusted TLS proxy)");
}

void AddLimitFlags(CLI::App* serve, sb::server::ServeConfig& config) {
  Option(serve, "--max-header-bytes", config.max_header_bytes,
         "Request line and headers; larger -> 431")
      ->check(CLI::Range(1024, 1024 * 1024))->capture_default_str();
  Option(serve, "--max-body-bytes", config.max_body_bytes,
         "Request body; larger -> 413, refused before it is read")
      ->check(CLI::Range(1024, 1024 * 1024 * 1024))->capture_default_str();
  Option(serve, "--max-json-depth", config.max_json_depth, "JSON nesting; deeper -> 400")
      ->check(CLI::Range(2, 1000))->capture_default_str();
  Option(serve, "--header-timeout-seconds", config.header_timeout_seconds,
         "Time for the TLS handshake and a request's header -> 408")
      ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  Option(serve, "--body-timeout-seconds", config.body_timeout_seconds,
         "Time for a request's body after its header -> 408")
      ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  Option(serve, "--idle-timeout-seconds", config.idle_timeout_seconds,
         "Keep-alive connections idle this long are closed")
      ->check(CLI::Range(0.1, 86400.0))->capture_default_str();
  Option(serve, "--write-timeout-seconds", config.write_timeout_seconds,
         "Clients that do not read their response within this are disconnected")
      ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  Option(serve, "--max-connections", config.max_connections,
         "Open connections; beyond -> 503")
      ->check(CLI::Range(1, 1000000))->capture_default_str();
  Option(serve, "--rate-limit", config.rate_limit,
         "Requests per second per access key (token bucket); over -> 429 with Retry-After. "
         "0: unlimited")
      ->check(CLI::Range(0.0, 1e6))->capture_default_str();
  Option(serve, "--rate-burst", config.rate_burst,
         "Requests an access key may make at once; 0: one second's worth of --rate-limit")
      ->check(CLI::Range(0.0, 1e6))->capture_default_str();
  Option(serve, "--auth-failure-rate-limit", config.auth_failure_rate_limit,
         "Failed authentications per second per remote address; beyond the burst, the address "
         "gets 429 before its signatures are checked")
      ->check(CLI::Range(0.001, 1e6))->capture_default_str();
  Option(serve, "--auth-failure-burst", config.auth_failure_burst,
         "Failed authentications a remote address may make at once")
      ->check(CLI::Range(1.0, 1e6))->capture_default_str();
  Option(serve, "--max-clock-skew-seconds", config.max_clock_skew_seconds,
         "How far a request's x-ms-date may be from the server's clock")
      ->check(CLI::Range(1.0, 86400.0))->capture_default_str();
}

void AddEventFlags(CLI::App* serve, sb::server::ServeConfig& config) {
  Option(serve, "--rule-call-timeout", config.rule_call_timeout,
         "Time a function or webhook rule has to answer (its OAuth2 token request included); "
         "past it the job's classification fails")
      ->capture_default_str();
  Option(serve, "--event-topic", config.event_topic,
         "The Event Grid `topic` (CloudEvents `source`) of every event delivered")
      ->capture_default_str();
  Option(serve, "--subscriptions", config.subscriptions_file,
         "JSON file of webhook subscriptions to create or update at start: "
         "{\"subscriptions\": [{\"id\", \"endpointUrl\", ...}]}")
      ->check(CLI::ExistingFile);
  Option(serve, "--outbound-allow", config.outbound_allow,
         "Comma-separated CIDRs that webhooks and function/webhook rules may reach although "
         "internal (loopback, private, link-local, ...), e.g. 127.0.0.1/32; everything internal "
         "is refused otherwise");
  Option(serve, "--outbound-ca-file", config.outbound_ca_file,
         "PEM CA bundle that https webhooks and rule calls are verified against (default: the "
         "system's)")
      ->check(CLI::ExistingFile);
  Option(serve, "--event-retry-schedule", config.event_retry_schedule,
         "Waits after failed deliveries (ms, s, m, h); the last repeats")
      ->capture_default_str();
  Option(serve, "--event-max-delivery-attempts", config.event_max_delivery_attempts,
         "Attempts before an event is dead-lettered")
      ->check(CLI::Range(1, 30))->capture_default_str();
  Option(serve, "--event-ttl", config.event_ttl,
         "An event not delivered within this is dead-lettered")
      ->capture_default_str();
  Option(serve, "--event-delivery-timeout", config.event_delivery_timeout,
         "Time a webhook has to answer one delivery")
      ->capture_default_str();
  Option(serve, "--event-retention", config.event_retention,
         "Events stay in the outbox this long for GET /events resume (once delivered)...")
      ->capture_default_str();
  Option(serve, "--event-retention-events", config.event_retention_events,
         "...or while among this many newest, whichever keeps fewer")
      ->capture_default_str();
  Option(serve, "--event-origin", config.event_origin,
         "WebHook-Request-Origin of the CloudEvents handshake (and Origin of deliveries)")
      ->capture_default_str();
  Option(serve, "--event-max-subscriptions", config.event_max_subscriptions,
         "Webhook subscriptions that may exist")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  Option(serve, "--event-max-streams", config.event_max_streams,
         "Concurrent GET /events streams; beyond -> 503")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  Option(serve, "--event-stream-heartbeat", config.event_stream_heartbeat,
         "A comment line is sent on idle event streams this often")
      ->capture_default_str();
  Option(serve, "--event-stream-backlog-bytes", config.event_stream_backlog_bytes,
         "An event stream client this far behind is disconnected (it may resume)")
      ->check(CLI::Range(4096, 1024 * 1024 * 1024))->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Switchboard: a self-hosted job router, wire-compatible with the Azure "
               "Communication Services Job Router REST API (2023-11-01)"};
  app.set_version_flag("--version", "switchboard " SWITCHBOARD_VERSION);
  app.require_subcommand(1);

  sb::server::ServeConfig config;
  std::string log_level = "info";
  CLI::App* serve = app.add_subcommand("serve", "Run the router's HTTP API");
  Option(serve, "--listen", config.listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->capture_default_str();
  Option(serve, "--store", config.store,
         "sqlite: durable, in --data (default); memory: throwaway, lost on exit")
      ->check(CLI::IsMember({"sqlite", "memory"}))
      ->capture_default_str();
  Option(serve, "--data", config.data_dir,
         "Data directory: the sqlite store, access-keys, tls/")
      ->capture_default_str();
  Option(serve, "--log-level", log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  AddSecurityFlags(serve, config);
  AddLimitFlags(serve, config);
  AddEventFlags(serve, config);

  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) {
    config.log_level = *sb::ParseLogLevel(log_level);
    return sb::server::Serve(config);
  }
  return 0;
}
