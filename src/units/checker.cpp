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
//   + - MOD, comparisons, IF branches, MIN/MAX/MEAN of several arguments, PREVIOUS and
//   the initial values of SMTH/DELAY need the same unit, scale included ("t/day" and
//   "kg/year" differ). * and / combine. x^n with a numeric n multiplies exponents; any
//   other exponent must be dimensionless and so must its base. EXP, LN, LOG10 and the
//   trigonometric functions need a dimensionless argument (scale 1) and give one; SQRT
//   halves exponents; ABS, INT, ROUND keep the unit.
//   TIME, DT, STARTTIME, STOPTIME have the model's time unit (TimeSettings::time_units,
//   "year" when empty). SMTH*/DELAY* give their input's unit; their time argument must be
//   in the time unit, their order dimensionless. TREND gives 1/time; FORCST its input's
//   unit. STEP gives its height's unit; RAMP slope*time; PULSE magnitude/time (XMILE: the
//   pulse is magnitude/DT during one DT); their times are in the time unit.
//   SAFEDIV/XIDZ/ZIDZ are quotients whose fallback has the quotient's unit.
//   Graphical functions: the argument must match x_units, the result has y_units (or the
//   lookup variable's units when y_units is empty).
//   SUM/MIN/MAX/MEAN over an array keep the element unit; PROD over n elements gives it
//   to the power n.
//   A stock's initial value has the stock's unit; every inflow and outflow the stock's
//   unit per time unit. A variable's equation gives its declared unit; for a variable
//   with a graphical function the equation gives x_units and the declared unit must be
//   y_units.
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "expr/ast.hpp"
#include "h2sim/error.hpp"
#include "h2sim/units.hpp"

namespace h2sim {

namespace {

using detail::BinaryOp;
using detail::Expr;
using detail::ExprKind;
using detail::Subscript;
using detail::UnaryOp;

struct Value {
  enum class Kind { Unknown, Literal, Known } kind = Kind::Unknown;
  Unit unit;
  bool exact_scale = true;  // false once a number has multiplied or divided it

  static Value unknown() { return {}; }
  static Value literal() { return {Kind::Literal, Unit{}, true}; }
  static Value known(Unit u, bool exact = true) {
    if (!u.specified) return unknown();
    if (!exact) {
      // Only the dimension means anything now: show it in base units, without a scale.
      u.scale = 1.0;
      u.text.clear();
    }
    return {Kind::Known, std::move(u), exact};
  }
  bool is_known() const { return kind == Kind::Known; }
  bool is_literal() const { return kind == Kind::Literal; }
};

// Whether two known values agree: the dimension always, the scale when both are exact.
bool agree(const Value& a, const Value& b) {
  if (!a.exact_scale || !b.exact_scale) return same_dimension(a.unit, b.unit);
  return same_unit(a.unit, b.unit);
}

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

class UnitChecker {
 public:
  explicit UnitChecker(const Model& model) : model_(model) {}

  std::vector<UnitIssue> run() {
    const std::string& time_text = model_.time().time_units;
    time_ = parse("", "time units", time_text.empty() ? "year" : time_text);
    for (const Variable& v : model_.variables()) check_variable(v);
    return std::move(issues_);
  }

 private:
  // --- reporting --------------------------------------------------------------------
  void report(const std::string& message, const std::string& found, const std::string& expected,
              int column = 0) {
    UnitIssue issue;
    issue.variable = variable_;
    issue.equation = equation_;
    issue.column = column;
    issue.message =
        (variable_.empty() ? std::string() : "variable '" + variable_ + "': ") + message;
    issue.found = found;
    issue.expected = expected;
    issues_.push_back(std::move(issue));
  }

  // Reports "<subject> A but <expectation> B" when `found` is known and is not `expected`.
  void expect(const Value& found, const Value& expected, const std::string& subject,
              const std::string& expectation, int column) {
    if (!found.is_known() || !expected.is_known() || agree(found, expected)) return;
    const Shown s = show_pair(found.unit, expected.unit);
    report(subject + " " + s.found + " but " + expectation + " " + s.expected + s.note, s.found,
           s.expected, column);
  }

  void expect_time(const Value& found, const std::string& what, int column) {
    if (!found.is_known() || !time_.is_known() || agree(found, time_)) return;
    const Shown s = show_pair(found.unit, time_.unit);
    report(what + " must be in the model's time unit " + s.expected + ", not " + s.found + s.note,
           s.found, s.expected, column);
  }

