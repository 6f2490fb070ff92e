#include "outbound/rule_caller.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "base/log.h"
#include "outbound/rule_payload.h"

namespace sb::outbound {
namespace {

constexpr auto kTokenRefreshMargin = std::chrono::seconds(60);

Error Failed(std::string what) { return Error::Internal(std::move(what)); }

// A reply that counts, or why it does not. Names the status, never the URL (it may hold a key).
Status Accepted(const ClientResponse& response, std::string_view who) {
  if (response.status < 200 || response.status > 299) {
    return Failed(std::string(who) + " answered HTTP " + std::to_string(response.status));
  }
  if (response.body_truncated) {
    return Failed(std::string(who) + " answered more than " +
                  std::to_string(kMaxRuleAnswerBytes) + " bytes");
  }
  return Ok{};
}

ClientRequest JsonPost(std::string body) {
  ClientRequest request;
  request.headers.push_back({"Content-Type", "application/json"});
  request.headers.push_back({"Accept", "application/json"});
  request.body = std::move(body);
  return request;
}

ClientRequest FunctionRequest(const core::FunctionRule& rule, std::string body) {
  ClientRequest request = JsonPost(std::move(body));
  if (const auto& c = rule.credential) {
    if (const auto& key = c->function_key ? c->function_key : c->app_key) {
      request.headers.push_back({"x-functions-key", *key});
    }
    if (c->client_id) request.headers.push_back({"x-functions-clientid", *c->client_id});
  }
  return request;
}

ClientRequest TokenRequest(const core::WebhookRule& rule) {
  ClientRequest request;
  request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  request.headers.push_back({"Accept", "application/json"});
  request.body =
      TokenRequestBody(rule.client_credential.value_or(core::OAuth2WebhookClientCredential{}));
  return request;
}

// The answer in a reply, or why there is none.
Result<core::RuleAnswer> ReadAnswer(const core::RuleCall& call, const std::string& who,
                                    Result<ClientResponse> response) {
  if (!response) return Failed(who + ": " + response.error().message);
  SB_TRY(Accepted(*response, who));
  Result<core::RuleAnswer> answer = ParseRuleAnswer(call, response->body);
  if (!answer) return Failed(who + " " + answer.error().message);
  return answer;
}

std::string TokenKey(const core::WebhookRule& rule) {
  const auto& c = rule.client_credential;
  return rule.authorization_server_uri.value_or("") + '\n' +
         (c && c->client_id ? *c->client_id : "") + '\n' +
         (c && c->client_secret ? *c->client_secret : "");
}

}  // namespace

Result<std::unique_ptr<RuleCaller>> RuleCaller::Create(RuleCallerOptions options,
                                                       Answered answered) {
  options.client.max_response_body_bytes = kMaxRuleAnswerBytes;
  options.client.user_agent = "Switchboard-Rules/1.0";
  std::unique_ptr<RuleCaller> caller(new RuleCaller(std::move(options), std::move(answered)));
  auto client = HttpClient::Create(caller->io_, caller->options_.client);
  if (!client) return std::move(client).error();
  caller->client_ = std::move(*client);
  return caller;
}

RuleCaller::RuleCaller(RuleCallerOptions options, Answered answered)
    : options_(std::move(options)), answered_(std::move(answered)) {}

RuleCaller::~RuleCaller() { Stop(); }

void RuleCaller::Start() {
  work_.emplace(io_.get_executor());
  thread_ = std::thread([this] { io_.run(); });
}

void RuleCaller::Stop() {
  if (!thread_.joinable()) return;
  boost::asio::post(io_, [this] {
    stopping_ = true;
    waiting_.clear();
    client_->Shutdown();
  });
  work_.reset();
  thread_.join();
}

void RuleCaller::Call(core::RuleCall call) {
  boost::asio::post(io_, [this, call = std::move(call)]() mutable {
    if (stopping_) return;
    waiting_.push_back(std::move(call));
    Pump();
  });
}

void RuleCaller::Pump() {
  while (!stopping_ && in_flight_ < options_.max_in_flight && !waiting_.empty()) {
    ++in_flight_;
    boost::asio::co_spawn(io_, Run(std::move(waiting_.front())), boost::asio::detached);
    waiting_.pop_front();
  }
}

boost::asio::awaitable<void> RuleCaller::Run(core::RuleCall call) {
  Result<core::RuleAnswer> answer = co_await Evaluate(call);
  --in_flight_;
  if (!stopping_) {
    if (!answer) Log(LogLevel::kWarn, "rules: job " + call.job_id + ": " + answer.error().message);
    answered_(call.call_id, std::move(answer));
  }
  Pump();
}

boost::asio::awaitable<Result<core::RuleAnswer>> RuleCaller::Evaluate(const core::RuleCall& call) {
  const std::string body = RuleCallBody(call);
  const auto* function = std::get_if<core::FunctionRule>(&call.rule);
  const auto* webhook = std::get_if<core::WebhookRule>(&call.rule);
  const std::string who = function ? "the function" : "the webhook";
  Result<ClientResponse> response = Failed("the rule needs no outbound call");
  if (function) {
    Result<Endpoint> endpoint = ParseEndpoint(function->function_uri);
    if (endpoint) {
      ClientRequest request = FunctionRequest(*function, body);
      response = co_await client_->Send(*endpoint, std::move(request));
    } else {
      response = Failed("functionUri is not a usable URL");
    }
  } else if (webhook) {
    response = co_await CallWebhook(*webhook, body);
  }
  Result<core::RuleAnswer> answer = ReadAnswer(call, who, std::move(response));
  co_return answer;
}

boost::asio::awaitable<Result<ClientResponse>> RuleCaller::CallWebhook(
    const core::WebhookRule& rule, const std::string& body) {
  Result<Endpoint> endpoint = ParseEndpoint(rule.webhook_uri.value_or(""));
  Result<ClientResponse> response = Failed("webhookUri is not a usable URL");
  const bool authorized = rule.authorization_server_uri.has_value();
  for (int attempt = 0; endpoint && attempt < 2; ++attempt) {
    ClientRequest request = JsonPost(body);
    if (authorized) {
      Result<std::string> token = co_await TokenFor(rule);
      if (!token) {
        response = std::move(token).error();
        break;
      }
      request.headers.push_back({"Authorization", "Bearer " + *token});
    }
    response = co_await client_->Send(*endpoint, std::move(request));
    if (!authorized || !response || response->status != 401) break;
    tokens_.erase(TokenKey(rule));  // revoked or expired early: once more with a new one
  }
  co_return response;
}

boost::asio::awaitable<Result<std::string>> RuleCaller::TokenFor(const core::WebhookRule& rule) {
  const std::string key = TokenKey(rule);
  Result<std::string> token = Failed("authorizationServerUri is not a usable URL");
  if (auto it = tokens_.find(key); it != tokens_.end() && Clock::now() < it->second.refresh_at) {
    token = it->second.value;
  } else if (Result<Endpoint> server = ParseEndpoint(rule.authorization_server_uri.value_or(""))) {
    ClientRequest request = TokenRequest(rule);
    Result<ClientResponse> response = co_await client_->Send(*server, std::move(request));
    token = ReadToken(std::move(response), key);
  }
  co_return token;
}

Result<std::string> RuleCaller::ReadToken(Result<ClientResponse> response, const std::string& key) {
  if (!response) return Failed("the authorization server: " + response.error().message);
  SB_TRY(Accepted(*response, "the authorization server"));
  Result<AccessToken> token = ParseTokenResponse(response->body);
  if (!token) return std::move(token).error();
  const auto lifetime = std::chrono::microseconds(token->lifetime.micros());
  if (lifetime > kTokenRefreshMargin) {
    tokens_[key] = Token{token->token, Clock::now() + lifetime - kTokenRefreshMargin};
  }
  return std::move(token->token);
}

}  // namespace sb::outbound
