// RouterLoop: the engine, the REST service over it, the timer that fires the engine's timers on
// time, and the path of every change to the store. It reads the real clock - the one place that
// does - and hands the time to the engine. With a durable store, a response is released only
// once the change it reports is committed (reads wait for the writes before them). A store
// that is not durable gets the events only: entity records would be a second copy of the
// engine's state, never read back. The events
// a command raised enter the outbox in the same store batch as its changes - so no event goes
// out for a change that did not commit, and none is lost for one that did - and the events
// side is told once that batch is durable. Lives on the io_context thread; not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>

#include "api/service.h"
#include "core/engine.h"
#include "events/outbox_record.h"
#include "http/message.h"
#include "server/committer.h"
#include "store/store.h"

namespace sb::server {

class RouterLoop {
 public:
  // `store` may be null: then nothing is persisted and responses go out at once.
  RouterLoop(boost::asio::io_context& io, core::EngineOptions options, store::Store* store,
             api::ServiceOptions service_options = {});

  // Runs before the service on every request, with the time; a response it returns is sent
  // instead (the front gate: authentication and rate limits, see front_door.h).
  using Gate = std::function<std::optional<http::Response>(const http::Request&, Timestamp now)>;
  void SetGate(Gate gate) { gate_ = std::move(gate); }

  // Routes outside the REST service (/switchboard, /events), tried after the gate: true when
  // the route took the request (and its Responder).
  using ExtraRoutes = std::function<bool(http::Request&, http::Responder&)>;
  void SetExtraRoutes(ExtraRoutes routes) { extra_routes_ = std::move(routes); }
  // Called on this thread once a commit that appended events to the outbox is durable.
  void SetEventsCommitted(std::function<void()> notify) { events_committed_ = std::move(notify); }
  // Where the engine's outbound rule calls go (function and webhook rules); their answers come
  // back through AnswerRuleCall. Without it such calls are never answered.
  using RuleCalls = std::function<void(core::RuleCall call)>;
  void SetRuleCalls(RuleCalls send) { rule_calls_ = std::move(send); }
  // The outcome of a rule call, on this thread (dropped once shutting down: a restart asks
  // again).
  void AnswerRuleCall(const std::string& call_id, Result<core::RuleAnswer> answer);

  // Loads the stored state into the engine (a new store loads nothing), then asks again for the
  // rule calls that were in flight when it was saved.
  Status Load();

  // The HTTP transport's handler.
  void Handle(http::Request request, http::Responder respond);

  // Commits what is queued and stops the committer; call before the io_context goes.
  void Shutdown();

 private:
  static Timestamp Now();
  void AfterCommand(core::Effects& effects, std::function<void()> done);
  store::Batch MakeBatch(const core::Effects& effects);
  void ArmTimer();
  void OnTimer();

  core::Engine engine_;
  api::Service service_;
  store::Store* store_;
  std::unique_ptr<Committer> committer_;
  boost::asio::steady_timer timer_;
  std::optional<Timestamp> armed_for_;
  Gate gate_;
  ExtraRoutes extra_routes_;
  std::function<void()> events_committed_;
  RuleCalls rule_calls_;
  bool shut_down_ = false;
  events::EventIdSource event_ids_;
};

}  // namespace sb::server
