#include "expr/parser.h"

#include <optional>
#include <vector>

#include "expr/builtins.h"
#include "expr/lexer.h"
#include "expr/typing.h"

namespace sb::expr {
namespace {

// Binary precedence levels, loosest first; prefix operators sit just above the last.
enum Level {
  kOrLevel,
  kAndLevel,
  kInLevel,
  kCompareLevel,
  kConcatLevel,
  kAddLevel,
  kMulLevel,
  kLevelCount
};

class Parser {
 public:
  Parser(Tree& tree, std::vector<Token> tokens) : tree_(tree), tokens_(std::move(tokens)) {}

  Status Run() {
    if (Peek().kind == Tok::kEnd) return Fail(Peek().pos, "expression is empty");
    Result<NodeId> root = ParseLevel(kOrLevel);
    if (!root) return std::move(root).error();
    if (Status end = ExpectEnd(); !end) return end;
    tree_.root = *root;
    return Ok{};
  }

 private:
  const Token& Peek(std::size_t ahead = 0) const {
    const std::size_t i = next_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& Take() { return tokens_[next_ < tokens_.size() - 1 ? next_++ : next_]; }
  bool PeekIdent(std::string_view word) const {
    return Peek().kind == Tok::kIdent && Peek().text == word;
  }
  Error Fail(std::uint32_t pos, std::string_view what) const {
    return SyntaxError(tree_.source, pos, what);
  }

  NodeId Add(Node node) {
    tree_.nodes.push_back(std::move(node));
    return static_cast<NodeId>(tree_.nodes.size() - 1);
  }
  Type TypeOf(NodeId id) const { return tree_.nodes[id].type; }

  // Nesting guard: parentheses, call arguments, prefix operands and ^ exponents each nest.
  Status Enter(std::uint32_t pos) {
    if (++depth_ <= tree_.limits.max_depth) return Ok{};
    return Fail(pos, "nesting deeper than " + std::to_string(tree_.limits.max_depth) + " levels");
  }
  void Leave() { --depth_; }

  Status ExpectEnd() const {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kEnd:
        return Ok{};
      case Tok::kSemicolon:
        return Fail(t.pos, "';' (expression chaining) is not supported");
      case Tok::kNumber:
      case Tok::kText:
      case Tok::kIdent:
      case Tok::kQuotedIdent:
      case Tok::kLParen:
        return Fail(t.pos, "expected an operator, found " + Describe(t));
      default:
        return Fail(t.pos, "unexpected " + Describe(t));
    }
  }

  std::optional<Op> BinaryOpAt(int level) const {
    const Token& t = Peek();
    switch (level) {
      case kOrLevel:
        if (t.kind == Tok::kBarBar || PeekIdent("Or")) return Op::kOr;
        break;
      case kAndLevel:
        if (t.kind == Tok::kAmpAmp || PeekIdent("And")) return Op::kAnd;
        break;
      case kInLevel:
        if (PeekIdent("in")) return Op::kIn;
        if (PeekIdent("exactin")) return Op::kExactIn;
        break;
      case kCompareLevel:
        return CompareOp(t.kind);
      case kConcatLevel:
        if (t.kind == Tok::kAmp) return Op::kConcat;
        break;
      case kAddLevel:
        if (t.kind == Tok::kPlus) return Op::kAdd;
        if (t.kind == Tok::kMinus) return Op::kSub;
        break;
      case kMulLevel:
        if (t.kind == Tok::kStar) return Op::kMul;
        if (t.kind == Tok::kSlash) return Op::kDiv;
        break;
      default:
        break;
    }
    return std::nullopt;
  }

  static std::optional<Op> CompareOp(Tok kind) {
    switch (kind) {
      case Tok::kEq:
        return Op::kEq;
      case Tok::kNe:
        return Op::kNe;
      case Tok::kLt:
        return Op::kLt;
      case Tok::kLe:
        return Op::kLe;
      case Tok::kGt:
        return Op::kGt;
      case Tok::kGe:
        return Op::kGe;
      default:
        return std::nullopt;
    }
  }

  Result<NodeId> ParseOperand(int level) {
    return level + 1 < kLevelCount ? ParseLevel(level + 1) : ParseUnary();
  }

