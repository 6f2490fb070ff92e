// The transport's normal paths: round trips, keep-alive, pipelining, HTTP/1.0, HEAD, and the
// Responder contract (asynchronous answers, abandoned or late Responders).
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server_fixture.h"

namespace sb::http::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kGet = "GET /jobs?x=%41 HTTP/1.1\r\nHost: t\r\n\r\n";

class HttpServerTest : public ServerFixture {};

TEST_F(HttpServerTest, GetRoundTripPassesTheRawRequest) {
  Request seen;
  StartServer({}, [&](Request request, Responder respond) {
    seen = std::move(request);
    respond(Response{201, {{"X-Reply", "yes"}}, "created"});
  });
  TestClient client(address());
  auto response = RoundTrip(client,
                            "PATCH /a%2Fb?q=1 HTTP/1.1\r\nHost: t\r\nX-Mixed-Case: v1\r\n"
                            "x-mixed-case: v2\r\n\r\n");
  ASSERT_TRUE(response) << client.last_error().message();
  EXPECT_EQ(response->result_int(), 201u);
  EXPECT_EQ(response->body(), "created");
  EXPECT_EQ((*response)["X-Reply"], "yes");
  EXPECT_EQ((*response)["Content-Length"], "7");
  EXPECT_EQ((*response)["Date"].size(), 29u);
  EXPECT_TRUE(response->keep_alive());
  EXPECT_EQ(seen.method, "PATCH");
  EXPECT_EQ(seen.target, "/a%2Fb?q=1");
  ASSERT_EQ(seen.headers.size(), 3u);
  EXPECT_EQ(seen.headers[1].name, "X-Mixed-Case");
  EXPECT_EQ(seen.header("X-MIXED-CASE"), "v1");
  EXPECT_TRUE(seen.has_header("host"));
  EXPECT_FALSE(seen.has_header("absent"));
  EXPECT_EQ(seen.remote_address.rfind("127.0.0.1:", 0), 0u);
}

TEST_F(HttpServerTest, PostBodyByContentLengthAndChunked) {
  StartServer({}, EchoHandler());
  TestClient client(address());
  auto by_length = RoundTrip(client, "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_TRUE(by_length);
  EXPECT_EQ(by_length->body(), "POST /p\nhello");
  auto chunked = RoundTrip(client,
                           "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "3\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n");
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->body(), "POST /c\nabcde");
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::atomic<int> calls{0};
  StartServer({}, [&](Request, Responder respond) {
    respond(Response{200, {}, std::to_string(++calls)});
  });
  TestClient client(address());
  for (int i = 1; i <= 5; ++i) {
    auto response = RoundTrip(client, kGet);
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->body(), std::to_string(i));
  }
  EXPECT_EQ(server().connection_count(), 1u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  // Each answer is slower than the next would be, so ordering comes from the server.
  StartServer({}, [&](Request request, Responder respond) {
    const int delay_ms = request.target == "/1" ? 30 : request.target == "/2" ? 10 : 0;
    RunOnThread([respond, delay_ms, target = request.target] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      respond(Response{200, {}, target});
    });
  });
  TestClient client(address());
  ASSERT_TRUE(client.Send("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"));
  for (const char* expected : {"/1", "/2", "/3"}) {
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body(), expected);
  }
}

TEST_F(HttpServerTest, AnswersFromAnotherThread) {
  StartServer({}, [&](Request request, Responder respond) {
    RunOnThread([respond, body = std::move(request.body)] {
      std::this_thread::sleep_for(5ms);
      respond(Response{202, {}, "later:" + body});
    });
  });
  TestClient client(address());
  auto response = RoundTrip(client, "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 202u);
  EXPECT_EQ(response->body(), "later:hi");
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer({}, EchoHandler());
  TestClient client(address());
  auto response = RoundTrip(client, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)["Connection"], "close");
  EXPECT_TRUE(client.WaitClosed());
  client.Close();  // ends the server's lingering close
  EXPECT_TRUE(WaitUntil([&] { return server().connection_count() == 0; }));
}

