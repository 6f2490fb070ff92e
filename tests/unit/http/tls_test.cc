// HTTPS: the self-signed certificate set, the server context, and the transport over TLS -
// verified by a client that trusts only the generated CA, as the SDKs' clients would.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // see test_client.cc
#endif

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/tls.h"
#include "server_fixture.h"

namespace sb::http::testing {
namespace {

namespace fs = std::filesystem;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
using Tcp = boost::asio::ip::tcp;
using namespace std::chrono_literals;

const Timestamp kNow =
    Timestamp::FromUnixSeconds(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());

// A blocking-with-deadline HTTPS client: every operation runs the io_context for at most 5 s.
class TlsClient {
 public:
  TlsClient(const std::string& address, const std::string& ca_file, int max_version = 0)
      : context_(Context(ca_file, max_version)), stream_(io_, context_) {
    const std::size_t colon = address.rfind(':');
    const std::string host = address.substr(0, colon);
    stream_.set_verify_callback(ssl::host_name_verification(host));
    beast::get_lowest_layer(stream_).connect(
        {boost::asio::ip::make_address(host),
         static_cast<unsigned short>(std::stoi(address.substr(colon + 1)))},
        error_);
  }

  bool Handshake() {
    stream_.async_handshake(ssl::stream_base::client, [this](auto ec) { Done(ec); });
    return Run();
  }

  std::optional<ClientResponse> RoundTrip(const std::string& target, bool close = false) {
    beast::http::request<beast::http::string_body> request{beast::http::verb::get, target, 11};
    request.set(beast::http::field::host, "127.0.0.1");
    if (close) request.set(beast::http::field::connection, "close");
    beast::http::async_write(stream_, request, [this](auto ec, std::size_t) { Done(ec); });
    if (!Run()) return std::nullopt;
    ClientResponse response;
    beast::http::async_read(stream_, buffer_, response, [this](auto ec, std::size_t) { Done(ec); });
    if (!Run()) return std::nullopt;
    return response;
  }

  // Reads until the server ends the TLS session; true if it did so with close_notify.
  bool ServerSentCloseNotify() {
    char byte;
    stream_.async_read_some(boost::asio::buffer(&byte, 1),
                            [this](auto ec, std::size_t) { Done(ec); });
    Run();
    return error_ == boost::asio::ssl::error::stream_truncated ? false
                                                               : error_ == boost::asio::error::eof;
  }

  const boost::system::error_code& error() const { return error_; }

 private:
  // Configured before the stream exists: SSL_new copies the settings it has then.
  static ssl::context Context(const std::string& ca_file, int max_version) {
    ssl::context context(ssl::context::tls_client);
    context.set_verify_mode(ssl::verify_peer);
    context.load_verify_file(ca_file);
    if (max_version) SSL_CTX_set_max_proto_version(context.native_handle(), max_version);
    return context;
  }

  void Done(boost::system::error_code ec) {
    error_ = ec;
    done_ = true;
  }
  bool Run() {
    done_ = false;
    io_.restart();
    io_.run_for(5s);
    if (!done_) {
      beast::get_lowest_layer(stream_).close();
      io_.restart();
      io_.run();
      return false;
    }
    return !error_;
  }

  boost::asio::io_context io_;
  ssl::context context_;
  beast::ssl_stream<Tcp::socket> stream_;
  beast::flat_buffer buffer_;
  boost::system::error_code error_;
  bool done_ = false;
};

class TlsTest : public ServerFixture {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sb-tls-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto set = EnsureSelfSignedTls(dir_.string(), kNow);
    ASSERT_TRUE(set.ok()) << set.error().message;
    tls_ = *set;
  }
  void TearDown() override {
    ServerFixture::TearDown();
    fs::remove_all(dir_);
  }

  void StartTls(ServerOptions options = {}) {
    options.tls = tls_.files;
    StartServer(std::move(options), EchoHandler());
  }

  fs::path dir_;
  SelfSignedTls tls_;
};

TEST_F(TlsTest, SelfSignedSetIsCreatedOnceWithAPrivateKey) {
  EXPECT_TRUE(tls_.created);
  EXPECT_EQ(tls_.ca_certificate, (dir_ / "ca.pem").string());
  struct stat info {};
  ASSERT_EQ(::stat(tls_.files.private_key.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto again = EnsureSelfSignedTls(dir_.string(), kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  // Near the end of its validity (825 days), the set is made anew.
  auto renewed = EnsureSelfSignedTls(dir_.string(), kNow + Duration::Seconds(800LL * 86400));
  ASSERT_TRUE(renewed.ok());
  EXPECT_TRUE(renewed->created);
}

TEST_F(TlsTest, ServesHttpsToAClientTrustingTheGeneratedCa) {
  StartTls();
  TlsClient client(address(), tls_.ca_certificate);
  ASSERT_TRUE(client.Handshake()) << client.error().message();
  auto first = client.RoundTrip("/one");
  ASSERT_TRUE(first) << client.error().message();
  EXPECT_EQ(first->result_int(), 200);
  EXPECT_EQ(first->body(), "GET /one\n");
  auto second = client.RoundTrip("/two", /*close=*/true);  // keep-alive, then close
  ASSERT_TRUE(second) << client.error().message();
  EXPECT_EQ(second->body(), "GET /two\n");
  EXPECT_TRUE(client.ServerSentCloseNotify()) << client.error().message();
}

TEST_F(TlsTest, RefusesTlsBelow1_2) {
  StartTls();
  TlsClient client(address(), tls_.ca_certificate, TLS1_1_VERSION);
  EXPECT_FALSE(client.Handshake());
}

TEST_F(TlsTest, AClientThatDoesNotTrustTheCaFailsVerification) {
  StartTls();
  std::string other = (dir_ / "other").string();
  fs::create_directory(other);
  auto other_set = EnsureSelfSignedTls(other, kNow);
  ASSERT_TRUE(other_set.ok());
  TlsClient client(address(), other_set->ca_certificate);
  EXPECT_FALSE(client.Handshake());
}

TEST_F(TlsTest, AStalledHandshakeIsClosedAtTheHeaderDeadline) {
  ServerOptions options;
  options.header_timeout = Duration::Millis(200);
  StartTls(options);
  TestClient silent(address());
  ASSERT_TRUE(silent.connected());
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.WaitClosed(3000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2000ms);
  EXPECT_TRUE(WaitUntil([&] { return server().connection_count() == 0; }));
}

TEST_F(TlsTest, PlainHttpToTheTlsPortIsClosed) {
  StartTls();
  TestClient plain(address());
  ASSERT_TRUE(plain.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_FALSE(plain.Read(3000ms).has_value());
  EXPECT_TRUE(WaitUntil([&] { return server().connection_count() == 0; }));
}

TEST_F(TlsTest, BadFilesFailStartWithTheFileNamed) {
  boost::asio::io_context io;
  ServerOptions options;
  options.tls = TlsFiles{(dir_ / "missing.pem").string(), tls_.files.private_key};
  Server missing(io, options, EchoHandler(), JsonError);
  auto started = missing.Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("missing.pem"), std::string::npos);

  std::string other = (dir_ / "other").string();
  fs::create_directory(other);
  auto other_set = EnsureSelfSignedTls(other, kNow);
  ASSERT_TRUE(other_set.ok());
  options.tls = TlsFiles{tls_.files.certificate_chain, other_set->files.private_key};
  Server mismatched(io, options, EchoHandler(), JsonError);
  started = mismatched.Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("private key"), std::string::npos);
}

}  // namespace
}  // namespace sb::http::testing
