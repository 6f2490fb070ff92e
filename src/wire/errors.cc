#include "wire/errors.h"

#include "wire/json.h"

namespace sb::wire {
namespace {

std::string_view StatusCodeName(unsigned status) {
  switch (status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 408: return "RequestTimeout";
    case 409: return "Conflict";
    case 411: return "LengthRequired";
    case 412: return "PreconditionFailed";
    case 413: return "PayloadTooLarge";
    case 415: return "UnsupportedMediaType";
    case 429: return "TooManyRequests";
    case 431: return "RequestHeaderFieldsTooLarge";
    case 503: return "ServiceUnavailable";
    default: return status >= 500 ? "InternalServerError" : "BadRequest";
  }
}

http::Response Build(unsigned status, std::string_view code, std::string_view message,
                     std::string_view target) {
  json::object error{{"code", code}, {"message", message}};
  if (!target.empty()) error["target"] = target;
  http::Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  response.headers.push_back({"x-ms-error-code", std::string(code)});
  response.body = Serialize(json::object{{"error", std::move(error)}});
  return response;
}

}  // namespace

unsigned HttpStatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kPreconditionFailed: return 412;
    case ErrorCode::kLimitExceeded: return 429;
    case ErrorCode::kUnsupportedMediaType: return 415;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

http::Response ErrorResponse(const Error& error) {
  const unsigned status = HttpStatusOf(error.code);
  return Build(status, StatusCodeName(status), error.message, error.target);
}

http::Response ErrorResponse(unsigned status, std::string_view message) {
  return Build(status, StatusCodeName(status), message, {});
}

}  // namespace sb::wire
