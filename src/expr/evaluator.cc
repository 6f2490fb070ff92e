#include "expr/evaluator.h"

#include <array>
#include <span>
#include <vector>

#include "base/assert.h"
#include "expr/builtins.h"
#include "expr/coerce.h"

namespace sb::expr {

EvalValue Evaluator::Run() {
  EvalValue result = Eval(tree_.root);
  if (abort_) return *abort_;
  if (result.is_text() && !TextFits(result.text().size())) {
    return AbortTextTooLong(result.text().size());
  }
  return result;
}

bool Evaluator::Charge(std::size_t steps) {
  if (abort_) return false;
  steps_ += steps;
  if (steps_ <= tree_.limits.max_steps) return true;
  Abort("expression: evaluation step limit (" + std::to_string(tree_.limits.max_steps) +
        ") exceeded");
  return false;
}

EvalValue Evaluator::Abort(std::string message) {
  if (!abort_) abort_ = EvalValue::Error(ErrorKind::kQuotaExceeded, std::move(message));
  return *abort_;
}

EvalValue Evaluator::AbortTextTooLong(std::size_t bytes) {
  return Abort("expression: text of " + std::to_string(bytes) + " bytes exceeds the limit of " +
               std::to_string(tree_.limits.max_text_bytes) + " bytes");
}

EvalValue Evaluator::MakeText(std::string text) {
  if (!TextFits(text.size())) return AbortTextTooLong(text.size());
  if (!Charge(text.size() / 1024)) return *abort_;
  return EvalValue::Text(std::move(text));
}

EvalValue Evaluator::Eval(NodeId id) {
  if (!Charge(1)) return *abort_;
  EvalValue result = EvalNode(tree_.at(id));
  if (abort_) return *abort_;
  return result;
}

EvalValue Evaluator::EvalNode(const Node& node) {
  switch (node.kind) {
    case NodeKind::kLiteral:
      return node.literal;
    case NodeKind::kLabel:
      return EvalLabel(node);
    case NodeKind::kUnary:
      return EvalUnary(node);
    case NodeKind::kBinary:
      return EvalBinaryChain(node);
    case NodeKind::kCall:
      return EvalCall(node);
  }
  SB_ASSERT_MSG(false, "unknown node kind");
  return EvalValue::Blank();
}

EvalValue Evaluator::EvalLabel(const Node& node) const {
  const LabelMap* labels = node.scope == LabelScope::kJob ? bindings_.job : bindings_.worker;
  if (labels == nullptr) return EvalValue::Blank();
  const auto it = labels->find(node.name);
  return it == labels->end() ? EvalValue::Blank() : FromLabelValue(it->second);
}

EvalValue Evaluator::EvalUnary(const Node& node) {
  EvalValue operand = EvalChild(node, 0);
  if (abort_) return *abort_;
  return ApplyUnaryOp(node.op, operand);
}

// Walks the left spine of left-associative binary operators without recursion, then applies
// them bottom-up; right operands are evaluated (recursively) only when an operator needs them.
EvalValue Evaluator::EvalBinaryChain(const Node& node) {
  const Node& first_left = tree_.at(node.children[0]);
  if (!IsLeftAssociative(node.op) || first_left.kind != NodeKind::kBinary ||
      !IsLeftAssociative(first_left.op)) {
    const EvalValue left = Eval(node.children[0]);  // no chain: the common, allocation-free case
    if (abort_) return *abort_;
    EvalValue result = ApplyBinary(node, left);
    if (abort_) return *abort_;
    return result;
  }
  std::vector<const Node*> spine{&node};
  while (IsLeftAssociative(spine.back()->op)) {
    const Node& left = tree_.at(spine.back()->children[0]);
    if (left.kind != NodeKind::kBinary || !IsLeftAssociative(left.op)) break;
    if (!Charge(1)) return *abort_;
    spine.push_back(&left);
  }
  EvalValue acc = Eval(spine.back()->children[0]);
  for (auto it = spine.rbegin(); it != spine.rend() && !abort_; ++it) {
    acc = ApplyBinary(**it, acc);
  }
  if (abort_) return *abort_;
  return acc;
}

EvalValue Evaluator::ApplyBinary(const Node& node, const EvalValue& left) {
  switch (node.op) {
    case Op::kAnd:
    case Op::kOr: {
      EvalValue l = CoerceToBoolean(left);
      if (l.is_error()) return l;
      const bool is_and = node.op == Op::kAnd;
      if (BooleanOrFalse(l) != is_and) return EvalValue::Boolean(!is_and);
      const EvalValue r = CoerceToBoolean(EvalChild(node, 1));
      return r.is_error() ? r : EvalValue::Boolean(BooleanOrFalse(r));
    }
    default:
      break;
  }
  const EvalValue right = EvalChild(node, 1);
  switch (node.op) {
    case Op::kConcat:
    case Op::kIn:
    case Op::kExactIn:
      return ApplyTextOp(node.op, left, right, *this);
    case Op::kEq:
    case Op::kNe:
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
      return ApplyComparison(node.op, left, right);
    default:
      return ApplyArithmetic(node.op, left, right);
  }
}

EvalValue Evaluator::EvalCall(const Node& node) {
  const Builtin& fn = *node.fn;
  if (fn.lazy != nullptr) return fn.lazy(node, *this);
  const std::size_t n = node.children.size();
  std::array<EvalValue, 4> small;  // most calls take at most 4 arguments: no allocation
  std::vector<EvalValue> large(n > small.size() ? n : 0);
  const std::span<EvalValue> args =
      n > small.size() ? std::span<EvalValue>(large) : std::span<EvalValue>(small.data(), n);
  bool any_error = false;
  for (std::size_t i = 0; i < n; ++i) {
    args[i] = CoerceTo(EvalChild(node, i), fn.param(i));
    if (abort_) return *abort_;
    any_error = any_error || args[i].is_error();
  }
  if (any_error) return *CollectErrors(args);
  EvalValue result = fn.eager(args, *this);
  if (abort_) return *abort_;
  return result;
}

}  // namespace sb::expr
