// Streaming responses: the header without Content-Length, writes in order from any thread, the
// end of the stream when the writer closes, when the client goes, when a slow reader falls too
// far behind, and when the server stops.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <memory>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "server_fixture.h"

namespace sb::http::testing {
namespace {

using namespace std::chrono_literals;

// A raw blocking client that reads whatever arrives.
class RawClient {
 public:
  explicit RawClient(const std::string& address) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port =
        htons(static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    timeval timeout{0, 100'000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  ~RawClient() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  bool connected() const { return connected_; }
  void Send(std::string_view bytes) {
    ASSERT_EQ(send(fd_, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
  // Reads until `text` has arrived (true), the peer closes or the deadline passes (false).
  bool ReadUntil(std::string_view text, std::chrono::milliseconds deadline = 5000ms) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (received_.find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > end || !ReadSome()) return false;
    }
    return true;
  }
  // True when the peer closes before the deadline.
  bool WaitClosed(std::chrono::milliseconds deadline = 5000ms) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
      if (!ReadSome() && eof_) return true;
    }
    return false;
  }
  const std::string& received() const { return received_; }

 private:
  bool ReadSome() {
    char buffer[4096];
    const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      received_.append(buffer, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) eof_ = true;
    return !eof_;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string received_;
};

class HttpStreamTest : public ServerFixture {
 protected:
  // Starts a server whose every answer is a stream; the writers arrive in `writers_`.
  void StartStreaming(ServerOptions options = {}, std::size_t backlog = 1024 * 1024) {
    StartServer(std::move(options), [this, backlog](Request, Responder respond) {
      Response response;
      response.headers.push_back({"Content-Type", "text/event-stream"});
      response.body = "ignored";
      response.stream_backlog_bytes = backlog;
      response.stream = [this](std::shared_ptr<StreamWriter> writer) {
        std::lock_guard lock(mutex_);
        writers_.push_back(std::move(writer));
      };
      respond(std::move(response));
    });
  }
  std::shared_ptr<StreamWriter> WaitWriter(std::size_t index = 0) {
    EXPECT_TRUE(WaitUntil([&] {
      std::lock_guard lock(mutex_);
      return writers_.size() > index;
    }));
    std::lock_guard lock(mutex_);
    return writers_.size() > index ? writers_[index] : nullptr;
  }

  std::mutex mutex_;
  std::vector<std::shared_ptr<StreamWriter>> writers_;
};

TEST_F(HttpStreamTest, WritesArriveInOrderAndCloseEndsTheBody) {
  StartStreaming();
  RawClient client(address());
  ASSERT_TRUE(client.connected());
  client.Send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
  auto writer = WaitWriter();
  ASSERT_TRUE(writer);
  ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));
  const std::string head = client.received();
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  std::thread other([&] {
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(writer->Write("<" + std::to_string(i) + ">"));
  });
  other.join();
  ASSERT_TRUE(client.ReadUntil("<99>"));
  std::string expected;
  for (int i = 0; i < 100; ++i) expected += "<" + std::to_string(i) + ">";
  EXPECT_EQ(client.received().substr(head.size()), expected);
  writer->Write("last");
  writer->Close();
  EXPECT_FALSE(writer->Write("after"));
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(client.received().substr(client.received().size() - 4), "last");
  EXPECT_TRUE(writer->closed());
}

TEST_F(HttpStreamTest, TheClientLeavingClosesTheStream) {
  StartStreaming();
  RawClient client(address());
  client.Send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
  auto writer = WaitWriter();
  ASSERT_TRUE(writer);
  EXPECT_FALSE(writer->closed());
  client.Close();
  EXPECT_TRUE(WaitUntil([&] { return writer->closed(); }));
  EXPECT_FALSE(writer->Write("x"));
}

TEST_F(HttpStreamTest, ASlowReaderIsDropped) {
  StartStreaming({}, 64 * 1024);
  RawClient client(address());
  client.Send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
  auto writer = WaitWriter();
  ASSERT_TRUE(writer);
  const std::string chunk(64 * 1024, 'x');
  bool refused = false;
  for (int i = 0; i < 1024 && !refused; ++i) refused = !writer->Write(chunk);  // up to 64 MiB
  EXPECT_TRUE(refused);
  EXPECT_TRUE(WaitUntil([&] { return server().connection_count() == 0; }));
}

TEST_F(HttpStreamTest, StoppingTheServerClosesStreams) {
  StartStreaming();
  RawClient client(address());
  client.Send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
  auto writer = WaitWriter();
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->Write("hello"));
  ASSERT_TRUE(client.ReadUntil("hello"));
  StopServer();
  EXPECT_TRUE(writer->closed());
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpStreamTest, HeadGetsTheHeaderOnly) {
  StartStreaming();
  RawClient client(address());
  client.Send("HEAD /events HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));
  EXPECT_TRUE(client.WaitClosed());
  std::lock_guard lock(mutex_);
  EXPECT_TRUE(writers_.empty());
}

TEST_F(HttpStreamTest, AStreamMustBeASuccess) {
  StartServer({}, [](Request, Responder respond) {
    Response response;
    response.status = 404;
    response.stream = [](std::shared_ptr<StreamWriter>) { FAIL(); };
    respond(std::move(response));
  });
  TestClient client(address());
  auto response = RoundTrip(client, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500u);
}

}  // namespace
}  // namespace sb::http::testing
