// Session: one HTTP connection, from the first byte to the close. It reads one request at a
// time through a RequestParser, enforces the limits and deadlines, hands the request to the
// Handler, writes the response and then either reads the next request or closes gracefully.
// Internal to the http module.
//
// Templated on the stream: a plain tcp::socket, or a TLS boost::beast::ssl_stream over one. The
// session uses async_read_some, async_write, get_executor and the stream operations below; a TLS
// session first completes the handshake (within header_timeout of the accept, counted against
// the connection limit like any connection) and closes by sending close_notify and discarding
// what the client still sends until it closes too (async_shutdown), within the linger time.
//
// A streaming response (Response::stream) turns the session into a one-way pipe after its
// header: a SessionStreamWriter queues the application's data onto the strand, where it is
// written in order, each write within write_timeout; the queue is bounded (the writer refuses
// and closes past the response's backlog limit); a read stays pending so that the client's
// close (or anything it sends) ends the stream; closing the writer closes the connection once
// the queue is written.
//
// Thread-safety: every member runs on the stream's executor, a strand per connection, except
// PostClose, Deliver, Abandon and the Post* stream calls, which may be called from any thread
// and hop onto the strand.
// Ownership: pending operations and an outstanding Responder each hold a shared_ptr; the
// registry only a weak one.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "base/time.h"
#include "http/message.h"
#include "http/request_parser.h"
#include "http/response_writer.h"
#include "http/server_core.h"

namespace sb::http::detail {

inline constexpr std::size_t kReadChunkBytes = 16 * 1024;
// How long and how much a closing connection drains, so the client reads the final response
// instead of a reset caused by unread data.
inline constexpr Duration kLingerTimeout = Duration::Seconds(1);
inline constexpr std::size_t kLingerMaxBytes = 1024 * 1024;

using ErrorCode = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

// Clamped so that now + timeout cannot overflow the clock.
inline SteadyClock::duration ToSteady(Duration timeout) {
  constexpr std::int64_t kMaxMicros = std::int64_t{100} * 365 * 24 * 3600 * 1'000'000;
  return std::chrono::microseconds(std::clamp<std::int64_t>(timeout.micros(), 0, kMaxMicros));
}

template <class Stream>
inline constexpr bool kIsTls = false;
template <class Next>
inline constexpr bool kIsTls<boost::beast::ssl_stream<Next>> = true;

// Stream operations, on the TCP layer whatever the stream.
template <class Stream>
void CancelIo(Stream& stream) {
  ErrorCode ignored;
  boost::beast::get_lowest_layer(stream).cancel(ignored);
}
template <class Stream>
void ShutdownSend(Stream& stream) {
  ErrorCode ignored;
  boost::beast::get_lowest_layer(stream).shutdown(boost::asio::socket_base::shutdown_send, ignored);
}
template <class Stream>
void CloseStream(Stream& stream) {
  ErrorCode ignored;
  boost::beast::get_lowest_layer(stream).close(ignored);
}
template <class Stream>
std::string RemoteAddress(Stream& stream) {
  ErrorCode ec;
  const auto endpoint = boost::beast::get_lowest_layer(stream).remote_endpoint(ec);
  return ec ? std::string() : FormatEndpoint(endpoint);
}

template <class Stream>
class Session;

// The writer of one streaming response; see the StreamWriter contract in message.h.
template <class Stream>
class SessionStreamWriter final : public StreamWriter {
 public:
  SessionStreamWriter(std::weak_ptr<Session<Stream>> session, std::size_t backlog_limit)
      : session_(std::move(session)), backlog_limit_(backlog_limit) {}

  bool Write(std::string data) override;
  void Close() override;
  bool closed() const override { return closed_.load(std::memory_order_acquire); }
  std::size_t queued_bytes() const override {
    return queued_bytes_.load(std::memory_order_acquire);
  }

  // On the session's strand.
  void MarkClosed() { closed_.store(true, std::memory_order_release); }
  void Sent(std::size_t bytes) { queued_bytes_.fetch_sub(bytes, std::memory_order_acq_rel); }

