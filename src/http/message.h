// The messages the HTTP transport exchanges with the application: a parsed Request handed to
// the Handler, the Response the application gives back through a Responder, and the factory
// that shapes the errors the transport produces itself. The transport knows nothing about
// routing or Job Router; these are plain values.
//
// Contract: the Handler is invoked once per request on the connection's executor (the
// io_context thread). It owns the Request and must eventually invoke the Responder exactly once,
// synchronously or later from any thread. While a response is pending the connection reads
// nothing further, so a Responder that is never invoked holds its connection open: as a safety
// net, when the last copy of a Responder is destroyed without having been invoked the transport
// answers 500 through the ErrorResponseFactory. Invoking a Responder twice is a programmer error
// and aborts (SB_ASSERT).
//
// Thread-safety: Request and Response are plain values. Responder is copyable and may be invoked
// and destroyed from any thread; a response for a connection that has meanwhile closed is
// dropped. Responders must be invoked or destroyed before the io_context is destroyed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sb::http {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method;           // as received, e.g. "PATCH"
  std::string target;           // the raw request target (path + query), never decoded
  std::vector<Header> headers;  // as received, in order
  std::string body;
  std::string remote_address;  // "ip:port" ("[ip]:port" for IPv6)

  // Case-insensitive lookup of the first occurrence; empty if absent.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

// StreamWriter: the body of a streaming response (Server-Sent Events and the like), handed to
// the application once the status line and headers are on the wire. Write queues data, which
// the transport sends in order; it returns false - and the stream is closed - when the stream
// has ended or the client is more than the response's stream_backlog_bytes behind (a slow
// reader is dropped rather than buffered without bound). Close ends the body after what is
// queued, then closes the connection. Every method is safe from any thread; a writer outliving
// its connection is harmless (closed() is then true).
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  virtual bool Write(std::string data) = 0;
  virtual void Close() = 0;
  virtual bool closed() const = 0;
  // Bytes written but not yet handed to the network: lets a writer pace itself below the limit.
  virtual std::size_t queued_bytes() const = 0;
};

using StreamStart = std::function<void(std::shared_ptr<StreamWriter>)>;

struct Response {
  unsigned status = 200;
  // Content-Length, Transfer-Encoding and Connection are the transport's: it writes its own and
  // drops the application's (a "Connection: close" from the application closes the connection
  // after the response). Date is added unless present. Names must be tokens and values free of
  // CR, LF and NUL; a response that breaks this, or whose status is outside 200..999, is
  // replaced by a 500.
  std::vector<Header> headers;
  std::string body;  // not sent for HEAD requests and 204/304 responses

  // Set: a streaming response (status 2xx; `body` is ignored). The transport sends the status
  // line and headers without Content-Length and with "Connection: close" - the body ends when
  // the connection closes - then calls `stream` once, on the connection's executor, with the
  // body's writer. The connection closes when the writer is closed, the client closes or sends
  // anything, a write does not complete within the server's write_timeout, or the server stops.
  // For a HEAD request only the headers are sent.
  StreamStart stream = nullptr;
  std::size_t stream_backlog_bytes = 1024 * 1024;
};

// Case-insensitive ASCII comparison, as header names are compared.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Where a Responder delivers. Implemented by the transport's connections; tests of handlers
// implement it to capture responses.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // Called once with the response; from whichever thread invoked the Responder.
  virtual void Deliver(Response response) = 0;
  // Called instead of Deliver when the last Responder copy dies uninvoked.
  virtual void Abandon() = 0;
};

// The one-shot reply channel of a request. Copyable (copies share one state), so it fits in a
// std::function; invoking any copy counts as the one invocation.
class Responder {
 public:
  explicit Responder(std::shared_ptr<ResponseSink> sink);

  // Must be called exactly once across all copies. Safe from any thread.
  void operator()(Response response) const;

 private:
  class State;
  std::shared_ptr<State> state_;
};

using Handler = std::function<void(Request, Responder)>;

// Builds the response for errors the transport produces itself (400 unparsable request, 408,
// 413, 431, 503 when full, 500 for an abandoned or invalid response) so they carry the
// application's error shape. Supplied by the composition root; called on the connection's
// strand; must return the given status. The transport sets the framing headers (and closes the
// connection after 400/408/413/431/503). If it is empty, throws, or returns another status or
// an ill-formed response, a plain-text response is sent instead.
using ErrorResponseFactory = std::function<Response(unsigned status, std::string_view message)>;

}  // namespace sb::http
