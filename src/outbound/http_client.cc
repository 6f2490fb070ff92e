#include "outbound/http_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

namespace sb::outbound {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

Error Failure(std::string_view what, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
    return Error::Internal(std::string(what) + ": timeout");
  }
  return Error::Internal(std::string(what) + ": " + ec.message());
}

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

std::string_view ClientResponse::header(std::string_view name) const {
  for (const http::Header& h : headers) {
    if (http::EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

class HttpClient::Connection {
 public:
  explicit Connection(asio::io_context& io) : plain(std::make_unique<beast::tcp_stream>(io)) {}
  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
};

namespace {

struct ExchangeOutcome {
  Result<ClientResponse> response = Error::Internal("not sent");
  bool reusable = false;
  bool got_bytes = false;  // some of a response arrived: not a stale idle connection
};

// The response as the parser holds it, once the header at least has arrived.
ClientResponse TakeResponse(bhttp::response_parser<bhttp::string_body>& parser, bool truncated) {
  ClientResponse response;
  response.body_truncated = truncated;
  const auto& message = parser.get();
  response.status = message.result_int();
  for (const auto& field : message) {
    response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  response.body = message.body();
  return response;
}

// Coroutine bodies here keep to named locals: GCC 12 mishandles some temporaries that live
// across a suspension (double destruction), so results are built in ordinary functions.
template <class Stream>
asio::awaitable<ExchangeOutcome> Exchange(Stream& stream, beast::flat_buffer& buffer,
                                          bhttp::request<bhttp::string_body>& request,
                                          std::size_t body_cap) {
  ExchangeOutcome out;
  auto written = co_await bhttp::async_write(stream, request, kUse);
  if (std::get<0>(written)) {
    out.response = Failure("write", std::get<0>(written));
    co_return out;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(body_cap);
  if (request.method() == bhttp::verb::head) parser.skip(true);
  auto header = co_await bhttp::async_read_header(stream, buffer, parser, kUse);
  if (std::get<0>(header)) {
    out.got_bytes = std::get<1>(header) > 0 || buffer.size() > 0;
    out.response = Failure("response", std::get<0>(header));
    co_return out;
  }
  out.got_bytes = true;
  auto body = co_await bhttp::async_read(stream, buffer, parser, kUse);
  const boost::system::error_code body_ec = std::get<0>(body);
  out.reusable = !body_ec && parser.is_done() && parser.get().keep_alive();
  out.response = TakeResponse(parser, body_ec == bhttp::error::body_limit);
  co_return out;
}

}  // namespace

Result<std::unique_ptr<HttpClient>> HttpClient::Create(asio::io_context& io,
                                                       ClientOptions options) {
  auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression);
  tls->set_verify_mode(asio::ssl::verify_peer);
  boost::system::error_code ec;
  if (options.ca_file.empty()) {
    tls->set_default_verify_paths(ec);
  } else {
    tls->load_verify_file(options.ca_file, ec);
  }
  if (ec)
    return Error::InvalidArgument("cannot load the CA bundle " + options.ca_file + ": " +
                                  ec.message());
  return std::unique_ptr<HttpClient>(new HttpClient(io, std::move(options), std::move(tls)));
}

HttpClient::HttpClient(asio::io_context& io, ClientOptions options,
                       std::shared_ptr<asio::ssl::context> tls)
    : io_(io), options_(std::move(options)), tls_(std::move(tls)) {}

HttpClient::~HttpClient() { Shutdown(); }

void HttpClient::Shutdown() {
  shut_down_ = true;
  idle_.clear();
  for (Connection* connection : busy_) connection->tcp().close();
}

std::unique_ptr<HttpClient::Connection> HttpClient::TakeIdle(const std::string& origin) {
  auto it = idle_.find(origin);
  while (it != idle_.end() && !it->second.empty()) {
    std::unique_ptr<Connection> connection = std::move(it->second.back());
    it->second.pop_back();
    const auto max_idle = std::chrono::microseconds(options_.max_idle.micros());
    if (Clock::now() - connection->idle_since < max_idle) return connection;
  }
  return nullptr;
}

void HttpClient::PutIdle(const std::string& origin, std::unique_ptr<Connection> connection) {
  auto& pool = idle_[origin];
  if (shut_down_ || pool.size() >= options_.max_idle_per_origin) return;
  connection->idle_since = Clock::now();
  pool.push_back(std::move(connection));
}

Result<std::vector<tcp::endpoint>> HttpClient::Guard(
    const tcp::resolver::results_type& results) const {
  std::vector<tcp::endpoint> allowed;
  std::string refusal;
  for (const auto& entry : results) {
    if (auto why = options_.guard.Refusal(entry.endpoint().address())) {
      refusal = *why;
    } else {
      allowed.push_back(entry.endpoint());
    }
  }
  if (allowed.empty()) return Error::Internal("refused: " + refusal);
  return allowed;
}

void HttpClient::PrepareTls(Connection& connection, const Endpoint& endpoint) {
  connection.tls =
      std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*connection.plain), *tls_);
  connection.plain.reset();
  if (!IsIpLiteral(endpoint.host)) {
    SSL_set_tlsext_host_name(connection.tls->native_handle(), endpoint.host.c_str());
  }
  connection.tls->set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
}

asio::awaitable<Result<std::unique_ptr<HttpClient::Connection>>> HttpClient::Connect(
    const Endpoint& endpoint, Clock::time_point deadline) {
  using Out = Result<std::unique_ptr<Connection>>;
  auto resolver = std::make_shared<tcp::resolver>(io_);
  asio::steady_timer timer(io_);
  timer.expires_at(deadline);
  timer.async_wait([resolver](const boost::system::error_code& ec) {
    if (!ec) resolver->cancel();  // resolution has no time limit of its own
  });
  const std::string port = std::to_string(endpoint.port);
  auto resolved = co_await resolver->async_resolve(endpoint.host, port, kUse);
  timer.cancel();
  if (std::get<0>(resolved)) {
    Out failed = Failure("resolve " + endpoint.host, std::get<0>(resolved));
    co_return failed;
  }
  Result<std::vector<tcp::endpoint>> allowed = Guard(std::get<1>(resolved));
  if (!allowed) {
    Out refused = std::move(allowed).error();
    co_return refused;
  }
  auto connection = std::make_unique<Connection>(io_);
  connection->plain->expires_at(deadline);
  auto connected = co_await connection->plain->async_connect(*allowed, kUse);
  if (std::get<0>(connected)) {
    Out failed = Failure("connect", std::get<0>(connected));
    co_return failed;
  }
  if (endpoint.tls) {
    PrepareTls(*connection, endpoint);
    auto handshake =
        co_await connection->tls->async_handshake(asio::ssl::stream_base::client, kUse);
    if (std::get<0>(handshake)) {
      Out failed = Failure("TLS", std::get<0>(handshake));
      co_return failed;
    }
  }
  Out out = std::move(connection);
  co_return out;
}

bhttp::request<bhttp::string_body> HttpClient::MakeMessage(const Endpoint& endpoint,
                                                           ClientRequest request) const {
  bhttp::request<bhttp::string_body> message{bhttp::string_to_verb(request.method), endpoint.target,
                                             11};
  for (const http::Header& h : request.headers) message.set(h.name, h.value);
  message.set(bhttp::field::host, endpoint.host_header);
  message.set(bhttp::field::user_agent, options_.user_agent);
  message.body() = std::move(request.body);
  message.prepare_payload();
  return message;
}

asio::awaitable<Result<ClientResponse>> HttpClient::Send(const Endpoint& endpoint,
                                                         ClientRequest request) {
  const auto deadline = Clock::now() + std::chrono::microseconds(options_.timeout.micros());
  const std::string origin = OriginOf(endpoint);
  bhttp::request<bhttp::string_body> message = MakeMessage(endpoint, std::move(request));
  std::unique_ptr<Connection> connection = TakeIdle(origin);
  bool reused = connection != nullptr;
  for (;;) {
    if (shut_down_) {
      Result<ClientResponse> stopped = Error::Internal("shutting down");
      co_return stopped;
    }
    if (!connection) {
      Result<std::unique_ptr<Connection>> connected = co_await Connect(endpoint, deadline);
      if (!connected) {
        Result<ClientResponse> failed = std::move(connected).error();
        co_return failed;
      }
      connection = std::move(connected).value();
    }
    connection->tcp().expires_at(deadline);
    busy_.insert(connection.get());
    ExchangeOutcome outcome;
    if (connection->tls) {
      outcome = co_await Exchange(*connection->tls, connection->buffer, message,
                                  options_.max_response_body_bytes);
    } else {
      outcome = co_await Exchange(*connection->plain, connection->buffer, message,
                                  options_.max_response_body_bytes);
    }
    busy_.erase(connection.get());
    if (!outcome.response.ok() && reused && !outcome.got_bytes && Clock::now() < deadline) {
      connection.reset();  // the server closed it while it sat idle: once more, on a new one
      reused = false;
      continue;
    }
    if (outcome.reusable) {
      connection->tcp().expires_never();
      PutIdle(origin, std::move(connection));
    }
    Result<ClientResponse> response = std::move(outcome.response);
    co_return response;
  }
}

std::string HttpClient::OriginOf(const Endpoint& endpoint) {
  return (endpoint.tls ? "https://" : "http://") + endpoint.host + ":" +
         std::to_string(endpoint.port);
}

}  // namespace sb::outbound
