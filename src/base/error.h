// Expected failures as values. Every module boundary returns Result<T>: either a value or an
// Error carrying one of a closed set of codes. The api module maps codes to HTTP statuses in one
// place; nothing below it knows about HTTP. Exceptions from libraries are caught at the edge
// that calls the library and turned into an Error.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace sb {

enum class ErrorCode {
  kInvalidArgument,     // the request is malformed or violates the contract (400)
  kNotFound,            // the addressed entity does not exist (404)
  kConflict,            // the entity's current state forbids the action (409)
  kPreconditionFailed,  // If-Match / If-Unmodified-Since did not hold (412)
  kLimitExceeded,       // a store-wide quota (jobs, workers, ...) is full (429)
  kUnsupportedMediaType,  // the body's Content-Type is not one the operation reads (415)
  kUnauthorized,        // authentication failed (401)
  kInternal,            // a bug or an unexpected library failure (500)
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string target;  // the field or parameter at fault, when there is one

  static Error InvalidArgument(std::string message, std::string target = {});
  static Error NotFound(std::string message, std::string target = {});
  static Error Conflict(std::string message, std::string target = {});
  static Error PreconditionFailed(std::string message);
  static Error LimitExceeded(std::string message, std::string target = {});
  static Error Internal(std::string message);
};

// A value or an Error. [[nodiscard]] so an ignored failure is a compile warning (an error here).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : storage_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return storage_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { SB_ASSERT(ok()); return std::get<0>(storage_); }
  T& value() & { SB_ASSERT(ok()); return std::get<0>(storage_); }
  T&& value() && { SB_ASSERT(ok()); return std::get<0>(std::move(storage_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const& { SB_ASSERT(!ok()); return std::get<1>(storage_); }
  Error&& error() && { SB_ASSERT(!ok()); return std::get<1>(std::move(storage_)); }

 private:
  std::variant<T, Error> storage_;
};

struct Ok {};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Ok) {}  // NOLINT: implicit by design
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { SB_ASSERT(!ok_); return error_; }
  Error&& error() && { SB_ASSERT(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace sb

// Returns the error of a failed Result from the enclosing function.
#define SB_TRY(expression)                              \
  do {                                                  \
    if (auto sb_try_status_ = (expression); !sb_try_status_) \
      return std::move(sb_try_status_).error();         \
  } while (false)
