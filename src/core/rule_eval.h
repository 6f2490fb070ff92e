// RuleEvaluator: evaluates the router rules that need no outbound call - static values and
// Power Fx expressions - against a job's labels (`job`) and, for scoring, a worker's
// (`worker`). Compiled programs are cached by their source text, so an expression is compiled
// once and evaluated many times. Owned by the engine; not thread-safe (the cache).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "base/error.h"
#include "base/value.h"
#include "core/events.h"
#include "core/rules.h"
#include "expr/program.h"

namespace sb::core {

// What a rule is used for, which decides the kinds of rule and of result it may have.
enum class RuleUse {
  kCondition,  // a conditional attachment's condition: a boolean
  kPriority,   // a classification policy's prioritizationRule: a whole number in -100..100
  kScore,      // a best-worker scoringRule: a number
  kQueueSelectors,   // a ruleEngine queue attachment's rule: selectors, or a queue id (text)
  kWorkerSelectors,  // a ruleEngine worker attachment's rule: a list of selectors
};

// Checks, when a policy is saved, that `rule` can serve `use`: an expression must compile (the
// error names the position) and be able to yield the right kind of value; a static value must
// be of the right kind. Errors name `field`.
Status CheckRule(const RouterRule& rule, RuleUse use, std::string_view field);

bool IsExternal(const RouterRule& rule);

class RuleEvaluator {
 public:
  // The value of a rule: static, expression, or - for function and webhook rules - the answer
  // of its outbound call (`answer`, required for those). Errors name `field`.
  Result<Value> Evaluate(const RouterRule& rule, const LabelMap& job, const LabelMap* worker,
                         std::string_view field, const RuleAnswer* answer = nullptr);
  Result<bool> EvaluateCondition(const RouterRule& rule, const LabelMap& job,
                                 std::string_view field, const RuleAnswer* answer = nullptr);
  Result<int> EvaluatePriority(const RouterRule& rule, const LabelMap& job, std::string_view field,
                               const RuleAnswer* answer = nullptr);
  Result<double> EvaluateScore(const RouterRule& rule, const LabelMap& job, const LabelMap& worker,
                               std::string_view field);

 private:
  Result<expr::EvalValue> Run(const ExpressionRule& rule, const LabelMap& job,
                              const LabelMap* worker, std::string_view field);
  std::unordered_map<std::string, expr::Program> programs_;
};

inline constexpr std::size_t kMaxCachedPrograms = 10'000;

}  // namespace sb::core
