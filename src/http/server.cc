#include "http/server.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/assert.h"
#include "http/server_core.h"
#include "http/session.h"

namespace sb::http {
namespace detail {
namespace {

using Tcp = boost::asio::ip::tcp;
using PlainSession = Session<Tcp::socket>;
using TlsSession = Session<boost::beast::ssl_stream<Tcp::socket>>;

// After an accept failure such as EMFILE, wait before retrying rather than spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);
// Connections past max_connections that may be open at once while being answered 503; beyond
// that, new connections are closed without an answer (the socket closes on leaving Admit).
constexpr std::size_t kMaxRejecting = 128;

}  // namespace

// Owns the acceptor; runs on its own strand. Shared with its pending operations so the Server
// may be destroyed while they complete.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& io, std::shared_ptr<ServerCore> core)
      : io_(io),
        core_(std::move(core)),
        strand_(boost::asio::make_strand(io)),
        acceptor_(strand_),
        retry_timer_(strand_) {}

  ServerCore& core() { return *core_; }

  Result<std::string> Bind();
  void Accept();
  void Stop();

 private:
  Result<Tcp::endpoint> ResolveEndpoint();
  void OnAccept(ErrorCode ec, Tcp::socket socket);
  void Admit(Tcp::socket socket);
  template <class Session>
  void StartSession(std::shared_ptr<Session> session, bool full);

  boost::asio::io_context& io_;
  const std::shared_ptr<ServerCore> core_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  Tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  bool stopped_ = false;  // on strand_
};

Result<Tcp::endpoint> Listener::ResolveEndpoint() {
  const ServerOptions& options = core_->options;
  ErrorCode ec;
  const auto address = boost::asio::ip::make_address(options.host, ec);
  if (!ec) return Tcp::endpoint(address, options.port);
  Tcp::resolver resolver(io_);
  const auto results =
      resolver.resolve(options.host, std::to_string(options.port), Tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return Error::InvalidArgument("cannot resolve listen host '" + options.host + "'", "host");
  }
  return results.begin()->endpoint();
}

Result<std::string> Listener::Bind() {
  auto endpoint = ResolveEndpoint();
  if (!endpoint) return std::move(endpoint).error();
  ErrorCode ec;
  acceptor_.open(endpoint->protocol(), ec);
  if (!ec) acceptor_.set_option(Tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(*endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (!ec) {
    const auto local = acceptor_.local_endpoint(ec);
    if (!ec) return FormatEndpoint(local);
  }
  return Error::Internal("cannot listen on " + FormatEndpoint(*endpoint) + ": " + ec.message());
}

void Listener::Accept() {
  // Each connection gets its own strand: safe with any number of io_context threads.
  acceptor_.async_accept(boost::asio::make_strand(io_),
                         [self = shared_from_this()](ErrorCode ec, Tcp::socket socket) {
                           self->OnAccept(ec, std::move(socket));
                         });
}

void Listener::OnAccept(ErrorCode ec, Tcp::socket socket) {
  if (stopped_ || ec == boost::asio::error::operation_aborted) return;
  if (!ec) {
    Admit(std::move(socket));
    return Accept();
  }
  if (ec == boost::asio::error::connection_aborted) return Accept();
  // Out of descriptors or buffers: pause, as accepting again at once would fail the same way.
  retry_timer_.expires_after(kAcceptRetryDelay);
  retry_timer_.async_wait([self = shared_from_this()](ErrorCode wait_ec) {
    if (!wait_ec && !self->stopped_) self->Accept();
  });
}

void Listener::Admit(Tcp::socket socket) {
  ErrorCode ignored;
  socket.set_option(Tcp::no_delay(true), ignored);
  const bool full = core_->registry.admitted() >= core_->options.max_connections;
  if (full && core_->registry.rejecting() >= kMaxRejecting) return;
  if (core_->tls) {
    StartSession(std::make_shared<TlsSession>(
                     boost::beast::ssl_stream<Tcp::socket>(std::move(socket), *core_->tls), core_),
                 full);
  } else {
    StartSession(std::make_shared<PlainSession>(std::move(socket), core_), full);
  }
}

template <class Session>
void Listener::StartSession(std::shared_ptr<Session> session, bool full) {
  // The session's strand has no work yet, so starting it from this strand races with nothing.
  if (full) {
    session->Reject();
  } else {
    session->Start();
  }
}

void Listener::Stop() {
  boost::asio::dispatch(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    ErrorCode ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
  core_->registry.CloseAll();
}

}  // namespace detail

Server::Server(boost::asio::io_context& io, ServerOptions options, Handler handler,
               ErrorResponseFactory errors)
    : listener_(std::make_shared<detail::Listener>(
          io, std::make_shared<detail::ServerCore>(std::move(options), std::move(handler),
                                                   std::move(errors)))) {
  const detail::ServerCore& core = listener_->core();
  SB_ASSERT_MSG(core.handler != nullptr, "Server needs a handler");
  SB_ASSERT_MSG(core.options.max_header_bytes > 0 &&
                    core.options.max_header_bytes <= std::numeric_limits<std::uint32_t>::max(),
                "max_header_bytes out of range");
}

Server::~Server() {
  try {
    Stop();
  } catch (...) {
    // Only allocation can fail here; a destructor must not throw, and the io_context's
    // destruction releases whatever Stop() did not reach.
  }
}

Result<std::string> Server::Start() {
  SB_ASSERT_MSG(!started_, "Server::Start called twice");
  started_ = true;
  detail::ServerCore& core = listener_->core();
  if (core.options.tls) {
    auto context = MakeServerTlsContext(*core.options.tls);
    if (!context) return std::move(context).error();
    core.tls = std::move(*context);
  }
  auto bound = listener_->Bind();
  if (bound) listener_->Accept();
  return bound;
}

void Server::Stop() { listener_->Stop(); }

std::size_t Server::connection_count() const { return listener_->core().registry.size(); }

}  // namespace sb::http
