// The front door's decisions: where the server may listen, where keys come from, the
// connection string, and the gate's answers in the Azure error shape.
#include "server/front_door.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "auth/crypto.h"

namespace sb::server {
namespace {

namespace fs = std::filesystem;

std::string NewKey() { return auth::Base64Encode(auth::RandomBytes(32)); }

std::string Header(const http::Response& response, std::string_view name) {
  for (const auto& h : response.headers) {
    if (http::EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

TEST(FrontDoorTest, LoopbackHosts) {
  for (const char* host : {"127.0.0.1", "127.8.9.10", "::1", "localhost", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "::", "192.168.1.2", "example.com", "localhost.evil", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(FrontDoorTest, PlainHttpOffLoopbackNeedsTlsOrTheExplicitFlag) {
  ServeConfig config;
  EXPECT_TRUE(CheckListenPolicy("127.0.0.1", config).ok());
  const Status refused = CheckListenPolicy("0.0.0.0", config);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  config.tls_self_signed = true;
  EXPECT_TRUE(CheckListenPolicy("0.0.0.0", config).ok());
  config = ServeConfig{};
  config.tls_cert = "cert.pem";
  EXPECT_TRUE(CheckListenPolicy("0.0.0.0", config).ok());
  config = ServeConfig{};
  config.insecure_http_on_network = true;
  EXPECT_TRUE(CheckListenPolicy("192.168.1.2", config).ok());
  // Without authentication, loopback only, whatever else is set.
  config.insecure_no_auth = true;
  config.tls_self_signed = true;
  EXPECT_FALSE(CheckListenPolicy("0.0.0.0", config).ok());
  EXPECT_TRUE(CheckListenPolicy("::1", config).ok());
}

TEST(FrontDoorTest, KeysFromFlagsFileOrGenerated) {
  ServeConfig config;
  config.store = "memory";
  auto generated = ResolveAccessKeys(config);
  ASSERT_TRUE(generated.ok());
  EXPECT_FALSE(generated->keys->secondary.has_value());

  config.access_key = NewKey();
  config.secondary_access_key = NewKey();
  auto given = ResolveAccessKeys(config);
  ASSERT_TRUE(given.ok()) << given.error().message;
  EXPECT_EQ(given->keys->primary.base64(), config.access_key);
  EXPECT_EQ(given->keys->secondary->base64(), config.secondary_access_key);

  config.access_key.clear();
  EXPECT_FALSE(ResolveAccessKeys(config).ok());  // a secondary alone
  config.access_key = "not a key";
  config.secondary_access_key.clear();
  EXPECT_FALSE(ResolveAccessKeys(config).ok());
  config.access_key = NewKey();
  config.insecure_no_auth = true;
  EXPECT_FALSE(ResolveAccessKeys(config).ok());  // contradictory
  config.access_key.clear();
  auto none = ResolveAccessKeys(config);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->keys.has_value());
}

TEST(FrontDoorTest, TheDurableStoreKeepsKeysInTheDataDirectory) {
  std::string pattern = (fs::temp_directory_path() / "sb-front-door-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  ServeConfig config;
  config.data_dir = pattern;
  auto first = ResolveAccessKeys(config);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->origin, pattern + "/access-keys (generated now)");
  auto second = ResolveAccessKeys(config);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->keys->primary.base64(), first->keys->primary.base64());
  EXPECT_EQ(second->origin, pattern + "/access-keys");
  fs::remove_all(pattern);
}

TEST(FrontDoorTest, ConnectionString) {
  const auto key = *auth::AccessKey::FromBase64(NewKey(), "k");
  EXPECT_EQ(ConnectionString(false, "127.0.0.1:8080", key),
            "endpoint=http://127.0.0.1:8080/;accesskey=" + key.base64());
  EXPECT_EQ(ConnectionString(true, "[::1]:443", key),
            "endpoint=https://[::1]:443/;accesskey=" + key.base64());
}

TEST(FrontDoorTest, RefusalsAreAzureShapedWithRetryAfter) {
  ServeConfig config;
  config.store = "memory";
  config.rate_limit = 0.5;
  config.rate_burst = 1;
  config.access_key = NewKey();
  auto keys = ResolveAccessKeys(config);
  ASSERT_TRUE(keys.ok());
  RouterLoop::Gate gate = MakeRouterGate(MakeGateOptions(config, keys->keys));
  const Timestamp now = Timestamp::FromUnixSeconds(1'700'000'000);

  http::Request unsigned_request;
  unsigned_request.method = "GET";
  unsigned_request.target = "/routing/jobs?api-version=2023-11-01";
  unsigned_request.remote_address = "127.0.0.1:4000";
  const auto refused = gate(unsigned_request, now);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 401u);
  EXPECT_EQ(Header(*refused, "x-ms-error-code"), "Unauthorized");
  EXPECT_EQ(Header(*refused, "WWW-Authenticate"), "HMAC-SHA256");
  EXPECT_NE(refused->body.find(R"({"error":{"code":"Unauthorized","message":")"),
            std::string::npos);

  http::Request probe = unsigned_request;
  probe.target = "/healthz";
  EXPECT_FALSE(gate(probe, now).has_value());

  // Signed: the first passes, the second is over the key's rate (one per two seconds).
  http::Request request = unsigned_request;
  const std::string date = FormatHttpDate(now), host = "127.0.0.1:8080";
  const std::string hash = auth::ContentHash("");
  const std::string to_sign = auth::StringToSign("GET", request.target, date, host, hash);
  request.headers = {{"Host", host},
                     {"x-ms-date", date},
                     {"x-ms-content-sha256", hash},
                     {"Authorization",
                      "HMAC-SHA256 SignedHeaders=x-ms-date;host;"
                      "x-ms-content-sha256&Signature=" +
                          auth::ComputeSignature(keys->keys->primary, to_sign)}};
  EXPECT_FALSE(gate(request, now).has_value());
  const auto limited = gate(request, now);
  ASSERT_TRUE(limited.has_value());
  EXPECT_EQ(limited->status, 429u);
  EXPECT_EQ(Header(*limited, "x-ms-error-code"), "TooManyRequests");
  EXPECT_EQ(Header(*limited, "Retry-After"), "2");
}

}  // namespace
}  // namespace sb::server
