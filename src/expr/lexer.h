// Lexer: turns expression source into tokens, Power Fx lexical rules with an invariant locale
// (. decimal separator, , list separator). Skips whitespace (ASCII and U+00A0) and comments
// (// to end of line, /* */). Word operators (And, Or, Not, in, exactin) and true/false come
// out as identifiers; the parser decides by position. Pure functions, no state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace sb::expr {

enum class Tok {
  kEnd,
  kNumber,
  kText,
  kIdent,
  kQuotedIdent,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kCaret,
  kPercent,
  kAmp,
  kAmpAmp,
  kBarBar,
  kBang,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kDot,
  kLParen,
  kRParen,
  kComma,
  kSemicolon,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::uint32_t pos = 0;  // byte offset of the first character
  std::string text;       // identifier name (unquoted), or decoded text literal
  double number = 0;      // kNumber
};

// The whole token list, ending with a kEnd token at the source's end.
Result<std::vector<Token>> Lex(std::string_view source);

// "expression: position N: <what>", N the 1-based character (code point) position of `pos`.
Error SyntaxError(std::string_view source, std::uint32_t pos, std::string_view what);

// For messages: a token as the user wrote it ("')'", "end of expression", "'Foo'").
std::string Describe(const Token& token);

}  // namespace sb::expr
