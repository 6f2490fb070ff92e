// The REST service in-process, without sockets: routing, api-version, read-only properties and
// preconditions.
#include "api/service.h"

#include <gtest/gtest.h>

#include "api/json.h"

namespace sb::api {
namespace {

const Timestamp kNow = Timestamp::FromUnixSeconds(1'700'000'000);
constexpr std::string_view kVersion = "?api-version=2023-11-01";

class ServiceTest : public ::testing::Test {
 protected:
  http::Response Call(std::string method, std::string path, std::string body = {},
                      std::vector<http::Header> headers = {}) {
    http::Request request;
    request.method = std::move(method);
    request.target = path.find('?') == std::string::npos ? path + std::string(kVersion) : path;
    request.body = std::move(body);
    request.headers = std::move(headers);
    if (!request.body.empty() && request.header("Content-Type").empty()) {
      request.headers.push_back({"Content-Type", "application/merge-patch+json"});
    }
    core::Effects effects;
    return service_.Handle(request, kNow, effects);
  }

  json::object Body(const http::Response& response) {
    return ParseJson(response.body)->as_object();
  }

  std::string Header(const http::Response& response, std::string_view name) {
    for (const auto& h : response.headers) {
      if (http::EqualsIgnoreCase(h.name, name)) return h.value;
    }
    return {};
  }

  void SetUpQueue() {
    ASSERT_EQ(Call("PATCH", "/routing/distributionPolicies/dp", R"({"mode":{"kind":"longestIdle"}})").status, 201u);
    ASSERT_EQ(Call("PATCH", "/routing/queues/q", R"({"distributionPolicyId":"dp"})").status, 201u);
  }

  core::Engine engine_{core::EngineOptions{}};
  Service service_{engine_};
};

TEST_F(ServiceTest, EveryOperationIsRouted) {
  SetUpQueue();
  struct Op {
    const char* method;
    const char* path;
  };
  const Op ops[] = {
      {"GET", "/routing/classificationPolicies"}, {"GET", "/routing/classificationPolicies/x"},
      {"DELETE", "/routing/classificationPolicies/x"}, {"GET", "/routing/distributionPolicies"},
      {"GET", "/routing/distributionPolicies/x"}, {"DELETE", "/routing/distributionPolicies/x"},
      {"GET", "/routing/exceptionPolicies"}, {"GET", "/routing/exceptionPolicies/x"},
      {"DELETE", "/routing/exceptionPolicies/x"}, {"GET", "/routing/queues"},
      {"GET", "/routing/queues/x"}, {"DELETE", "/routing/queues/x"},
      {"GET", "/routing/queues/x/statistics"}, {"GET", "/routing/jobs"}, {"GET", "/routing/jobs/x"},
      {"DELETE", "/routing/jobs/x"}, {"POST", "/routing/jobs/x:reclassify"},
      {"POST", "/routing/jobs/x:cancel"}, {"POST", "/routing/jobs/x/assignments/a:complete"},
      {"POST", "/routing/jobs/x/assignments/a:close"}, {"POST", "/routing/jobs/x/assignments/a:unassign"},
      {"GET", "/routing/jobs/x/position"}, {"GET", "/routing/workers"}, {"GET", "/routing/workers/x"},
      {"DELETE", "/routing/workers/x"}, {"POST", "/routing/workers/x/offers/o:accept"},
      {"POST", "/routing/workers/x/offers/o:decline"}};
  for (const Op& op : ops) {
    const http::Response r = Call(op.method, op.path);
    EXPECT_NE(r.status, 405u) << op.method << " " << op.path;
    EXPECT_TRUE(r.status == 200 || r.status == 204 || r.status == 404) << op.method << " " << op.path << " " << r.body;
    if (r.status == 404) {
      EXPECT_NE(Body(r).at("error").at("message"), "no resource at this path");
    }
  }
}

TEST_F(ServiceTest, UnknownPathsAndMethods) {
  EXPECT_EQ(Call("GET", "/routing/nothing").status, 404u);
  EXPECT_EQ(Call("GET", "/").status, 404u);
  const http::Response r = Call("PUT", "/routing/jobs/x");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(Header(r, "Allow"), "GET, PATCH, DELETE");
  EXPECT_EQ(Call("GET", "/routing/jobs/x:cancel").status, 405u);
}

TEST_F(ServiceTest, ApiVersionIsRequiredAndChecked) {
  EXPECT_EQ(Call("GET", "/routing/jobs?").status, 400u);
  EXPECT_EQ(Call("GET", "/routing/jobs?api-version=2022-07-18-preview").status, 400u);
  EXPECT_EQ(Call("GET", "/routing/jobs?api-version=2024-01-18-preview").status, 200u);
  EXPECT_EQ(Call("GET", "/routing/jobs?api-version=2023-11-01&api-version=2023-11-01").status, 200u);
  const http::Response twice = Call("GET", "/routing/jobs?api-version=2023-11-01&api-version=2024-01-18-preview");
  EXPECT_EQ(twice.status, 400u);
  EXPECT_EQ(Header(twice, "x-ms-error-code"), "BadRequest");
  EXPECT_EQ(Call("GET", "/healthz").status, 200u);
}

TEST_F(ServiceTest, ReadOnlyPropertiesMayBeEchoedButNotChanged) {
  SetUpQueue();
  const http::Response created = Call("PATCH", "/routing/jobs/j", R"({"channelId":"c","queueId":"q"})");
  ASSERT_EQ(created.status, 201u);
  // The whole body sent back (etag included) is an accepted no-op.
  const http::Response echoed = Call("PATCH", "/routing/jobs/j", created.body);
  EXPECT_EQ(echoed.status, 200u) << echoed.body;
  EXPECT_EQ(Header(echoed, "ETag"), Header(created, "ETag"));
  const http::Response status = Call("PATCH", "/routing/jobs/j", R"({"status":"closed"})");
  EXPECT_EQ(status.status, 400u);
  EXPECT_EQ(Body(status).at("error").at("target"), "status");
  EXPECT_EQ(Call("PATCH", "/routing/jobs/j", R"({"id":"other"})").status, 400u);
  EXPECT_EQ(Call("PATCH", "/routing/jobs/j", R"({"etag":"\"stale\"","priority":5})").status, 200u);
  EXPECT_EQ(Call("PATCH", "/routing/jobs/j", R"({"enqueuedAt":"2001-01-01T00:00:00Z"})").status, 400u);
}

TEST_F(ServiceTest, PreconditionsGuardUpserts) {
  SetUpQueue();
  const http::Response q = Call("GET", "/routing/queues/q");
  const std::string etag = Header(q, "ETag");
  EXPECT_EQ(Call("PATCH", "/routing/queues/q", R"({"name":"a"})", {{"If-Match", "\"nope\""}}).status, 412u);
  EXPECT_EQ(Call("PATCH", "/routing/queues/q", R"({"name":"a"})", {{"If-Match", etag}}).status, 200u);
  EXPECT_EQ(Call("PATCH", "/routing/queues/q", R"({"name":"b"})", {{"If-Match", etag}}).status, 412u);
  EXPECT_EQ(Call("PATCH", "/routing/queues/new", R"({"distributionPolicyId":"dp"})", {{"If-Match", "*"}}).status, 412u);
  EXPECT_EQ(Call("PATCH", "/routing/queues/q", R"({"name":"c"})",
                 {{"If-Unmodified-Since", "Sat, 01 Jan 2000 00:00:00 GMT"}}).status, 412u);
  EXPECT_EQ(Call("PATCH", "/routing/queues/q", R"({"name":"c"})",
                 {{"If-Unmodified-Since", FormatHttpDate(kNow)}}).status, 200u);
  EXPECT_EQ(Call("PATCH", "/routing/queues/q", R"({"name":"d"})", {{"If-None-Match", "*"}}).status, 412u);
}

TEST_F(ServiceTest, ListsPageWithNextLinks) {
  SetUpQueue();
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Call("PATCH", "/routing/queues/q" + std::to_string(i), R"({"distributionPolicyId":"dp"})").status, 201u);
  }
  std::vector<std::string> seen;
  std::string link = "/routing/queues?api-version=2023-11-01&maxpagesize=2";
  for (int page = 0; page < 10 && !link.empty(); ++page) {
    const json::object body = Body(Call("GET", link));
    for (const auto& item : body.at("value").as_array()) seen.emplace_back(item.at("id").as_string());
    link = body.contains("nextLink") ? std::string(body.at("nextLink").as_string()) : "";
    if (!link.empty()) {
      EXPECT_NE(link.find("api-version=2023-11-01"), std::string::npos);
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"q", "q0", "q1", "q2", "q3", "q4"}));
}

