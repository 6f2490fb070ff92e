#include "server/router_loop.h"

#include <chrono>
#include <string>

#include "base/log.h"

namespace sb::server {
namespace {

// Re-check at least this often, so a wall-clock jump cannot delay a timer for long.
constexpr auto kMaxTimerWait = std::chrono::seconds(60);

void LogEvents(const core::Effects& effects) {
  if (!LogEnabled(LogLevel::kDebug)) return;
  for (const core::Event& e : effects.events) {
    std::string line = std::string("event ") + core::EventTypeName(e.type);
    auto add = [&](const char* name, const std::string& value) {
      if (!value.empty()) line += std::string(" ") + name + "=" + value;
    };
    add("job", e.job_id);
    add("worker", e.worker_id);
    add("queue", e.queue_id);
    add("offer", e.offer_id);
    add("assignment", e.assignment_id);
    add("detail", e.detail);
    Log(LogLevel::kDebug, line);
  }
}

}  // namespace

RouterLoop::RouterLoop(boost::asio::io_context& io, core::EngineOptions options)
    : engine_(std::move(options)), service_(engine_), timer_(io) {}

Timestamp RouterLoop::Now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp::FromUnixMicros(
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
}

void RouterLoop::Handle(http::Request request, http::Responder respond) {
  core::Effects effects;
  const auto started = std::chrono::steady_clock::now();
  http::Response response = service_.Handle(request, Now(), effects);
  if (LogEnabled(LogLevel::kDebug)) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    Log(LogLevel::kDebug, request.method + " " + request.target + " -> " +
                              std::to_string(response.status) + " (" +
                              std::to_string(micros.count()) + " us)");
  }
  AfterCommand(effects);
  respond(std::move(response));
}

void RouterLoop::AfterCommand(core::Effects& effects) {
  LogEvents(effects);
  ArmTimer();
}

void RouterLoop::ArmTimer() {
  const std::optional<Timestamp> next = engine_.NextDeadline();
  if (!next || (armed_for_ && *armed_for_ == *next)) return;
  armed_for_ = next;
  const auto wait = std::chrono::microseconds(std::max<std::int64_t>(0, (*next - Now()).micros()));
  timer_.expires_after(std::min<std::chrono::steady_clock::duration>(wait, kMaxTimerWait));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled (re-armed or shutting down)
    OnTimer();
  });
}

void RouterLoop::OnTimer() {
  armed_for_.reset();
  core::Effects effects;
  engine_.AdvanceTo(Now(), effects);
  AfterCommand(effects);
}

}  // namespace sb::server
