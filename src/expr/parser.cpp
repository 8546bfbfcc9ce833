// Equation parser: text -> Expr tree. Recursive descent, one token of lookahead.
//
// Precedence, loosest first (XMILE 1.0 section 3.3.1): OR; AND; = <>; < <= > >=;
// + -; * / MOD; unary - + NOT; ^ (right to left); calls, names, numbers, ( ).
// ^ binds tighter than unary minus, so -2^2 is -4, and 2^3^2 is 2^9: what the SD
// conformance cases (tests/exponentiation, tests/arithmetics_exp) expect.
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "core/text.hpp"
#include "expr/ast.hpp"
#include "expr/tree_limits.hpp"
#include "h2sim/error.hpp"
#include "h2sim/names.hpp"

namespace h2sim {

namespace {

using detail::BinaryOp;
using detail::Expr;
using detail::ExprKind;
using detail::Subscript;
using detail::UnaryOp;

enum class Token { End, Number, Name, Quoted, LParen, RParen, LBracket, RBracket, Comma, Op };

class Parser {
 public:
  Parser(const std::string& text, const std::string& variable) : text_(text), variable_(variable) {
    next();
  }

  ExprPtr parse_all() {
    if (token_ == Token::End) fail("empty equation", 1);
    if (auto too_long = limits_.check_length(text_.size())) fail(*too_long, 1);
    ExprPtr e = parse_or();
    if (token_ != Token::End) fail("unexpected '" + token_text_ + "' after a complete expression");
    return e;
  }

 private:
  // --- lexer ----------------------------------------------------------------
  [[noreturn]] void fail(const std::string& message, int column = -1) const {
    Location where;
    where.variable = variable_;
    where.equation = text_;
    where.column = column >= 0 ? column : token_column_;
    throw ParseError(message, where);
  }

  static bool is_name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;  // UTF-8 letters in names
  }
  static bool is_name_char(char c) {
    return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '$';
  }

