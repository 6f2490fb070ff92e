#include "outbound/rule_payload.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <array>
#include <cmath>

#include "wire/json.h"

namespace sb::outbound {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 6> kOperators = {
    "equal", "notEqual", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual"};
constexpr std::size_t kMaxDepth = 16;

using wire::ToJson;

json::object WorkerLabels(const std::string& id, const LabelMap& labels) {
  json::object out = std::move(ToJson(labels).as_object());
  if (!out.contains("Id")) out["Id"] = id;
  return out;
}

Error Bad(std::string message) { return Error::InvalidArgument("answered " + std::move(message)); }

Result<Value> ScalarOf(const json::value& v) {
  switch (v.kind()) {
    case json::kind::bool_: return Value(v.get_bool());
    case json::kind::int64: return Value(v.get_int64());
    case json::kind::uint64: return Value(static_cast<double>(v.get_uint64()));
    case json::kind::double_: return Value(v.get_double());
    case json::kind::string: return Value(std::string(v.get_string()));
    case json::kind::null: return Value();
    default: return Bad("an object or array where a single value was expected");
  }
}

std::optional<double> NumberOf(const json::value& v) {
  if (!v.is_number()) return std::nullopt;
  const double d = v.to_number<double>();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

Result<core::QueueSelector> SelectorOf(const json::value& v, std::size_t i) {
  const std::string where = "selector [" + std::to_string(i) + "]";
  if (!v.is_object()) return Bad(where + " that is not an object");
  const json::object& o = v.get_object();
  core::QueueSelector selector;
  const json::value* key = o.if_contains("key");
  if (!key || !key->is_string() || key->get_string().empty()) {
    return Bad(where + " without a text key");
  }
  selector.key = std::string(key->get_string());
  if (const json::value* op = o.if_contains("labelOperator")) {
    if (!op->is_string()) return Bad(where + " whose labelOperator is not text");
    std::size_t n = 0;
    while (n < kOperators.size() && op->get_string() != kOperators[n]) ++n;
    if (n == kOperators.size()) return Bad(where + " with an unknown labelOperator");
    selector.label_operator = static_cast<core::LabelOperator>(n);
  }
  if (const json::value* value = o.if_contains("value")) {
    auto scalar = ScalarOf(*value);
    if (!scalar) return Bad(where + " whose value is not a single value");
    selector.value = std::move(*scalar);
  }
  return selector;
}

Result<core::RuleAnswer> Scores(const core::RuleCall& call, const json::array& items) {
  core::RuleAnswer answer;
  answer.is_scores = true;
  answer.scores.assign(call.workers.size(), NAN);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json::value& item = items[i];
    if (auto n = NumberOf(item)) {
      if (i < answer.scores.size()) answer.scores[i] = *n;
      continue;
    }
    const json::object* o = item.if_object();
    const json::value* score = o ? o->if_contains("score") : nullptr;
    const auto n = score ? NumberOf(*score) : std::nullopt;
    if (!n) return Bad("score [" + std::to_string(i) + "] that is not a number");
    std::size_t at = i;
    if (const json::value* id = o->if_contains("workerId"); id && id->is_string()) {
      at = call.workers.size();
      for (std::size_t w = 0; w < call.workers.size(); ++w) {
        if (call.workers[w].first == id->get_string()) at = w;
      }
    }
    if (at < answer.scores.size()) answer.scores[at] = *n;
  }
  return answer;
}

}  // namespace

std::string RuleCallBody(const core::RuleCall& call) {
  json::object body;
  if (call.send_job_labels) body["job"] = ToJson(call.job_labels);
  if (call.purpose == core::RuleCall::Purpose::kScoring) {
    if (call.send_selectors) {
      json::array selectors;
      for (const core::WorkerSelector& s : call.selectors) {
        json::object o;
        o["key"] = s.key;
        o["labelOperator"] = kOperators[static_cast<std::size_t>(s.label_operator)];
        o["value"] = ToJson(s.value);
        if (s.expires_after_seconds) o["expiresAfterSeconds"] = *s.expires_after_seconds;
        selectors.push_back(std::move(o));
      }
      body["selectors"] = std::move(selectors);
    }
    if (call.batch) {
      json::array workers;
      for (const auto& [id, labels] : call.workers) workers.push_back(WorkerLabels(id, labels));
      body["workers"] = std::move(workers);
    } else if (!call.workers.empty()) {
      body["worker"] = WorkerLabels(call.workers[0].first, call.workers[0].second);
    }
  }
  return wire::Serialize(body);
}

Result<core::RuleAnswer> ParseRuleAnswer(const core::RuleCall& call, std::string_view body) {
  json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, options);
  if (ec) {
    // Not JSON: a plain-text answer (an Azure Function returning a string).
    const auto first = body.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return Bad("with an empty body");
    const auto last = body.find_last_not_of(" \t\r\n");
    core::RuleAnswer answer;
    answer.value = Value(std::string(body.substr(first, last - first + 1)));
    return answer;
  }
  if (v.is_string()) {  // a serialized array or object sent as a JSON string
    json::value inner = json::parse(v.get_string(), ec, {}, options);
    if (!ec && (inner.is_array() || inner.is_object())) v = std::move(inner);
  }
  const bool scoring = call.purpose == core::RuleCall::Purpose::kScoring;
  if (const json::array* items = v.if_array()) {
    if (scoring) return Scores(call, *items);
    core::RuleAnswer answer;
    answer.is_selectors = true;
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto selector = SelectorOf((*items)[i], i);
      if (!selector) return std::move(selector).error();
      answer.selectors.push_back(std::move(*selector));
    }
    return answer;
  }
  auto scalar = ScalarOf(v);
  if (!scalar) return std::move(scalar).error();
  core::RuleAnswer answer;
  answer.value = std::move(*scalar);
  return answer;
}

std::string TokenRequestBody(const core::OAuth2WebhookClientCredential& credential) {
  auto encode = [](std::string_view text) {
    return boost::urls::encode(text, boost::urls::unreserved_chars);
  };
  std::string body = "grant_type=client_credentials";
  if (credential.client_id) body += "&client_id=" + encode(*credential.client_id);
  if (credential.client_secret) body += "&client_secret=" + encode(*credential.client_secret);
  return body;
}

Result<AccessToken> ParseTokenResponse(std::string_view body) {
  json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec, {}, options);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* token = o ? o->if_contains("access_token") : nullptr;
  if (!token || !token->is_string() || token->get_string().empty()) {
    return Error::InvalidArgument("the authorization server's answer holds no access_token");
  }
  AccessToken out{std::string(token->get_string()), Duration()};
  if (const json::value* expires = o->if_contains("expires_in")) {
    std::optional<double> seconds = NumberOf(*expires);
    if (!seconds && expires->is_string()) {  // some servers send it as text
      try {
        seconds = std::stod(std::string(expires->get_string()));
      } catch (const std::exception&) {
      }
    }
    if (seconds && *seconds > 0 && *seconds < 1e9) out.lifetime = Duration::FromSecondsDouble(*seconds);
  }
  return out;
}

}  // namespace sb::outbound
