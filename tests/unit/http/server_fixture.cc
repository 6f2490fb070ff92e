#include "server_fixture.h"

#include <utility>

namespace sb::http::testing {

Response JsonError(unsigned status, std::string_view message) {
  Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", "application/json"});
  response.body = R"({"error":{"code":")" + std::to_string(status) + R"(","message":")" +
                  std::string(message) + R"("}})";
  return response;
}

Handler EchoHandler() {
  return [](Request request, Responder respond) {
    Response response;
    response.headers.push_back({"Content-Type", "text/plain"});
    response.body = request.method + " " + request.target + "\n" + request.body;
    respond(std::move(response));
  };
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void ServerFixture::StartServer(ServerOptions options, Handler handler, int io_threads) {
  server_ = std::make_unique<Server>(io_, std::move(options), std::move(handler), JsonError);
  auto bound = server_->Start();
  ASSERT_TRUE(bound.ok()) << bound.error().message;
  address_ = *bound;
  for (int i = 0; i < io_threads; ++i) io_threads_.emplace_back([this] { io_.run(); });
}

void ServerFixture::StopServer() {
  if (!server_) return;
  server_->Stop();
  // io.run() returns by itself once the acceptor and every connection have closed.
  for (auto& thread : io_threads_) thread.join();
  io_threads_.clear();
  EXPECT_EQ(server_->connection_count(), 0u);
}

void ServerFixture::RunOnThread(std::function<void()> work) {
  std::lock_guard lock(workers_mutex_);
  workers_.emplace_back(std::move(work));
}

void ServerFixture::JoinWorkers() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(workers_mutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers) worker.join();
}

void ServerFixture::TearDown() {
  JoinWorkers();
  StopServer();
  server_.reset();
}

}  // namespace sb::http::testing
