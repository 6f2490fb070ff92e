#include "base/time.h"

#include <array>
#include <cmath>
#include <cstdio>

namespace sb {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::array<const char*, 7> kWeekdays = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct Civil {
  std::int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
std::int64_t DaysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(m + (m > 2 ? -3 : 9));
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Civil CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return {y, m, d};
}

int DaysInMonth(std::int64_t y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

struct Split {
  Civil date;
  int hour, minute, second;
  std::int64_t micros;
  std::int64_t days;
};

Split SplitTimestamp(Timestamp t) {
  std::int64_t us = t.unix_micros();
  std::int64_t seconds = us / kMicrosPerSecond;
  std::int64_t micros = us % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --seconds;
  }
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t rest = seconds % kSecondsPerDay;
  if (rest < 0) {
    rest += kSecondsPerDay;
    --days;
  }
  return {CivilFromDays(days), static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
          static_cast<int>(rest % 60), micros, days};
}

// Reads exactly `count` digits at `pos`; advances pos.
bool ReadDigits(std::string_view s, std::size_t& pos, int count, int& out) {
  if (pos + static_cast<std::size_t>(count) > s.size()) return false;
  int value = 0;
  for (int i = 0; i < count; ++i) {
    const char c = s[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(count);
  out = value;
  return true;
}

bool Expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

std::optional<Timestamp> Compose(int year, int month, int day, int hour, int minute, int second,
                                 std::int64_t micros, std::int64_t offset_seconds) {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  if (second == 60) second = 59;  // a leap second is read as the second before it
  const std::int64_t seconds = DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 +
                               minute * 60 + second - offset_seconds;
  const Timestamp t = Timestamp::FromUnixMicros(seconds * kMicrosPerSecond + micros);
  if (t < kMinTimestamp || t > kMaxTimestamp) return std::nullopt;
  return t;
}

}  // namespace

Duration Duration::FromSecondsDouble(double seconds) {
  return Duration(static_cast<std::int64_t>(std::llround(seconds * 1e6)));
}

std::string FormatRfc3339(Timestamp t) {
  const Split s = SplitTimestamp(t);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02d-%02dT%02d:%02d:%02d.%06lld0+00:00",
                static_cast<long long>(s.date.year), s.date.month, s.date.day, s.hour, s.minute,
                s.second, static_cast<long long>(s.micros));
  return buffer;
}

std::optional<Timestamp> ParseRfc3339(std::string_view s) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(s, pos, 4, year) || !Expect(s, pos, '-') || !ReadDigits(s, pos, 2, month) ||
      !Expect(s, pos, '-') || !ReadDigits(s, pos, 2, day)) {
    return std::nullopt;
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!ReadDigits(s, pos, 2, hour) || !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, minute) ||
      !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, second)) {
    return std::nullopt;
  }
  std::int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  std::int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!ReadDigits(s, pos, 2, oh) || !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_seconds = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return Compose(year, month, day, hour, minute, second, micros, offset_seconds);
}

std::string FormatHttpDate(Timestamp t) {
  const Split s = SplitTimestamp(t);
  const std::int64_t weekday = ((s.days % 7) + 7) % 7;
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04lld %02d:%02d:%02d GMT",
                kWeekdays[static_cast<std::size_t>(weekday)], s.date.day,
                kMonths[static_cast<std::size_t>(s.date.month - 1)],
                static_cast<long long>(s.date.year), s.hour, s.minute, s.second);
  return buffer;
}

std::optional<Timestamp> ParseHttpDate(std::string_view s) {
  // IMF-fixdate only: "Sun, 06 Nov 1994 08:49:37 GMT". The weekday is not checked.
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s.substr(26) != "GMT") return std::nullopt;
  std::size_t pos = 5;
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(s, pos, 2, day) || !Expect(s, pos, ' ')) return std::nullopt;
  int month = 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (s.substr(pos, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
  }
  pos += 3;
  if (month == 0 || !Expect(s, pos, ' ') || !ReadDigits(s, pos, 4, year) ||
      !Expect(s, pos, ' ') || !ReadDigits(s, pos, 2, hour) || !Expect(s, pos, ':') ||
      !ReadDigits(s, pos, 2, minute) || !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, second)) {
    return std::nullopt;
  }
  return Compose(year, month, day, hour, minute, second, 0, 0);
}

}  // namespace sb
