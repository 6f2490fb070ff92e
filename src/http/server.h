// Server: an HTTP/1.1 (and 1.0) server transport over Boost.Asio, in plain TCP or TLS (1.2+, see
// tls.h). It accepts connections, parses requests within fixed limits, hands each one to the
// Handler and writes the Response back. It knows nothing about routing or Job Router.
//
// Contract: requests on one connection are strictly sequential - the next request (pipelined or
// not) is read only after the previous response is written. Keep-alive follows HTTP/1.1 and
// HTTP/1.0 rules and "Connection: close". Every response carries Date and Content-Length (except
// 204 and 304). "Expect: 100-continue" gets "100 Continue" when the declared body fits. Violations
// are answered through the ErrorResponseFactory and the connection is closed: 400 for unparsable
// HTTP, 413 for a body over max_body_bytes (refused from Content-Length before the body is read),
// 431 for a header over max_header_bytes, 408 when the header or body is too slow, 503 when
// max_connections are open. An idle keep-alive connection is closed silently. Closing is
// graceful: the server half-closes and drains the client for up to a second so the client sees
// the final response rather than a reset.
//
// Threading: the caller runs the io_context. Each connection lives on its own strand, so running
// io.run() on several threads is also safe (handlers of different connections may then run
// concurrently). The Handler is invoked on the connection's strand. Start() must be called once,
// before io.run() or from an io_context thread. Stop() may be called from any thread; it is
// asynchronous and abrupt (the acceptor and every connection close on their strands; responses
// in flight are dropped), after which the server holds no work, so io.run() returns once the
// application's own work is done. The Server must be destroyed before the io_context; the
// destructor calls Stop(). Shared state lives on after ~Server while closing connections or
// outstanding Responders still hold it; all of it is released when they complete or when the
// io_context is destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "base/error.h"
#include "base/time.h"
#include "http/message.h"
#include "http/tls.h"

namespace sb::http {

struct ServerOptions {
  std::string host = "127.0.0.1";            // an IP literal or a name resolved once by Start()
  std::uint16_t port = 0;                    // 0 = ephemeral
  std::size_t max_header_bytes = 8 * 1024;   // request line + headers (1..4 GiB); over -> 431
  std::size_t max_body_bytes = 1024 * 1024;  // over -> 413
  // The header must be complete this long after its first byte (for a connection's first
  // request: after the accept) -> 408.
  Duration header_timeout = Duration::Seconds(10);
  Duration body_timeout = Duration::Seconds(30);  // from the end of the header -> 408
  // A keep-alive connection with no request started is closed silently after this. A new
  // connection that sends nothing is closed silently after min(idle_timeout, header_timeout).
  Duration idle_timeout = Duration::Seconds(60);
  // A client that does not read its response within this is disconnected.
  Duration write_timeout = Duration::Seconds(30);
  std::size_t max_connections = 10000;  // beyond -> accept, answer 503, close
  // Set: serve HTTPS with these files (loaded by Start()). The TLS handshake counts against
  // header_timeout.
  std::optional<TlsFiles> tls;
};

namespace detail {
class Listener;
}  // namespace detail

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, Handler handler,
         ErrorResponseFactory errors);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. Returns the bound "host:port" (the real port when port was 0;
  // "[host]:port" for IPv6), or an Error when the address is invalid or cannot be bound, or the
  // TLS files cannot be loaded.
  Result<std::string> Start();
  // Stops accepting and closes all connections (pending responses are dropped). Idempotent.
  void Stop();
  // Connections currently open, including those being answered 503 or lingering on close.
  std::size_t connection_count() const;

 private:
  std::shared_ptr<detail::Listener> listener_;
  bool started_ = false;
};

}  // namespace sb::http
