#include "http/tls.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace sb::http {
namespace {

// Mozilla's "intermediate" TLS 1.2 suites minus DHE; TLS 1.3 suites are OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

constexpr long kCaValidDays = 3650;
constexpr long kServerValidDays = 825;  // the most Apple's clients accept
constexpr Duration kRenewBefore = Duration::Seconds(30LL * 24 * 3600);

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

Error TlsError(const std::string& what) { return Error::Internal(what + ": " + OpenSslError()); }

PKey NewKey() { return PKey(EVP_EC_gen("P-256")); }

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  const bool added = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return added;
}

bool SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[0] &= 0x7F;  // positive
  BIGNUM* bn = BN_bin2bn(bytes, sizeof bytes, nullptr);
  const bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
  BN_free(bn);
  return ok;
}

struct CertSpec {
  const char* common_name;
  long valid_days;
  bool ca;
};

// A certificate for `key`, signed by `issuer_key` (issuer nullptr: self-signed).
Cert MakeCertificate(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                     Timestamp now) {
  Cert cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 || !SetRandomSerial(cert.get())) return {};
  time_t start = static_cast<time_t>(now.unix_seconds_floor()) - 3600;  // clock skew
  if (!X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, &start) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert.get()), static_cast<int>(spec.valid_days), 3600,
                        &start)) {
    return {};
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Switchboard (self-signed)"),
                             -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return {};
  }
  const bool extensions =
      spec.ca
          ? AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
                AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign") &&
                AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash")
          : AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
                AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature") &&
                AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth") &&
                AddExtension(cert.get(), signer, NID_subject_alt_name,
                             "IP:127.0.0.1,IP:::1,DNS:localhost") &&
                AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash") &&
                AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (!extensions || X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) return {};
  return cert;
}

// Writes `pem` to `path` through a temporary file renamed into place; `mode` from the start.
Status WriteFileAtomically(const std::string& path, const std::string& pem, mode_t mode) {
  const std::string temporary = path + ".tmp";
  ::unlink(temporary.c_str());
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return Error::Internal("cannot create " + temporary + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < pem.size()) {
    const ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == pem.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return Error::Internal("cannot write " + path + ": " + std::strerror(errno));
  }
  return Ok{};
}

std::string ToPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string ToPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// True when the certificate at `path` can be read and is valid until `now` + kRenewBefore.
bool StillValid(const std::string& path, Timestamp now) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (!file) return false;
  Cert cert(PEM_read_X509(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  ERR_clear_error();
  if (!cert) return false;
  time_t horizon = static_cast<time_t>((now + kRenewBefore).unix_seconds_floor());
  return X509_cmp_time(X509_get0_notAfter(cert.get()), &horizon) > 0;
}

bool Exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

Status CreateSelfSigned(const SelfSignedTls& set, Timestamp now) {
  PKey ca_key = NewKey(), server_key = NewKey();
  if (!ca_key || !server_key) return TlsError("cannot generate a key");
  Cert ca = MakeCertificate({"Switchboard local CA", kCaValidDays, true}, ca_key.get(), nullptr,
                            ca_key.get(), now);
  if (!ca) return TlsError("cannot make the CA certificate");
  Cert server = MakeCertificate({"localhost", kServerValidDays, false}, server_key.get(), ca.get(),
                                ca_key.get(), now);
  if (!server) return TlsError("cannot make the server certificate");
  // The key first and the CA last: a crash in between leaves a set that is recreated next time.
  SB_TRY(WriteFileAtomically(set.files.private_key, ToPem(server_key.get()), 0600));
  SB_TRY(WriteFileAtomically(set.files.certificate_chain, ToPem(server.get()), 0644));
  return WriteFileAtomically(set.ca_certificate, ToPem(ca.get()), 0644);
}

}  // namespace

Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsFiles& files) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // OpenSSL 3 refuses client-initiated renegotiation by default; no renegotiation at all here.
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) return TlsError("cipher list");
  if (SSL_CTX_use_certificate_chain_file(native, files.certificate_chain.c_str()) != 1) {
    return TlsError("cannot load the TLS certificate chain " + files.certificate_chain);
  }
  if (SSL_CTX_use_PrivateKey_file(native, files.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return TlsError("cannot load the TLS private key " + files.private_key);
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return TlsError("the TLS private key does not match the certificate");
  }
  return context;
}

Result<SelfSignedTls> EnsureSelfSignedTls(const std::string& directory, Timestamp now) {
  SelfSignedTls set;
  set.files = {directory + "/cert.pem", directory + "/key.pem"};
  set.ca_certificate = directory + "/ca.pem";
  if (Exists(set.files.private_key) && Exists(set.ca_certificate) &&
      StillValid(set.files.certificate_chain, now)) {
    return set;
  }
  SB_TRY(CreateSelfSigned(set, now));
  set.created = true;
  return set;
}

}  // namespace sb::http
