// RuleCaller: performs the engine's RuleCall effects - function and webhook rules - on its own
// thread, so the engine's thread never waits for the network, and reports each outcome through
// the `answered` callback (on the caller's thread; the server posts it back to the engine).
//
// - function rules: POST the body to functionUri; the credential's functionKey (or appKey) goes
//   in `x-functions-key`, its clientId in `x-functions-clientid`, as Azure Functions read them.
// - webhook rules: a client-credentials token from authorizationServerUri (cached per server
//   and client until a minute before it expires), then POST to webhookUri with
//   `Authorization: Bearer` (without an authorizationServerUri, no token). A 401 from the
//   webhook drops the cached token and tries once more with a fresh one.
// Every call goes through the HttpClient: one deadline per call, no redirects, a bounded reply,
// internal addresses refused unless allowed. Only a 2xx reply counts; anything else, a
// timeout, or a reply that cannot be read is a failure whose message names what went wrong,
// never a key. At most `max_in_flight` calls run at once; the rest wait their turn.
//
// Threading: Call and Stop may be called from any thread; the rest runs on the caller's thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/rules.h"
#include "outbound/http_client.h"

namespace sb::outbound {

struct RuleCallerOptions {
  ClientOptions client;  // its timeout bounds each call (token request included)
  std::size_t max_in_flight = 64;
};

class RuleCaller {
 public:
  using Answered = std::function<void(std::string call_id, Result<core::RuleAnswer> answer)>;

  // Fails when the CA bundle cannot be read.
  static Result<std::unique_ptr<RuleCaller>> Create(RuleCallerOptions options, Answered answered);
  ~RuleCaller();
  RuleCaller(const RuleCaller&) = delete;
  RuleCaller& operator=(const RuleCaller&) = delete;

  void Start();
  // Ends the calls in flight (they are not answered) and joins the thread.
  void Stop();
  void Call(core::RuleCall call);

 private:
  using Clock = std::chrono::steady_clock;
  struct Token {
    std::string value;
    Clock::time_point refresh_at;
  };

  RuleCaller(RuleCallerOptions options, Answered answered);
  void Pump();
  boost::asio::awaitable<void> Run(core::RuleCall call);
  boost::asio::awaitable<Result<core::RuleAnswer>> Evaluate(const core::RuleCall& call);
  boost::asio::awaitable<Result<ClientResponse>> CallWebhook(const core::WebhookRule& rule,
                                                             const std::string& body);
  boost::asio::awaitable<Result<std::string>> TokenFor(const core::WebhookRule& rule);
  Result<std::string> ReadToken(Result<ClientResponse> response, const std::string& key);

  RuleCallerOptions options_;
  Answered answered_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<HttpClient> client_;
  std::thread thread_;
  std::deque<core::RuleCall> waiting_;
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  std::map<std::string, Token> tokens_;  // by server, client id and secret
};

}  // namespace sb::outbound
