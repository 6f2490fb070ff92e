// RequestParser: Beast's HTTP/1 request parser writing straight into an sb::http::Request, so a
// request costs no intermediate field container. Beast does the parsing and validation (syntax,
// chunked coding, Content-Length, header and body limits); this class only stores what it gets.
// One parser per request (Beast parsers are not reusable): hold it in a std::optional.
//
// Thread-safety: none; owned by one connection.
#pragma once

#include <cstddef>
#include <cstdint>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/optional/optional.hpp>

#include "http/message.h"

namespace sb::http::detail {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  RequestParser(std::size_t max_header_bytes, std::size_t max_body_bytes);

  // Feeds bytes to the parser (basic_parser::put): returns how many it consumed. Use this, not
  // put(), so Beast's parsing code is instantiated only in request_parser.cc (see there).
  std::size_t Parse(boost::asio::const_buffer bytes, boost::beast::error_code& ec);

  Request& request() { return request_; }
  // 10 for HTTP/1.0, 11 for HTTP/1.1.
  int version() const { return version_; }

 private:
  using ErrorCode = boost::beast::error_code;
  using Verb = boost::beast::http::verb;
  using Field = boost::beast::http::field;
  // Beast's own view type (boost::core::string_view) in the overridden signatures.
  using View = boost::beast::string_view;

  void on_request_impl(Verb method, View method_text, View target, int version,
                       ErrorCode& ec) override;
  void on_response_impl(int status, View reason, int version, ErrorCode& ec) override;
  void on_field_impl(Field field, View name, View value, ErrorCode& ec) override;
  void on_header_impl(ErrorCode& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         ErrorCode& ec) override;
  std::size_t on_body_impl(View body, ErrorCode& ec) override;
  void on_chunk_header_impl(std::uint64_t size, View extensions, ErrorCode& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, View body, ErrorCode& ec) override;
  void on_finish_impl(ErrorCode& ec) override;

  Request request_;
  int version_ = 11;
};

}  // namespace sb::http::detail
