#include "expr/lexer.h"

#include <charconv>
#include <cmath>

namespace sb::expr {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      if (auto skipped = SkipSpaceAndComments(); !skipped) return std::move(skipped).error();
      const bool after_name = !tokens.empty() && (tokens.back().kind == Tok::kIdent ||
                                                  tokens.back().kind == Tok::kQuotedIdent);
      Result<Token> token = Next(after_name);
      if (!token) return std::move(token).error();
      tokens.push_back(std::move(*token));
      if (tokens.back().kind == Tok::kEnd) return tokens;
    }
  }

 private:
  bool AtEnd() const { return i_ >= src_.size(); }
  char Peek(std::size_t ahead = 0) const {
    return i_ + ahead < src_.size() ? src_[i_ + ahead] : '\0';
  }
  Error Fail(std::size_t pos, std::string_view what) const {
    return SyntaxError(src_, static_cast<std::uint32_t>(pos), what);
  }

  bool SkipSpace() {
    const char c = Peek();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      ++i_;
      return true;
    }
    if (static_cast<unsigned char>(c) == 0xC2 && static_cast<unsigned char>(Peek(1)) == 0xA0) {
      i_ += 2;  // U+00A0 no-break space
      return true;
    }
    return false;
  }

  Status SkipSpaceAndComments() {
    while (!AtEnd()) {
      if (SkipSpace()) continue;
      if (Peek() == '/' && Peek(1) == '/') {
        while (!AtEnd() && Peek() != '\n') ++i_;
        continue;
      }
      if (Peek() == '/' && Peek(1) == '*') {
        const std::size_t start = i_;
        const std::size_t close = src_.find("*/", i_ + 2);
        if (close == std::string_view::npos) return Fail(start, "unterminated comment");
        i_ = close + 2;
        continue;
      }
      break;
    }
    return Ok{};
  }

  // After a name, '.' is member access even before a digit (worker.1 is not worker .1).
  Result<Token> Next(bool after_name) {
    Token token;
    token.pos = static_cast<std::uint32_t>(i_);
    if (AtEnd()) return token;
    const char c = Peek();
    if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)) && !after_name)) return LexNumber(token);
    if (c == '"') return LexQuoted(token, '"', Tok::kText, "unterminated text literal");
    if (c == '\'') return LexQuoted(token, '\'', Tok::kQuotedIdent, "unterminated quoted name");
    if (IsIdentStart(c)) {
      const std::size_t start = i_;
      while (!AtEnd() && IsIdentChar(Peek()) && !IsNoBreakSpace()) ++i_;
      token.kind = Tok::kIdent;
      token.text = std::string(src_.substr(start, i_ - start));
      return token;
    }
    return LexPunctuation(token);
  }

  bool IsNoBreakSpace() const {
    return static_cast<unsigned char>(Peek()) == 0xC2 &&
           static_cast<unsigned char>(Peek(1)) == 0xA0;
  }

  Result<Token> LexNumber(Token& token) {
    const std::size_t start = i_;
    while (IsDigit(Peek())) ++i_;
    if (Peek() == '.') {
      ++i_;
      while (IsDigit(Peek())) ++i_;
    }
    const bool sign = Peek(1) == '+' || Peek(1) == '-';
    if ((Peek() == 'e' || Peek() == 'E') && IsDigit(Peek(sign ? 2 : 1))) {
      i_ += sign ? 2 : 1;
      while (IsDigit(Peek())) ++i_;
    }
    const std::string_view text = src_.substr(start, i_ - start);
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
      return Fail(start, "number out of range");
    }
    token.kind = Tok::kNumber;
    token.number = value;
    return token;
  }

  // "..." with "" for a quote; '...' with '' for a quote.
  Result<Token> LexQuoted(Token& token, char quote, Tok kind, std::string_view unterminated) {
    const std::size_t start = i_++;
    std::string text;
    while (true) {
      if (AtEnd()) return Fail(start, unterminated);
      const char c = src_[i_++];
      if (c != quote) {
        text.push_back(c);
      } else if (Peek() == quote) {
        text.push_back(quote);
        ++i_;
      } else {
        break;
      }
    }
    if (kind == Tok::kQuotedIdent && text.empty()) return Fail(start, "empty quoted name");
    token.kind = kind;
    token.text = std::move(text);
    return token;
  }

  Result<Token> LexPunctuation(Token& token) {
    const char c = Peek();
    const char d = Peek(1);
    auto take = [&](Tok kind, std::size_t length) -> Result<Token> {
      token.kind = kind;
      i_ += length;
      return token;
    };
    switch (c) {
      case '+':
        return take(Tok::kPlus, 1);
      case '-':
        return take(Tok::kMinus, 1);
      case '*':
        return take(Tok::kStar, 1);
      case '/':
        return take(Tok::kSlash, 1);
      case '^':
        return take(Tok::kCaret, 1);
      case '%':
        return take(Tok::kPercent, 1);
      case '&':
        return d == '&' ? take(Tok::kAmpAmp, 2) : take(Tok::kAmp, 1);
      case '|':
        if (d == '|') return take(Tok::kBarBar, 2);
        break;
      case '!':
        return take(Tok::kBang, 1);
      case '=':
        return take(Tok::kEq, 1);
      case '<':
        if (d == '>') return take(Tok::kNe, 2);
        return d == '=' ? take(Tok::kLe, 2) : take(Tok::kLt, 1);
      case '>':
        return d == '=' ? take(Tok::kGe, 2) : take(Tok::kGt, 1);
      case '.':
        return take(Tok::kDot, 1);
      case '(':
        return take(Tok::kLParen, 1);
      case ')':
        return take(Tok::kRParen, 1);
      case ',':
        return take(Tok::kComma, 1);
      case ';':
        return take(Tok::kSemicolon, 1);
      case '[':
      case '{':
        return Fail(i_, "tables and records are not supported");
      default:
        break;
    }
    return Fail(i_, "unexpected character '" + std::string(1, c) + "'");
  }

  std::string_view src_;
  std::size_t i_ = 0;
};

