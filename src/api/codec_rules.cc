// Codecs of the polymorphic families: router rules, label selectors, selector attachments.
#include "api/codec.h"
#include "api/names.h"

namespace sb::api {
namespace {

using namespace sb::core;

void PutIf(json::object& o, std::string_view key, const std::optional<std::string>& v) {
  if (v) o[key] = json::string(*v);
}

template <class Selector>
void PutSelectorBase(json::object& o, const Selector& s) {
  o["key"] = json::string(s.key);
  o["labelOperator"] = json::string(NameOf(s.label_operator, LabelOperatorNames()));
  if (!s.value.is_null()) o["value"] = ToJson(s.value);
}

template <class Selector>
bool ReadSelectorBase(Reader& r, Selector& s) {
  r.Require("key");
  s.key = r.String("key").value_or("");
  const auto op = r.Enum("labelOperator", LabelOperatorNames(), true);
  if (op) s.label_operator = static_cast<LabelOperator>(*op);
  s.value = r.Primitive("value").value_or(Value());
  return r.ok();
}

}  // namespace

json::object EncodeRule(const RouterRule& rule) {
  json::object o;
  o["kind"] = json::string(RuleKindNames()[rule.index()]);
  if (auto* s = std::get_if<StaticRule>(&rule)) {
    if (!s->value.is_null()) o["value"] = ToJson(s->value);
  } else if (auto* e = std::get_if<ExpressionRule>(&rule)) {
    o["language"] = json::string(e->language.value_or("powerFx"));
    o["expression"] = json::string(e->expression);
  } else if (auto* f = std::get_if<FunctionRule>(&rule)) {
    o["functionUri"] = json::string(f->function_uri);
    if (f->credential) {
      json::object c;
      PutIf(c, "functionKey", f->credential->function_key);
      PutIf(c, "appKey", f->credential->app_key);
      PutIf(c, "clientId", f->credential->client_id);
      o["credential"] = std::move(c);
    }
  } else if (auto* w = std::get_if<WebhookRule>(&rule)) {
    PutIf(o, "authorizationServerUri", w->authorization_server_uri);
    if (w->client_credential) {
      json::object c;
      PutIf(c, "clientId", w->client_credential->client_id);
      PutIf(c, "clientSecret", w->client_credential->client_secret);
      o["clientCredential"] = std::move(c);
    }
    PutIf(o, "webhookUri", w->webhook_uri);
  }
  return o;
}

std::optional<RouterRule> DecodeRule(Reader& parent, std::string_view name, bool required) {
  if (required) parent.Require(name);
  auto r = parent.Child(name);
  if (!r) return std::nullopt;
  const auto kind = r->Enum("kind", RuleKindNames(), true);
  if (!kind) return std::nullopt;
  switch (*kind) {
    case 0:
      return StaticRule{r->Primitive("value").value_or(Value())};
    case 1:
      return DirectMapRule{};
    case 2: {
      ExpressionRule e;
      if (r->has("language") && r->Enum("language", {"powerFx"}, false)) e.language = "powerFx";
      r->Require("expression");
      e.expression = r->String("expression").value_or("");
      return e;
    }
    case 3: {
      FunctionRule f;
      r->Require("functionUri");
      f.function_uri = r->String("functionUri").value_or("");
      if (auto c = r->Child("credential")) {
        f.credential = FunctionRuleCredential{c->String("functionKey"), c->String("appKey"),
                                              c->String("clientId")};
      }
      return f;
    }
    default: {
      WebhookRule w;
      w.authorization_server_uri = r->String("authorizationServerUri");
      if (auto c = r->Child("clientCredential")) {
        w.client_credential = OAuth2WebhookClientCredential{c->String("clientId"), c->String("clientSecret")};
      }
      w.webhook_uri = r->String("webhookUri");
      return w;
    }
  }
}

json::object EncodeQueueSelector(const QueueSelector& selector) {
  json::object o;
  PutSelectorBase(o, selector);
  return o;
}

json::object EncodeWorkerSelector(const WorkerSelector& selector) {
  json::object o;
  PutSelectorBase(o, selector);
  if (selector.expires_after_seconds) o["expiresAfterSeconds"] = *selector.expires_after_seconds;
  o["expedite"] = selector.expedite.value_or(false);
  if (selector.status) {
    o["status"] = selector.status == WorkerSelectorStatus::kActive ? "active" : "expired";
  }
  if (selector.expires_at) o["expiresAt"] = ToJsonTime(*selector.expires_at);
  return o;
}

json::array EncodeWorkerSelectors(const std::vector<WorkerSelector>& selectors) {
  json::array out;
  for (const WorkerSelector& s : selectors) out.push_back(EncodeWorkerSelector(s));
  return out;
}

std::optional<QueueSelector> DecodeQueueSelector(Reader& r) {
  QueueSelector s;
  if (!ReadSelectorBase(r, s)) return std::nullopt;
  return s;
}

// `status` and `expiresAt` are the engine's; they are not read from requests.
std::optional<WorkerSelector> DecodeWorkerSelector(Reader& r) {
  WorkerSelector s;
  if (!ReadSelectorBase(r, s)) return std::nullopt;
  s.expires_after_seconds = r.Number("expiresAfterSeconds");
  s.expedite = r.Bool("expedite");
  if (s.expedite == false) s.expedite = std::nullopt;  // false is the default; keep one form
  return s;
}

std::vector<QueueSelector> DecodeQueueSelectors(Reader& parent, std::string_view name) {
  std::vector<QueueSelector> out;
  for (Reader& item : parent.Items(name)) {
    if (auto s = DecodeQueueSelector(item)) out.push_back(std::move(*s));
  }
  return out;
}

std::vector<WorkerSelector> DecodeWorkerSelectors(Reader& parent, std::string_view name) {
  std::vector<WorkerSelector> out;
  for (Reader& item : parent.Items(name)) {
    if (auto s = DecodeWorkerSelector(item)) out.push_back(std::move(*s));
  }
  return out;
}

json::object EncodeQueueAttachment(const QueueSelectorAttachment& a) {
  json::object o;
  o["kind"] = json::string(AttachmentKindNames()[a.index()]);
  if (auto* c = std::get_if<ConditionalQueueSelectorAttachment>(&a)) {
    o["condition"] = EncodeRule(c->condition);
    json::array selectors;
    for (const auto& s : c->queue_selectors) selectors.push_back(EncodeQueueSelector(s));
    o["queueSelectors"] = std::move(selectors);
  } else if (auto* p = std::get_if<PassThroughQueueSelectorAttachment>(&a)) {
    o["key"] = json::string(p->key);
    o["labelOperator"] = json::string(NameOf(p->label_operator, LabelOperatorNames()));
  } else if (auto* r = std::get_if<RuleEngineQueueSelectorAttachment>(&a)) {
    o["rule"] = EncodeRule(r->rule);
  } else if (auto* s = std::get_if<StaticQueueSelectorAttachment>(&a)) {
    o["queueSelector"] = EncodeQueueSelector(s->queue_selector);
  } else {
    json::array allocations;
    for (const auto& w : std::get<WeightedAllocationQueueSelectorAttachment>(a).allocations) {
      json::array selectors;
      for (const auto& q : w.queue_selectors) selectors.push_back(EncodeQueueSelector(q));
      allocations.push_back(json::object{{"weight", w.weight}, {"queueSelectors", std::move(selectors)}});
    }
    o["allocations"] = std::move(allocations);
  }
  return o;
}

json::object EncodeWorkerAttachment(const WorkerSelectorAttachment& a) {
  json::object o;
  o["kind"] = json::string(AttachmentKindNames()[a.index()]);
  if (auto* c = std::get_if<ConditionalWorkerSelectorAttachment>(&a)) {
    o["condition"] = EncodeRule(c->condition);
    o["workerSelectors"] = EncodeWorkerSelectors(c->worker_selectors);
  } else if (auto* p = std::get_if<PassThroughWorkerSelectorAttachment>(&a)) {
    o["key"] = json::string(p->key);
    o["labelOperator"] = json::string(NameOf(p->label_operator, LabelOperatorNames()));
    if (p->expires_after_seconds) o["expiresAfterSeconds"] = *p->expires_after_seconds;
  } else if (auto* r = std::get_if<RuleEngineWorkerSelectorAttachment>(&a)) {
    o["rule"] = EncodeRule(r->rule);
  } else if (auto* s = std::get_if<StaticWorkerSelectorAttachment>(&a)) {
    o["workerSelector"] = EncodeWorkerSelector(s->worker_selector);
  } else {
    json::array allocations;
    for (const auto& w : std::get<WeightedAllocationWorkerSelectorAttachment>(a).allocations) {
      allocations.push_back(json::object{{"weight", w.weight},
                                         {"workerSelectors", EncodeWorkerSelectors(w.worker_selectors)}});
    }
    o["allocations"] = std::move(allocations);
  }
  return o;
}

std::optional<QueueSelectorAttachment> DecodeQueueAttachment(Reader& r) {
  const auto kind = r.Enum("kind", AttachmentKindNames(), true);
  if (!kind) return std::nullopt;
  switch (*kind) {
    case 0: {
      ConditionalQueueSelectorAttachment c;
      auto rule = DecodeRule(r, "condition", true);
      r.Require("queueSelectors");
      c.queue_selectors = DecodeQueueSelectors(r, "queueSelectors");
      if (!rule) return std::nullopt;
      c.condition = std::move(*rule);
      return c;
    }
    case 1: {
      PassThroughQueueSelectorAttachment p;
      r.Require("key");
      p.key = r.String("key").value_or("");
      if (auto op = r.Enum("labelOperator", LabelOperatorNames(), true)) p.label_operator = static_cast<LabelOperator>(*op);
      return p;
    }
    case 2: {
      auto rule = DecodeRule(r, "rule", true);
      if (!rule) return std::nullopt;
      return RuleEngineQueueSelectorAttachment{std::move(*rule)};
    }
    case 3: {
      r.Require("queueSelector");
      auto child = r.Child("queueSelector");
      if (!child) return std::nullopt;
      auto s = DecodeQueueSelector(*child);
      if (!s) return std::nullopt;
      return StaticQueueSelectorAttachment{std::move(*s)};
    }
    default: {
      WeightedAllocationQueueSelectorAttachment w;
      r.Require("allocations");
      for (Reader& item : r.Items("allocations")) {
        item.Require("weight");
        item.Require("queueSelectors");
        w.allocations.push_back({item.Number("weight").value_or(0), DecodeQueueSelectors(item, "queueSelectors")});
      }
      return w;
    }
  }
}

std::optional<WorkerSelectorAttachment> DecodeWorkerAttachment(Reader& r) {
  const auto kind = r.Enum("kind", AttachmentKindNames(), true);
  if (!kind) return std::nullopt;
  switch (*kind) {
    case 0: {
      ConditionalWorkerSelectorAttachment c;
      auto rule = DecodeRule(r, "condition", true);
      r.Require("workerSelectors");
      c.worker_selectors = DecodeWorkerSelectors(r, "workerSelectors");
      if (!rule) return std::nullopt;
      c.condition = std::move(*rule);
      return c;
    }
    case 1: {
      PassThroughWorkerSelectorAttachment p;
      r.Require("key");
      p.key = r.String("key").value_or("");
      if (auto op = r.Enum("labelOperator", LabelOperatorNames(), true)) p.label_operator = static_cast<LabelOperator>(*op);
      p.expires_after_seconds = r.Number("expiresAfterSeconds");
      return p;
    }
    case 2: {
      auto rule = DecodeRule(r, "rule", true);
      if (!rule) return std::nullopt;
      return RuleEngineWorkerSelectorAttachment{std::move(*rule)};
    }
    case 3: {
      r.Require("workerSelector");
      auto child = r.Child("workerSelector");
      if (!child) return std::nullopt;
      auto s = DecodeWorkerSelector(*child);
      if (!s) return std::nullopt;
      return StaticWorkerSelectorAttachment{std::move(*s)};
    }
    default: {
      WeightedAllocationWorkerSelectorAttachment w;
      r.Require("allocations");
      for (Reader& item : r.Items("allocations")) {
        item.Require("weight");
        item.Require("workerSelectors");
        w.allocations.push_back({item.Number("weight").value_or(0), DecodeWorkerSelectors(item, "workerSelectors")});
      }
      return w;
    }
  }
}

}  // namespace sb::api
