// Request header lookup, the Responder's one-shot contract, and response serialization.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "http/message.h"
#include "http/response_writer.h"

namespace sb::http {
namespace {

TEST(RequestTest, HeaderLookupIsCaseInsensitiveAndTakesTheFirst) {
  Request request;
  request.headers = {{"Content-Type", "a"}, {"content-type", "b"}, {"X-Empty", ""}};
  EXPECT_EQ(request.header("CONTENT-TYPE"), "a");
  EXPECT_TRUE(request.has_header("x-empty"));
  EXPECT_EQ(request.header("x-empty"), "");
  EXPECT_FALSE(request.has_header("Content-Typ"));
  EXPECT_EQ(request.header("absent"), "");
}

class RecordingSink : public ResponseSink {
 public:
  void Deliver(Response response) override { delivered.push_back(std::move(response)); }
  void Abandon() override { ++abandoned; }
  std::vector<Response> delivered;
  int abandoned = 0;
};

TEST(ResponderTest, CopiesShareOneInvocation) {
  auto sink = std::make_shared<RecordingSink>();
  {
    Responder respond(sink);
    Responder copy = respond;
    copy(Response{204, {}, ""});
  }
  ASSERT_EQ(sink->delivered.size(), 1u);
  EXPECT_EQ(sink->delivered[0].status, 204u);
  EXPECT_EQ(sink->abandoned, 0);
}

TEST(ResponderTest, DroppingTheLastCopyUninvokedAbandons) {
  auto sink = std::make_shared<RecordingSink>();
  { Responder respond(sink); }
  EXPECT_TRUE(sink->delivered.empty());
  EXPECT_EQ(sink->abandoned, 1);
}

TEST(ResponderDeathTest, InvokingTwiceAborts) {
  auto sink = std::make_shared<RecordingSink>();
  Responder respond(sink);
  respond(Response{});
  EXPECT_DEATH(respond(Response{}), "invoked twice");
}

TEST(ResponseWriterTest, SerializesStatusHeadersAndFraming) {
  Response response{404, {{"Content-Type", "application/json"}, {"Content-Length", "1"}}, "{}"};
  std::string head;
  detail::SerializeHead(response, {.head_request = false, .keep_alive = false}, head);
  EXPECT_EQ(head.rfind("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nDate: ", 0),
            0u);
  EXPECT_NE(head.find("\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length: 1"), std::string::npos);
}

TEST(ResponseWriterTest, KeepsTheApplicationsDateAndOmitsLengthOn204) {
  Response response{204, {{"Date", "Sun, 06 Nov 1994 08:49:37 GMT"}}, ""};
  std::string head;
  detail::SerializeHead(response, {.keep_alive = true, .request_version = 10}, head);
  EXPECT_EQ(head,
            "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Connection: keep-alive\r\n\r\n");
}

TEST(ResponseWriterTest, RejectsResponsesThatWouldBreakFraming) {
  EXPECT_TRUE(detail::IsWellFormed(Response{200, {{"X-A", "b c"}}, ""}));
  EXPECT_FALSE(detail::IsWellFormed(Response{200, {{"X-A", "b\nc"}}, ""}));
  EXPECT_FALSE(detail::IsWellFormed(Response{200, {{"Bad Name", "v"}}, ""}));
  EXPECT_FALSE(detail::IsWellFormed(Response{101, {}, ""}));
  EXPECT_FALSE(detail::IsWellFormed(Response{1000, {}, ""}));
}

TEST(ResponseWriterTest, DateIsAnImfFixdate) {
  const std::string_view date = detail::CurrentHttpDate();
  ASSERT_EQ(date.size(), 29u);
  EXPECT_EQ(date.substr(26), "GMT");
}

}  // namespace
}  // namespace sb::http
