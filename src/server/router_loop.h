// RouterLoop: the engine, the REST service over it, and the timer that fires the engine's
// timers on time. It reads the real clock - the one place that does - and hands the time to the
// engine. Lives on the io_context thread; not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/service.h"
#include "core/engine.h"
#include "http/message.h"

namespace sb::server {

class RouterLoop {
 public:
  RouterLoop(boost::asio::io_context& io, core::EngineOptions options);

  // The HTTP transport's handler: answers synchronously.
  void Handle(http::Request request, http::Responder respond);

 private:
  static Timestamp Now();
  void AfterCommand(core::Effects& effects);
  void ArmTimer();
  void OnTimer();

  core::Engine engine_;
  api::Service service_;
  boost::asio::steady_timer timer_;
  std::optional<Timestamp> armed_for_;
};

}  // namespace sb::server
