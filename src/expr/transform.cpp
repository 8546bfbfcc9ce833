#include "expr/transform.hpp"

#include <cctype>
#include <cstdlib>
#include <sstream>

namespace h2sim::detail {

namespace {

int precedence(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Binary:
      switch (e.binary) {
        case BinaryOp::Or:
          return 1;
        case BinaryOp::And:
          return 2;
        case BinaryOp::Eq:
        case BinaryOp::Ne:
          return 3;
        case BinaryOp::Lt:
        case BinaryOp::Le:
        case BinaryOp::Gt:
        case BinaryOp::Ge:
          return 4;
        case BinaryOp::Add:
        case BinaryOp::Sub:
          return 5;
        case BinaryOp::Mul:
        case BinaryOp::Div:
        case BinaryOp::Mod:
          return 6;
        case BinaryOp::Pow:
          return 8;
      }
      return 0;
    case ExprKind::Unary:
      return 7;  // below ^: -2^2 is -(2^2)
    case ExprKind::If:
      return 0;
    case ExprKind::Number:
      return e.number < 0 ? 7 : 9;  // a negative number reads as -x
    default:
      return 9;
  }
}

const char* op_text(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add:
      return " + ";
    case BinaryOp::Sub:
      return " - ";
    case BinaryOp::Mul:
      return " * ";
    case BinaryOp::Div:
      return " / ";
    case BinaryOp::Pow:
      return "^";
    case BinaryOp::Mod:
      return " MOD ";
    case BinaryOp::Lt:
      return " < ";
    case BinaryOp::Le:
      return " <= ";
    case BinaryOp::Gt:
      return " > ";
    case BinaryOp::Ge:
      return " >= ";
    case BinaryOp::Eq:
      return " = ";
    case BinaryOp::Ne:
      return " <> ";
    case BinaryOp::And:
      return " AND ";
    case BinaryOp::Or:
      return " OR ";
  }
  return " ? ";
}

void print(const Expr& e, std::ostringstream& out);

// A name reads back bare when it is one identifier of the equation grammar (a letter or
// '_' first, then letters, digits, '_' or '$') and not a keyword.
bool needs_quotes(const std::string& name) {
  auto letter = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalpha(u) || c == '_' || u >= 0x80;
  };
  if (name.empty() || !letter(name[0])) return true;
  for (char c : name)
    if (!letter(c) && !std::isdigit(static_cast<unsigned char>(c)) && c != '$') return true;
  for (const char* keyword : {"if", "then", "else", "and", "or", "not", "mod"})
    if (name == keyword) return true;
  return false;
}

// Component variables ("vehicles.fleet") are quoted: XMILE reads a bare dot as a module
// reference. So is any other name that would not read back as one name.
void print_name(const std::string& name, std::ostringstream& out) {
  if (!needs_quotes(name)) {
    out << name;
    return;
  }
  out << '"';
  for (const char c : name) out << (c == '"' ? "\\\"" : std::string(1, c));
  out << '"';
}

// [bus], [*], [*:SubRange] (XMILE's spelling of Vensim's sub!), [2], [INT(TIME) + 1].
void print_subscripts(const Expr& e, std::ostringstream& out) {
  if (e.subscripts.empty()) return;
  out << "[";
  for (std::size_t i = 0; i < e.subscripts.size(); ++i) {
    const Subscript& s = e.subscripts[i];
    if (i) out << ", ";
    switch (s.kind) {
      case Subscript::Kind::Index:
        out << s.index;
        break;
      case Subscript::Kind::Wildcard:
        out << "*";
        if (!s.name.empty()) {
          out << ":";
          print_name(s.name, out);
        }
        break;
      case Subscript::Kind::Expression:
        print(*s.expr, out);
        break;
      case Subscript::Kind::Name:
        print_name(s.name, out);
        break;
    }
  }
  out << "]";
}

// Operands print in parentheses when they bind looser than their parent; the right
// operand also when it binds equally (the binary operators are left-associative),
// except for ^, which the parser groups right to left with a primary as its base and a
// signed power as its exponent: (a^b)^c and (-a)^b keep their parentheses, a^-b^c
// needs none.
void operand(const Expr& child, int parent, bool right, std::ostringstream& out) {
  const int p = precedence(child);
  const bool power = parent == 8;
  const bool wrap = power ? (right ? p < 7 : p < 9) : p < parent || (right && p == parent);
  if (wrap) out << "(";
  print(child, out);
  if (wrap) out << ")";
}

void print(const Expr& e, std::ostringstream& out) {
  switch (e.kind) {
    case ExprKind::Number: {
      // The fewest digits (15 to 17) that read back as the same double.
      std::string text;
      for (int digits = 15; digits <= 17; ++digits) {
        std::ostringstream n;
        n.precision(digits);
        n << e.number;
        text = n.str();
        if (std::strtod(text.c_str(), nullptr) == e.number) break;
      }
      out << text;
      return;
    }
    case ExprKind::Name:
      print_name(e.name, out);
      print_subscripts(e, out);
      return;
    case ExprKind::Unary:
      out << (e.unary == UnaryOp::Neg ? "-" : e.unary == UnaryOp::Plus ? "+" : "NOT ");
      operand(*e.args[0], precedence(e), false, out);
      return;
    case ExprKind::Binary:
      operand(*e.args[0], precedence(e), false, out);
      out << op_text(e.binary);
      operand(*e.args[1], precedence(e), true, out);
      return;
    case ExprKind::If:
      out << "IF ";
      print(*e.args[0], out);
      out << " THEN ";
      print(*e.args[1], out);
      out << " ELSE ";
      print(*e.args[2], out);
      return;
    case ExprKind::Call: {
      if (e.subscripts.empty()) {
        std::string upper = e.name;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out << upper;
      } else {  // a lookup table of one element: table[dim](x)
        print_name(e.name, out);
        print_subscripts(e, out);
      }
      out << "(";
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (i) out << ", ";
        print(*e.args[i], out);
      }
      out << ")";
      return;
    }
  }
}

}  // namespace

std::string to_text(const Expr& e) {
  std::ostringstream out;
  print(e, out);
  return out.str();
}

ExprPtr rename_variables(const ExprPtr& e,
                         const std::function<std::string(const std::string&)>& rename) {
  auto copy = std::make_shared<Expr>(*e);
  if (copy->kind == ExprKind::Name) copy->name = rename(copy->name);
  if (copy->kind == ExprKind::Call) copy->name = rename(copy->name);
  for (auto& a : copy->args) a = rename_variables(a, rename);
  for (auto& s : copy->subscripts)
    if (s.kind == Subscript::Kind::Expression) s.expr = rename_variables(s.expr, rename);
  return copy;
}

}  // namespace h2sim::detail
