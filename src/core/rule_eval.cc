#include "core/rule_eval.h"

#include <cmath>

#include "core/validation.h"

namespace sb::core {
namespace {

Error Invalid(std::string_view field, std::string_view what) {
  return Error::InvalidArgument(std::string(field) + " " + std::string(what), std::string(field));
}

const char* Wanted(RuleUse use) {
  switch (use) {
    case RuleUse::kCondition: return "a boolean";
    case RuleUse::kPriority: return "a whole number from -100 to 100";
    case RuleUse::kScore: return "a number";
    case RuleUse::kQueueSelectors: return "a list of selectors or a queue id";
    case RuleUse::kWorkerSelectors: return "a list of selectors";
  }
  return "a value";
}

expr::Type WantedType(RuleUse use) {
  switch (use) {
    case RuleUse::kCondition: return expr::Type::kBoolean;
    case RuleUse::kQueueSelectors: return expr::Type::kText;
    default: return expr::Type::kNumber;
  }
}

// Label values read as Power Fx reads them: numeric text is a number ("2" is 2, as in the
// service's own examples), "true"/"false" a boolean.
std::optional<double> AsNumber(const Value& v) {
  if (v.is_null() || v.is_bool()) return std::nullopt;
  auto n = expr::ToNumber(expr::FromLabelValue(v));
  if (!n || !std::isfinite(*n)) return std::nullopt;
  return *n;
}

std::optional<bool> AsBoolean(const Value& v) {
  if (!v.is_bool() && !v.is_string()) return std::nullopt;
  auto b = expr::ToBoolean(expr::FromLabelValue(v));
  if (!b) return std::nullopt;
  return *b;
}

std::optional<int> AsPriority(const Value& v) {
  const auto x = AsNumber(v);
  if (!x || std::floor(*x) != *x || *x < kMinPriority || *x > kMaxPriority) return std::nullopt;
  return static_cast<int>(*x);
}

Status CheckStatic(const StaticRule& rule, RuleUse use, std::string_view field) {
  const Value& v = rule.value;
  const bool fits = use == RuleUse::kCondition         ? AsBoolean(v).has_value()
                    : use == RuleUse::kPriority        ? AsPriority(v).has_value()
                    : use == RuleUse::kQueueSelectors  ? v.is_string()
                                                       : AsNumber(v).has_value();
  if (!fits) return Invalid(field, std::string("must be ") + Wanted(use) + " for this rule");
  return Ok{};
}

}  // namespace

bool IsExternal(const RouterRule& rule) {
  return std::holds_alternative<FunctionRule>(rule) || std::holds_alternative<WebhookRule>(rule);
}

Status CheckRule(const RouterRule& rule, RuleUse use, std::string_view field) {
  if (IsExternal(rule)) return Ok{};  // their answer is checked when it comes
  if (std::holds_alternative<DirectMapRule>(rule) &&
      (use == RuleUse::kQueueSelectors || use == RuleUse::kWorkerSelectors)) {
    return Ok{};
  }
  if (use == RuleUse::kWorkerSelectors) {
    return Invalid(field, "must yield selectors: use a directMap, function or webhook rule");
  }
  if (std::holds_alternative<DirectMapRule>(rule)) {
    return Invalid(field, std::string("cannot be directMap: it must yield ") + Wanted(use));
  }
  if (auto* s = std::get_if<StaticRule>(&rule)) return CheckStatic(*s, use, field);
  const auto& e = std::get<ExpressionRule>(rule);
  auto program = expr::Program::Compile(e.expression);
  if (!program) return Invalid(field, program.error().message);
  if (!expr::CanProduce(program->result_type(), WantedType(use))) {
    return Invalid(field, std::string("expression cannot yield ") + Wanted(use));
  }
  return Ok{};
}

Result<expr::EvalValue> RuleEvaluator::Run(const ExpressionRule& rule, const LabelMap& job,
                                           const LabelMap* worker, std::string_view field) {
  auto it = programs_.find(rule.expression);
  if (it == programs_.end()) {
    auto program = expr::Program::Compile(rule.expression);
    if (!program) return Invalid(field, program.error().message);
    if (programs_.size() >= kMaxCachedPrograms) programs_.clear();
    it = programs_.emplace(rule.expression, std::move(*program)).first;
  }
  return it->second.Evaluate(expr::Bindings{&job, worker});
}

Result<Value> RuleEvaluator::Evaluate(const RouterRule& rule, const LabelMap& job,
                                      const LabelMap* worker, std::string_view field,
                                      const RuleAnswer* answer) {
  if (auto* s = std::get_if<StaticRule>(&rule)) return s->value;
  if (IsExternal(rule)) {
    if (!answer || answer->is_selectors || answer->is_scores) {
      return Invalid(field, "did not answer with a single value");
    }
    return answer->value;
  }
  auto* e = std::get_if<ExpressionRule>(&rule);
  if (!e) return Invalid(field, "cannot be evaluated without an outbound call");
  auto result = Run(*e, job, worker, field);
  if (!result) return std::move(result).error();
  auto value = expr::ToLabelValue(*result);
  if (!value) return Invalid(field, "failed: " + value.error().message);
  return value;
}

Result<bool> RuleEvaluator::EvaluateCondition(const RouterRule& rule, const LabelMap& job,
                                              std::string_view field, const RuleAnswer* answer) {
  if (std::holds_alternative<StaticRule>(rule) || IsExternal(rule)) {
    auto value = Evaluate(rule, job, nullptr, field, answer);
    if (!value) return std::move(value).error();
    const auto b = AsBoolean(*value);
    if (!b) return Invalid(field, "must be a boolean");
    return *b;
  }
  auto* e = std::get_if<ExpressionRule>(&rule);
  if (!e) return Invalid(field, "cannot be evaluated without an outbound call");
  auto result = Run(*e, job, nullptr, field);
  if (!result) return std::move(result).error();
  auto condition = expr::ToBoolean(*result);
  if (!condition) return Invalid(field, "did not yield a boolean: " + condition.error().message);
  return *condition;
}

Result<int> RuleEvaluator::EvaluatePriority(const RouterRule& rule, const LabelMap& job,
                                            std::string_view field, const RuleAnswer* answer) {
  auto value = Evaluate(rule, job, nullptr, field, answer);
  if (!value) return std::move(value).error();
  const auto priority = AsPriority(*value);
  if (!priority) return Invalid(field, std::string("must yield ") + Wanted(RuleUse::kPriority));
  return *priority;
}

Result<double> RuleEvaluator::EvaluateScore(const RouterRule& rule, const LabelMap& job,
                                            const LabelMap& worker, std::string_view field) {
  if (auto* s = std::get_if<StaticRule>(&rule)) {
    const auto n = AsNumber(s->value);
    if (!n) return Invalid(field, "must be a number");
    return *n;
  }
  auto* e = std::get_if<ExpressionRule>(&rule);
  if (!e) return Invalid(field, "cannot be evaluated without an outbound call");
  auto result = Run(*e, job, &worker, field);
  if (!result) return std::move(result).error();
  auto score = expr::ToNumber(*result);
  if (!score || !std::isfinite(*score)) return Invalid(field, "did not yield a number");
  return *score;
}

}  // namespace sb::core