  void expect_dimensionless(const Value& found, const std::string& what, int column) {
    if (!found.is_known() || agree(found, Value::known(Unit{}))) return;
    const Shown s = show_pair(found.unit, Unit{});
    report(what + " must be dimensionless, not " + s.found + s.note, s.found, "dimensionless",
           column);
  }

  // Parses a unit string; a string that does not parse is reported once and is unknown.
  Value parse(const std::string& variable, const std::string& what, const std::string& text) {
    const std::string key = variable + '\n' + what;
    if (const auto it = parsed_.find(key); it != parsed_.end()) return it->second;
    Value value;
    try {
      value = Value::known(parse_unit(text));
    } catch (const ParseError& e) {
      UnitIssue issue;
      issue.variable = variable;
      issue.equation = text;
      issue.column = e.where().column;
      // "units: unit 'vehicles//year', column 10: expected ..." (the YAML loader relies on it).
      issue.message = (variable.empty() ? std::string() : "variable '" + variable + "': ") + what +
                      ": " + e.message();
      issue.found = text;
      issues_.push_back(std::move(issue));
    }
    parsed_[key] = value;
    return value;
  }

  Value declared(const Variable& v) {
    Value u = parse(v.name, "units", v.units);
    if (!u.is_known() && v.units.empty() && v.graphical_function)
      u = parse(v.name, "graphical function y units", v.graphical_function->y_units);
    return u;
  }

  // --- variables ----------------------------------------------------------------------
  void check_variable(const Variable& v) {
    variable_ = v.name;
    current_ = &v;
    const Value unit = parse(v.name, "units", v.units);
    const bool lookup_only = v.graphical_function && !v.expr && v.element_equations.empty();
    if (v.graphical_function && v.kind != VariableKind::Stock) {
      // The lookup's own units must agree with the units declared for its output.
      equation_.clear();
      const Value y = parse(v.name, "graphical function y units", v.graphical_function->y_units);
      expect(unit, y, "the declared units are", "the graphical function's y units are", 0);
    }
    if (lookup_only) return;

    // The unit the equation must give: x_units for XMILE-style gf(equation) variables.
    Value target = unit;
    std::string subject = "the equation gives";
    std::string expectation = "the variable's units are";
    if (v.graphical_function && v.kind != VariableKind::Stock) {
      target = parse(v.name, "graphical function x units", v.graphical_function->x_units);
      subject = "the equation (the graphical function's input) gives";
      expectation = "the graphical function's x units are";
    } else if (v.kind == VariableKind::Stock) {
      subject = "the initial value gives";
      expectation = "the stock's units are";
    }
    auto check_equation = [&](const std::string& text, const ExprPtr& expr) {
      if (!expr) return;
      equation_ = text;
      const Value found = infer(*expr);
      expect(found, target, subject, expectation, 0);
    };
    check_equation(v.equation, v.expr);
    for (const ElementEquation& eq : v.element_equations) check_equation(eq.text, eq.expr);

    if (v.kind == VariableKind::Stock) check_flows(v, unit);
  }

  void check_flows(const Variable& stock, const Value& stock_unit) {
    if (!stock_unit.is_known() || !time_.is_known()) return;
    Value rate = Value::known(stock_unit.unit / time_.unit);
    rate.unit.text = wrap(shown(stock_unit.unit)) + "/" + wrap(shown(time_.unit));
    auto check = [&](const std::string& name, const char* direction) {
      const Variable* flow = model_.find(name);
      if (flow == nullptr) return;  // compile_model reports unknown flows
      equation_ = std::string(direction) + " " + name;
      const Value found = declared(*flow);
      if (!found.is_known() || same_unit(found.unit, rate.unit)) return;
      const Shown s = show_pair(found.unit, rate.unit);
      report(std::string(direction) + " '" + flow->name + "' has " + s.found +
                 " but a flow of stock '" + stock.name + "' (" + shown(stock_unit.unit) +
                 ") must have " + s.expected + s.note,
             s.found, s.expected);
    };
    for (const auto& f : stock.inflows) check(f, "inflow");
    for (const auto& f : stock.outflows) check(f, "outflow");
  }

  static std::string wrap(const std::string& s) {
    return s.find_first_of("*/ ") == std::string::npos ? s : "(" + s + ")";
  }

