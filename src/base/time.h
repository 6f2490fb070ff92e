// Time as the engine sees it: a UTC instant with microsecond resolution, handed in from outside.
// Nothing in base or core reads a clock; the server passes the real time, tests a simulated one.
// Also the two text forms the API uses: RFC 3339 (JSON bodies, query parameters) and the
// RFC 7231 IMF-fixdate (Last-Modified, If-Unmodified-Since).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb {

// Microseconds; the unit is in the name of every conversion.
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration Micros(std::int64_t us) { return Duration(us); }
  static constexpr Duration Millis(std::int64_t ms) { return Duration(ms * 1000); }
  static constexpr Duration Seconds(std::int64_t s) { return Duration(s * 1'000'000); }
  static constexpr Duration Minutes(std::int64_t m) { return Seconds(m * 60); }
  // Rounds to the nearest microsecond; callers validate the range first.
  static Duration FromSecondsDouble(double seconds);

  constexpr std::int64_t micros() const { return us_; }
  constexpr double seconds() const { return static_cast<double>(us_) / 1e6; }
  constexpr double minutes() const { return static_cast<double>(us_) / 60e6; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration other) const { return Duration(us_ + other.us_); }
  constexpr Duration operator-(Duration other) const { return Duration(us_ - other.us_); }

 private:
  constexpr explicit Duration(std::int64_t us) : us_(us) {}
  std::int64_t us_ = 0;
};

class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp FromUnixMicros(std::int64_t us) { return Timestamp(us); }
  static constexpr Timestamp FromUnixSeconds(std::int64_t s) { return Timestamp(s * 1'000'000); }

  constexpr std::int64_t unix_micros() const { return us_; }
  constexpr std::int64_t unix_seconds_floor() const {
    return us_ >= 0 ? us_ / 1'000'000 : -((-us_ + 999'999) / 1'000'000);
  }

  constexpr auto operator<=>(const Timestamp&) const = default;
  constexpr Timestamp operator+(Duration d) const { return Timestamp(us_ + d.micros()); }
  constexpr Timestamp operator-(Duration d) const { return Timestamp(us_ - d.micros()); }
  constexpr Duration operator-(Timestamp other) const { return Duration::Micros(us_ - other.us_); }

 private:
  constexpr explicit Timestamp(std::int64_t us) : us_(us) {}
  std::int64_t us_ = 0;
};

// Years 0001..9999 are representable in both text forms.
inline constexpr Timestamp kMinTimestamp = Timestamp::FromUnixSeconds(-62135596800);
inline constexpr Timestamp kMaxTimestamp = Timestamp::FromUnixSeconds(253402300799);

// "2023-10-26T18:04:47.0941718+00:00": the form the service writes (seven fraction digits).
std::string FormatRfc3339(Timestamp t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)"; 't', 'z' and ' ' as separator too.
// Fractions beyond microseconds are truncated.
std::optional<Timestamp> ParseRfc3339(std::string_view text);

// "Sun, 06 Nov 1994 08:49:37 GMT".
std::string FormatHttpDate(Timestamp t);
std::optional<Timestamp> ParseHttpDate(std::string_view text);

}  // namespace sb
