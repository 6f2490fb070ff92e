#include "server/serve.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <random>

#include "api/errors.h"
#include "http/server.h"
#include "server/router_loop.h"

namespace sb::server {
namespace {

// "HOST:PORT" or "[IPv6]:PORT".
Result<std::pair<std::string, std::uint16_t>> ParseListen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Error::InvalidArgument("--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const std::string digits = listen.substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port > 65535) {
    return Error::InvalidArgument("--listen port must be a number from 0 to 65535");
  }
  return std::make_pair(host, static_cast<std::uint16_t>(port));
}

core::EngineOptions EngineOptionsFromEntropy() {
  std::random_device entropy;
  core::EngineOptions options;
  options.seed = (static_cast<std::uint64_t>(entropy()) << 32) | entropy();
  options.etag_epoch = entropy();
  return options;
}

}  // namespace

Result<std::unique_ptr<store::Store>> OpenStore(const ServeConfig& config) {
  if (config.store == "memory") return store::NewMemoryStore();
  if (config.store != "sqlite") {
    return Error::InvalidArgument("--store must be sqlite or memory, not " + config.store);
  }
  return store::OpenSqliteStore(config.data_dir);
}

int Serve(const ServeConfig& config) {
  SetLogLevel(config.log_level);
  auto listen = ParseListen(config.listen);
  if (!listen) {
    std::fprintf(stderr, "switchboard: %s\n", listen.error().message.c_str());
    return 2;
  }
  auto store = OpenStore(config);
  if (!store) {
    std::fprintf(stderr, "switchboard: %s\n", store.error().message.c_str());
    return 1;
  }
  boost::asio::io_context io(1);  // one thread: the engine's
  RouterLoop loop(io, EngineOptionsFromEntropy(), store->get());
  const auto load_started = std::chrono::steady_clock::now();
  if (Status loaded = loop.Load(); !loaded) {
    std::fprintf(stderr, "switchboard: cannot load the stored state: %s\n",
                 loaded.error().message.c_str());
    return 1;
  }
  const auto load_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - load_started);
  Log(LogLevel::kInfo, "store: " + (*store)->Describe() + ", loaded in " +
                           std::to_string(load_ms.count()) + " ms");

  http::ServerOptions options;
  options.host = listen->first;
  options.port = listen->second;
  http::Server server(
      io, options, [&loop](http::Request request, http::Responder respond) {
        loop.Handle(std::move(request), std::move(respond));
      },
      [](unsigned status, std::string_view message) { return api::ErrorResponse(status, message); });
  auto bound = server.Start();
  if (!bound) {
    std::fprintf(stderr, "switchboard: cannot listen on %s: %s\n", config.listen.c_str(),
                 bound.error().message.c_str());
    return 1;
  }
  std::printf("listening on http://%s\n", bound->c_str());
  std::fflush(stdout);
  if (!config.access_key.empty()) {
    Log(LogLevel::kWarn, "--access-key is reserved: requests are not authenticated in this version");
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    Log(LogLevel::kInfo, "signal " + std::to_string(signal) + ": shutting down");
    server.Stop();
    io.stop();
  });
  io.run();
  // Commit what is queued, then let its callbacks run against the closed connections.
  loop.Shutdown();
  io.restart();
  io.poll();
  return 0;
}

}  // namespace sb::server
