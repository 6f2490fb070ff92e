// The transport's defences: body and header limits, slow and idle clients, the connection
// limit, malformed requests, and Expect: 100-continue. Every refusal is answered in the
// application's error shape and closes the connection.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "server_fixture.h"

namespace sb::http::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

class HttpServerLimitsTest : public ServerFixture {
 protected:
  // Starts an echo server with small limits and counts handler calls.
  void Start(ServerOptions options = SmallLimits()) {
    StartServer(std::move(options), [this](Request request, Responder respond) {
      ++handled_;
      EchoHandler()(std::move(request), std::move(respond));
    });
  }

  static ServerOptions SmallLimits() {
    ServerOptions options;
    options.max_body_bytes = 1024;
    options.max_header_bytes = 1024;
    return options;
  }

  // Expects `status` in the JSON error shape, then the server closing the connection.
  static void ExpectRefusal(TestClient& client, unsigned status) {
    auto response = client.Read();
    ASSERT_TRUE(response) << client.last_error().message();
    EXPECT_EQ(response->result_int(), status);
    EXPECT_EQ((*response)["Content-Type"], "application/json");
    EXPECT_NE(response->body().find("\"code\":\"" + std::to_string(status) + "\""),
              std::string::npos);
    EXPECT_EQ((*response)["Connection"], "close");
    EXPECT_TRUE(client.WaitClosed());
  }

  std::atomic<int> handled_{0};
};

TEST_F(HttpServerLimitsTest, BodyOverLimitByContentLengthIsRefusedBeforeTheBody) {
  Start();
  TestClient client(address());
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nContent-Length: 1025\r\n\r\n"));
  ExpectRefusal(client, 413);
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerLimitsTest, BodyAtTheLimitIsAccepted) {
  Start();
  TestClient client(address());
  auto response =
      RoundTrip(client, "POST / HTTP/1.1\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'b'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
}

TEST_F(HttpServerLimitsTest, ChunkedBodyGrowingOverLimitIsRefused) {
  Start();
  TestClient client(address());
  std::string request = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) request += "200\r\n" + std::string(512, 'c') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(client.Send(request));
  ExpectRefusal(client, 413);
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerLimitsTest, HugeHeaderIsRefused) {
  Start();
  TestClient client(address());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nX-Big: " + std::string(4000, 'h') + "\r\n\r\n"));
  ExpectRefusal(client, 431);
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerLimitsTest, SlowHeaderTimesOutWith408) {
  ServerOptions options = SmallLimits();
  options.header_timeout = Duration::Millis(200);
  Start(options);
  TestClient client(address());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: t\r\n"));
  for (char byte : std::string("X-A")) {  // trickling does not extend the deadline
    std::this_thread::sleep_for(40ms);
    ASSERT_TRUE(client.Send(std::string(1, byte)));
  }
  ExpectRefusal(client, 408);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 190ms);
}

TEST_F(HttpServerLimitsTest, FirstHeaderIsDueFromTheAccept) {
  ServerOptions options = SmallLimits();
  options.header_timeout = Duration::Millis(500);
  Start(options);
  const auto connected = std::chrono::steady_clock::now();
  TestClient client(address());
  // Silent first (well inside the limit, even on a loaded machine), then slow.
  std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\n"));
  ExpectRefusal(client, 408);
  // Counted from the first byte it would come at 700 ms.
  EXPECT_LT(std::chrono::steady_clock::now() - connected, 650ms);
}

TEST_F(HttpServerLimitsTest, SlowBodyTimesOutWith408) {
  ServerOptions options = SmallLimits();
  options.body_timeout = Duration::Millis(100);
  Start(options);
  TestClient client(address());
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"));
  ExpectRefusal(client, 408);
}

TEST_F(HttpServerLimitsTest, IdleKeepAliveConnectionIsClosedSilently) {
  ServerOptions options = SmallLimits();
  options.idle_timeout = Duration::Millis(150);
  Start(options);
  TestClient client(address());
  ASSERT_TRUE(RoundTrip(client, kGet));
  const auto idle_since = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_GE(std::chrono::steady_clock::now() - idle_since, 75ms);  // not at once
  EXPECT_TRUE(WaitUntil([&] { return server().connection_count() == 0; }));
}

TEST_F(HttpServerLimitsTest, SilentNewConnectionIsClosedAfterTheHeaderTimeout) {
  ServerOptions options = SmallLimits();
  options.header_timeout = Duration::Millis(100);
  Start(options);
  TestClient client(address());
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerLimitsTest, ConnectionsBeyondTheLimitGet503) {
  ServerOptions options = SmallLimits();
  options.max_connections = 2;
  Start(options);
  TestClient first(address());
  TestClient second(address());
  ASSERT_TRUE(RoundTrip(first, kGet));
  ASSERT_TRUE(RoundTrip(second, kGet));
  TestClient third(address());
  ASSERT_TRUE(third.Send(kGet));
  ExpectRefusal(third, 503);
  EXPECT_EQ(handled_, 2);
  EXPECT_EQ(server().connection_count(), 3u);  // the refused one lingers until it closes
  first.Close();
  third.Close();
  ASSERT_TRUE(WaitUntil([&] { return server().connection_count() == 1; }));
  TestClient fourth(address());
  auto response = RoundTrip(fourth, kGet);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
}

TEST_F(HttpServerLimitsTest, MalformedRequestLineGets400) {
  Start();
  TestClient client(address());
  ASSERT_TRUE(client.Send("NOT AN HTTP REQUEST\r\n\r\n"));
  ExpectRefusal(client, 400);
}

TEST_F(HttpServerLimitsTest, MalformedHeaderGets400) {
  Start();
  TestClient client(address());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nNo colon here\r\n\r\n"));
  ExpectRefusal(client, 400);
}

TEST_F(HttpServerLimitsTest, ConflictingFramingGets400) {
  Start();
  TestClient client(address());
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"));
  ExpectRefusal(client, 400);
}

TEST_F(HttpServerLimitsTest, ExpectContinueWhenTheBodyFits) {
  Start();
  TestClient client(address());
  ASSERT_TRUE(client.Send("PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  auto interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100u);
  auto final_response = RoundTrip(client, "data");
  ASSERT_TRUE(final_response);
  EXPECT_EQ(final_response->result_int(), 200u);
  EXPECT_EQ(final_response->body(), "PUT /x\ndata");
}

TEST_F(HttpServerLimitsTest, ExpectContinueOverTheLimitGets413AtOnce) {
  Start();
  TestClient client(address());
  ASSERT_TRUE(
      client.Send("PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n"));
  ExpectRefusal(client, 413);
}

}  // namespace
}  // namespace sb::http::testing