  // --- expressions --------------------------------------------------------------------
  Value infer(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Number:
        return Value::literal();
      case ExprKind::Name:
        return infer_name(e);
      case ExprKind::Unary: {
        const Value a = infer(*e.args[0]);
        return e.unary == UnaryOp::Not ? Value::literal() : a;
      }
      case ExprKind::Binary:
        return infer_binary(e);
      case ExprKind::If: {
        infer(*e.args[0]);
        return same(infer(*e.args[1]), infer(*e.args[2]), "the THEN and ELSE branches of IF",
                    e.column);
      }
      case ExprKind::Call:
        return infer_call(e);
    }
    return Value::unknown();
  }

  // Operands that must share a unit: reports a difference; the result is their unit.
  Value same(const Value& a, const Value& b, const std::string& what, int column) {
    if (a.kind == Value::Kind::Unknown || b.kind == Value::Kind::Unknown) return Value::unknown();
    if (a.is_literal()) return b;
    if (b.is_literal()) return a;
    if (agree(a, b)) return a.exact_scale ? a : b;
    const Shown s = show_pair(a.unit, b.unit);
    report(what + " have different units: " + s.found + " and " + s.expected + s.note, s.found,
           s.expected, column);
    return Value::unknown();  // one report per mistake, not one per enclosing operation
  }

  Value infer_name(const Expr& e) {
    if (const Variable* v = model_.find(e.name)) {
      if (v->graphical_function && !v->expr && v->element_equations.empty())
        return Value::unknown();
      return declared(*v);
    }
    if (e.subscripts.empty()) {
      static const std::set<std::string> clock = {
          "time", "dt", "time_step", "starttime", "initial_time", "stoptime", "final_time"};
      if (clock.count(e.name) != 0) return time_;
      if (e.name == "pi") return Value::literal();
    }
    // A dimension name used as a value is an element position: a plain number.
    if (model_.find_dimension(e.name) != nullptr) return Value::literal();
    return Value::unknown();  // compile_model reports unknown names
  }

  static Value multiply(const Value& a, const Value& b, bool divide) {
    if (a.kind == Value::Kind::Unknown || b.kind == Value::Kind::Unknown) return Value::unknown();
    if (a.is_literal() && b.is_literal()) return Value::literal();
    // x * 2, x / 2, 2 * x: x's dimension, the scale no longer exact; 1 / x: 1/x's dimension.
    if (b.is_literal()) return Value::known(a.unit, false);
    if (a.is_literal()) return Value::known(divide ? pow(b.unit, -1) : b.unit, false);
    return Value::known(divide ? a.unit / b.unit : a.unit * b.unit, a.exact_scale && b.exact_scale);
  }

  Value infer_binary(const Expr& e) {
    static const std::array<const char*, 14> symbols = {
        "+", "-", "*", "/", "^", "<", "<=", ">", ">=", "=", "<>", "AND", "OR", "MOD"};
    const std::string op = symbols[static_cast<int>(e.binary)];
    if (e.binary == BinaryOp::Pow) return infer_power(e);
    const Value a = infer(*e.args[0]);
    const Value b = infer(*e.args[1]);
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
        return Value::literal();
      case BinaryOp::And:
      case BinaryOp::Or:
      case BinaryOp::Pow:
        return Value::literal();
    }
    return Value::unknown();
  }

