// Authentication against requests signed the SDK's way (sdk_signer.h), and known answers
// produced by the real azure-communication-jobrouter 1.1.0b2 HMACCredentialsPolicy.
#include "auth/hmac_auth.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "memcmp_spy.h"
#include "sdk_signer.h"

namespace sb::auth {
namespace {

using testing::NewAccessKey;
using testing::SdkSignedRequest;

constexpr const char* kDate = "Tue, 02 Jan 2024 03:04:05 GMT";
const Timestamp kNow = *ParseHttpDate(kDate);
constexpr const char* kEndpoint = "http://127.0.0.1:8080";

AccessKey Key(const std::string& base64) { return *AccessKey::FromBase64(base64, "key"); }

AccessKeys Keys(const std::string& primary) { return AccessKeys{Key(primary), std::nullopt}; }

void SetHeader(http::Request& request, const std::string& name, const std::string& value) {
  for (auto& header : request.headers) {
    if (http::EqualsIgnoreCase(header.name, name)) header.value = value;
  }
}

void RemoveHeader(http::Request& request, const std::string& name) {
  std::erase_if(request.headers,
                [&](const http::Header& h) { return http::EqualsIgnoreCase(h.name, name); });
}

// The reason of a failure, checked to be kUnauthorized.
std::string Failure(const Result<KeySlot>& result) {
  if (result.ok()) return "<authenticated>";
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthorized);
  return result.error().message;
}

// --- Known answers from the Python SDK itself ------------------------------------------------

struct KnownAnswer {
  const char* method;
  const char* target;
  const char* body;
  const char* content_hash;
  const char* signature;
};

// Key AAECAw...Hh8= (bytes 0..31), host 127.0.0.1:8080, x-ms-date kDate.
constexpr const char* kKnownKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const KnownAnswer kKnownAnswers[] = {
    {"PATCH", "/routing/workers/w-1?api-version=2023-11-01", R"({"capacity":1})",
     "bBQKysVSs8rGuffrqyzoD+d5y0u6D7yBJwK3ifSY3Qk=",
     "IIuyvo1o3cHDoQNQ2/GWGc7qXlMrXY+UgcrTxDX9eWM="},
    {"GET", "/routing/jobs?api-version=2023-11-01&status=active&maxpagesize=2", "",
     "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
     "4F19X+eSWZPLSHcei/o/Mo6Lz37XNxRtrX8M+3gV9AI="},
    {"POST", "/routing/workers/w%201/offers/o-1:accept?api-version=2023-11-01", "",
     "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
     "/3F3CAFKAqX68sVyQvFdmkUU+thItfrrHGoNwww4d0g="},
};

TEST(HmacAuthTest, MatchesThePythonSdksKnownAnswers) {
  for (const KnownAnswer& k : kKnownAnswers) {
    SCOPED_TRACE(k.target);
    EXPECT_EQ(ContentHash(k.body), k.content_hash);
    const std::string to_sign =
        StringToSign(k.method, k.target, kDate, "127.0.0.1:8080", k.content_hash);
    EXPECT_EQ(ComputeSignature(Key(kKnownKey), to_sign), k.signature);

    http::Request request =
        SdkSignedRequest(k.method, std::string(kEndpoint) + k.target, k.body, kKnownKey, kDate);
    EXPECT_EQ(request.header("Authorization"),
              std::string("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&") +
                  "Signature=" + k.signature);
    auto slot = Authenticate(request, Keys(kKnownKey), kNow);
    ASSERT_TRUE(slot.ok()) << slot.error().message;
    EXPECT_EQ(*slot, KeySlot::kPrimary);
  }
}

// --- The SDK's signing, reproduced -----------------------------------------------------------

class SignedRequestTest : public ::testing::Test {
 protected:
  std::string key_ = NewAccessKey();
  AccessKeys keys_ = Keys(key_);

