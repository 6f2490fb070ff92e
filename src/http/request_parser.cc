// GCC 12 reports a false -Wmaybe-uninitialized inside Beast's field parsing (a boost::optional
// in basic_parser::do_field) in sanitizer builds. The parsing code is instantiated only here,
// and the pragma precedes the include so that it covers Beast's header text.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "http/request_parser.h"

#include <limits>

#include "base/assert.h"

namespace sb::http::detail {
namespace {

// Most requests carry fewer headers; reserving once avoids the vector's growth steps.
constexpr std::size_t kExpectedHeaderCount = 12;

}  // namespace

RequestParser::RequestParser(std::size_t max_header_bytes, std::size_t max_body_bytes) {
  SB_ASSERT(max_header_bytes > 0 && max_header_bytes <= std::numeric_limits<std::uint32_t>::max());
  header_limit(static_cast<std::uint32_t>(max_header_bytes));
  body_limit(static_cast<std::uint64_t>(max_body_bytes));
}

std::size_t RequestParser::Parse(boost::asio::const_buffer bytes, boost::beast::error_code& ec) {
  return put(bytes, ec);
}

void RequestParser::on_request_impl(Verb, View method_text, View target, int version, ErrorCode&) {
  request_.method.assign(method_text.data(), method_text.size());
  request_.target.assign(target.data(), target.size());
  request_.headers.reserve(kExpectedHeaderCount);
  version_ = version;
}

void RequestParser::on_response_impl(int, View, int, ErrorCode& ec) {
  ec = boost::beast::http::error::bad_version;  // unreachable for a request parser
}

void RequestParser::on_field_impl(Field, View name, View value, ErrorCode&) {
  // Chunked trailers arrive here too; they are dropped rather than mixed into the header.
  if (is_header_done()) return;
  request_.headers.push_back(
      {std::string(name.data(), name.size()), std::string(value.data(), value.size())});
}

void RequestParser::on_header_impl(ErrorCode&) {}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      ErrorCode&) {
  // Beast has already refused a Content-Length over the body limit.
  if (content_length) request_.body.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(View body, ErrorCode&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, View, ErrorCode&) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, View body, ErrorCode&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(ErrorCode&) {}

}  // namespace sb::http::detail