  // The value of an expression made only of numbers, or nothing.
  static std::optional<double> number_value(const Expr& e) {
    if (e.kind == ExprKind::Number) return e.number;
    if (e.kind == ExprKind::Unary && e.unary != UnaryOp::Not) {
      const auto a = number_value(*e.args[0]);
      if (a) return e.unary == UnaryOp::Neg ? -*a : *a;
    }
    if (e.kind == ExprKind::Binary) {
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

  // base ^ n for a numeric n: exponents times n, which must stay whole.
  Value power(const Value& base, double n, const std::string& what, int column) {
    if (!base.is_known()) return base;
    Unit out;
    out.scale = std::pow(base.unit.scale, n);
    for (const auto& [dim, p] : base.unit.exponents) {
      const double q = p * n;
      if (std::abs(q - std::round(q)) > 1e-9) {
        std::string message = what;
        message += " leaves a fractional power of '" + dim + "' in " + shown(base.unit) +
                   " (exponents must stay whole numbers)";
        report(message, shown(base.unit), "", column);
        return Value::unknown();
      }
      if (std::lround(q) != 0) out.exponents[dim] = static_cast<int>(std::lround(q));
    }
    return Value::known(out, base.exact_scale);
  }

  Value infer_power(const Expr& e) {
    Value base = infer(*e.args[0]);
    const Value exponent = infer(*e.args[1]);
    if (const auto n = number_value(*e.args[1])) return power(base, *n, "'^'", e.column);
    expect_dimensionless(exponent, "the exponent of '^'", e.column);
    expect_dimensionless(base, "the base of '^' with a non-numeric exponent", e.column);
    if (!base.is_known()) return base;
    // A dimensioned base was reported above; its power has no sensible unit.
    return same_dimension(base.unit, Unit{}) ? Value::known(Unit{}, base.exact_scale)
                                             : Value::unknown();
  }

  // --- functions ----------------------------------------------------------------------
  const Variable* lookup_table(const std::string& name) const {
    const Variable* v = model_.find(name);
    return v != nullptr && v->graphical_function ? v : nullptr;
  }

  Value apply_lookup(const Variable& table, const Value& argument, int column) {
    const GraphicalFunction& gf = *table.graphical_function;
    const Value x = parse(table.name, "graphical function x units", gf.x_units);
    expect(argument, x, "the argument of graphical function '" + table.name + "' has",
           "its x units are", column);
    const Value y = parse(table.name, "graphical function y units", gf.y_units);
    return y.is_known() ? y : parse(table.name, "units", table.units);
  }

  // Number of elements a reduction runs over: the dimensions that `[*]` or an arrayed
  // name without subscripts leave open in `e` (as compile_model unrolls them).
  void open_dimensions(const Expr& e, std::vector<const Dimension*>& out) const {
    auto add = [&](const Dimension* d) {
      if (d != nullptr && std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    };
    if (e.kind == ExprKind::Name) {
      if (const Variable* v = model_.find(e.name)) {
        for (std::size_t k = 0; k < v->dimensions.size(); ++k) {
          const Dimension* dim = model_.find_dimension(v->dimensions[k]);
          if (e.subscripts.empty()) {
            const auto& own = current_->dimensions;
            const bool bound = std::any_of(own.begin(), own.end(), [&](const std::string& d) {
              return canonical_name(d) == canonical_name(v->dimensions[k]);
            });
            if (!bound) add(dim);
          } else if (k < e.subscripts.size() && e.subscripts[k].kind == Subscript::Kind::Wildcard) {
            const Dimension* named = e.subscripts[k].name.empty()
                                         ? nullptr
                                         : model_.find_dimension(e.subscripts[k].name);
            add(named != nullptr ? named : dim);
          }
        }
      }
    }
    for (const auto& a : e.args) open_dimensions(*a, out);
  }

  Value infer_call(const Expr& e) {
    const std::string& f = e.name;
    const std::string F = upper(f);
    const std::size_t argc = e.args.size();
    std::vector<Value> args;
    for (const auto& a : e.args) args.push_back(infer(*a));
    auto arg = [&](std::size_t i) { return i < argc ? args[i] : Value::unknown(); };
    auto column = [&](std::size_t i) { return i < argc ? e.args[i]->column : e.column; };

    // A model's own graphical function wins over a builtin of the same name.
    if (const Variable* table = lookup_table(f); table != nullptr && argc == 1)
      return apply_lookup(*table, arg(0), column(0));
    if (f == "lookup" && argc == 2) {
      const Variable* table =
          e.args[0]->kind == ExprKind::Name ? lookup_table(e.args[0]->name) : nullptr;
      return table != nullptr ? apply_lookup(*table, arg(1), column(1)) : Value::unknown();
    }

    static const std::set<std::string> transcendental = {"exp", "ln",     "log10",  "sin",   "cos",
                                                         "tan", "arcsin", "arccos", "arctan"};
    if (transcendental.count(f) != 0 && argc == 1) {
      expect_dimensionless(arg(0), "the argument of " + F, column(0));
      return arg(0).is_literal() ? Value::literal() : Value::known(Unit{});
    }
    if ((f == "abs" || f == "int" || f == "integer" || f == "round" || f == "init") && argc == 1)
      return arg(0);
    if (f == "remainder" && argc == 2)
      return same(arg(0), arg(1), "the arguments of MODULO", e.column);
    if (f == "active_initial" && argc == 2)
      return same(arg(0), arg(1), "the two arguments of ACTIVE INITIAL", e.column);
    if (f == "sqrt" && argc == 1) return power(arg(0), 0.5, "SQRT", e.column);
    if (f == "pi") return Value::literal();
    if (f == "time" || f == "dt" || f == "starttime" || f == "stoptime") return time_;
    if (f == "mod" && argc == 2) return same(arg(0), arg(1), "the arguments of MOD", e.column);
    if (f == "if_then_else" && argc == 3)
      return same(arg(1), arg(2), "the THEN and ELSE arguments of IF_THEN_ELSE", e.column);
    if ((f == "min" || f == "max" || f == "mean" || f == "sum") && argc >= 1) {
      Value out = arg(0);  // one argument: an array reduction, the element unit
      for (std::size_t i = 1; i < argc; ++i)
        out = same(out, arg(i), "the arguments of " + F, e.column);
      return out;
    }
    if (f == "prod" && argc == 1) {
      std::vector<const Dimension*> open;
      open_dimensions(*e.args[0], open);
      int count = 1;
      for (const Dimension* d : open) count *= static_cast<int>(d->elements.size());
      return power(arg(0), count, "PROD", e.column);
    }
    if (f == "previous" && argc >= 1)
      return argc == 2 ? same(arg(0), arg(1), "the input and initial value of PREVIOUS", e.column)
                       : arg(0);
    if (f == "step" && argc == 2) {
      expect_time(arg(1), "the start time of STEP", column(1));
      return arg(0);
    }
    if (f == "ramp" && argc >= 2) {
      expect_time(arg(1), "the start time of RAMP", column(1));
      if (argc == 3) expect_time(arg(2), "the end time of RAMP", column(2));
      return arg(0).is_literal() ? arg(0) : multiply(arg(0), time_, false);
    }
    if (f == "pulse" && argc >= 2) {
      expect_time(arg(1), "the first time of PULSE", column(1));
      if (argc == 3) expect_time(arg(2), "the interval of PULSE", column(2));
      return arg(0).is_literal() ? arg(0) : multiply(arg(0), time_, true);
    }
    if ((f == "safediv" || f == "xidz" || f == "zidz") && argc >= 2) {
      Value quotient = multiply(arg(0), arg(1), true);
      if (argc == 3)
        return same(quotient, arg(2), "the quotient and the fallback value of " + F, e.column);
      return quotient;
    }
    const bool smooth =
        f == "smth1" || f == "smooth" || f == "smth3" || f == "smooth3" || f == "smthn";
    const bool delay = f == "delay1" || f == "delay3" || f == "delay" || f == "delayn";
    if ((smooth || delay) && argc >= 2) {
      const bool nth = f == "smthn" || f == "delayn";
      expect_time(arg(1),
                  std::string(smooth ? "the averaging time" : "the delay time") + " of " + F,
                  column(1));
      if (nth && argc >= 3) expect_dimensionless(arg(2), "the order of " + F, column(2));
      const std::size_t initial = nth ? 3 : 2;
      if (argc > initial)
        return same(arg(0), arg(initial), "the input and initial value of " + F, e.column);
      return arg(0);
    }
    Value per_time = time_.is_known() ? Value::known(pow(time_.unit, -1)) : Value::unknown();
    if (f == "trend" && argc >= 2) {
      expect_time(arg(1), "the averaging time of TREND", column(1));
      if (argc == 3)
        expect(arg(2), per_time, "the initial trend of TREND has", "it needs", column(2));
      return per_time;
    }
    if (f == "forcst" && argc >= 3) {
      expect_time(arg(1), "the averaging time of FORCST", column(1));
      expect_time(arg(2), "the horizon of FORCST", column(2));
      if (argc == 4)
        expect(arg(3), per_time, "the initial trend of FORCST has", "it needs", column(3));
      return arg(0);
    }
    return Value::unknown();  // unknown functions and wrong counts: compile_model reports them
  }

  const Model& model_;
  Value time_;
  std::map<std::string, Value> parsed_;  // "variable\nwhat" -> parsed unit
  std::vector<UnitIssue> issues_;
  std::string variable_;
  std::string equation_;
  const Variable* current_ = nullptr;
};

}  // namespace

std::vector<UnitIssue> check_units(const Model& model) { return UnitChecker(model).run(); }

std::string to_string(const UnitIssue& issue) {
  Location where;
  where.equation = issue.equation;
  where.column = issue.column;
  return format_error(issue.message, where);
}

}  // namespace h2sim
