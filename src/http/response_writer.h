// Serialization of responses to HTTP/1.1 wire form. The status line and headers are written into
// a caller-owned string (reused across requests, so steady state allocates nothing); the body is
// sent from the Response itself. Also the checks that keep an application's response from
// breaking the framing. Internal to the http module.
//
// Thread-safety: free functions; the Date cache is per thread.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"

namespace sb::http::detail {

struct Framing {
  bool head_request = false;  // send Content-Length but no body
  bool keep_alive = true;     // false writes "Connection: close"
  int request_version = 11;   // 10 with keep_alive writes "Connection: keep-alive"
  bool streaming = false;     // no Content-Length: the body ends when the connection closes
};

// True when the status is in 200..999 and every header is a token name with a CR/LF/NUL-free
// value.
bool IsWellFormed(const Response& response);
// True when the application's headers include "Connection: close".
bool AsksToClose(const Response& response);
// Whether the body goes on the wire (not for HEAD, 1xx, 204, 304).
bool SendsBody(unsigned status, const Framing& framing);
// Replaces `out` with the status line and headers, ending with the blank line.
void SerializeHead(const Response& response, const Framing& framing, std::string& out);
// The current time as an IMF-fixdate, formatted at most once a second per thread.
std::string_view CurrentHttpDate();

}  // namespace sb::http::detail
