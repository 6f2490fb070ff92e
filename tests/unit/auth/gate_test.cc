#include "auth/gate.h"

#include <gtest/gtest.h>

#include "sdk_signer.h"

namespace sb::auth {
namespace {

constexpr const char* kDate = "Tue, 02 Jan 2024 03:04:05 GMT";
const Timestamp kNow = *ParseHttpDate(kDate);

class GateTest : public ::testing::Test {
 protected:
  std::string primary_ = testing::NewAccessKey();
  std::string secondary_ = testing::NewAccessKey();

  GateOptions Options() {
    GateOptions options;
    options.keys =
        AccessKeys{*AccessKey::FromBase64(primary_, "k"), *AccessKey::FromBase64(secondary_, "k")};
    return options;
  }

  static http::Request Signed(const std::string& key, const std::string& address = "10.0.0.1:1") {
    http::Request request = testing::SdkSignedRequest(
        "GET", "http://127.0.0.1:8080/routing/workers?api-version=2023-11-01", "", key, kDate);
    request.remote_address = address;
    return request;
  }
};

TEST_F(GateTest, SignedRequestsPassAndOthersGetOneGenericMessage) {
  Gate gate(Options());
  EXPECT_EQ(gate.Check(Signed(primary_), kNow), std::nullopt);
  EXPECT_EQ(gate.Check(Signed(secondary_), kNow), std::nullopt);

  http::Request unsigned_request;
  unsigned_request.method = "GET";
  unsigned_request.target = "/routing/workers?api-version=2023-11-01";
  unsigned_request.remote_address = "10.0.0.2:5";
  const auto wrong_key = gate.Check(Signed(testing::NewAccessKey()), kNow);
  const auto no_signature = gate.Check(unsigned_request, kNow);
  const auto stale = gate.Check(Signed(primary_), kNow + Duration::Minutes(30));
  for (const auto& refusal : {wrong_key, no_signature, stale}) {
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->status, 401u);
    EXPECT_EQ(refusal->message, kUnauthorizedMessage);
    EXPECT_FALSE(refusal->retry_after.has_value());
  }
  // The log gets the precise reason, and where it came from.
  EXPECT_EQ(wrong_key->reason, "the signature does not match either access key (from 10.0.0.1)");
  EXPECT_EQ(no_signature->reason, "no single Authorization header (from 10.0.0.2)");
}

TEST_F(GateTest, ProbesNeedNoSignature) {
  Gate gate(Options());
  http::Request probe;
  probe.method = "GET";
  probe.target = "/healthz";
  EXPECT_EQ(gate.Check(probe, kNow), std::nullopt);
}

TEST_F(GateTest, WithoutKeysEverythingPasses) {
  Gate gate(GateOptions{});
  EXPECT_FALSE(gate.authenticates());
  http::Request request;
  request.method = "DELETE";
  request.target = "/routing/jobs/j?api-version=2023-11-01";
  EXPECT_EQ(gate.Check(request, kNow), std::nullopt);
}

TEST_F(GateTest, FailuresAreLimitedPerAddressBeforeTheSignatureIsChecked) {
  GateOptions options = Options();
  options.auth_failures_per_address = {1, 3};
  Gate gate(options);
  const std::string impostor = testing::NewAccessKey();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(gate.Check(Signed(impostor), kNow)->status, 401u);
  const auto limited = gate.Check(Signed(impostor), kNow);
  ASSERT_TRUE(limited.has_value());
  EXPECT_EQ(limited->status, 429u);
  EXPECT_EQ(limited->retry_after, Duration::Seconds(1));
  EXPECT_EQ(limited->reason, "failed-authentication limit of 10.0.0.1");
  // The address is refused before its signature is looked at, even a good one...
  EXPECT_EQ(gate.Check(Signed(primary_), kNow)->status, 429u);
  // ...while other addresses, and the same one a second later, are served.
  EXPECT_EQ(gate.Check(Signed(primary_, "10.0.0.9:7"), kNow), std::nullopt);
  EXPECT_EQ(gate.Check(Signed(primary_), kNow + Duration::Seconds(1)), std::nullopt);
  // Successes cost nothing from the failure allowance.
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(gate.Check(Signed(primary_, "10.0.0.9:7"), kNow), std::nullopt);
}

TEST_F(GateTest, EachKeyHasItsOwnRateLimit) {
  GateOptions options = Options();
  options.per_key = {10, 2};
  Gate gate(options);
  EXPECT_EQ(gate.Check(Signed(primary_), kNow), std::nullopt);
  EXPECT_EQ(gate.Check(Signed(primary_), kNow), std::nullopt);
  const auto limited = gate.Check(Signed(primary_), kNow);
  ASSERT_TRUE(limited.has_value());
  EXPECT_EQ(limited->status, 429u);
  EXPECT_EQ(limited->retry_after, Duration::Millis(100));
  EXPECT_EQ(limited->reason, "rate limit of the primary key");
  EXPECT_EQ(gate.Check(Signed(secondary_), kNow), std::nullopt);
  EXPECT_EQ(gate.Check(Signed(primary_), kNow + Duration::Millis(100)), std::nullopt);
}

TEST(AddressKeyTest, DropsThePortAndGroupsIpv6ByPrefix) {
  EXPECT_EQ(AddressKey("192.0.2.7:51000"), "192.0.2.7");
  EXPECT_EQ(AddressKey("[2001:db8:1:2:3:4:5:6]:443"), "2001:db8:1:2::/64");
  EXPECT_EQ(AddressKey("[2001:db8:1:2:ffff::1]:1"), "2001:db8:1:2::/64");
  EXPECT_EQ(AddressKey("[::ffff:192.0.2.7]:80"), "192.0.2.7");
  EXPECT_EQ(AddressKey(""), "");
}

}  // namespace
}  // namespace sb::auth
