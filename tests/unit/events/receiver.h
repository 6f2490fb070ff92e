// Receiver: an in-process webhook endpoint for the dispatcher tests - the project's own HTTP
// server on an ephemeral loopback port, on its own thread. A policy decides each answer and may
// hold a request unanswered (the dispatcher then times out). Requests are recorded.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"

namespace sb::events::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<http::Header> headers;
  std::string body;
  std::string header(std::string_view name) const;
};

// nullopt: hold the request unanswered (until the receiver stops).
using Policy = std::function<std::optional<http::Response>(const ReceivedRequest&)>;

http::Response Answer(unsigned status, std::string body = {});

// Answers both validation handshakes as a well-behaved endpoint does and everything else with
// `deliveries`.
Policy WithHandshakes(Policy deliveries);
bool IsHandshake(const ReceivedRequest& request);
// The id of the (first) event in a delivery body, either schema.
std::string EventIdOf(const ReceivedRequest& request);

class Receiver {
 public:
  explicit Receiver(Policy policy, std::optional<http::TlsFiles> tls = std::nullopt);
  ~Receiver();

  std::string url(const std::string& path = "/hook") const;
  std::uint16_t port() const { return port_; }
  void set_policy(Policy policy);
  std::vector<ReceivedRequest> requests() const;
  std::vector<ReceivedRequest> deliveries() const;  // without handshakes

 private:
  void Handle(http::Request request, http::Responder respond);

  boost::asio::io_context io_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  bool tls_ = false;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  Policy policy_;
  std::vector<ReceivedRequest> requests_;
  std::vector<http::Responder> held_;
};

// Polls `condition` every few milliseconds until it holds or `deadline` passes.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds deadline = std::chrono::milliseconds(10'000));

}  // namespace sb::events::testing
