// Evaluator: the state of one evaluation of a compiled Tree - the bindings, the step count, and
// whether a limit aborted it. Created on the stack by Program::Evaluate and thrown away after,
// so evaluations never share anything mutable. Lazy built-ins drive it through EvalChild.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "expr/ast.h"
#include "expr/program.h"
#include "expr/value.h"

namespace sb::expr {

class Evaluator {
 public:
  Evaluator(const Tree& tree, const Bindings& bindings) : tree_(tree), bindings_(bindings) {}

  // The result of the whole tree; the abort error if a limit was hit anywhere.
  EvalValue Run();

  EvalValue Eval(NodeId id);
  EvalValue EvalChild(const Node& node, std::size_t i) { return Eval(node.children[i]); }
  const Tree& tree() const { return tree_; }

  // A text result, checked against the text-size limit and charged 1 step per KiB. Over the
  // limit the evaluation aborts; the returned value is then the abort error.
  EvalValue MakeText(std::string text);
  // Whether a text of `bytes` fits the limit (checked before building a large text, so an
  // oversized result is never allocated).
  bool TextFits(std::size_t bytes) const { return bytes <= tree_.limits.max_text_bytes; }
  // The abort error for exceeding the text-size limit with `bytes` of text.
  EvalValue AbortTextTooLong(std::size_t bytes);

 private:
  bool Charge(std::size_t steps);
  EvalValue EvalNode(const Node& node);
  EvalValue EvalLabel(const Node& node) const;
  EvalValue EvalUnary(const Node& node);
  EvalValue EvalBinaryChain(const Node& node);
  EvalValue ApplyBinary(const Node& node, const EvalValue& left);
  EvalValue EvalCall(const Node& node);
  EvalValue Abort(std::string message);

  const Tree& tree_;
  const Bindings& bindings_;
  std::size_t steps_ = 0;
  std::optional<EvalValue> abort_;
};

// The operators on evaluated operands (expr/operators.cc).
EvalValue ApplyUnaryOp(Op op, const EvalValue& operand);
EvalValue ApplyArithmetic(Op op, const EvalValue& left, const EvalValue& right);
EvalValue ApplyTextOp(Op op, const EvalValue& left, const EvalValue& right, Evaluator& ev);
EvalValue ApplyComparison(Op op, const EvalValue& left, const EvalValue& right);

}  // namespace sb::expr