  http::Request Signed(const std::string& method, const std::string& target,
                       const std::string& body = "", const std::string& date = kDate) {
    return SdkSignedRequest(method, kEndpoint + target, body, key_, date);
  }
};

TEST_F(SignedRequestTest, EveryMethodAndTargetShapeVerifies) {
  const std::pair<const char*, const char*> cases[] = {
      {"GET", "/routing/workers/worker-1?api-version=2023-11-01"},
      {"PATCH", "/routing/jobs/job-1?api-version=2024-01-18-preview"},
      {"DELETE", "/routing/queues/q%2F1?api-version=2023-11-01"},
      {"POST", "/routing/jobs/j/assignments/a:complete?api-version=2023-11-01"},
      // The two Python transports encode the same query differently; each signs what it sends.
      {"GET", "/routing/jobs?api-version=2023-11-01&scheduledBefore=2024-01-01T00%3A00%3A00Z"},
      {"GET", "/routing/jobs?api-version=2023-11-01&scheduledBefore=2024-01-01T00:00:00Z"},
      {"GET", "/routing/jobs?api-version=2023-11-01&status=all&maxpagesize=5&x=a+b%20c"},
  };
  for (const auto& [method, target] : cases) {
    SCOPED_TRACE(std::string(method) + " " + target);
    const std::string body = std::string(method) == "PATCH" ? R"({"priority":5,"é":"ü"})" : "";
    auto slot = Authenticate(Signed(method, target, body), keys_, kNow);
    EXPECT_TRUE(slot.ok()) << Failure(slot);
  }
}

TEST_F(SignedRequestTest, WrongKeyIsRefused) {
  const http::Request request = Signed("GET", "/routing/workers?api-version=2023-11-01");
  EXPECT_EQ(Failure(Authenticate(request, Keys(NewAccessKey()), kNow)),
            "the signature does not match either access key");
}

TEST_F(SignedRequestTest, SecondaryKeyIsAcceptedToo) {
  const std::string secondary = NewAccessKey();
  const AccessKeys both{Key(key_), Key(secondary)};
  const std::string target = "/routing/workers?api-version=2023-11-01";
  EXPECT_EQ(*Authenticate(Signed("GET", target), both, kNow), KeySlot::kPrimary);
  const http::Request by_secondary =
      SdkSignedRequest("GET", kEndpoint + target, "", secondary, kDate);
  EXPECT_EQ(*Authenticate(by_secondary, both, kNow), KeySlot::kSecondary);
  EXPECT_FALSE(Authenticate(by_secondary, keys_, kNow).ok());  // not without the secondary
}

TEST_F(SignedRequestTest, AlteredBodyIsRefused) {
  http::Request request = Signed("PATCH", "/routing/jobs/j?api-version=2023-11-01", R"({"a":1})");
  request.body = R"({"a":2})";
  EXPECT_EQ(Failure(Authenticate(request, keys_, kNow)),
            "x-ms-content-sha256 does not match the body received");
  // A forger who also fixes the hash still lacks the signature over it.
  SetHeader(request, "x-ms-content-sha256", ContentHash(request.body));
  EXPECT_EQ(Failure(Authenticate(request, keys_, kNow)),
            "the signature does not match either access key");
}

TEST_F(SignedRequestTest, AlteredTargetMethodOrHostIsRefused) {
  const std::string target = "/routing/jobs?api-version=2023-11-01&status=active";
  http::Request request = Signed("GET", target);
  request.target = "/routing/jobs?api-version=2023-11-01&status=all";
  EXPECT_FALSE(Authenticate(request, keys_, kNow).ok());
  request.target = "/routing/jobs?api-version=2023-11-01&status=active&";
  EXPECT_FALSE(Authenticate(request, keys_, kNow).ok());
  // No decoding: an escaped form of the same path is another target.
  request = Signed("GET", "/routing/jobs/a:b?api-version=2023-11-01");
  request.target = "/routing/jobs/a%3Ab?api-version=2023-11-01";
  EXPECT_FALSE(Authenticate(request, keys_, kNow).ok());

  request = Signed("GET", target);
  request.method = "DELETE";
  EXPECT_FALSE(Authenticate(request, keys_, kNow).ok());

  request = Signed("GET", target);
  SetHeader(request, "Host", "127.0.0.1:8081");
  EXPECT_FALSE(Authenticate(request, keys_, kNow).ok());
}

TEST_F(SignedRequestTest, DateMustBeWithinFifteenMinutes) {
  const http::Request request = Signed("GET", "/routing/workers?api-version=2023-11-01");
  EXPECT_TRUE(Authenticate(request, keys_, kNow + Duration::Minutes(15)).ok());
  EXPECT_TRUE(Authenticate(request, keys_, kNow - Duration::Minutes(15)).ok());
  EXPECT_EQ(
      Failure(Authenticate(request, keys_, kNow + Duration::Minutes(15) + Duration::Seconds(1))),
      "the request date is 901 s away from the server's clock");
  EXPECT_FALSE(Authenticate(request, keys_, kNow - Duration::Minutes(16)).ok());
  HmacOptions strict;
  strict.max_clock_skew = Duration::Seconds(30);
  EXPECT_FALSE(Authenticate(request, keys_, kNow + Duration::Minutes(1), strict).ok());
}

TEST_F(SignedRequestTest, UnparsableDateIsRefused) {
  const std::string date = "2024-01-02T03:04:05Z";  // signed, but not an IMF-fixdate
  EXPECT_EQ(Failure(Authenticate(Signed("GET", "/routing/jobs", "", date), keys_, kNow)),
            "the request date is not an IMF-fixdate");
}

TEST_F(SignedRequestTest, MissingOrRepeatedHeadersAreRefused) {
  const http::Request signed_request = Signed("GET", "/routing/workers?api-version=2023-11-01");
  for (const char* name : {"Authorization", "x-ms-date", "x-ms-content-sha256", "Host"}) {
    SCOPED_TRACE(name);
    http::Request request = signed_request;
    RemoveHeader(request, name);
    EXPECT_FALSE(Authenticate(request, keys_, kNow).ok());
    request = signed_request;
    request.headers.push_back({name, std::string(signed_request.header(name))});
    EXPECT_FALSE(Authenticate(request, keys_, kNow).ok()) << "a repeated " << name;
  }
}

TEST_F(SignedRequestTest, DateHeaderStandsInForAnAbsentXMsDate) {
  http::Request request = Signed("GET", "/routing/workers?api-version=2023-11-01");
  RemoveHeader(request, "x-ms-date");
  request.headers.push_back({"Date", kDate});
  EXPECT_TRUE(Authenticate(request, keys_, kNow).ok());
  // ...and its freshness is checked the same way.
  EXPECT_FALSE(Authenticate(request, keys_, kNow + Duration::Minutes(20)).ok());
  // With x-ms-date present, Date is ignored.
  http::Request both = Signed("GET", "/routing/workers?api-version=2023-11-01");
  both.headers.push_back({"Date", "Mon, 01 Jan 2001 00:00:00 GMT"});
  EXPECT_TRUE(Authenticate(both, keys_, kNow).ok());
}

TEST_F(SignedRequestTest, SignedHeadersMayNameDateAndMustCoverHostHashAndDate) {
  const std::string target = "/routing/workers?api-version=2023-11-01";
  const std::string hash = ContentHash("");
  auto request_signing = [&](const std::string& signed_headers, const std::string& values) {
    http::Request request;
    request.method = "GET";
    request.target = target;
    request.headers = {{"Host", "h:1"}, {"Date", kDate}, {"x-ms-content-sha256", hash}};
    request.headers.push_back(
        {"Authorization", "HMAC-SHA256 SignedHeaders=" + signed_headers + "&Signature=" +
                              ComputeSignature(Key(key_), "GET\n" + target + "\n" + values)});
    return request;
  };
  EXPECT_TRUE(Authenticate(request_signing("date;host;x-ms-content-sha256",
                                           std::string(kDate) + ";h:1;" + hash),
                           keys_, kNow)
                  .ok());
  EXPECT_TRUE(
      Authenticate(request_signing("host;x-ms-content-sha256;date", "h:1;" + hash + ";" + kDate),
                   keys_, kNow)
          .ok());
  // A signature that leaves out the host (or the body's hash, or the date) could be replayed
  // elsewhere: refused even though it is valid.
  EXPECT_EQ(Failure(Authenticate(
                request_signing("date;x-ms-content-sha256", std::string(kDate) + ";" + hash), keys_,
                kNow)),
            "the signed headers must include host, x-ms-content-sha256 and a date");
}

TEST_F(SignedRequestTest, OnlyASignedDateMakesARequestFresh) {
  // An old request signed over Date; a fresh but unsigned x-ms-date added by whoever replays it
  // must not pass for its date.
  const std::string target = "/routing/workers?api-version=2023-11-01";
  const std::string hash = ContentHash("");
  const std::string old_date = "Mon, 01 Jan 2024 00:00:00 GMT";
  http::Request request;
  request.method = "GET";
  request.target = target;
  request.headers = {
      {"Host", "h:1"},
      {"Date", old_date},
      {"x-ms-content-sha256", hash},
      {"Authorization",
       "HMAC-SHA256 SignedHeaders=date;host;x-ms-content-sha256&Signature=" +
           ComputeSignature(Key(key_), "GET\n" + target + "\n" + old_date + ";h:1;" + hash)}};
  const Timestamp then = *ParseHttpDate(old_date);
  EXPECT_TRUE(Authenticate(request, keys_, then).ok());
  request.headers.push_back({"x-ms-date", kDate});
  EXPECT_EQ(Failure(Authenticate(request, keys_, kNow)).find("the request date is"), 0u);
}

TEST_F(SignedRequestTest, MalformedAuthorizationIsRefusedCleanly) {
  const http::Request good = Signed("GET", "/routing/workers?api-version=2023-11-01");
  const std::string signature =
      std::string(good.header("Authorization")).substr(good.header("Authorization").find("&"));
  for (const std::string& value : std::vector<std::string>{
           "", "Bearer abc", "HMAC-SHA256", "HMAC-SHA256 ", "HMAC-SHA256 Signature=abc",
           "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256",
           "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=",
           "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=a&Signature=a",
           "HMAC-SHA256 SignedHeaders&Signature=abc", "HMAC-SHA256 Nonsense=1" + signature,
           "HMAC-SHA256 SignedHeaders=" + std::string(40, ';') + signature,
           "HMAC-SHA256 SignedHeaders=;;" + signature}) {
    http::Request request = good;
    SetHeader(request, "Authorization", value);
    EXPECT_FALSE(Authenticate(request, keys_, kNow).ok()) << value;
  }
}

TEST_F(SignedRequestTest, ReasonsNeverQuoteTheKeyOrTheSignature) {
  http::Request request = Signed("GET", "/routing/workers?api-version=2023-11-01");
  const std::string authorization(request.header("Authorization"));
  const std::string signature = authorization.substr(authorization.find("Signature=") + 10);
  const std::string reason = Failure(Authenticate(request, Keys(NewAccessKey()), kNow));
  EXPECT_EQ(reason.find(signature), std::string::npos);
  EXPECT_EQ(reason.find(key_), std::string::npos);
}

TEST_F(SignedRequestTest, SignaturesAreComparedInConstantTime) {
  const http::Request request = Signed("GET", "/routing/workers?api-version=2023-11-01");
  const std::size_t kSignatureChars = 44;  // base64 of 32 bytes
  const std::size_t before = testing::ConstantTimeCompares(kSignatureChars);
  const AccessKeys both{Key(key_), Key(NewAccessKey())};
  EXPECT_FALSE(Authenticate(request, Keys(NewAccessKey()), kNow).ok());
  EXPECT_TRUE(Authenticate(request, both, kNow).ok());
  // The body hash once and the signature against one key, then the hash and both keys: every
  // comparison of a 44-character value went through CRYPTO_memcmp.
  EXPECT_EQ(testing::ConstantTimeCompares(kSignatureChars) - before, 2u + 3u);
}

TEST(HmacAuthAnonymousTest, OnlyProbesAreAnonymous) {
  auto request = [](std::string method, std::string target) {
    http::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    return r;
  };
  EXPECT_TRUE(IsAnonymous(request("GET", "/healthz")));
  EXPECT_TRUE(IsAnonymous(request("GET", "/readyz?verbose")));
  EXPECT_TRUE(IsAnonymous(request("HEAD", "/readyz")));
  EXPECT_FALSE(IsAnonymous(request("POST", "/healthz")));
  EXPECT_FALSE(IsAnonymous(request("GET", "/healthz/x")));
  EXPECT_FALSE(IsAnonymous(request("GET", "/routing/healthz")));
  EXPECT_FALSE(IsAnonymous(request("GET", "/%68ealthz")));
  EXPECT_FALSE(IsAnonymous(request("GET", "/routing/jobs?x=/healthz")));
}

}  // namespace
}  // namespace sb::auth
