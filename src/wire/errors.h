// The one place where error codes become HTTP statuses and Azure error bodies:
// {"error":{"code","message","target"?}} with the code also in the x-ms-error-code header -
// for the REST API and the server's own routes (/switchboard, /events) alike.
#pragma once

#include <string_view>

#include "base/error.h"
#include "http/message.h"

namespace sb::wire {

unsigned HttpStatusOf(ErrorCode code);
http::Response ErrorResponse(const Error& error);
// For errors with no ErrorCode of their own (405, 413, 415, 431, 408, 503 ...): the code is
// the status's name.
http::Response ErrorResponse(unsigned status, std::string_view message);

}  // namespace sb::wire