TEST_F(ServiceTest, WrongContentTypeIs415) {
  SetUpQueue();
  const http::Response r = Call("PATCH", "/routing/queues/q", R"({"name":"a"})", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415u);
  EXPECT_EQ(Header(r, "x-ms-error-code"), "UnsupportedMediaType");
}

}  // namespace
}  // namespace sb::api

namespace sb::api {
namespace {

TEST(ServiceOptionsTest, TheJsonDepthLimitIsConfigurable) {
  core::Engine engine{core::EngineOptions{}};
  Service shallow(engine, ServiceOptions{4});
  auto patch = [&](std::string body) {
    http::Request request;
    request.method = "PATCH";
    request.target = "/routing/distributionPolicies/dp?api-version=2023-11-01";
    request.headers.push_back({"Content-Type", "application/merge-patch+json"});
    request.body = std::move(body);
    core::Effects effects;
    return shallow.Handle(request, kNow, effects);
  };
  EXPECT_EQ(patch(R"({"mode":{"kind":"longestIdle","x":{"y":{"z":1}}}})").status, 201u);  // 4
  const http::Response deep = patch(R"({"mode":{"kind":"longestIdle","x":{"y":{"z":{}}}}})");
  EXPECT_EQ(deep.status, 400u);
  EXPECT_NE(deep.body.find("not valid JSON"), std::string::npos) << deep.body;
}

}  // namespace
}  // namespace sb::api
