// HttpClient: the outbound HTTP/1.1 client of the events dispatcher, over Boost.Beast, plain or
// TLS (OpenSSL; the peer's certificate chain and host name are verified against the system's
// trust store or a given CA bundle; TLS 1.2 at least).
//
// Every new connection goes through the AddressGuard: the host is resolved and only addresses
// the guard allows are connected to. One time limit covers a whole exchange (resolve, connect,
// handshake, write, read). Redirects are not followed (a 3xx is just a status). A response body
// beyond the cap is cut off and the connection dropped. Connections are kept alive and reused
// per origin; a reused connection that fails before any response byte arrives is retried once
// on a fresh one (the server may have closed it while idle), so a request can reach the server
// twice - deliveries are at-least-once anyway.
//
// Threading: lives on one io_context, run by one thread; Send is a coroutine on it. Shutdown()
// closes every connection, so pending Sends finish promptly with an error.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/time.h"
#include "outbound/address_guard.h"
#include "outbound/endpoint.h"
#include "http/message.h"

namespace sb::outbound {

struct ClientOptions {
  Duration timeout = Duration::Seconds(30);
  std::size_t max_response_body_bytes = 64 * 1024;
  std::size_t max_idle_per_origin = 16;
  Duration max_idle = Duration::Seconds(20);  // an idle connection older than this is not reused
  std::string ca_file;                        // empty: the system's trust store
  AddressGuard guard;
  std::string user_agent = "Switchboard-Events/1.0";
};

struct ClientRequest {
  std::string method = "POST";
  std::vector<http::Header> headers;  // Host, User-Agent and Content-Length are the client's
  std::string body;
};

struct ClientResponse {
  unsigned status = 0;
  std::vector<http::Header> headers;
  std::string body;
  bool body_truncated = false;

  std::string_view header(std::string_view name) const;
};

class HttpClient {
 public:
  // Fails when the CA bundle cannot be read.
  static Result<std::unique_ptr<HttpClient>> Create(boost::asio::io_context& io,
                                                    ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The response, or an error: refused by the guard, DNS, connect, TLS, timeout, or a broken
  // response. Error messages are short and meant for logs and the admin API.
  boost::asio::awaitable<Result<ClientResponse>> Send(const Endpoint& endpoint,
                                                      ClientRequest request);
  void Shutdown();
  const ClientOptions& options() const { return options_; }

 private:
  class Connection;
  HttpClient(boost::asio::io_context& io, ClientOptions options,
             std::shared_ptr<boost::asio::ssl::context> tls);
  boost::asio::awaitable<Result<std::unique_ptr<Connection>>> Connect(
      const Endpoint& endpoint, std::chrono::steady_clock::time_point deadline);
  Result<std::vector<boost::asio::ip::tcp::endpoint>> Guard(
      const boost::asio::ip::tcp::resolver::results_type& results) const;
  void PrepareTls(Connection& connection, const Endpoint& endpoint);
  boost::beast::http::request<boost::beast::http::string_body> MakeMessage(
      const Endpoint& endpoint, ClientRequest request) const;
  static std::string OriginOf(const Endpoint& endpoint);
  std::unique_ptr<Connection> TakeIdle(const std::string& origin);
  void PutIdle(const std::string& origin, std::unique_ptr<Connection> connection);

  boost::asio::io_context& io_;
  ClientOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
  std::set<Connection*> busy_;
  bool shut_down_ = false;
};

}  // namespace sb::outbound
