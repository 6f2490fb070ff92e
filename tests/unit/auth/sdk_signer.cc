#include "sdk_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <vector>

namespace sb::auth::testing {
namespace {

std::string B64(const unsigned char* data, std::size_t size) {
  std::vector<unsigned char> out(4 * ((size + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(out.data(), data, static_cast<int>(size));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

std::string UnB64(const std::string& text) {
  std::vector<unsigned char> out(text.size());
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) throw std::invalid_argument("bad base64");
  // EVP_DecodeBlock counts padding as zero bytes.
  n -= static_cast<int>(
      std::count(text.end() - std::min<std::size_t>(2, text.size()), text.end(), '='));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

}  // namespace

http::Request SdkSignedRequest(const std::string& method, const std::string& url,
                               const std::string& body, const std::string& access_key_base64,
                               const std::string& date) {
  // urlparse: scheme://netloc/path?query
  const std::size_t netloc_start = url.find("://") + 3;
  const std::size_t path_start = url.find('/', netloc_start);
  const std::string host = url.substr(netloc_start, path_start - netloc_start);
  const std::string query_url = url.substr(path_start);

  std::string verb = method;
  for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  const std::string content_hash = B64(digest, sizeof digest);
  const std::string string_to_sign =
      verb + "\n" + query_url + "\n" + date + ";" + host + ";" + content_hash;
  const std::string secret = UnB64(access_key_base64);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(string_to_sign.data()), string_to_sign.size(), mac,
       &mac_size);

  http::Request request;
  request.method = method;
  request.target = query_url;
  request.headers = {
      {"Host", host},
      {"Accept", "application/json"},
      {"x-ms-date", date},
      {"x-ms-content-sha256", content_hash},
      {"x-ms-return-client-request-id", "true"},
      {"Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" +
                            B64(mac, mac_size)},
  };
  if (!body.empty()) request.headers.push_back({"Content-Type", "application/merge-patch+json"});
  request.body = body;
  request.remote_address = "127.0.0.1:50000";
  return request;
}

std::string NewAccessKey() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes");
  return B64(bytes, sizeof bytes);
}

}  // namespace sb::auth::testing
