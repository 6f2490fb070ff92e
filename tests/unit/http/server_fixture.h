// ServerFixture: runs a Server on an ephemeral loopback port with its io_context on a background
// thread, as the composition root would. Tests speak to it with TestClient. Threads a test
// starts to answer asynchronously are registered here and joined before the server stops.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "http/server.h"
#include "test_client.h"

namespace sb::http::testing {

// The application's error shape, as the composition root would supply it.
Response JsonError(unsigned status, std::string_view message);

// A handler that answers 200 with "<method> <target>\n<body>".
Handler EchoHandler();

// Polls `condition` every millisecond until it holds or `deadline` passes.
bool WaitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds deadline = std::chrono::milliseconds(5000));

class ServerFixture : public ::testing::Test {
 protected:
  void TearDown() override;

  // Starts the server with `io_threads` running the io_context; `address()` is then its
  // "ip:port".
  void StartServer(ServerOptions options, Handler handler, int io_threads = 1);
  void StopServer();
  // Runs `work` on a new thread, joined at teardown.
  void RunOnThread(std::function<void()> work);

  const std::string& address() const { return address_; }
  Server& server() { return *server_; }

 private:
  void JoinWorkers();

  boost::asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::vector<std::thread> io_threads_;
  std::string address_;
  std::mutex workers_mutex_;
  std::vector<std::thread> workers_;
};

}  // namespace sb::http::testing
