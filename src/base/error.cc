#include "base/error.h"

namespace sb {

Error Error::InvalidArgument(std::string message, std::string target) {
  return {ErrorCode::kInvalidArgument, std::move(message), std::move(target)};
}
Error Error::NotFound(std::string message, std::string target) {
  return {ErrorCode::kNotFound, std::move(message), std::move(target)};
}
Error Error::Conflict(std::string message, std::string target) {
  return {ErrorCode::kConflict, std::move(message), std::move(target)};
}
Error Error::PreconditionFailed(std::string message) {
  return {ErrorCode::kPreconditionFailed, std::move(message), {}};
}
Error Error::LimitExceeded(std::string message, std::string target) {
  return {ErrorCode::kLimitExceeded, std::move(message), std::move(target)};
}
Error Error::Internal(std::string message) {
  return {ErrorCode::kInternal, std::move(message), {}};
}

}  // namespace sb