TEST_F(HttpServerTest, ApplicationConnectionCloseClosesAfterTheResponse) {
  StartServer({}, [](Request, Responder respond) {
    respond(Response{200, {{"Connection", "close"}, {"Content-Length", "99"}}, "bye"});
  });
  TestClient client(address());
  auto response = RoundTrip(client, kGet);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body(), "bye");
  EXPECT_EQ((*response)["Content-Length"], "3");
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerTest, Http10ClosesUnlessKeepAliveIsAsked) {
  StartServer({}, EchoHandler());
  TestClient keep(address());
  auto first = RoundTrip(keep, "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["Connection"], "keep-alive");
  ASSERT_TRUE(RoundTrip(keep, "GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  TestClient once(address());
  auto only = RoundTrip(once, "GET /c HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(only);
  EXPECT_EQ(only->body(), "GET /c\n");
  EXPECT_TRUE(once.WaitClosed());
}

TEST_F(HttpServerTest, HeadSendsTheLengthButNoBody) {
  StartServer({}, [](Request, Responder respond) { respond(Response{200, {}, "12345"}); });
  TestClient client(address());
  ASSERT_TRUE(client.Send("HEAD / HTTP/1.1\r\n\r\n"));
  auto head = client.ReadHeadAnswer();
  ASSERT_TRUE(head);
  EXPECT_EQ((*head)["Content-Length"], "5");
  // Had a body been sent, it would now be misread as the next response.
  auto get = RoundTrip(client, kGet);
  ASSERT_TRUE(get) << client.last_error().message();
  EXPECT_EQ(get->body(), "12345");
}

TEST_F(HttpServerTest, AbandonedResponderAnswers500) {
  StartServer({}, [](Request, Responder) {});
  TestClient client(address());
  auto response = RoundTrip(client, kGet);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500u);
  EXPECT_NE(response->body().find(R"("code":"500")"), std::string::npos);
  ASSERT_TRUE(RoundTrip(client, kGet));  // the connection stays usable
}

TEST_F(HttpServerTest, ThrowingHandlerAnswers500) {
  StartServer({}, [](Request, Responder) { throw std::runtime_error("bug"); });
  TestClient client(address());
  auto response = RoundTrip(client, kGet);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500u);
}

TEST_F(HttpServerTest, InvalidResponseHeaderIsReplacedBy500) {
  StartServer({}, [](Request, Responder respond) {
    respond(Response{200, {{"X-Injected", "a\r\nSet-Cookie: b"}}, "x"});
  });
  TestClient client(address());
  auto response = RoundTrip(client, kGet);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500u);
  EXPECT_EQ(response->count("Set-Cookie"), 0u);
}

TEST_F(HttpServerTest, ResponderAfterClientDisconnectIsHarmless) {
  std::promise<Responder> pending;
  StartServer({}, [&](Request, Responder respond) { pending.set_value(respond); });
  {
    TestClient client(address());
    ASSERT_TRUE(client.Send(kGet));
    auto future = pending.get_future();
    ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
    Responder respond = future.get();
    client.Close();
    std::this_thread::sleep_for(5ms);  // let the close reach the server's socket
    respond(Response{200, {}, std::string(std::size_t{64} * 1024, 'x')});
  }
  EXPECT_TRUE(WaitUntil([&] { return server().connection_count() == 0; }));
}

TEST_F(HttpServerTest, ResponderAfterStopIsDropped) {
  std::promise<Responder> pending;
  StartServer({}, [&](Request, Responder respond) { pending.set_value(respond); });
  TestClient client(address());
  ASSERT_TRUE(client.Send(kGet));
  auto future = pending.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  Responder respond = future.get();
  StopServer();
  respond(Response{200, {}, "too late"});
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerTest, ConnectionCountFollowsClients) {
  StartServer({}, EchoHandler());
  {
    TestClient a(address());
    TestClient b(address());
    ASSERT_TRUE(RoundTrip(a, kGet));
    ASSERT_TRUE(RoundTrip(b, kGet));
    EXPECT_EQ(server().connection_count(), 2u);
  }
  EXPECT_TRUE(WaitUntil([&] { return server().connection_count() == 0; }));
}

TEST_F(HttpServerTest, ServesConcurrentClientsWithSeveralIoThreads) {
  constexpr int kClients = 6;
  constexpr int kRequestsPerClient = 40;
  std::atomic<int> handled{0};
  StartServer(
      {},
      [&](Request request, Responder respond) {
        ++handled;
        if (request.target.back() % 2 == 0) return respond(Response{200, {}, request.target});
        RunOnThread([respond, target = request.target] { respond(Response{200, {}, target}); });
      },
      3);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      TestClient client(address());
      for (int i = 0; i < kRequestsPerClient; ++i) {
        const std::string target = "/" + std::to_string(c) + "/" + std::to_string(i);
        auto response = RoundTrip(client, "GET " + target + " HTTP/1.1\r\n\r\n");
        ASSERT_TRUE(response);
        EXPECT_EQ(response->body(), target);
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(handled, kClients * kRequestsPerClient);
}

TEST(HttpServerStartTest, ReportsAnUnusableAddress) {
  boost::asio::io_context io;
  ServerOptions options;
  options.host = "not a host name!";
  Server server(io, options, EchoHandler(), JsonError);
  auto bound = server.Start();
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sb::http::testing
