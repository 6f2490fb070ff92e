// The state a Server shares with its connections: options, the application's callbacks and the
// registry of open connections. Held by shared_ptr so connections that are still closing may
// outlive the Server object. Internal to the http module.
//
// Thread-safety: options, handler and errors are immutable after construction. The registry is
// guarded by a mutex because connections on different strands add and remove themselves.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "http/message.h"
#include "http/server.h"

namespace sb::http::detail {

// A connection as the registry sees it.
class Connection {
 public:
  virtual ~Connection() = default;
  // Closes the connection on its own executor. Safe from any thread.
  virtual void PostClose() = 0;
};

class ConnectionRegistry {
 public:
  // False once CloseAll() has run: the caller must close the connection itself. `admitted` is
  // false for a connection that is only being answered 503.
  bool Add(Connection* connection, std::weak_ptr<Connection> handle, bool admitted);
  // Idempotent.
  void Remove(Connection* connection);
  std::size_t size() const;
  // Open connections that were admitted to serve requests; what max_connections limits.
  std::size_t admitted() const;
  // Open connections being answered 503.
  std::size_t rejecting() const;
  // Closes every registered connection and refuses new ones.
  void CloseAll();

 private:
  mutable std::mutex mutex_;
  struct Entry {
    std::weak_ptr<Connection> handle;
    bool admitted = false;
  };
  std::unordered_map<Connection*, Entry> connections_;
  std::size_t admitted_ = 0;
  bool closed_ = false;
};

struct ServerCore {
  ServerCore(ServerOptions options_in, Handler handler_in, ErrorResponseFactory errors_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        errors(std::move(errors_in)) {}

  // The factory's response, or a plain-text one when the factory is missing, throws or returns
  // a response that would break the framing.
  Response ErrorResponse(unsigned status, std::string_view message) const;

  const ServerOptions options;
  const Handler handler;
  const ErrorResponseFactory errors;
  // Set by Server::Start() when options.tls is, before any connection exists; read-only after.
  std::shared_ptr<boost::asio::ssl::context> tls;
  ConnectionRegistry registry;
};

// "ip:port", or "[ip]:port" for IPv6.
std::string FormatEndpoint(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace sb::http::detail
