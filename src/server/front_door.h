// The front door of `switchboard serve`: everything between the command line and the first
// request that is about who may talk to the server and how - where it may listen, the access
// keys, the TLS material, and the gate (authentication and rate limits) every request passes
// before the REST service (see auth/gate.h).
//
// Policy:
// - Plain HTTP listens on loopback only, unless --insecure-http-on-network says otherwise;
//   --insecure-no-auth is refused on anything but loopback.
// - Keys: --access-key (and --secondary-access-key) if given; otherwise the durable store keeps
//   both in <data>/access-keys (mode 0600, generated on first start), and the memory store
//   generates an ephemeral primary key.
// - TLS: --tls-cert/--tls-key, or --tls-self-signed: a CA and a certificate for 127.0.0.1 and
//   localhost in <data>/tls (the memory store: a temporary directory removed on exit).
//
// Start-up only (blocking file I/O); the gate it makes runs on the engine's thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "auth/access_keys.h"
#include "auth/gate.h"
#include "base/error.h"
#include "http/tls.h"
#include "server/router_loop.h"
#include "server/serve.h"

namespace sb::server {

// Whether `host` (as --listen gives it) can only be reached from this machine: "localhost", or
// a loopback IP literal.
bool IsLoopbackHost(const std::string& host);

// Refuses a listen address the configuration may not use, with a message naming the fix.
Status CheckListenPolicy(const std::string& host, const ServeConfig& config);

struct ResolvedKeys {
  std::optional<auth::AccessKeys> keys;  // nullopt: --insecure-no-auth
  std::string origin;                    // for the log: "--access-key", "data/access-keys (new)"
};
Result<ResolvedKeys> ResolveAccessKeys(const ServeConfig& config);

// The TLS files to serve, if any. Owns the temporary directory of an ephemeral self-signed set.
class TlsSetup {
 public:
  static Result<TlsSetup> Resolve(const ServeConfig& config, Timestamp now);
  TlsSetup(TlsSetup&&) noexcept;
  TlsSetup& operator=(TlsSetup&&) = delete;
  ~TlsSetup();

  const std::optional<http::TlsFiles>& files() const { return files_; }
  // The CA certificate clients must trust (self-signed only), and whether it was just made.
  const std::string& ca_certificate() const { return ca_certificate_; }
  bool created() const { return created_; }

 private:
  TlsSetup() = default;
  std::optional<http::TlsFiles> files_;
  std::string ca_certificate_;
  std::string temporary_directory_;  // removed by the destructor
  bool created_ = false;
};

auth::GateOptions MakeGateOptions(const ServeConfig& config, std::optional<auth::AccessKeys> keys);

// The RouterLoop hook over an auth::Gate: refusals become Azure-shaped 401/429 responses
// (429 with Retry-After), and their reasons go to the debug log.
RouterLoop::Gate MakeRouterGate(auth::GateOptions options);

// "endpoint=http://127.0.0.1:8080/;accesskey=..." - what the Azure SDKs' from_connection_string
// reads.
std::string ConnectionString(bool tls, const std::string& bound, const auth::AccessKey& key);

}  // namespace sb::server
