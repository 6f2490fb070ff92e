// A minimal leveled logger writing lines to stderr: "2024-01-31T12:00:00.123456Z info message".
// The level is set once at start-up; Log is safe to call from any thread (one write per line).
#pragma once

#include <optional>
#include <string_view>

namespace sb {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view message);
std::optional<LogLevel> ParseLogLevel(std::string_view name);

}  // namespace sb
