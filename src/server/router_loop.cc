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

RouterLoop::RouterLoop(boost::asio::io_context& io, core::EngineOptions options,
                       store::Store* store, api::ServiceOptions service_options)
    : engine_(std::move(options)),
      service_(engine_, service_options),
      store_(store),
      committer_(store && store->durable() ? std::make_unique<Committer>(*store, io) : nullptr),
      timer_(io) {}

Status RouterLoop::Load() {
  if (!store_) return Ok{};
  auto meta = store_->LoadEngineMeta();
  if (!meta) return std::move(meta).error();
  std::vector<core::StateRecord> records;
  SB_TRY(store_->LoadRecords([&](const store::Record& r) -> Status {
    if (r.kind < 0 || r.kind > static_cast<int>(core::EntityKind::kWorker)) {
      return Error::Internal("store: a record of unknown kind " + std::to_string(r.kind));
    }
    records.push_back({static_cast<core::EntityKind>(r.kind), r.id, r.data});
    return Ok{};
  }));
  if (!*meta) {
    if (!records.empty()) return Error::Internal("store: records without the engine's meta record");
    return Ok{};
  }
  SB_TRY(engine_.Restore(std::move(records), **meta));
  core::Effects effects;
  engine_.ResumeRuleCalls(Now(), effects);
  AfterCommand(effects, nullptr);
  return Ok{};
}

void RouterLoop::Shutdown() {
  shut_down_ = true;
  timer_.cancel();
  committer_.reset();
}

Timestamp RouterLoop::Now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp::FromUnixMicros(
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
}

void RouterLoop::Handle(http::Request request, http::Responder respond) {
  if (gate_) {
    if (std::optional<http::Response> refused = gate_(request, Now())) {
      respond(std::move(*refused));
      return;
    }
  }
  if (extra_routes_ && extra_routes_(request, respond)) return;
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
  AfterCommand(effects, [respond = std::move(respond), response = std::move(response)]() mutable {
    respond(std::move(response));
  });
}

store::Batch RouterLoop::MakeBatch(const core::Effects& effects) {
  store::Batch batch;
  for (const core::Event& event : effects.events) {
    batch.events.push_back(events::ToOutboxEntry(event, event_ids_));
  }
  // A store that forgets on exit would only hold a second copy of the engine's state.
  if (effects.changes.empty() || !store_ || !store_->durable()) return batch;
  for (core::StateRecord& r : engine_.ExportChanges(effects.changes)) {
    batch.records.push_back({static_cast<int>(r.kind), std::move(r.id), std::move(r.data)});
  }
  batch.engine_meta = engine_.ExportMeta();
  return batch;
}

void RouterLoop::AnswerRuleCall(const std::string& call_id, Result<core::RuleAnswer> answer) {
  if (shut_down_) return;
  core::Effects effects;
  if (Status done = engine_.CompleteRuleCall(call_id, std::move(answer), Now(), effects); !done) {
    Log(LogLevel::kError, "rules: " + done.error().message);
  }
  AfterCommand(effects, nullptr);
}

void RouterLoop::AfterCommand(core::Effects& effects, std::function<void()> done) {
  LogEvents(effects);
  ArmTimer();
  if (rule_calls_) {
    for (core::RuleCall& call : effects.rule_calls) rule_calls_(std::move(call));
  }
  store::Batch batch = MakeBatch(effects);
  if (!batch.events.empty() && events_committed_) {
    done = [notify = events_committed_, then = std::move(done)] {
      notify();
      if (then) then();
    };
  }
  if (committer_) {
    if (batch.empty()) {
      committer_->AfterPending(std::move(done));
    } else {
      committer_->Submit(std::move(batch), std::move(done));
    }
    return;
  }
  if (store_ && !batch.empty()) {
    if (Status committed = store_->Commit(batch); !committed) {
      Log(LogLevel::kError, committed.error().message);
      std::abort();
    }
  }
  if (done) done();
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
  AfterCommand(effects, nullptr);
}

}  // namespace sb::server
