// Vensim equation parser: recursive descent over a small lexer, one token of lookahead.
#include "io/vensim_expression.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include "core/text.hpp"
#include "expr/tree_limits.hpp"
#include "h2sim/error.hpp"
#include "h2sim/names.hpp"

namespace h2sim::detail {

namespace {

enum class Token { End, Number, Name, Text, LParen, RParen, LBracket, RBracket, Comma, Op };

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_char(char c) {
  return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '\'' || c == '&' ||
         c == '%' || c == '#' || c == '.';
}

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

  VensimLookup parse_lookup_all() {
    VensimLookup l = parse_lookup();
    if (token_ != Token::End) fail("unexpected '" + token_text_ + "' after the lookup");
    return l;
  }

 private:
  [[noreturn]] void fail(const std::string& message, int column = -1) const {
    Location where;
    where.variable = variable_;
    where.equation = text_;
    where.column = column >= 0 ? column : token_column_;
    throw ParseError(message, where);
  }

  void skip_space() {
    for (;;) {
      while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '{') {  // { comment }
        const auto close = text_.find('}', pos_);
        if (close == std::string::npos) {
          token_column_ = static_cast<int>(pos_) + 1;
          fail("unclosed comment '{'");
        }
        pos_ = close + 1;
        continue;
      }
      return;
    }
  }

  // The lexer: one case per kind of token, kept in one function (over 100 lines) so that
  // the whole of Vensim's token syntax reads in one place.
  void next() {
    skip_space();
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
    if (c == ':') {
      // :AND: :OR: :NOT: :NA:
      const auto close = text_.find(':', pos_ + 1);
      if (close != std::string::npos) {
        std::string word;
        for (std::size_t i = pos_ + 1; i < close; ++i)
          word += static_cast<char>(std::toupper(static_cast<unsigned char>(text_[i])));
        if (word == "AND" || word == "OR" || word == "NOT" || word == "NA") {
          pos_ = close + 1;
          token_ = Token::Op;
          token_text_ = ":" + word + ":";
          return;
        }
      }
      fail("unexpected ':'");
    }
    if (is_name_start(c)) {
      const std::size_t begin = pos_;
      while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
      // Words separated by single spaces belong to one name ("IF THEN ELSE").
      for (;;) {
        std::size_t p = pos_;
        while (p < text_.size() &&
               (text_[p] == ' ' || text_[p] == '\t' || text_[p] == '\n' || text_[p] == '\r'))
          ++p;
        // Later words may start with a digit ("var 1dim", "supply 0D").
        if (p == pos_ || p >= text_.size() || !is_name_char(text_[p]) || text_[p] == '.' ||
            text_[p] == '\'')
          break;
        std::size_t q = p;
        while (q < text_.size() && is_name_char(text_[q])) ++q;
        pos_ = q;
      }
      std::string raw = text_.substr(begin, pos_ - begin);
      for (const char ch : raw) {
        if (std::isspace(static_cast<unsigned char>(ch))) {
          if (!token_text_.empty() && token_text_.back() != ' ') token_text_ += ' ';
        } else {
          token_text_ += ch;
        }
      }
      token_ = Token::Name;
      return;
    }
    if (c == '"') {
      std::string name;
      std::size_t p = pos_ + 1;
      while (p < text_.size() && text_[p] != '"') {
        if (text_[p] == '\\' && p + 1 < text_.size() && text_[p + 1] == '"') ++p;
        name += text_[p++];
      }
      if (p >= text_.size()) fail("unclosed quoted name");
      pos_ = p + 1;
      token_text_ = name;
      token_ = Token::Name;
      return;
    }
    if (c == '\'') {
      const auto close = text_.find('\'', pos_ + 1);
      if (close == std::string::npos) fail("unclosed text in single quotes");
      token_text_ = text_.substr(pos_ + 1, close - pos_ - 1);
      pos_ = close + 1;
      token_ = Token::Text;
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
      case '+':
      case '-':
      case '*':
      case '/':
      case '^':
      case '=':
      case '!':
        token_ = Token::Op;
        return;
      case '<':
      case '>':
        token_ = Token::Op;
        if (d == '=' || (c == '<' && d == '>')) token_text_ += text_[pos_++];
        return;
      default:
        fail(std::string("unexpected character '") + c + "'");
    }
  }

  void lex_number() {
    const std::size_t begin = pos_;
    pos_ = detail::scan_number(text_, pos_);
    token_text_ = text_.substr(begin, pos_ - begin);
    number_ = std::strtod(token_text_.c_str(), nullptr);
    token_ = Token::Number;
  }

