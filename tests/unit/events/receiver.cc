#include "receiver.h"

#include <boost/json.hpp>

#include <stdexcept>

namespace sb::events::testing {

namespace json = boost::json;

std::string ReceivedRequest::header(std::string_view name) const {
  for (const http::Header& h : headers) {
    if (http::EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

http::Response Answer(unsigned status, std::string body) {
  http::Response response;
  response.status = status;
  if (!body.empty()) response.headers.push_back({"Content-Type", "application/json"});
  response.body = std::move(body);
  return response;
}

bool IsHandshake(const ReceivedRequest& request) {
  return request.method == "OPTIONS" ||
         request.header("aeg-event-type") == "SubscriptionValidation";
}

Policy WithHandshakes(Policy deliveries) {
  return [deliveries =
              std::move(deliveries)](const ReceivedRequest& r) -> std::optional<http::Response> {
    if (r.method == "OPTIONS") {
      http::Response response = Answer(200);
      response.headers.push_back({"WebHook-Allowed-Origin", r.header("WebHook-Request-Origin")});
      return response;
    }
    if (r.header("aeg-event-type") == "SubscriptionValidation") {
      const json::value body = json::parse(r.body);
      const json::value code = body.at(0).at("data").at("validationCode");
      return Answer(200, "{\"validationResponse\":" + json::serialize(code) + "}");
    }
    return deliveries(r);
  };
}

std::string EventIdOf(const ReceivedRequest& request) {
  const json::value body = json::parse(request.body);
  const json::value& event = body.is_array() ? body.at(0) : body;
  return std::string(event.at("id").as_string());
}

Receiver::Receiver(Policy policy, std::optional<http::TlsFiles> tls) : policy_(std::move(policy)) {
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.idle_timeout = Duration::Seconds(5);
  tls_ = tls.has_value();
  options.tls = std::move(tls);
  server_ = std::make_unique<http::Server>(
      io_, options,
      [this](http::Request request, http::Responder respond) {
        Handle(std::move(request), std::move(respond));
      },
      [](unsigned status, std::string_view message) {
        return Answer(status, std::string(message));
      });
  auto address = server_->Start();
  if (!address) throw std::runtime_error(address.error().message);
  port_ = static_cast<std::uint16_t>(std::stoi(address->substr(address->rfind(':') + 1)));
  thread_ = std::thread([this] { io_.run(); });
}

Receiver::~Receiver() {
  {
    std::lock_guard lock(mutex_);
    held_.clear();  // each answers 500 as it goes
  }
  server_->Stop();
  thread_.join();
  server_.reset();
}

std::string Receiver::url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

void Receiver::set_policy(Policy policy) {
  std::lock_guard lock(mutex_);
  policy_ = std::move(policy);
}

std::vector<ReceivedRequest> Receiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<ReceivedRequest> Receiver::deliveries() const {
  std::vector<ReceivedRequest> out;
  for (ReceivedRequest& r : requests()) {
    if (!IsHandshake(r)) out.push_back(std::move(r));
  }
  return out;
}

void Receiver::Handle(http::Request request, http::Responder respond) {
  ReceivedRequest received{request.method, request.target, request.headers, request.body};
  std::optional<http::Response> answer;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(received);
    answer = policy_(received);
    if (!answer) {
      held_.push_back(std::move(respond));
      return;
    }
  }
  respond(std::move(*answer));
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

}  // namespace sb::events::testing