 private:
  std::weak_ptr<Session<Stream>> session_;
  const std::size_t backlog_limit_;
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<bool> closed_{false};
};

template <class Stream>
class Session final : public Connection,
                      public ResponseSink,
                      public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, std::shared_ptr<ServerCore> core)
      : stream_(std::move(stream)),
        core_(std::move(core)),
        options_(core_->options),
        timer_(stream_.get_executor()),
        buffer_(options_.max_header_bytes + kReadChunkBytes) {}
  ~Session() override { core_->registry.Remove(this); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Serves requests. Called once, before any other operation on the session.
  void Start() {
    if (!Register(true)) return;
    remote_address_ = RemoteAddress(stream_);
    accepted_at_ = SteadyClock::now();
    Handshake([this] { BeginRequest(std::min(options_.idle_timeout, options_.header_timeout)); });
  }

  // Answers 503 without reading a request, then closes. Called instead of Start().
  void Reject() {
    if (!Register(false)) return;
    accepted_at_ = SteadyClock::now();
    Handshake([this] { Fail(503, "The server is at its connection limit"); });
  }

  void PostClose() override {
    boost::asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
  }

  void Deliver(Response response) override {
    boost::asio::dispatch(stream_.get_executor(),
                          [self = this->shared_from_this(), r = std::move(response)]() mutable {
                            self->Send(std::move(r));
                          });
  }

  void Abandon() override {
    boost::asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->Send(self->core_->ErrorResponse(500, "The request handler did not respond"));
    });
  }

  // From the stream writer, any thread.
  void PostStreamData(std::string data) {
    boost::asio::post(stream_.get_executor(),
                      [self = this->shared_from_this(), d = std::move(data)]() mutable {
                        self->QueueChunk(std::move(d));
                      });
  }
  void PostStreamEnd() {
    boost::asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->EndStream(); });
  }

 private:
  enum class Phase {
    kHandshake,
    kIdle,
    kHeader,
    kBody,
    kHandling,
    kWriting,
    kStreaming,
    kLingering,
    kClosed
  };

  bool Register(bool admitted) {
    if (core_->registry.Add(this, this->weak_from_this(), admitted)) return true;
    Close();  // the server is stopping
    return false;
  }

  // ---- TLS ----

  // Runs `next` once the stream is ready: at once for plain TCP; after the TLS handshake, which
  // must complete within header_timeout of the accept, for TLS. A failed handshake closes.
  template <class Next>
  void Handshake(Next next) {
    if constexpr (kIsTls<Stream>) {
      phase_ = Phase::kHandshake;
      SetDeadlineAt(accepted_at_ + ToSteady(options_.header_timeout));
      auto self = this->shared_from_this();
      stream_.async_handshake(Stream::server, [self, next](ErrorCode ec) {
        if (self->phase_ == Phase::kClosed) return;
        if (self->timed_out_ || ec) return self->Close();
        next();
      });
    } else {
      next();
    }
  }

  // ---- Reading a request ----

  void BeginRequest(Duration idle_timeout) {
    parser_.emplace(options_.max_header_bytes, options_.max_body_bytes);
    if (buffer_.size() > 0) {  // pipelined: the next request has already begun
      BeginHeader();
      ParseBuffered();
      return;
    }
    phase_ = Phase::kIdle;
    SetDeadline(idle_timeout);
    ReadMore();
  }

  // The first header is due header_timeout after the accept, however late its first byte, so a
  // silent client cannot double its allowance; later ones from their first byte.
  void BeginHeader() {
    phase_ = Phase::kHeader;
    const auto start = first_request_ ? accepted_at_ : SteadyClock::now();
    SetDeadlineAt(start + ToSteady(options_.header_timeout));
  }

  void ReadMore() {
    const std::size_t room = buffer_.max_size() - buffer_.size();
    // Only an incomplete header accumulates, and the parser refuses it before this.
    if (room == 0) return Fail(431, "Request header fields too large");
    stream_.async_read_some(
        buffer_.prepare(std::min(room, kReadChunkBytes)),
        [self = this->shared_from_this()](ErrorCode ec, std::size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(ErrorCode ec, std::size_t bytes) {
    if (phase_ == Phase::kClosed) return;
    if (timed_out_) return OnTimeout();
    if (ec) return Close();  // end of stream or reset: nobody left to answer
    buffer_.commit(bytes);
    if (phase_ == Phase::kIdle) BeginHeader();
    ParseBuffered();
  }

  void ParseBuffered() {
    while (buffer_.size() > 0) {
      ErrorCode ec;
      const std::size_t used = parser_->Parse(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == boost::beast::http::error::need_more) {
        if (used == 0) break;
        continue;
      }
      if (ec) return FailParse(ec);
      if (phase_ == Phase::kHeader && parser_->is_header_done() && !OnHeaderDone()) return;
      if (parser_->is_done()) return Dispatch();
    }
    ReadMore();
  }

  // False when reading pauses to send "100 Continue".
  bool OnHeaderDone() {
    phase_ = Phase::kBody;
    SetDeadline(options_.body_timeout);
    if (parser_->is_done() || !ExpectsContinue()) return true;
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    boost::asio::async_write(stream_, boost::asio::buffer(kContinue.data(), kContinue.size()),
                             [self = this->shared_from_this()](ErrorCode ec, std::size_t) {
                               self->OnContinueWritten(ec);
                             });
    return false;
  }

  bool ExpectsContinue() {
    return parser_->version() >= 11 &&
           EqualsIgnoreCase(parser_->request().header("Expect"), "100-continue");
  }

  void OnContinueWritten(ErrorCode ec) {
    if (phase_ == Phase::kClosed) return;
    if (timed_out_ || ec) return Close();
    ParseBuffered();
  }

  void FailParse(ErrorCode ec) {
    using HttpError = boost::beast::http::error;
    if (ec == HttpError::body_limit) return Fail(413, "Request body too large");
    if (ec == HttpError::header_limit) return Fail(431, "Request header fields too large");
    Fail(400, "Malformed HTTP request");
  }

  void OnTimeout() {
    if (phase_ == Phase::kHeader || phase_ == Phase::kBody) {
      return Fail(408, "The request did not arrive in time");
    }
    Close();
  }

  // ---- Handling and answering ----

  void Dispatch() {
    ClearDeadline();
    phase_ = Phase::kHandling;
    first_request_ = false;
    Request& request = parser_->request();
    framing_ = {EqualsIgnoreCase(request.method, "HEAD"), parser_->keep_alive(),
                parser_->version()};
    request.remote_address = remote_address_;
    Request owned = std::move(request);
    parser_.reset();
    try {
      // May respond inline (dispatch runs Send here); nothing below may touch the session.
      core_->handler(std::move(owned), Responder(this->shared_from_this()));
    } catch (...) {
      // The handler's Responder copies are gone unless it kept one: Abandon answers 500.
    }
  }

  void Send(Response response) {
    if (phase_ != Phase::kHandling) return;  // closed meanwhile: drop
    const bool bad_stream = response.stream && (response.status < 200 || response.status > 299);
    if (!IsWellFormed(response) || bad_stream) {
      response = core_->ErrorResponse(500, "The request handler produced an invalid response");
    }
    if (response.stream) {
      framing_.keep_alive = false;
      framing_.streaming = true;
      stream_start_ = std::move(response.stream);
      stream_backlog_ = response.stream_backlog_bytes;
      response.body.clear();
    }
    if (AsksToClose(response)) framing_.keep_alive = false;
    Write(std::move(response));
  }

  // Answers an error the transport found itself, then closes.
  void Fail(unsigned status, std::string_view message) {
    framing_ = {false, false, 11};
    Write(core_->ErrorResponse(status, message));
  }

  void Write(Response response) {
    phase_ = Phase::kWriting;
    response_ = std::move(response);
    SerializeHead(response_, framing_, head_);
    const bool with_body = SendsBody(response_.status, framing_);
    const std::array<boost::asio::const_buffer, 2> buffers = {
        boost::asio::buffer(head_),
        with_body ? boost::asio::buffer(response_.body) : boost::asio::const_buffer()};
    SetDeadline(options_.write_timeout);
    boost::asio::async_write(
        stream_, buffers,
        [self = this->shared_from_this()](ErrorCode ec, std::size_t) { self->OnWritten(ec); });
  }

  void OnWritten(ErrorCode ec) {
    if (phase_ == Phase::kClosed) return;
    if (timed_out_ || ec) return Close();
    response_ = Response();  // release the body now rather than at the next response
    if (stream_start_ && !framing_.head_request) return StartStreaming();
    if (!framing_.keep_alive) return Linger();
    BeginRequest(options_.idle_timeout);
  }

  // ---- Streaming ----

  void StartStreaming() {
    phase_ = Phase::kStreaming;
    ClearDeadline();
    writer_ = std::make_shared<SessionStreamWriter<Stream>>(this->weak_from_this(), stream_backlog_);
    StreamStart start = std::move(stream_start_);
    stream_start_ = nullptr;
    WatchClient();
    try {
      start(writer_);
    } catch (...) {
      Close();
    }
  }

  // A streaming client has nothing more to say: its end of stream, a reset or any bytes end it.
  void WatchClient() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = this->shared_from_this()](ErrorCode, std::size_t) {
                              if (self->phase_ == Phase::kStreaming) self->Close();
                            });
  }

  void QueueChunk(std::string data) {
    if (phase_ != Phase::kStreaming) return;
    stream_queue_.push_back(std::move(data));
    if (!stream_writing_) WriteChunk();
  }

  void WriteChunk() {
    stream_writing_ = true;
    SetDeadline(options_.write_timeout);
    boost::asio::async_write(stream_, boost::asio::buffer(stream_queue_.front()),
                             [self = this->shared_from_this()](ErrorCode ec, std::size_t) {
                               self->OnChunkWritten(ec);
                             });
  }

  void OnChunkWritten(ErrorCode ec) {
    if (phase_ != Phase::kStreaming) return;
    if (timed_out_ || ec) return Close();
    writer_->Sent(stream_queue_.front().size());
    stream_queue_.pop_front();
    stream_writing_ = false;
    if (!stream_queue_.empty()) return WriteChunk();
    ClearDeadline();
    if (stream_ending_) EndStream();
  }

  // The body ends with the connection, once the queue is written. (The client's pending read
  // rules out the draining close; the client is not sending, so a plain close loses nothing.)
  void EndStream() {
    if (phase_ != Phase::kStreaming) return;
    stream_ending_ = true;
    if (!stream_writing_) Close();
  }

  // ---- Closing ----

  // Half-closes, then discards what the client still sends until it closes too. For TLS,
  // async_shutdown does both: it sends close_notify, then reads (discarding application data)
  // until the client's close_notify or end of stream.
  void Linger() {
    phase_ = Phase::kLingering;
    SetDeadline(kLingerTimeout);
    if constexpr (kIsTls<Stream>) {
      stream_.async_shutdown([self = this->shared_from_this()](ErrorCode) { self->Close(); });
    } else {
      ShutdownSend(stream_);
      Drain();
    }
  }

  void Drain() {
    buffer_.clear();
    stream_.async_read_some(
        buffer_.prepare(kReadChunkBytes),
        [self = this->shared_from_this()](ErrorCode ec, std::size_t n) { self->OnDrained(ec, n); });
  }

  void OnDrained(ErrorCode ec, std::size_t bytes) {
    if (phase_ == Phase::kClosed) return;
    drained_bytes_ += bytes;
    if (ec || timed_out_ || drained_bytes_ > kLingerMaxBytes) return Close();
    Drain();
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    timer_.cancel();
    if (writer_) writer_->MarkClosed();
    stream_queue_.clear();
    CloseStream(stream_);
    core_->registry.Remove(this);
  }

  // ---- Deadlines ----
  // One timer serves all deadlines. Moving a deadline later does not touch the timer: when it
  // fires early it simply waits again, so a keep-alive request costs no timer operations.

  void SetDeadline(Duration timeout) { SetDeadlineAt(SteadyClock::now() + ToSteady(timeout)); }

  void SetDeadlineAt(SteadyClock::time_point deadline) {
    timed_out_ = false;
    deadline_ = deadline;
    if (!timer_waiting_ || deadline_ < timer_.expiry()) WaitForDeadline();
  }

  void ClearDeadline() {
    timed_out_ = false;
    deadline_ = SteadyClock::time_point::max();
  }

  void WaitForDeadline() {
    timer_waiting_ = true;
    timer_.expires_at(deadline_);  // aborts the wait this replaces
    timer_.async_wait([self = this->shared_from_this()](ErrorCode ec) { self->OnTimer(ec); });
  }

  void OnTimer(ErrorCode ec) {
    if (ec == boost::asio::error::operation_aborted) return;  // replaced or closed
    timer_waiting_ = false;
    if (phase_ == Phase::kClosed || deadline_ == SteadyClock::time_point::max()) return;
    if (SteadyClock::now() < deadline_) return WaitForDeadline();
    timed_out_ = true;
    CancelIo(stream_);  // the pending read or write completes and sees timed_out_
  }

  Stream stream_;
  const std::shared_ptr<ServerCore> core_;
  const ServerOptions& options_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;  // reused across requests
  std::optional<RequestParser> parser_;
  Response response_;  // the one being written
  std::string head_;   // its serialized head; keeps its capacity across responses
  std::string remote_address_;
  Framing framing_;
  Phase phase_ = Phase::kHandshake;
  SteadyClock::time_point accepted_at_;
  SteadyClock::time_point deadline_ = SteadyClock::time_point::max();
  bool first_request_ = true;
  bool timer_waiting_ = false;
  bool timed_out_ = false;
  std::size_t drained_bytes_ = 0;
  // Streaming.
  StreamStart stream_start_;
  std::size_t stream_backlog_ = 0;
  std::shared_ptr<SessionStreamWriter<Stream>> writer_;
  std::deque<std::string> stream_queue_;
  bool stream_writing_ = false;
  bool stream_ending_ = false;
};

template <class Stream>
bool SessionStreamWriter<Stream>::Write(std::string data) {
  if (closed()) return false;
  auto session = session_.lock();
  if (!session) {
    MarkClosed();
    return false;
  }
  const std::size_t size = data.size();
  if (queued_bytes_.fetch_add(size, std::memory_order_acq_rel) + size > backlog_limit_) {
    MarkClosed();
    session->PostClose();  // a slow reader: drop it rather than buffer without bound
    return false;
  }
  session->PostStreamData(std::move(data));
  return true;
}

template <class Stream>
void SessionStreamWriter<Stream>::Close() {
  if (closed_.exchange(true, std::memory_order_acq_rel)) return;
  if (auto session = session_.lock()) session->PostStreamEnd();
}

}  // namespace sb::http::detail
