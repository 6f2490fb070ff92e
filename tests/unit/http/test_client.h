// TestClient: a blocking HTTP client over a raw TCP socket for the transport's tests. It sends
// bytes exactly as given (so tests can send malformed or partial requests) and parses responses
// with Beast. Every read has a deadline, so a server bug fails the test instead of hanging it.
//
// Thread-safety: none; one test thread uses it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace sb::http::testing {

using ClientResponse = boost::beast::http::response<boost::beast::http::string_body>;
inline constexpr std::chrono::milliseconds kReadDeadline{5000};

class TestClient {
 public:
  // `address` is "ip:port" as Server::Start returns it.
  explicit TestClient(std::string_view address);

  bool connected() const { return connected_; }
  // Writes all bytes; false when the connection is broken.
  bool Send(std::string_view bytes);
  // One response, or nullopt on error, end of stream or deadline (see last_error()).
  std::optional<ClientResponse> Read(std::chrono::milliseconds deadline = kReadDeadline);
  // The answer to a HEAD request: a header whose Content-Length announces no body.
  std::optional<ClientResponse> ReadHeadAnswer();
  // True when the server closes the connection (end of stream or reset) before the deadline
  // without sending anything further.
  bool WaitClosed(std::chrono::milliseconds deadline = kReadDeadline);
  void Close();

  const boost::system::error_code& last_error() const { return last_error_; }

 private:
  std::optional<ClientResponse> ReadWithParser(bool skip_body, std::chrono::milliseconds deadline);
  // Runs the client's io_context until the pending operation completes or the deadline passes;
  // false on deadline (the operation is then cancelled).
  bool RunUntilDone(const bool& done, std::chrono::milliseconds deadline);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  boost::system::error_code last_error_;
  bool connected_ = false;
};

// Send + Read.
std::optional<ClientResponse> RoundTrip(TestClient& client, std::string_view request);

}  // namespace sb::http::testing
