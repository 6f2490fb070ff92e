#include "server/front_door.h"

#include <sys/stat.h>

#include <boost/asio/ip/address.hpp>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>

#include "base/log.h"
#include "wire/errors.h"

namespace sb::server {
namespace {

Status MakePrivateDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error::Internal("cannot create " + path + ": " + std::strerror(errno));
  }
  return Ok{};
}

Result<std::string> MakeTemporaryDirectory() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/switchboard-tls-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Error::Internal("cannot create a temporary directory: " +
                           std::string(std::strerror(errno)));
  }
  return pattern;
}

std::string RetryAfterSeconds(Duration wait) {
  return std::to_string(std::max<std::int64_t>(1, (wait.micros() + 999'999) / 1'000'000));
}

http::Response RefusalResponse(const auth::Refusal& refusal) {
  http::Response response = wire::ErrorResponse(refusal.status, refusal.message);
  if (refusal.status == 401) response.headers.push_back({"WWW-Authenticate", "HMAC-SHA256"});
  if (refusal.retry_after) {
    response.headers.push_back({"Retry-After", RetryAfterSeconds(*refusal.retry_after)});
  }
  return response;
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
        .is_loopback();
  }
  return address.is_loopback();
}

Status CheckListenPolicy(const std::string& host, const ServeConfig& config) {
  if (IsLoopbackHost(host)) return Ok{};
  if (config.insecure_no_auth) {
    return Error::InvalidArgument(
        "--insecure-no-auth serves unauthenticated requests, so it "
        "listens on loopback only (e.g. --listen 127.0.0.1:8080), not "
        "on '" +
        host + "'");
  }
  const bool tls = config.tls_self_signed || !config.tls_cert.empty();
  if (tls || config.insecure_http_on_network) return Ok{};
  return Error::InvalidArgument(
      "refusing plain HTTP on '" + host +
      "', which is not a loopback address: request bodies "
      "would cross the network unencrypted. Serve HTTPS (--tls-cert FILE --tls-key FILE, or "
      "--tls-self-signed), listen on 127.0.0.1, or pass --insecure-http-on-network if a trusted "
      "proxy or network protects it");
}

Result<ResolvedKeys> ResolveAccessKeys(const ServeConfig& config) {
  if (config.insecure_no_auth) {
    if (!config.access_key.empty() || !config.secondary_access_key.empty()) {
      return Error::InvalidArgument("--insecure-no-auth and --access-key exclude each other");
    }
    return ResolvedKeys{std::nullopt, "none (--insecure-no-auth)"};
  }
  if (!config.access_key.empty()) {
    auto primary = auth::AccessKey::FromBase64(config.access_key, "--access-key");
    if (!primary) return std::move(primary).error();
    auth::AccessKeys keys{std::move(*primary), std::nullopt};
    if (!config.secondary_access_key.empty()) {
      auto secondary =
          auth::AccessKey::FromBase64(config.secondary_access_key, "--secondary-access-key");
      if (!secondary) return std::move(secondary).error();
      keys.secondary = std::move(*secondary);
    }
    std::string origin =
        keys.secondary ? "--access-key and --secondary-access-key" : "--access-key";
    return ResolvedKeys{std::move(keys), std::move(origin)};
  }
  if (!config.secondary_access_key.empty()) {
    return Error::InvalidArgument("--secondary-access-key needs --access-key");
  }
  if (config.store == "memory") {
    return ResolvedKeys{auth::AccessKeys{auth::AccessKey::Generate(), std::nullopt},
                        "generated for this run (--store memory)"};
  }
  const std::string path = config.data_dir + "/access-keys";
  bool created = false;
  auto keys = auth::LoadOrCreateKeyFile(path, created);
  if (!keys) return std::move(keys).error();
  return ResolvedKeys{std::move(*keys), path + (created ? " (generated now)" : "")};
}

Result<TlsSetup> TlsSetup::Resolve(const ServeConfig& config, Timestamp now) {
  TlsSetup setup;
  const bool files = !config.tls_cert.empty() || !config.tls_key.empty();
  if (files && config.tls_self_signed) {
    return Error::InvalidArgument("--tls-self-signed and --tls-cert/--tls-key exclude each other");
  }
  if (files) {
    if (config.tls_cert.empty() || config.tls_key.empty()) {
      return Error::InvalidArgument("--tls-cert and --tls-key go together");
    }
    setup.files_ = http::TlsFiles{config.tls_cert, config.tls_key};
    return setup;
  }
  if (!config.tls_self_signed) return setup;
  std::string directory;
  if (config.store == "memory") {
    auto temporary = MakeTemporaryDirectory();
    if (!temporary) return std::move(temporary).error();
    directory = setup.temporary_directory_ = *temporary;
  } else {
    directory = config.data_dir + "/tls";
    SB_TRY(MakePrivateDirectory(directory));
  }
  auto set = http::EnsureSelfSignedTls(directory, now);
  if (!set) return std::move(set).error();
  setup.files_ = set->files;
  setup.ca_certificate_ = set->ca_certificate;
  setup.created_ = set->created;
  return setup;
}

TlsSetup::TlsSetup(TlsSetup&& other) noexcept
    : files_(std::move(other.files_)),
      ca_certificate_(std::move(other.ca_certificate_)),
      temporary_directory_(std::exchange(other.temporary_directory_, {})),
      created_(other.created_) {}

TlsSetup::~TlsSetup() {
  if (temporary_directory_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(temporary_directory_, ignored);
}

auth::GateOptions MakeGateOptions(const ServeConfig& config, std::optional<auth::AccessKeys> keys) {
  auth::GateOptions options;
  options.keys = std::move(keys);
  options.hmac.max_clock_skew = Duration::FromSecondsDouble(config.max_clock_skew_seconds);
  const double burst =
      std::max(1.0, config.rate_burst > 0 ? config.rate_burst : std::ceil(config.rate_limit));
  options.per_key = {config.rate_limit, burst};
  options.auth_failures_per_address = {config.auth_failure_rate_limit,
                                       std::max(1.0, config.auth_failure_burst)};
  return options;
}

RouterLoop::Gate MakeRouterGate(auth::GateOptions options) {
  auto gate = std::make_shared<auth::Gate>(std::move(options));
  return [gate](const http::Request& request, Timestamp now) -> std::optional<http::Response> {
    std::optional<auth::Refusal> refusal = gate->Check(request, now);
    if (!refusal) return std::nullopt;
    if (LogEnabled(LogLevel::kDebug)) {
      Log(LogLevel::kDebug, request.method + " " + request.target + " -> " +
                                std::to_string(refusal->status) + ": " + refusal->reason);
    }
    return RefusalResponse(*refusal);
  };
}

std::string ConnectionString(bool tls, const std::string& bound, const auth::AccessKey& key) {
  return std::string("endpoint=") + (tls ? "https://" : "http://") + bound +
         "/;accesskey=" + key.base64();
}

}  // namespace sb::server