std::size_t CharPosition(std::string_view source, std::uint32_t pos) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < pos && i < source.size(); ++i) {
    if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80) ++chars;  // not a continuation
  }
  return chars + 1;
}

}  // namespace

Result<std::vector<Token>> Lex(std::string_view source) { return Lexer(source).Run(); }

Error SyntaxError(std::string_view source, std::uint32_t pos, std::string_view what) {
  return Error::InvalidArgument("expression: position " +
                                std::to_string(CharPosition(source, pos)) + ": " +
                                std::string(what));
}

std::string Describe(const Token& token) {
  switch (token.kind) {
    case Tok::kEnd:
      return "end of expression";
    case Tok::kNumber:
      return "a number";
    case Tok::kText:
      return "a text literal";
    case Tok::kIdent:
      return "'" + token.text + "'";
    case Tok::kQuotedIdent:
      return "a quoted name";
    case Tok::kPlus:
      return "'+'";
    case Tok::kMinus:
      return "'-'";
    case Tok::kStar:
      return "'*'";
    case Tok::kSlash:
      return "'/'";
    case Tok::kCaret:
      return "'^'";
    case Tok::kPercent:
      return "'%'";
    case Tok::kAmp:
      return "'&'";
    case Tok::kAmpAmp:
      return "'&&'";
    case Tok::kBarBar:
      return "'||'";
    case Tok::kBang:
      return "'!'";
    case Tok::kEq:
      return "'='";
    case Tok::kNe:
      return "'<>'";
    case Tok::kLt:
      return "'<'";
    case Tok::kLe:
      return "'<='";
    case Tok::kGt:
      return "'>'";
    case Tok::kGe:
      return "'>='";
    case Tok::kDot:
      return "'.'";
    case Tok::kLParen:
      return "'('";
    case Tok::kRParen:
      return "')'";
    case Tok::kComma:
      return "','";
    case Tok::kSemicolon:
      return "';'";
  }
  return "a token";
}

}  // namespace sb::expr