  void next() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    // XMILE comments: { ... }
    while (pos_ < text_.size() && text_[pos_] == '{') {
      const auto close = text_.find('}', pos_);
      if (close == std::string::npos) {
        token_column_ = static_cast<int>(pos_) + 1;
        fail("unclosed comment '{'");
      }
      pos_ = close + 1;
      while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    token_column_ = static_cast<int>(pos_) + 1;
    token_text_.clear();
    if (pos_ >= text_.size()) {
      token_ = Token::End;
      return;
    }
    const char c = text_[pos_];
    const char d = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(d)))) {
      lex_number();
      return;
    }
    if (is_name_start(c)) {
      const std::size_t begin = pos_;
      // Names may contain single spaces between words ("birth rate"); a run of
      // words is one name unless a word is a keyword.
      ++pos_;
      while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
      token_text_ = text_.substr(begin, pos_ - begin);
      token_ = Token::Name;
      absorb_spaced_words();
      absorb_qualified_parts();
      return;
    }
    if (c == '"') {
      token_text_ = quoted_part();
      token_ = Token::Quoted;
      absorb_qualified_parts();
      return;
    }
    ++pos_;
    token_text_ = std::string(1, c);
    switch (c) {
      case '(':
        token_ = Token::LParen;
        return;
      case ')':
        token_ = Token::RParen;
        return;
      case '[':
        token_ = Token::LBracket;
        return;
      case ']':
        token_ = Token::RBracket;
        return;
      case ',':
        token_ = Token::Comma;
        return;
      case ':':  // *:SubRange in subscripts
        token_ = Token::Op;
        return;
      case '+':
      case '-':
      case '*':
      case '/':
      case '^':
      case '=':
      case '!':
        token_ = Token::Op;
        if (c == '=' && d == '=') ++pos_, token_text_ = "=";
        if (c == '!' && d == '=') ++pos_, token_text_ = "<>";
        return;
      case '<':
      case '>':
        token_ = Token::Op;
        if (d == '=' || (c == '<' && d == '>')) token_text_ += text_[pos_++];
        return;
      case '&':
        token_ = Token::Op;
        if (d == '&') ++pos_;
        token_text_ = "and";
        return;
      case '|':
        token_ = Token::Op;
        if (d == '|') ++pos_;
        token_text_ = "or";
        return;
      default:
        fail(std::string("unexpected character '") + c + "'");
    }
  }

  // core/text.hpp's scan_number says which characters make a number.
  void lex_number() {
    const std::size_t begin = pos_;
    pos_ = detail::scan_number(text_, pos_);
    token_text_ = text_.substr(begin, pos_ - begin);
    number_ = std::strtod(token_text_.c_str(), nullptr);
    token_ = Token::Number;
    if (pos_ < text_.size() && is_name_start(text_[pos_]))
      fail("a number cannot run into a name: '" + token_text_ + text_[pos_] + "'");
  }

  static bool is_keyword(const std::string& word) {
    const std::string w = canonical_name(word);
    return w == "if" || w == "then" || w == "else" || w == "and" || w == "or" || w == "not" ||
           w == "mod";
  }

  // A quoted name from pos_ (at the opening quote); \" is a quote inside it.
  std::string quoted_part() {
    std::string out;
    std::size_t p = pos_ + 1;
    while (p < text_.size() && text_[p] != '"') {
      if (text_[p] == '\\' && p + 1 < text_.size() && text_[p + 1] == '"') ++p;
      out += text_[p++];
    }
    if (p >= text_.size()) fail("unclosed quoted name");
    pos_ = p + 1;
    return out;
  }

  // A name qualified by a module, with quotes around parts that need them:
  // hares."birth rate", "my module".output, a."module/output" are each one name.
  void absorb_qualified_parts() {
    for (;;) {
      const bool dot_taken =
          !token_text_.empty() && token_text_.back() == '.' && token_ == Token::Name;
      if (!dot_taken && (pos_ >= text_.size() || text_[pos_] != '.')) return;
      const std::size_t after = dot_taken ? pos_ : pos_ + 1;
      if (after >= text_.size()) return;
      if (text_[after] == '"') {
        if (!dot_taken) token_text_ += '.';
        pos_ = after;
        token_text_ += quoted_part();
      } else if (!dot_taken && is_name_start(text_[after])) {
        std::size_t q = after;
        while (q < text_.size() && is_name_char(text_[q])) ++q;
        token_text_ += text_.substr(pos_, q - pos_);
        pos_ = q;
      } else {
        return;
      }
      token_ = Token::Quoted;  // one name, whatever it holds
    }
  }

  // "birth rate" is one name; "a and b" is not.
  void absorb_spaced_words() {
    if (is_keyword(token_text_)) return;
    for (;;) {
      std::size_t p = pos_;
      while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
      if (p == pos_ || p >= text_.size() || !is_name_start(text_[p])) return;
      std::size_t q = p;
      while (q < text_.size() && is_name_char(text_[q])) ++q;
      const std::string word = text_.substr(p, q - p);
      if (is_keyword(word)) return;
      token_text_ += " " + word;
      pos_ = q;
    }
  }

  bool at_op(const char* op) const { return token_ == Token::Op && token_text_ == op; }
  bool at_word(const char* word) const {
    return token_ == Token::Name && canonical_name(token_text_) == word;
  }
  void expect(Token t, const char* what) {
    if (token_ != t)
      fail(std::string("expected ") + what +
           (token_ == Token::End ? " at the end" : " before '" + token_text_ + "'"));
    next();
  }

  // --- grammar ----------------------------------------------------------------
  // Every node goes through here: its height and the count stay inside the limits.
  ExprPtr built(std::shared_ptr<Expr> e) {
    if (auto too_big = limits_.add(*e)) fail(*too_big, e->column);
    return e;
  }

  // Recursion goes through parse_unary, each level through nest().
  detail::NestingLevel nest() {
    return detail::NestingLevel(limits_, [this](const std::string& message) { fail(message); });
  }

  ExprPtr make_binary(BinaryOp op, ExprPtr a, ExprPtr b, int column) {
    return built(detail::binary_node(op, std::move(a), std::move(b), column));
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (at_op("or") || at_word("or")) {
      const int col = token_column_;
      next();
      left = make_binary(BinaryOp::Or, left, parse_and(), col);
    }
    return left;
  }
  ExprPtr parse_and() {
    ExprPtr left = parse_equality();
    while (at_op("and") || at_word("and")) {
      const int col = token_column_;
      next();
      left = make_binary(BinaryOp::And, left, parse_equality(), col);
    }
    return left;
  }
  ExprPtr parse_equality() {
    ExprPtr left = parse_relation();
    while (at_op("=") || at_op("<>")) {
      const BinaryOp op = at_op("=") ? BinaryOp::Eq : BinaryOp::Ne;
      const int col = token_column_;
      next();
      left = make_binary(op, left, parse_relation(), col);
    }
    return left;
  }
  ExprPtr parse_relation() {
    ExprPtr left = parse_additive();
    while (at_op("<") || at_op("<=") || at_op(">") || at_op(">=")) {
      const BinaryOp op = at_op("<")    ? BinaryOp::Lt
                          : at_op("<=") ? BinaryOp::Le
                          : at_op(">")  ? BinaryOp::Gt
                                        : BinaryOp::Ge;
      const int col = token_column_;
      next();
      left = make_binary(op, left, parse_additive(), col);
    }
    return left;
  }
  ExprPtr parse_additive() {
    ExprPtr left = parse_multiplicative();
    while (at_op("+") || at_op("-")) {
      const BinaryOp op = at_op("+") ? BinaryOp::Add : BinaryOp::Sub;
      const int col = token_column_;
      next();
      left = make_binary(op, left, parse_multiplicative(), col);
    }
    return left;
  }
  ExprPtr parse_multiplicative() {
    ExprPtr left = parse_unary();
    while (at_op("*") || at_op("/") || at_word("mod")) {
      const BinaryOp op = at_op("*") ? BinaryOp::Mul : at_op("/") ? BinaryOp::Div : BinaryOp::Mod;
      const int col = token_column_;
      next();
      left = make_binary(op, left, parse_unary(), col);
    }
    return left;
  }
  // ^ binds tighter than unary minus (-2^2 is -4) and groups right to left
  // (2^3^2 is 2^9); its exponent may carry a sign (2^-1).
  ExprPtr parse_power() {
    ExprPtr base = parse_primary();
    if (!at_op("^")) return base;
    const int col = token_column_;
    next();
    return make_binary(BinaryOp::Pow, base, parse_unary(), col);
  }
  ExprPtr parse_unary() {
    const detail::NestingLevel level = nest();
    if (at_op("-") || at_op("+") || at_op("!") || at_word("not")) {
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::Unary;
      e->column = token_column_;
      e->unary = at_op("-") ? UnaryOp::Neg : at_op("+") ? UnaryOp::Plus : UnaryOp::Not;
      next();
      // NOT binds looser than comparisons would suggest in some tools; XMILE puts it
      // with the unary operators, so `not a = b` is `(not a) = b`.
      e->args = {parse_unary()};
      return built(std::move(e));
    }
    return parse_power();
  }

  ExprPtr parse_primary() {
    const int col = token_column_;
    if (token_ == Token::Number) {
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::Number;
      e->number = number_;
      e->column = col;
      next();
      return built(std::move(e));
    }
    if (token_ == Token::LParen) {
      next();
      ExprPtr inner = parse_or();
      expect(Token::RParen, "')'");
      return inner;
    }
    if (at_word("if")) return parse_if();
    if (token_ == Token::Name || token_ == Token::Quoted) {
      // MOD is both an operator (a MOD b) and a function (MOD(a, b)).
      if (token_ == Token::Name && is_keyword(token_text_) && !at_word("mod"))
        fail("unexpected keyword '" + token_text_ + "'");
      auto e = std::make_shared<Expr>();
      e->column = col;
      e->name = canonical_name(token_text_);
      e->kind = ExprKind::Name;
      next();
      if (token_ == Token::LBracket) {
        next();
        e->subscripts.push_back(parse_subscript());
        while (token_ == Token::Comma) {
          next();
          e->subscripts.push_back(parse_subscript());
        }
        expect(Token::RBracket, "']' or ',' in the subscripts");
      }
      // table[dim](x): a lookup table of the element the subscripts name.
      if (token_ == Token::LParen) {
        e->kind = ExprKind::Call;
        next();
        if (token_ != Token::RParen) {
          e->args.push_back(parse_or());
          while (token_ == Token::Comma) {
            next();
            e->args.push_back(parse_or());
          }
        }
        expect(Token::RParen, "')' or ',' in the argument list");
      }
      return built(std::move(e));
    }
    if (token_ == Token::End) fail("the equation ends where a value was expected");
    fail("expected a number, a name or '(' but found '" + token_text_ + "'");
  }

  // An element or dimension name, `*`, `*:SubRange` (every element of a subrange, XMILE),
  // `dim!` (every element of dim, Vensim), a position from 1, or an expression of the
  // position computed while the model runs (`x[INT(TIME MOD 5) + 1]`, `x[Dim.Element]`).
  Subscript parse_subscript() {
    Subscript s;
    if (at_op("*")) {
      s.kind = Subscript::Kind::Wildcard;
      next();
      if (at_op(":")) {
        next();
        if (token_ != Token::Name && token_ != Token::Quoted)
          fail("expected a dimension after '*:' in the subscripts");
        s.name = canonical_name(token_text_);
        next();
      }
      return s;
    }
    if (token_ == Token::RBracket || token_ == Token::Comma)
      fail("expected an element, a dimension or '*' in the subscripts");
    const int column = token_column_;
    const ExprPtr e = parse_or();
    if (at_op(":"))
      fail("ranges of elements (a:b) in subscripts are not supported; use a subrange (*:SubRange)");
    if (e->kind == ExprKind::Number) {
      const double v = e->number;
      // No dimension has more elements than the limit, so no subscript is larger.
      const auto largest = static_cast<double>(
          std::min<std::size_t>(limit(Limit::Elements), std::numeric_limits<int>::max()));
      if (v < 1 || v != std::floor(v) || v > largest)
        fail("a numeric subscript must be a whole number from 1 to " +
                 std::to_string(static_cast<long long>(largest)),
             column);
      s.kind = Subscript::Kind::Index;
      s.index = static_cast<int>(v);
      return s;
    }
    if (e->kind == ExprKind::Name && e->subscripts.empty()) {
      s.name = e->name;
      if (at_op("!")) {  // Vensim's dim! : every element of dim
        s.kind = Subscript::Kind::Wildcard;
        next();
      }
      return s;
    }
    s.kind = Subscript::Kind::Expression;
    s.expr = e;
    return s;
  }

  ExprPtr parse_if() {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::If;
    e->column = token_column_;
    next();
    ExprPtr cond = parse_or();
    if (!at_word("then")) fail("expected THEN in IF ... THEN ... ELSE");
    next();
    ExprPtr yes = parse_or();
    if (!at_word("else")) fail("expected ELSE in IF ... THEN ... ELSE");
    next();
    ExprPtr no = parse_or();
    e->args = {std::move(cond), std::move(yes), std::move(no)};
    return built(std::move(e));
  }

  const std::string& text_;
  const std::string& variable_;
  std::size_t pos_ = 0;
  Token token_ = Token::End;
  std::string token_text_;
  int token_column_ = 1;
  double number_ = 0;
  detail::TreeLimits limits_;
};

}  // namespace

ExprPtr parse_equation(const std::string& text, const std::string& variable) {
  Parser parser(text, variable);
  return parser.parse_all();
}

}  // namespace h2sim
