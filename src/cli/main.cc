// switchboard: the command line. A thin layer over the server library: parse flags (each also
// read from an environment variable SWITCHBOARD_<NAME>), then run.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "server/serve.h"

#ifndef SWITCHBOARD_VERSION
#define SWITCHBOARD_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{"Switchboard: a self-hosted job router, wire-compatible with the Azure "
               "Communication Services Job Router REST API (2023-11-01)"};
  app.set_version_flag("--version", "switchboard " SWITCHBOARD_VERSION);
  app.require_subcommand(1);

  sb::server::ServeConfig config;
  std::string log_level = "info";
  CLI::App* serve = app.add_subcommand("serve", "Run the router's HTTP API");
  serve->add_option("--listen", config.listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->envname("SWITCHBOARD_LISTEN")
      ->capture_default_str();
  serve->add_option("--store", config.store,
                    "sqlite: durable, in --data (default); memory: throwaway, lost on exit")
      ->envname("SWITCHBOARD_STORE")
      ->check(CLI::IsMember({"sqlite", "memory"}))
      ->capture_default_str();
  serve->add_option("--data", config.data_dir, "Data directory of the sqlite store")
      ->envname("SWITCHBOARD_DATA")
      ->capture_default_str();
  serve->add_option("--access-key", config.access_key,
                    "Base64 access key for HMAC request signing (reserved)")
      ->envname("SWITCHBOARD_ACCESS_KEY");
  serve->add_option("--log-level", log_level, "debug, info, warn or error")
      ->envname("SWITCHBOARD_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) {
    config.log_level = *sb::ParseLogLevel(log_level);
    return sb::server::Serve(config);
  }
  return 0;
}
