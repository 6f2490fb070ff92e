#include "http/response_writer.h"

#include <charconv>
#include <chrono>
#include <cstdint>

#include <boost/beast/http/status.hpp>

#include "base/time.h"

namespace sb::http::detail {
namespace {

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsFieldValue(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Framing headers belong to the transport.
bool IsTransportHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Connection") ||
         EqualsIgnoreCase(name, "Transfer-Encoding");
}

void AppendNumber(std::uint64_t value, std::string& out) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

void AppendHeader(std::string_view name, std::string_view value, std::string& out) {
  out.append(name).append(": ").append(value).append("\r\n");
}

void AppendStatusLine(unsigned status, std::string& out) {
  out.append("HTTP/1.1 ");
  AppendNumber(status, out);
  out.push_back(' ');
  const auto known = boost::beast::http::int_to_status(status);
  if (known != boost::beast::http::status::unknown) {
    out.append(boost::beast::http::obsolete_reason(known));
  }
  out.append("\r\n");
}

void AppendFramingHeaders(const Response& response, const Framing& framing, bool has_date,
                          std::string& out) {
  if (!has_date) AppendHeader("Date", CurrentHttpDate(), out);
  // RFC 7230 3.3.2: no Content-Length on 204, and on 304 only the 200's length, unknown here.
  if (response.status != 204 && response.status != 304 && !framing.streaming) {
    out.append("Content-Length: ");
    AppendNumber(response.body.size(), out);
    out.append("\r\n");
  }
  if (!framing.keep_alive) {
    out.append("Connection: close\r\n");
  } else if (framing.request_version < 11) {
    out.append("Connection: keep-alive\r\n");
  }
}

}  // namespace

bool IsWellFormed(const Response& response) {
  if (response.status < 200 || response.status > 999) return false;
  for (const Header& h : response.headers) {
    if (!IsToken(h.name) || !IsFieldValue(h.value)) return false;
  }
  return true;
}

bool AsksToClose(const Response& response) {
  for (const Header& h : response.headers) {
    if (EqualsIgnoreCase(h.name, "Connection") && EqualsIgnoreCase(h.value, "close")) return true;
  }
  return false;
}

bool SendsBody(unsigned status, const Framing& framing) {
  return !framing.head_request && status >= 200 && status != 204 && status != 304;
}

void SerializeHead(const Response& response, const Framing& framing, std::string& out) {
  out.clear();
  AppendStatusLine(response.status, out);
  bool has_date = false;
  for (const Header& h : response.headers) {
    if (IsTransportHeader(h.name)) continue;
    has_date = has_date || EqualsIgnoreCase(h.name, "Date");
    AppendHeader(h.name, h.value, out);
  }
  AppendFramingHeaders(response, framing, has_date, out);
  out.append("\r\n");
}

std::string_view CurrentHttpDate() {
  thread_local std::int64_t cached_second = -1;
  thread_local std::string cached_text;
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const std::int64_t second = std::chrono::floor<std::chrono::seconds>(since_epoch).count();
  if (second != cached_second) {
    cached_text = FormatHttpDate(Timestamp::FromUnixSeconds(second));
    cached_second = second;
  }
  return cached_text;
}

}  // namespace sb::http::detail
