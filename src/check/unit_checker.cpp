// check_units: every equation of a model against the declared units.
//
// Each expression gets one of three kinds of unit:
//   Unknown  it involves a variable with no units (or a unit string that did not parse):
//            nothing that depends on it is checked.
//   Literal  a number, or a result built only from numbers, comparisons and logic: it takes
//            whatever unit a sum, comparison or IF branch needs (so `1 - share` and
//            `IF x > 0 THEN x ELSE 0` are fine), and is a plain number in a product or
//            quotient (so `2 * x` has x's unit and `1 / x` has 1/x's unit).
//   Known    a unit with a dimension and a scale. A number in a product or quotient may be
//            a conversion factor ("capacity * 1000 / 365" for t/year -> kg/day), so the
//            result's scale is no longer known exactly: its dimension is still checked,
//            its scale is not. Without numbers scales are checked: "t/day" + "kg/year",
//            or a t/day flow into a kg stock, is reported.
// Rules:
//   + - MOD, comparisons and IF branches need the same unit, scale included ("t/day" and
//   "kg/year" differ). * and / combine. x^n with a numeric n multiplies exponents; any
//   other exponent must be dimensionless and so must its base.
//   Builtins: each has its own unit rule, beside its lowering, in src/builtins/builtins.cpp
//   (for example SMTH1 gives its input's unit and needs its time in the model's time unit;
//   TIME has the model's time unit: TimeSettings::time_units, "year" when empty).
//   Graphical functions: the argument must match x_units, the result has y_units (or the
//   lookup variable's units when y_units is empty).
//   A stock's initial value has the stock's unit; every inflow and outflow the stock's
//   unit per time unit. A variable's equation gives its declared unit; for a variable
//   with a graphical function the equation gives x_units and the declared unit must be
//   y_units.
#include "check/unit_checker.hpp"

#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "builtins/registry.hpp"
#include "h2sim/check.hpp"
#include "h2sim/error.hpp"
#include "units/value.hpp"