  bool at_op(const char* op) const { return token_ == Token::Op && token_text_ == op; }

  void expect(Token t, const char* what) {
    if (token_ != t)
      fail(std::string("expected ") + what +
           (token_ == Token::End ? " at the end" : " before '" + token_text_ + "'"));
    next();
  }

  // Every node of the equation goes through here: its height and the count stay inside the
  // limits (expr/tree_limits.hpp), as in the equation parser of src/expr.
  ExprPtr built(std::shared_ptr<Expr> e) {
    if (auto too_big = limits_.add(*e)) fail(*too_big, e->column);
    return e;
  }

  // Recursion goes through parse_not and parse_unary, each level through nest().
  NestingLevel nest() {
    return NestingLevel(limits_, [this](const std::string& message) { fail(message); });
  }

  ExprPtr make_binary(BinaryOp op, ExprPtr a, ExprPtr b, int column) {
    return built(binary_node(op, std::move(a), std::move(b), column));
  }
  static std::shared_ptr<Expr> make_number(double v, int column) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Number;
    e->number = v;
    e->column = column;
    return e;
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (at_op(":OR:")) {
      const int col = token_column_;
      next();
      left = make_binary(BinaryOp::Or, left, parse_and(), col);
    }
    return left;
  }
  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (at_op(":AND:")) {
      const int col = token_column_;
      next();
      left = make_binary(BinaryOp::And, left, parse_not(), col);
    }
    return left;
  }
  ExprPtr parse_not() {
    const NestingLevel level = nest();
    if (at_op(":NOT:")) {
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::Unary;
      e->unary = UnaryOp::Not;
      e->column = token_column_;
      next();
      e->args = {parse_not()};
      return built(std::move(e));
    }
    return parse_comparison();
  }
  ExprPtr parse_comparison() {
    ExprPtr left = parse_additive();
    for (;;) {
      BinaryOp op;
      if (at_op("="))
        op = BinaryOp::Eq;
      else if (at_op("<>"))
        op = BinaryOp::Ne;
      else if (at_op("<"))
        op = BinaryOp::Lt;
      else if (at_op("<="))
        op = BinaryOp::Le;
      else if (at_op(">"))
        op = BinaryOp::Gt;
      else if (at_op(">="))
        op = BinaryOp::Ge;
      else
        return left;
      const int col = token_column_;
      next();
      left = make_binary(op, left, parse_additive(), col);
    }
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
    while (at_op("*") || at_op("/")) {
      const BinaryOp op = at_op("*") ? BinaryOp::Mul : BinaryOp::Div;
      const int col = token_column_;
      next();
      left = make_binary(op, left, parse_unary(), col);
    }
    return left;
  }
  ExprPtr parse_unary() {
    const NestingLevel level = nest();
    if (at_op("-") || at_op("+")) {
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::Unary;
      e->column = token_column_;
      e->unary = at_op("-") ? UnaryOp::Neg : UnaryOp::Plus;
      next();
      e->args = {parse_unary()};
      return built(std::move(e));
    }
    return parse_power();
  }
  ExprPtr parse_power() {
    ExprPtr base = parse_primary();
    if (!at_op("^")) return base;
    const int col = token_column_;
    next();
    return make_binary(BinaryOp::Pow, base, parse_unary(), col);
  }

  ExprPtr parse_primary() {
    const int col = token_column_;
    if (token_ == Token::Number) {
      const double v = number_;
      next();
      return built(make_number(v, col));
    }
    if (at_op(":NA:")) {
      next();
      return built(make_number(kVensimNA, col));
    }
    if (token_ == Token::LParen) {
      next();
      ExprPtr inner = parse_or();
      expect(Token::RParen, "')'");
      return inner;
    }
    if (token_ == Token::Text) {
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::Name;
      e->name = "'" + token_text_ + "'";
      e->column = col;
      next();
      return built(std::move(e));
    }
    if (token_ == Token::Name) {
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
      if (token_ == Token::LParen) {
        e->kind = ExprKind::Call;
        next();
        const bool with_lookup = e->name == "with_lookup";
        if (token_ != Token::RParen) {
          e->args.push_back(parse_or());
          while (token_ == Token::Comma) {
            next();
            if (with_lookup && e->args.size() == 1 && token_ == Token::LParen) {
              e->args.push_back(lookup_call(parse_lookup()));
              continue;
            }
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

  static ExprPtr lookup_call(const VensimLookup& l) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Call;
    e->name = "\x01lookup";
    for (std::size_t i = 0; i < l.x.size(); ++i) {
      e->args.push_back(make_number(l.x[i], 0));
      e->args.push_back(make_number(l.y[i], 0));
    }
    return e;
  }

  Subscript parse_subscript() {
    Subscript s;
    if (token_ == Token::Name) {
      s.name = canonical_name(token_text_);
      next();
      if (at_op("!")) {  // dim! : every element of dim
        s.kind = Subscript::Kind::Wildcard;
        next();
      }
      return s;
    }
    if (at_op("*")) {
      s.kind = Subscript::Kind::Wildcard;
      next();
      return s;
    }
    fail("expected an element or a subscript range in the subscripts");
  }

  double signed_number(const char* what) {
    bool negative = false;
    while (at_op("-") || at_op("+")) {
      if (at_op("-")) negative = !negative;
      next();
    }
    if (token_ != Token::Number) fail(std::string("expected a number in ") + what);
    const double v = negative ? -number_ : number_;
    next();
    return v;
  }

  // ( [(x0,y0)-(x1,y1)], (x,y), (x,y), ... )
  VensimLookup parse_lookup() {
    VensimLookup l;
    expect(Token::LParen, "'(' to open the lookup");
    if (token_ == Token::LBracket) {  // the range: display only
      int depth = 0;
      do {
        if (token_ == Token::LBracket) ++depth;
        if (token_ == Token::RBracket) --depth;
        if (token_ == Token::End) fail("unclosed '[' in the lookup's range");
        next();
      } while (depth > 0);
      if (token_ == Token::Comma) next();
    }
    if (token_ == Token::Number || at_op("-") || at_op("+")) {
      // The flat form: x1, x2, ..., y1, y2, ...
      std::vector<double> values;
      values.push_back(signed_number("the lookup"));
      while (token_ == Token::Comma) {
        next();
        values.push_back(signed_number("the lookup"));
      }
      if (values.size() % 2 != 0)
        fail("a lookup written as x values then y values needs as many of each");
      const std::size_t n = values.size() / 2;
      l.x.assign(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n));
      l.y.assign(values.begin() + static_cast<std::ptrdiff_t>(n), values.end());
    } else {
      for (;;) {
        expect(Token::LParen, "'(' before a lookup point (x,y)");
        l.x.push_back(signed_number("a lookup point"));
        expect(Token::Comma, "',' between x and y");
        l.y.push_back(signed_number("a lookup point"));
        expect(Token::RParen, "')' after a lookup point");
        if (token_ != Token::Comma) break;
        next();
      }
    }
    expect(Token::RParen, "')' to close the lookup");
    return l;
  }

  const std::string& text_;
  const std::string& variable_;
  std::size_t pos_ = 0;
  Token token_ = Token::End;
  std::string token_text_;
  int token_column_ = 1;
  double number_ = 0;
  TreeLimits limits_;
};

}  // namespace

ExprPtr parse_vensim_equation(const std::string& text, const std::string& variable) {
  return Parser(text, variable).parse_all();
}

VensimLookup parse_vensim_lookup(const std::string& text, const std::string& variable) {
  return Parser(text, variable).parse_lookup_all();
}

VensimLookup vensim_lookup_of(const Expr& e) {
  VensimLookup l;
  for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
    l.x.push_back(e.args[i]->number);
    l.y.push_back(e.args[i + 1]->number);
  }
  return l;
}

