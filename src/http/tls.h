// TLS for the HTTP transport: the server context (TLS 1.2 and 1.3 only, forward-secret AEAD
// ciphers, no renegotiation or compression) and, for local use, a self-signed certificate
// authority and server certificate for 127.0.0.1 and localhost.
//
// Files: a self-signed set lives in one directory as ca.pem (the certificate clients trust:
// REQUESTS_CA_BUNDLE, SSL_CERT_FILE, curl --cacert), cert.pem (the server's certificate, issued
// by that CA) and key.pem (its private key, mode 0600). The CA's own private key is discarded
// once the server certificate is signed, so nothing else can ever be issued under it.
//
// Blocking file I/O, for start-up. Thread-safe (no shared state of its own).
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "base/error.h"
#include "base/time.h"

namespace sb::http {

struct TlsFiles {
  std::string certificate_chain;  // PEM: the server's certificate, then any intermediates
  std::string private_key;        // PEM
};

// A server context serving `files`, or an error naming the file at fault.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsFiles& files);

struct SelfSignedTls {
  TlsFiles files;
  std::string ca_certificate;  // the path to trust
  bool created = false;        // false: the files were there already and still valid
};

// Uses the self-signed set in `directory` (which must exist), or creates it if it is missing,
// unreadable, or its server certificate expires within 30 days of `now`.
Result<SelfSignedTls> EnsureSelfSignedTls(const std::string& directory, Timestamp now);

}  // namespace sb::http