  // Left-associative: a op b op c is (a op b) op c.
  Result<NodeId> ParseLevel(int level) {
    Result<NodeId> left = ParseOperand(level);
    if (!left) return left;
    NodeId acc = *left;
    while (std::optional<Op> op = BinaryOpAt(level)) {
      const std::uint32_t op_pos = Take().pos;
      Result<NodeId> right = ParseOperand(level);
      if (!right) return right;
      if (level == kCompareLevel) {
        if (auto bad = CheckComparison(*op, TypeOf(acc), TypeOf(*right))) return Fail(op_pos, *bad);
      }
      acc = MakeBinary(*op, acc, *right);
    }
    return acc;
  }

  NodeId MakeBinary(Op op, NodeId left, NodeId right) {
    Node node;
    node.kind = NodeKind::kBinary;
    node.pos = tree_.nodes[left].pos;
    node.op = op;
    node.type = BinaryResultType(op);
    node.children = {left, right};
    return Add(std::move(node));
  }

  NodeId MakeUnary(Op op, std::uint32_t pos, NodeId operand) {
    Node node;
    node.kind = NodeKind::kUnary;
    node.pos = pos;
    node.op = op;
    node.type = UnaryResultType(op);
    node.children = {operand};
    return Add(std::move(node));
  }

  std::optional<Op> PrefixOpAt() const {
    switch (Peek().kind) {
      case Tok::kMinus:
        return Op::kNegate;
      case Tok::kPlus:
        return Op::kPlus;
      case Tok::kBang:
        return Op::kNot;
      default:
        break;
    }
    if (PeekIdent("Not") && Peek(1).kind != Tok::kLParen) return Op::kNot;
    return std::nullopt;
  }

  // Prefix operators take an operand that includes ^ and %: -2^2 is -(2^2).
  Result<NodeId> ParseUnary() {
    const std::optional<Op> op = PrefixOpAt();
    if (!op) return ParsePower();
    const std::uint32_t pos = Take().pos;
    if (Status entered = Enter(pos); !entered) return std::move(entered).error();
    Result<NodeId> operand = ParseUnary();
    Leave();
    if (!operand) return operand;
    return MakeUnary(*op, pos, *operand);
  }

  // Right-associative, and the exponent may carry a prefix operator: 2^-1, 2^3^2 = 2^(3^2).
  Result<NodeId> ParsePower() {
    Result<NodeId> base = ParsePostfix();
    if (!base || Peek().kind != Tok::kCaret) return base;
    const std::uint32_t pos = Take().pos;
    if (Status entered = Enter(pos); !entered) return std::move(entered).error();
    Result<NodeId> exponent = ParseUnary();
    Leave();
    if (!exponent) return exponent;
    return MakeBinary(Op::kPow, *base, *exponent);
  }

  Result<NodeId> ParsePostfix() {
    Result<NodeId> operand = ParsePrimary();
    if (!operand) return operand;
    NodeId acc = *operand;
    while (Peek().kind == Tok::kPercent) acc = MakeUnary(Op::kPercent, Take().pos, acc);
    return acc;
  }

  NodeId MakeLiteral(std::uint32_t pos, EvalValue value) {
    Node node;
    node.kind = NodeKind::kLiteral;
    node.pos = pos;
    node.type = value.type();
    node.literal = std::move(value);
    return Add(std::move(node));
  }

  Result<NodeId> ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kNumber:
        return MakeLiteral(Take().pos, EvalValue::Number(t.number));
      case Tok::kText:
        return MakeLiteral(Take().pos, EvalValue::Text(t.text));
      case Tok::kLParen:
        return ParseParenthesized();
      case Tok::kIdent:
      case Tok::kQuotedIdent:
        return ParseName();
      default:
        return Fail(t.pos, "expected an operand, found " + Describe(t));
    }
  }

  Result<NodeId> ParseParenthesized() {
    const std::uint32_t open = Take().pos;
    if (Status entered = Enter(open); !entered) return std::move(entered).error();
    Result<NodeId> inner = ParseLevel(kOrLevel);
    Leave();
    if (!inner) return inner;
    if (Peek().kind != Tok::kRParen) {
      return Fail(Peek().pos, "expected ')', found " + Describe(Peek()));
    }
    Take();
    return inner;
  }

