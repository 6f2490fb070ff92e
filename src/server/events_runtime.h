// EventsRuntime: the events side of `switchboard serve` - the webhook dispatcher, the live
// stream and the subscriptions admin API - built from the flags over the store's events side.
//
// Requests it serves (after the front gate, like every request): /switchboard/... (the admin
// API, run on the events thread, so the engine's thread never waits for it) and GET /events
// (the live stream). RouterLoop calls Notify after every commit that appended events.
//
// Threading: Route and Notify run on the engine's thread; the rest at start-up and shutdown.
#pragma once

#include <memory>

#include "events/dispatcher.h"
#include "events/live_stream.h"
#include "http/message.h"
#include "server/serve.h"
#include "store/store.h"

namespace sb::server {

class EventsRuntime {
 public:
  static Result<std::unique_ptr<EventsRuntime>> Create(store::Store& store,
                                                       const ServeConfig& config);
  ~EventsRuntime();

  // Starts delivery and applies the --subscriptions file.
  Status Start(const ServeConfig& config);
  // Closes the live streams, finishes delivery bookkeeping, joins the events thread.
  void Stop();

  void Notify() { dispatcher_->Notify(); }
  // True when the request was for /switchboard/... or /events (and is answered).
  bool Route(http::Request& request, http::Responder& respond);

 private:
  EventsRuntime() = default;

  std::unique_ptr<events::Dispatcher> dispatcher_;
  std::unique_ptr<events::LiveStreams> live_;
  bool stopped_ = false;
};

// The dispatcher's options from the flags; usage errors name the flag.
Result<events::DispatcherOptions> DispatcherOptionsFrom(const ServeConfig& config);

}  // namespace sb::server
