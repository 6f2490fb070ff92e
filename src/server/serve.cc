#include "server/serve.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <random>

#include "http/server.h"
#include "outbound/rule_caller.h"
#include "server/events_runtime.h"
#include "server/front_door.h"
#include "server/router_loop.h"
#include "wire/errors.h"

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

// Exit code 2 for a usage error (InvalidArgument), else 1.
int ExitWith(const Error& error) {
  std::fprintf(stderr, "switchboard: %s\n", error.message.c_str());
  return error.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

Timestamp WallClock() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp::FromUnixMicros(
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
}

http::ServerOptions TransportOptions(const ServeConfig& config,
                                     const std::pair<std::string, std::uint16_t>& listen,
                                     const TlsSetup& tls) {
  http::ServerOptions options;
  options.host = listen.first;
  options.port = listen.second;
  options.max_header_bytes = config.max_header_bytes;
  options.max_body_bytes = config.max_body_bytes;
  options.header_timeout = Duration::FromSecondsDouble(config.header_timeout_seconds);
  options.body_timeout = Duration::FromSecondsDouble(config.body_timeout_seconds);
  options.idle_timeout = Duration::FromSecondsDouble(config.idle_timeout_seconds);
  options.write_timeout = Duration::FromSecondsDouble(config.write_timeout_seconds);
  options.max_connections = config.max_connections;
  options.tls = tls.files();
  return options;
}

// stdout: "listening on URL" first (scripts and tests read that line), then the connection
// string the Azure SDKs take, then, for a self-signed certificate, the CA file to trust.
void Announce(const std::string& bound, const TlsSetup& tls, const ResolvedKeys& keys) {
  const bool https = tls.files().has_value();
  std::printf("listening on %s://%s\n", https ? "https" : "http", bound.c_str());
  if (keys.keys) std::printf("%s\n", ConnectionString(https, bound, keys.keys->primary).c_str());
  if (!tls.ca_certificate().empty()) std::printf("trust %s\n", tls.ca_certificate().c_str());
  std::fflush(stdout);
  Log(LogLevel::kInfo, "access keys: " + keys.origin);
  if (!keys.keys) {
    Log(LogLevel::kWarn, "--insecure-no-auth: requests are not authenticated");
  }
  if (!tls.ca_certificate().empty()) {
    const std::string& ca = tls.ca_certificate();
    Log(LogLevel::kInfo, std::string("TLS: self-signed certificate for 127.0.0.1 and localhost") +
                             (tls.created() ? " (made now)" : "") + "; clients trust " + ca +
                             " (REQUESTS_CA_BUNDLE=" + ca + " SSL_CERT_FILE=" + ca +
                             ", curl --cacert " + ca + ")");
  }
}

}  // namespace

Result<std::unique_ptr<store::Store>> OpenStore(const ServeConfig& config) {
  if (config.store == "memory") return store::NewMemoryStore();
  if (config.store != "sqlite") {
    return Error::InvalidArgument("--store must be sqlite or memory, not " + config.store);
  }
  return store::OpenSqliteStore(config.data_dir);
}

// The caller of function and webhook rules: the same address guard and CA bundle as webhooks.
Result<std::unique_ptr<outbound::RuleCaller>> MakeRuleCaller(const ServeConfig& config,
                                                             boost::asio::io_context& io,
                                                             RouterLoop& loop) {
  outbound::RuleCallerOptions options;
  auto timeout = events::ParseDuration(config.rule_call_timeout);
  if (!timeout || timeout->micros() <= 0) {
    return Error::InvalidArgument("--rule-call-timeout must be a duration above zero");
  }
  options.client.timeout = *timeout;
  auto guard = outbound::AddressGuard::FromAllowList(config.outbound_allow);
  if (!guard) return Error::InvalidArgument("--outbound-allow: " + guard.error().message);
  options.client.guard = std::move(*guard);
  options.client.ca_file = config.outbound_ca_file;
  // Answers come back on the engine's thread.
  return outbound::RuleCaller::Create(
      std::move(options), [&io, &loop](std::string call_id, Result<core::RuleAnswer> answer) {
        boost::asio::post(io, [&loop, call_id = std::move(call_id),
                               answer = std::move(answer)]() mutable {
          loop.AnswerRuleCall(call_id, std::move(answer));
        });
      });
}

int Serve(const ServeConfig& config) {
  SetLogLevel(config.log_level);
  auto listen = ParseListen(config.listen);
  if (!listen) return ExitWith(listen.error());
  if (Status allowed = CheckListenPolicy(listen->first, config); !allowed) {
    return ExitWith(allowed.error());
  }
  auto store = OpenStore(config);
  if (!store) {
    std::fprintf(stderr, "switchboard: %s\n", store.error().message.c_str());
    return 1;
  }
  // After the store: it has made the data directory and holds its lock.
  auto keys = ResolveAccessKeys(config);
  if (!keys) return ExitWith(keys.error());
  auto tls = TlsSetup::Resolve(config, WallClock());
  if (!tls) return ExitWith(tls.error());
  auto events = EventsRuntime::Create(**store, config);
  if (!events) return ExitWith(events.error());
  boost::asio::io_context io(1);  // one thread: the engine's
  RouterLoop loop(io, EngineOptionsFromEntropy(), store->get(),
                  api::ServiceOptions{config.max_json_depth});
  loop.SetGate(MakeRouterGate(MakeGateOptions(config, keys->keys)));
  loop.SetExtraRoutes([&events](http::Request& request, http::Responder& respond) {
    return (*events)->Route(request, respond);
  });
  loop.SetEventsCommitted([&events] { (*events)->Notify(); });
  auto rules = MakeRuleCaller(config, io, loop);
  if (!rules) return ExitWith(rules.error());
  (*rules)->Start();
  loop.SetRuleCalls([&rules](core::RuleCall call) { (*rules)->Call(std::move(call)); });
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
  if (Status started = (*events)->Start(config); !started) return ExitWith(started.error());

  http::Server server(
      io, TransportOptions(config, *listen, *tls),
      [&loop](http::Request request, http::Responder respond) {
        loop.Handle(std::move(request), std::move(respond));
      },
      [](unsigned status, std::string_view message) { return wire::ErrorResponse(status, message); });
  auto bound = server.Start();
  if (!bound) {
    std::fprintf(stderr, "switchboard: cannot listen on %s: %s\n", config.listen.c_str(),
                 bound.error().message.c_str());
    return 1;
  }
  Announce(*bound, *tls, *keys);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    Log(LogLevel::kInfo, "signal " + std::to_string(signal) + ": shutting down");
    server.Stop();
    io.stop();
  });
  io.run();
  (*rules)->Stop();  // unanswered calls are asked again after a restart
  // Commit what is queued, then let its callbacks run against the closed connections; then
  // the events side records what its last deliveries settled.
  loop.Shutdown();
  io.restart();
  io.poll();
  (*events)->Stop();
  return 0;
}

}  // namespace sb::server
