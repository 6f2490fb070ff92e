// The compiled form of an expression: a flat arena of nodes (children by index) built once by
// the parser, annotated with static types as it is built, and never changed afterwards. A Tree
// is shared (const) by every copy of a Program and read concurrently by evaluations.
// Internal to the expr module.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "expr/program.h"
#include "expr/value.h"

namespace sb::expr {

struct Builtin;  // expr/builtins.h

using NodeId = std::uint32_t;

enum class NodeKind { kLiteral, kLabel, kUnary, kBinary, kCall };

enum class Op {
  // unary
  kNegate,
  kPlus,
  kNot,
  kPercent,
  // binary, arithmetic
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPow,
  // binary, text
  kConcat,
  kIn,
  kExactIn,
  // binary, comparison
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  // binary, logical (short-circuit)
  kAnd,
  kOr,
};

enum class LabelScope { kJob, kWorker };

struct Node {
  NodeKind kind = NodeKind::kLiteral;
  std::uint32_t pos = 0;                // byte offset of the node's first token in the source
  Type type = Type::kUnknown;           // static type
  Op op = Op::kAdd;                     // kUnary, kBinary
  const Builtin* fn = nullptr;          // kCall
  LabelScope scope = LabelScope::kJob;  // kLabel
  std::string name;                     // kLabel: the label key
  EvalValue literal;                    // kLiteral
  std::vector<NodeId> children;         // operands or arguments, in source order
};

struct Tree {
  std::string source;
  Limits limits;
  std::vector<Node> nodes;
  NodeId root = 0;

  const Node& at(NodeId id) const { return nodes[id]; }
};

// Binary operators are left-associative except ^; the evaluator walks left spines of these
// iteratively so long chains (a + b + c + ...) do not deepen its recursion.
inline bool IsLeftAssociative(Op op) { return op != Op::kPow; }

}  // namespace sb::expr