  Result<NodeId> ParseName() {
    const Token name = Take();
    const bool plain = name.kind == Tok::kIdent;
    if (plain && Peek().kind == Tok::kLParen) return ParseCall(name);
    if (plain && (name.text == "true" || name.text == "false")) {
      return MakeLiteral(name.pos, EvalValue::Boolean(name.text == "true"));
    }
    if (plain &&
        (name.text == "And" || name.text == "Or" || name.text == "in" || name.text == "exactin")) {
      return Fail(name.pos, "expected an operand, found " + Describe(name));
    }
    const bool scope = name.text == "job" || name.text == "worker";
    if (scope && Peek().kind == Tok::kDot) return ParseLabel(name);
    if (scope)
      return Fail(name.pos,
                  "'" + name.text + "' is a set of labels; write " + name.text + ".<Label>");
    return Fail(name.pos, UnknownName(name.text));
  }

  static std::string UnknownName(const std::string& name) {
    std::string message = "unknown name '" + name + "'";
    if (name == "True" || name == "TRUE") message += " (did you mean 'true'?)";
    if (name == "False" || name == "FALSE") message += " (did you mean 'false'?)";
    return message;
  }

  Result<NodeId> ParseLabel(const Token& scope) {
    Take();  // '.'
    const Token& key = Peek();
    if (key.kind != Tok::kIdent && key.kind != Tok::kQuotedIdent) {
      return Fail(key.pos,
                  "expected a label name after '" + scope.text + ".', found " + Describe(key));
    }
    Node node;
    node.kind = NodeKind::kLabel;
    node.pos = scope.pos;
    node.type = Type::kUnknown;
    node.scope = scope.text == "job" ? LabelScope::kJob : LabelScope::kWorker;
    node.name = Take().text;
    if (Peek().kind == Tok::kDot) return Fail(Peek().pos, "a label value has no members");
    return Add(std::move(node));
  }

  Result<NodeId> ParseCall(const Token& name) {
    const Builtin* fn = FindBuiltin(name.text);
    if (fn == nullptr) return Fail(name.pos, UnknownFunction(name.text));
    Take();  // '('
    if (Status entered = Enter(name.pos); !entered) return std::move(entered).error();
    Result<std::vector<NodeId>> args = ParseArguments();
    Leave();
    if (!args) return std::move(args).error();
    if (std::optional<std::string> bad = CheckArity(*fn, args->size())) return Fail(name.pos, *bad);
    std::vector<Type> types;
    for (NodeId arg : *args) types.push_back(TypeOf(arg));
    if (std::optional<ArgumentProblem> bad = CheckArguments(*fn, types)) {
      return Fail(tree_.nodes[(*args)[bad->index]].pos, bad->message);
    }
    Node node;
    node.kind = NodeKind::kCall;
    node.pos = name.pos;
    node.fn = fn;
    node.type = CallResultType(*fn, types);
    node.children = std::move(*args);
    return Add(std::move(node));
  }

  static std::string UnknownFunction(const std::string& name) {
    std::string message = "unknown function '" + name + "'";
    if (const Builtin* near = FindBuiltinIgnoringCase(name)) {
      message += " (did you mean '" + std::string(near->name) + "'?)";
    }
    return message;
  }

  Result<std::vector<NodeId>> ParseArguments() {
    std::vector<NodeId> args;
    if (Peek().kind == Tok::kRParen) {
      Take();
      return args;
    }
    while (true) {
      Result<NodeId> arg = ParseLevel(kOrLevel);
      if (!arg) return std::move(arg).error();
      args.push_back(*arg);
      const Token& t = Take();
      if (t.kind == Tok::kRParen) return args;
      if (t.kind != Tok::kComma) return Fail(t.pos, "expected ',' or ')', found " + Describe(t));
    }
  }

  Tree& tree_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
  int depth_ = 0;
};

}  // namespace

Status Parse(Tree& tree) {
  Result<std::vector<Token>> tokens = Lex(tree.source);
  if (!tokens) return std::move(tokens).error();
  return Parser(tree, std::move(*tokens)).Run();
}

}  // namespace sb::expr
