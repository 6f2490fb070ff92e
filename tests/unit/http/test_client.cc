// GCC 12 reports a false -Wmaybe-uninitialized inside Beast's field parsing in sanitizer
// builds (see src/http/request_parser.cc); the pragma precedes the includes to cover Beast.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "test_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

namespace sb::http::testing {
namespace {

using Tcp = boost::asio::ip::tcp;

Tcp::endpoint ParseAddress(std::string_view address) {
  const std::size_t colon = address.rfind(':');
  const auto ip = boost::asio::ip::make_address(std::string(address.substr(0, colon)));
  const auto port = static_cast<unsigned short>(std::stoi(std::string(address.substr(colon + 1))));
  return {ip, port};
}

}  // namespace

TestClient::TestClient(std::string_view address) : socket_(io_) {
  socket_.connect(ParseAddress(address), last_error_);
  connected_ = !last_error_;
}

bool TestClient::Send(std::string_view bytes) {
  boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()), last_error_);
  return !last_error_;
}

bool TestClient::RunUntilDone(const bool& done, std::chrono::milliseconds deadline) {
  io_.restart();
  io_.run_for(deadline);
  if (done) return true;
  socket_.cancel();
  io_.restart();
  io_.run();
  last_error_ = boost::asio::error::timed_out;
  return false;
}

std::optional<ClientResponse> TestClient::ReadWithParser(bool skip_body,
                                                         std::chrono::milliseconds deadline) {
  boost::beast::http::response_parser<boost::beast::http::string_body> parser;
  parser.body_limit(boost::none);
  parser.skip(skip_body);
  bool done = false;
  boost::beast::http::async_read(socket_, buffer_, parser,
                                 [&](boost::system::error_code ec, std::size_t) {
                                   last_error_ = ec;
                                   done = true;
                                 });
  if (!RunUntilDone(done, deadline) || last_error_) return std::nullopt;
  return parser.release();
}

std::optional<ClientResponse> TestClient::Read(std::chrono::milliseconds deadline) {
  return ReadWithParser(false, deadline);
}

std::optional<ClientResponse> TestClient::ReadHeadAnswer() {
  return ReadWithParser(true, kReadDeadline);
}

bool TestClient::WaitClosed(std::chrono::milliseconds deadline) {
  if (buffer_.size() > 0) return false;
  char byte = 0;
  bool done = false;
  std::size_t received = 0;
  socket_.async_read_some(boost::asio::buffer(&byte, 1),
                          [&](boost::system::error_code ec, std::size_t n) {
                            last_error_ = ec;
                            received = n;
                            done = true;
                          });
  if (!RunUntilDone(done, deadline)) return false;
  return received == 0 && (last_error_ == boost::asio::error::eof ||
                           last_error_ == boost::asio::error::connection_reset);
}

void TestClient::Close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

std::optional<ClientResponse> RoundTrip(TestClient& client, std::string_view request) {
  if (!client.Send(request)) return std::nullopt;
  return client.Read();
}

}  // namespace sb::http::testing