namespace h2sim::detail {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The unit as the user wrote it when there is such a text, else in base units.
std::string shown(const Unit& u) { return u.text.empty() ? format_unit(u) : u.text; }

// Both units for a message. When they share a dimension the problem is the scale, so
// each is followed by its base form, and the factor between them is given.
struct Shown {
  std::string found;
  std::string expected;
  std::string note;
};
Shown show_pair(const Unit& found, const Unit& expected) {
  Shown s{shown(found), shown(expected), ""};
  if (same_dimension(found, expected)) {
    const std::string base_found = format_unit(found);
    const std::string base_expected = format_unit(expected);
    if (base_found != s.found) s.found += " (= " + base_found + ")";
    if (base_expected != s.expected) s.expected += " (= " + base_expected + ")";
    std::ostringstream factor;
    factor.precision(10);
    factor << found.scale / expected.scale;
    s.note = std::string("; same dimension, different scale: multiply by ") + factor.str() +
             " to convert";
  }
  return s;
}

std::string wrap(const std::string& s) {
  return s.find_first_of("*/ ") == std::string::npos ? s : "(" + s + ")";
}

// The value of an expression made only of numbers, or nothing.
std::optional<double> number_value(const ResolvedExpr& e) {
  using Kind = ResolvedExpr::Kind;
  if (e.kind == Kind::Number) return e.number;
  if (e.kind == Kind::Unary && e.unary != UnaryOp::Not) {
    const auto a = number_value(*e.args[0]);
    if (a) return e.unary == UnaryOp::Neg ? -*a : *a;
  }
  if (e.kind == Kind::Binary) {
    const auto a = number_value(*e.args[0]);
    const auto b = number_value(*e.args[1]);
    if (!a || !b) return std::nullopt;
    switch (e.binary) {
      case BinaryOp::Add:
        return *a + *b;
      case BinaryOp::Sub:
        return *a - *b;
      case BinaryOp::Mul:
        return *a * *b;
      case BinaryOp::Div:
        return *a / *b;
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

class UnitChecker {
 public:
  explicit UnitChecker(const ResolvedModel& model) : model_(model) {}

  std::vector<UnitIssue> run() {
    const std::string& time_text = model_.time().time_units;
    time_ = parse(nullptr, "time units", time_text.empty() ? "year" : time_text);
    for (const ResolvedVariable& v : model_.variables) check_variable(v);
    return std::move(issues_);
  }

  // --- reporting (also for builtins' unit rules, through UnitRule below) -----------------
  void report(const std::string& message, const std::string& found, const std::string& expected,
              int column = 0) {
    UnitIssue issue;
    issue.variable = current_->name();
    issue.equation = equation_;
    issue.column = column;
    issue.message = "variable '" + issue.variable + "': " + message;
    issue.found = found;
    issue.expected = expected;
    issue.where = model_.location(*current_, issue.variable);
    issue.where.equation = equation_;
    issue.where.column = column;
    issues_.push_back(std::move(issue));
  }

  // Reports "<subject> A but <expectation> B" when `found` is known and is not `expected`.
  void expect(const UnitValue& found, const UnitValue& expected, const std::string& subject,
              const std::string& expectation, int column) {
    if (!found.is_known() || !expected.is_known() || agree(found, expected)) return;
    const Shown s = show_pair(found.unit, expected.unit);
    report(subject + " " + s.found + " but " + expectation + " " + s.expected + s.note, s.found,
           s.expected, column);
  }

  void expect_time(const UnitValue& found, const std::string& what, int column) {
    if (!found.is_known() || !time_.is_known() || agree(found, time_)) return;
    const Shown s = show_pair(found.unit, time_.unit);
    report(what + " must be in the model's time unit " + s.expected + ", not " + s.found + s.note,
           s.found, s.expected, column);
  }

  void expect_dimensionless(const UnitValue& found, const std::string& what, int column) {
    if (!found.is_known() || agree(found, UnitValue::known(Unit{}))) return;
    const Shown s = show_pair(found.unit, Unit{});
    report(what + " must be dimensionless, not " + s.found + s.note, s.found, "dimensionless",
           column);
  }

  // Operands that must share a unit: reports a difference; the result is their unit.
  UnitValue same(const UnitValue& a, const UnitValue& b, const std::string& what, int column) {
    if (a.is_unknown() || b.is_unknown()) return UnitValue::unknown();
    if (a.is_literal()) return b;
    if (b.is_literal()) return a;
    if (agree(a, b)) return a.exact_scale ? a : b;
    const Shown s = show_pair(a.unit, b.unit);
    report(what + " have different units: " + s.found + " and " + s.expected + s.note, s.found,
           s.expected, column);
    return UnitValue::unknown();  // one report per mistake, not one per enclosing operation
  }

  // base ^ n for a numeric n: exponents times n, which must stay whole.
  UnitValue power(const UnitValue& base, double n, const std::string& what, int column) {
    if (!base.is_known()) return base;
    Unit out;
    out.scale = std::pow(base.unit.scale, n);
    for (const auto& [dim, p] : base.unit.exponents) {
      const double q = p * n;
      if (std::abs(q - std::round(q)) > 1e-9) {
        report(what + " leaves a fractional power of '" + dim + "' in " + shown(base.unit) +
                   " (exponents must stay whole numbers)",
               shown(base.unit), "", column);
        return UnitValue::unknown();
      }
      if (std::lround(q) != 0) out.exponents[dim] = static_cast<int>(std::lround(q));
    }
    return UnitValue::known(out, base.exact_scale);
  }

  UnitValue time() const { return time_; }

  UnitValue apply_lookup(const ResolvedVariable& table, const UnitValue& argument, int column) {
    if (!table.source->graphical_function)  // an array of tables, each with its own points
      return parse(&table, "units", table.source->units);
    const GraphicalFunction& gf = *table.source->graphical_function;
    const UnitValue x = parse(&table, "graphical function x units", gf.x_units);
    expect(argument, x, "the argument of graphical function '" + table.name() + "' has",
           "its x units are", column);
    const UnitValue y = parse(&table, "graphical function y units", gf.y_units);
    return y.is_known() ? y : parse(&table, "units", table.source->units);
  }

  // Elements a reduction of `e` runs over, in the equation being checked.
  std::size_t element_count(const ResolvedExpr& e) const {
    std::vector<bool> bound(model_.dimensions.size(), false);
    for (int d : current_->dimensions) bound[static_cast<std::size_t>(d)] = true;
    std::size_t count = 1;
    for (int d : open_dimensions(model_, e, bound))
      count *= model_.dimensions[static_cast<std::size_t>(d)].size();
    return count;
  }

  const ResolvedModel& model() const { return model_; }
  UnitValue infer(const ResolvedExpr& e);

 private:
  // Parses a unit string once; a string that does not parse is reported once and is unknown.
  UnitValue parse(const ResolvedVariable* variable, const std::string& what,
                  const std::string& text) {
    const std::string key = (variable ? variable->key : std::string()) + '\n' + what;
    if (const auto it = parsed_.find(key); it != parsed_.end()) return it->second;
    UnitValue value;
    try {
      value = UnitValue::known(parse_unit(text));
    } catch (const ParseError& e) {
      UnitIssue issue;
      issue.variable = variable ? variable->name() : std::string();
      issue.equation = text;
      issue.column = e.where().column;
      // "units: unit 'vehicles//year', column 10: expected ..." (load_scenario relies on it).
      issue.message = (variable ? "variable '" + issue.variable + "': " : std::string()) + what +
                      ": " + e.message();
      issue.found = text;
      if (variable)
        issue.where = model_.location(*variable, issue.variable);
      else  // the time units: at the time settings that give them
        issue.where = model_.time().location;
      issue.where.equation = text;
      issue.where.column = issue.column;
      issues_.push_back(std::move(issue));
    }
    parsed_[key] = value;
    return value;
  }

  UnitValue declared(const ResolvedVariable& v) {
    UnitValue u = parse(&v, "units", v.source->units);
    if (!u.is_known() && v.source->units.empty() && v.source->graphical_function)
      u = parse(&v, "graphical function y units", v.source->graphical_function->y_units);
    return u;
  }

  void check_variable(const ResolvedVariable& v);
  void check_flows(const ResolvedVariable& stock, const UnitValue& stock_unit);
  UnitValue infer_binary(const ResolvedExpr& e);
  UnitValue infer_power(const ResolvedExpr& e);
  UnitValue infer_call(const ResolvedExpr& e);

  const ResolvedModel& model_;
  UnitValue time_;
  std::map<std::string, UnitValue> parsed_;  // "variable\nwhat" -> parsed unit
  std::vector<UnitIssue> issues_;
  const ResolvedVariable* current_ = nullptr;
  std::string equation_;
};

// One call of a builtin, as its unit rule sees it.
class UnitRule final : public UnitCall {
 public:
  UnitRule(UnitChecker& checker, const ResolvedExpr& call, std::vector<UnitValue> args)
      : c_(checker), call_(call), args_(std::move(args)), function_(upper(call.name)) {}

  std::size_t argc() const override { return args_.size(); }
  const std::string& function() const override { return function_; }
  UnitValue arg(std::size_t i) override { return i < args_.size() ? args_[i] : UnitValue(); }
  UnitValue time() override { return c_.time(); }
  UnitValue per_time() override {
    return c_.time().is_known() ? UnitValue::known(pow(c_.time().unit, -1)) : UnitValue();
  }
  UnitValue dimensionless() override { return UnitValue::known(Unit{}); }
  UnitValue same(const UnitValue& a, const UnitValue& b, const std::string& what) override {
    return c_.same(a, b, what, call_.column);
  }
  UnitValue product(const UnitValue& a, const UnitValue& b) override {
    return multiply(a, b, false);
  }
  UnitValue quotient(const UnitValue& a, const UnitValue& b) override {
    return multiply(a, b, true);
  }
  UnitValue power(const UnitValue& base, double exponent, const std::string& what) override {
    return c_.power(base, exponent, what, call_.column);
  }
  void expect_time(std::size_t i, const std::string& what) override {
    c_.expect_time(arg(i), what, column(i));
  }
  void expect_dimensionless(std::size_t i, const std::string& what) override {
    c_.expect_dimensionless(arg(i), what, column(i));
  }
  void expect(std::size_t i, const UnitValue& expected, const std::string& subject,
              const std::string& expectation) override {
    c_.expect(arg(i), expected, subject, expectation, column(i));
  }
  std::size_t element_count(std::size_t i) override {
    return i < call_.args.size() ? c_.element_count(*call_.args[i]) : 1;
  }
  UnitValue lookup(std::size_t table, std::size_t x) override {
    const ResolvedExpr& t = *call_.args[table];
    return c_.apply_lookup(c_.model().variables[static_cast<std::size_t>(t.variable)], arg(x),
                           column(x));
  }

 private:
  int column(std::size_t i) const {
    return i < call_.args.size() ? call_.args[i]->column : call_.column;
  }

  UnitChecker& c_;
  const ResolvedExpr& call_;
  std::vector<UnitValue> args_;
  std::string function_;
};

void UnitChecker::check_variable(const ResolvedVariable& v) {
  current_ = &v;
  equation_.clear();
  const UnitValue unit = parse(&v, "units", v.source->units);
  const auto& gf = v.source->graphical_function;
  if (gf && v.kind != VariableKind::Stock) {
    // The lookup's own units must agree with the units declared for its output.
    const UnitValue y = parse(&v, "graphical function y units", gf->y_units);
    expect(unit, y, "the declared units are", "the graphical function's y units are", 0);
  }
  if (v.lookup_only) return;

  // The unit the equation must give: x_units for XMILE-style gf(equation) variables.
  UnitValue target = unit;
  std::string subject = "the equation gives";
  std::string expectation = "the variable's units are";
  if (gf && v.kind != VariableKind::Stock) {
    target = parse(&v, "graphical function x units", gf->x_units);
    subject = "the equation (the graphical function's input) gives";
    expectation = "the graphical function's x units are";
  } else if (v.kind == VariableKind::Stock) {
    subject = "the initial value gives";
    expectation = "the stock's units are";
  }
  auto check_equation = [&](const ResolvedEquation& eq) {
    if (!eq.expr) return;
    equation_ = eq.text;
    expect(infer(*eq.expr), target, subject, expectation, 0);
  };
  if (v.equation) check_equation(*v.equation);
  for (const ResolvedEquation& eq : v.per_element) check_equation(eq);

  if (v.kind == VariableKind::Stock) check_flows(v, unit);
}

void UnitChecker::check_flows(const ResolvedVariable& stock, const UnitValue& stock_unit) {
  if (!stock_unit.is_known() || !time_.is_known()) return;
  UnitValue rate = UnitValue::known(stock_unit.unit / time_.unit);
  rate.unit.text = wrap(shown(stock_unit.unit)) + "/" + wrap(shown(time_.unit));
  auto check = [&](int index, const char* direction) {
    const ResolvedVariable& flow = model_.variables[static_cast<std::size_t>(index)];
    equation_ = std::string(direction) + " " + flow.name();
    const UnitValue found = declared(flow);
    if (!found.is_known() || same_unit(found.unit, rate.unit)) return;
    const Shown s = show_pair(found.unit, rate.unit);
    report(std::string(direction) + " '" + flow.name() + "' has " + s.found +
               " but a flow of stock '" + stock.name() + "' (" + shown(stock_unit.unit) +
               ") must have " + s.expected + s.note,
           s.found, s.expected);
  };
  for (int f : stock.inflows) check(f, "inflow");
  for (int f : stock.outflows) check(f, "outflow");
}

UnitValue UnitChecker::infer(const ResolvedExpr& e) {
  using Kind = ResolvedExpr::Kind;
  switch (e.kind) {
    case Kind::Number:
    case Kind::DimensionPosition:  // an element's position: a plain number
      return UnitValue::literal();
    case Kind::Variable:
      return declared(model_.variables[static_cast<std::size_t>(e.variable)]);
    case Kind::Table:
      return UnitValue::unknown();
    case Kind::Unary: {
      const UnitValue a = infer(*e.args[0]);
      return e.unary == UnaryOp::Not ? UnitValue::literal() : a;
    }
    case Kind::Binary:
      return infer_binary(e);
    case Kind::If:
      infer(*e.args[0]);
      return same(infer(*e.args[1]), infer(*e.args[2]), "the THEN and ELSE branches of IF",
                  e.column);
    case Kind::Lookup: {
      const UnitValue argument = infer(*e.args[0]);
      return apply_lookup(model_.variables[static_cast<std::size_t>(e.variable)], argument,
                          e.args[0]->column);
    }
    case Kind::Call:
      return infer_call(e);
  }
  return UnitValue::unknown();
}

UnitValue UnitChecker::infer_binary(const ResolvedExpr& e) {
  static const char* const symbols[] = {
      "+", "-", "*", "/", "^", "<", "<=", ">", ">=", "=", "<>", "AND", "OR", "MOD"};
  const std::string op = symbols[static_cast<int>(e.binary)];
  if (e.binary == BinaryOp::Pow) return infer_power(e);
  const UnitValue a = infer(*e.args[0]);
  const UnitValue b = infer(*e.args[1]);
  switch (e.binary) {
    case BinaryOp::Add:
    case BinaryOp::Sub:
    case BinaryOp::Mod:
      return same(a, b, "the operands of '" + op + "'", e.column);
    case BinaryOp::Mul:
      return multiply(a, b, false);
    case BinaryOp::Div:
      return multiply(a, b, true);
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
    case BinaryOp::Eq:
    case BinaryOp::Ne:
      same(a, b, "the operands of '" + op + "'", e.column);
      return UnitValue::literal();
    case BinaryOp::And:
    case BinaryOp::Or:
    case BinaryOp::Pow:
      return UnitValue::literal();
  }
  return UnitValue::unknown();
}

UnitValue UnitChecker::infer_power(const ResolvedExpr& e) {
  UnitValue base = infer(*e.args[0]);
  const UnitValue exponent = infer(*e.args[1]);
  if (const auto n = number_value(*e.args[1])) return power(base, *n, "'^'", e.column);
  expect_dimensionless(exponent, "the exponent of '^'", e.column);
  expect_dimensionless(base, "the base of '^' with a non-numeric exponent", e.column);
  if (!base.is_known()) return base;
  // A dimensioned base was reported above; its power has no sensible unit.
  return same_dimension(base.unit, Unit{}) ? UnitValue::known(Unit{}, base.exact_scale)
                                           : UnitValue::unknown();
}

UnitValue UnitChecker::infer_call(const ResolvedExpr& e) {
  std::vector<UnitValue> args;
  for (const auto& a : e.args) args.push_back(infer(*a));
  UnitRule rule(*this, e, std::move(args));
  return e.builtin->units(rule);
}

}  // namespace

std::vector<UnitIssue> check_units(const ResolvedModel& model) { return UnitChecker(model).run(); }

}  // namespace h2sim::detail

namespace h2sim {

std::vector<UnitIssue> check_units(const Model& model) {
  return detail::check_units(detail::resolve(model));
}

std::string to_string(const UnitIssue& issue) {
  Location where;
  where.equation = issue.equation;
  where.column = issue.column;
  return format_error(issue.message, where);
}

}  // namespace h2sim