bool parse_vensim_number_table(const std::string& text, std::vector<std::vector<double>>& rows) {
  rows.assign(1, {});
  std::size_t p = 0;
  auto skip = [&] {
    while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
  };
  bool expect_value = true;
  for (;;) {
    skip();
    if (p >= text.size()) break;
    if (expect_value) {
      const char* begin = text.c_str() + p;
      char* end = nullptr;
      // strtod would read "inf", "nan" and hexadecimal: only plain numbers here.
      const char c = text[p];
      if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.'))
        return false;
      const double v = std::strtod(begin, &end);
      if (end == begin) return false;
      for (const char* q = begin; q < end; ++q)
        if (std::isalpha(static_cast<unsigned char>(*q)) && *q != 'e' && *q != 'E') return false;
      rows.back().push_back(v);
      p += static_cast<std::size_t>(end - begin);
      expect_value = false;
      continue;
    }
    if (text[p] == ',') {
      ++p;
      expect_value = true;
      continue;
    }
    if (text[p] == ';') {
      ++p;
      skip();
      if (p < text.size()) rows.emplace_back();
      expect_value = true;
      continue;
    }
    return false;
  }
  if (rows.back().empty()) rows.pop_back();
  if (rows.empty() || rows[0].empty()) return false;
  return !expect_value || text.find(';') != std::string::npos || rows.size() > 1;
}

}  // namespace h2sim::detail
