// Routing: from method and path to the operation, and the checks every operation shares.
#include "api/service.h"

#include <boost/url/parse.hpp>

#include <functional>

#include "api/errors.h"
#include "api/handlers.h"

namespace sb::api {
namespace {

using Handler = std::function<http::Response(Context&)>;

struct Route {
  Handler handler;    // set when the path and method name an operation
  std::string allow;  // set when the path is known but the method is not
};

struct MethodHandler {
  std::string_view method;
  Handler handler;
};

Route ByMethod(std::string_view method, std::initializer_list<MethodHandler> handlers) {
  Route route;
  for (const MethodHandler& h : handlers) {
    if (h.method == method) return {h.handler, {}};
    route.allow += (route.allow.empty() ? "" : ", ") + std::string(h.method);
  }
  return route;
}

// Splits "id:action" at the last ':' when the action is one of `actions`.
std::optional<std::pair<std::string, std::string>> SplitAction(
    const std::string& segment, std::initializer_list<std::string_view> actions) {
  const std::size_t colon = segment.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  const std::string action = segment.substr(colon + 1);
  for (std::string_view a : actions) {
    if (a == action) return std::make_pair(segment.substr(0, colon), action);
  }
  return std::nullopt;
}

std::optional<AdminKind> AdminKindOf(std::string_view collection) {
  if (collection == "distributionPolicies") return AdminKind::kDistributionPolicy;
  if (collection == "classificationPolicies") return AdminKind::kClassificationPolicy;
  if (collection == "exceptionPolicies") return AdminKind::kExceptionPolicy;
  if (collection == "queues") return AdminKind::kQueue;
  return std::nullopt;
}

Route AdminRoute(std::string_view m, AdminKind kind, const std::vector<std::string>& s) {
  if (s.size() == 2) return ByMethod(m, {{"GET", [=](Context& c) { return ListAdmin(c, kind); }}});
  if (s.size() == 3) {
    const std::string id = s[2];
    return ByMethod(m, {{"GET", [=](Context& c) { return GetAdmin(c, kind, id); }},
                        {"PATCH", [=](Context& c) { return UpsertAdmin(c, kind, id); }},
                        {"DELETE", [=](Context& c) { return DeleteAdmin(c, kind, id); }}});
  }
  if (s.size() == 4 && kind == AdminKind::kQueue && s[3] == "statistics") {
    const std::string id = s[2];
    return ByMethod(m, {{"GET", [=](Context& c) { return GetQueueStatistics(c, id); }}});
  }
  return {};
}

Route JobRoute(std::string_view m, const std::vector<std::string>& s) {
  if (s.size() == 2) return ByMethod(m, {{"GET", [](Context& c) { return ListJobs(c); }}});
  if (s.size() == 3) {
    if (auto split = SplitAction(s[2], {"cancel", "reclassify"})) {
      return ByMethod(m, {{"POST", [=](Context& c) { return JobAction(c, split->first, split->second); }}});
    }
    const std::string id = s[2];
    return ByMethod(m, {{"GET", [=](Context& c) { return GetJob(c, id); }},
                        {"PATCH", [=](Context& c) { return UpsertJob(c, id); }},
                        {"DELETE", [=](Context& c) { return DeleteJob(c, id); }}});
  }
  if (s.size() == 4 && s[3] == "position") {
    const std::string id = s[2];
    return ByMethod(m, {{"GET", [=](Context& c) { return GetJobPosition(c, id); }}});
  }
  if (s.size() == 5 && s[3] == "assignments") {
    if (auto split = SplitAction(s[4], {"complete", "close", "unassign"})) {
      const std::string id = s[2];
      return ByMethod(m, {{"POST", [=](Context& c) {
                             return AssignmentAction(c, id, split->first, split->second);
                           }}});
    }
  }
  return {};
}

Route WorkerRoute(std::string_view m, const std::vector<std::string>& s) {
  if (s.size() == 2) return ByMethod(m, {{"GET", [](Context& c) { return ListWorkers(c); }}});
  if (s.size() == 3) {
    const std::string id = s[2];
    return ByMethod(m, {{"GET", [=](Context& c) { return GetWorker(c, id); }},
                        {"PATCH", [=](Context& c) { return UpsertWorker(c, id); }},
                        {"DELETE", [=](Context& c) { return DeleteWorker(c, id); }}});
  }
  if (s.size() == 5 && s[3] == "offers") {
    if (auto split = SplitAction(s[4], {"accept", "decline"})) {
      const std::string id = s[2];
      return ByMethod(m, {{"POST", [=](Context& c) {
                             return OfferAction(c, id, split->first, split->second);
                           }}});
    }
  }
  return {};
}

Route FindRoute(std::string_view method, const std::vector<std::string>& s) {
  if (s.size() < 2 || s[0] != "routing") return {};
  if (auto kind = AdminKindOf(s[1])) return AdminRoute(method, *kind, s);
  if (s[1] == "jobs") return JobRoute(method, s);
  if (s[1] == "workers") return WorkerRoute(method, s);
  return {};
}

const std::string& SupportedVersions() {
  static const std::string kList = [] {
    std::string out;
    for (std::string_view v : kSupportedApiVersions) out += (out.empty() ? "" : ", ") + std::string(v);
    return out;
  }();
  return kList;
}

// The request's api-version: required, once (repeats must agree), and one we serve.
Result<std::pair<ApiVersion, std::string_view>> ReadApiVersion(
    const std::vector<std::pair<std::string, std::string>>& query) {
  std::optional<std::string> given;
  for (const auto& [name, value] : query) {
    if (!http::EqualsIgnoreCase(name, "api-version")) continue;
    if (given && *given != value) {
      return Error::InvalidArgument("api-version is given twice with different values", "api-version");
    }
    given = value;
  }
  if (!given) {
    return Error::InvalidArgument("the api-version query parameter is required; supported: " +
                                      SupportedVersions(),
                                  "api-version");
  }
  for (std::size_t i = 0; i < std::size(kSupportedApiVersions); ++i) {
    if (*given == kSupportedApiVersions[i]) {
      return std::make_pair(static_cast<ApiVersion>(i), kSupportedApiVersions[i]);
    }
  }
  return Error::InvalidArgument("api-version '" + *given + "' is not supported; supported: " +
                                    SupportedVersions(),
                                "api-version");
}

http::Response Dispatch(const http::Request& request, core::Engine& engine,
                        const ServiceOptions& options, Timestamp now, core::Effects& effects) {
  auto url = boost::urls::parse_origin_form(request.target);
  if (!url) return ErrorResponse(400, "the request target is not a valid path and query");
  std::vector<std::string> segments;
  for (auto segment : url->segments()) segments.emplace_back(segment);
  if (segments.size() == 1 && (segments[0] == "healthz" || segments[0] == "readyz")) {
    return JsonResponse(200, json::object{{"status", "ok"}});
  }
  Route route = FindRoute(request.method, segments);
  if (!route.handler) {
    if (route.allow.empty()) return ErrorResponse(404, "no resource at this path");
    http::Response response = ErrorResponse(405, "this path accepts only " + route.allow);
    response.headers.push_back({"Allow", route.allow});
    return response;
  }
  std::vector<std::pair<std::string, std::string>> query;
  boost::urls::encoding_opts plus_is_space(/*space_as_plus=*/true);
  for (auto param : url->params(plus_is_space)) query.emplace_back(param.key, param.value);
  auto version = ReadApiVersion(query);
  if (!version) return Respond(version.error());
  Context context{request,         engine,          now, effects,
                  version->first,  version->second, std::move(query),
                  options.max_json_depth};
  return route.handler(context);
}

}  // namespace

http::Response Service::Handle(const http::Request& request, Timestamp now,
                               core::Effects& effects) {
  http::Response response;
  try {
    response = Dispatch(request, engine_, options_, now, effects);
  } catch (const std::exception& e) {  // a library failure; the engine itself never throws
    response = ErrorResponse(500, std::string("internal error: ") + e.what());
  }
  response.headers.push_back({"api-supported-versions", SupportedVersions()});
  if (const std::string_view id = request.header("x-ms-client-request-id"); !id.empty() && id.size() <= 256) {
    response.headers.push_back({"x-ms-client-request-id", std::string(id)});
  }
  return response;
}

}  // namespace sb::api
