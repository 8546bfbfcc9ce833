#include "io/xmile_spelling.hpp"

#include <algorithm>

#include "expr/transform.hpp"

namespace h2sim::detail {

namespace {

ExprPtr number(double v) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Number;
  e->number = v;
  return e;
}

ExprPtr call(const std::string& name, std::vector<ExprPtr> args) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Call;
  e->name = name;
  e->args = std::move(args);
  return e;
}

ExprPtr binary(BinaryOp op, ExprPtr a, ExprPtr b) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Binary;
  e->binary = op;
  e->args = {std::move(a), std::move(b)};
  return e;
}

ExprPtr negate(ExprPtr a) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Unary;
  e->unary = UnaryOp::Neg;
  e->args = {std::move(a)};
  return e;
}

ExprPtr if_then_else(ExprPtr c, ExprPtr a, ExprPtr b) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::If;
  e->args = {std::move(c), std::move(a), std::move(b)};
  return e;
}

ExprPtr self() {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Name;
  e->name = "self";
  return e;
}

// INTEGER(x), truncation toward zero, with XMILE's INT (which floors).
ExprPtr truncated(const ExprPtr& x) {
  return if_then_else(binary(BinaryOp::Ge, x, number(0)), call("int", {x}),
                      negate(call("int", {negate(x)})));
}

// Names of h2sim's that the standard spells another way, the same function.
const std::map<std::string, std::string>& standard_names() {
  static const std::map<std::string, std::string> names = {{"smooth", "smth1"},
                                                           {"smoothi", "smth1"},
                                                           {"smooth3", "smth3"},
                                                           {"smooth3i", "smth3"},
                                                           {"delay1i", "delay1"},
                                                           {"delay3i", "delay3"},
                                                           {"delay_fixed", "delay"},
                                                           {"forecast", "forcst"},
                                                           {"initial", "init"},
                                                           {"vmin", "min"},
                                                           {"vmax", "max"},
                                                           {"time_step", "dt"},
                                                           {"initial_time", "starttime"},
                                                           {"final_time", "stoptime"},
                                                           {"zidz", "safediv"},
                                                           {"xidz", "safediv"}};
  return names;
}

class Speller {
 public:
  Speller(const XmileSpelling& spelling, const std::vector<std::string>& context, bool standard)
      : s_(spelling), context_(context), standard_(standard) {}
  bool exact = true;

  ExprPtr spell(const ExprPtr& e) {
    auto copy = std::make_shared<Expr>(*e);
    for (auto& sub : copy->subscripts)
      if (sub.kind == Subscript::Kind::Expression) sub.expr = spell(sub.expr);
    switch (e->kind) {
      case ExprKind::Name:
        name(*copy);
        return copy;
      case ExprKind::Call:
        return function(copy);
      default:
        for (auto& a : copy->args) a = spell(a);
        return copy;
    }
  }

 private:
  // The whole number an order argument is: a number, or a constant's; 0 when it is neither.
  int order_of(const ExprPtr& e) const {
    double v = 0;
    if (e->kind == ExprKind::Number) {
      v = e->number;
    } else if (e->kind == ExprKind::Name && e->subscripts.empty()) {
      const auto it = s_.constants.find(e->name);
      if (it == s_.constants.end()) return 0;
      v = it->second;
    } else {
      return 0;
    }
    return v >= 1 && v <= 1000 && v == static_cast<int>(v) ? static_cast<int>(v) : 0;
  }

  // Inside SUM, MEAN, ... an arrayed name without subscripts stands for every element of
  // the dimensions the equation is not arrayed by.
  static bool reduction(const Expr& call) {
    const std::string& f = call.name;
    return f == "sum" || f == "prod" || f == "mean" || f == "size" || f == "stddev" ||
           f == "vector_select" || ((f == "min" || f == "max") && call.args.size() == 1);
  }

  void name(Expr& e) {
    const auto it = s_.names.find(e.name);
    if (it == s_.names.end()) {
      if (standard_) {
        const auto standard = standard_names().find(e.name);
        if (standard != standard_names().end()) e.name = standard->second;
      }
      return;
    }
    const auto dims = s_.dimensions.find(e.name);
    e.name = it->second;
    // x -> x[segment, *]: the dimensions the equation is arrayed by, * for the others (in a
    // reduction); left alone where a dimension matches another one (a mapping, by position).
    if (standard_ && e.subscripts.empty() && dims != s_.dimensions.end() && !dims->second.empty()) {
      const bool all_bound = std::all_of(dims->second.begin(), dims->second.end(), [&](auto& d) {
        return std::find(context_.begin(), context_.end(), d) != context_.end();
      });
      if (!all_bound && reductions_ == 0) return;
      for (const std::string& d : dims->second) {
        Subscript sub;
        const bool bound = std::find(context_.begin(), context_.end(), d) != context_.end();
        sub.kind = bound ? Subscript::Kind::Name : Subscript::Kind::Wildcard;
        if (bound) sub.name = d;
        e.subscripts.push_back(sub);
      }
    }
  }

  ExprPtr function(std::shared_ptr<Expr> e) {
    const bool table = s_.tables.count(e->name) != 0;
    if (table) {  // a lookup table's name(x): renamed, and LOOKUP(name, x) in the standard
      Expr table_name;
      table_name.kind = ExprKind::Name;
      table_name.name = e->name;
      table_name.subscripts = e->subscripts;
      const auto it = s_.names.find(e->name);
      if (it != s_.names.end()) table_name.name = it->second;
      for (auto& a : e->args) a = spell(a);
      if (!standard_) {
        e->name = table_name.name;
        return e;
      }
      return call("lookup", {std::make_shared<Expr>(table_name), e->args[0]});
    }
    const bool reducing = reduction(*e);
    const bool order_call =
        e->name == "delayn" || e->name == "smthn" || e->name == "delay_n" || e->name == "smooth_n";
    const int order = order_call && e->args.size() >= 3
                          ? order_of(e->args[e->name.find('_') != std::string::npos ? 3 : 2])
                          : 0;
    reductions_ += reducing ? 1 : 0;
    for (auto& a : e->args) a = spell(a);
    reductions_ -= reducing ? 1 : 0;
    if (!standard_) return e;
    const std::string& f = e->name;
    const auto& a = e->args;
    if (order_call && order > 0 && a.size() >= 3) {
      // DELAYN(input, time, n[, initial]) in XMILE's order of arguments.
      const bool vensim = f.find('_') != std::string::npos;  // (input, time, initial, n)
      const bool material = f == "delayn" || f == "delay_n";
      const std::vector<ExprPtr> args = {a[0], a[1], vensim ? a[2] : (a.size() > 3 ? a[3] : a[0])};
      if (order == 1 || order == 3)  // the order is fixed at the start: its number
        return call(std::string(material ? "delay" : "smth") + (order == 1 ? "1" : "3"), args);
      if (s_.chain) {
        if (ExprPtr output = s_.chain(material ? "delay" : "smooth", args, order)) {
          exact = false;  // h2sim reads back its own call, not the chain
          return output;
        }
      }
    }
    if (f == "if_then_else" && a.size() == 3) return if_then_else(a[0], a[1], a[2]);
    if (f == "integer" && a.size() == 1) return truncated(a[0]);
    if ((f == "remainder" || f == "modulo") && a.size() == 2) {
      exact = false;  // fmod is exact; a - b * INTEGER(a / b) may round
      return binary(BinaryOp::Sub, a[0],
                    binary(BinaryOp::Mul, a[1], truncated(binary(BinaryOp::Div, a[0], a[1]))));
    }
    if (f == "quantum" && a.size() == 2)
      return if_then_else(binary(BinaryOp::Gt, a[1], number(0)),
                          binary(BinaryOp::Mul, a[1], truncated(binary(BinaryOp::Div, a[0], a[1]))),
                          a[0]);
    if (f == "sample_if_true" && a.size() == 3)
      return if_then_else(a[0], a[1], call("previous", {self(), a[2]}));
    if (f == "delay_n" && a.size() == 4) return call("delayn", {a[0], a[1], a[3], a[2]});
    if (f == "smooth_n" && a.size() == 4) return call("smthn", {a[0], a[1], a[3], a[2]});
    if (f == "game" && a.size() == 1) return a[0];
    if ((f == "forcst" || f == "forecast") && (a.size() == 3 || a.size() == 4)) {
      // input * (1 + TREND(input, time, initial trend) * horizon), as h2sim computes it
      std::vector<ExprPtr> trend = {a[0], a[1]};
      if (a.size() == 4) trend.push_back(a[3]);
      return binary(
          BinaryOp::Mul, a[0],
          binary(BinaryOp::Add, number(1), binary(BinaryOp::Mul, call("trend", trend), a[2])));
    }
    if ((f == "sinh" || f == "cosh") && a.size() == 1) {
      exact = false;
      return binary(BinaryOp::Div,
                    binary(f == "sinh" ? BinaryOp::Sub : BinaryOp::Add, call("exp", {a[0]}),
                           call("exp", {negate(a[0])})),
                    number(2));
    }
    if (f == "tanh" && a.size() == 1) {
      exact = false;
      const ExprPtr twice = binary(BinaryOp::Mul, number(2), a[0]);
      return binary(BinaryOp::Div, binary(BinaryOp::Sub, call("exp", {twice}), number(1)),
                    binary(BinaryOp::Add, call("exp", {twice}), number(1)));
    }
    const auto standard = standard_names().find(f);
    if (standard != standard_names().end()) e->name = standard->second;
    return e;
  }

  const XmileSpelling& s_;
  const std::vector<std::string>& context_;
  bool standard_;
  int reductions_ = 0;  // how many reductions the expression being spelled is inside
};

}  // namespace

ExprPtr xmile_spelling(const ExprPtr& e, const XmileSpelling& spelling,
                       const std::vector<std::string>& context, bool& exact) {
  Speller speller(spelling, context, true);
  ExprPtr out = speller.spell(e);
  exact = speller.exact;
  return out;
}

ExprPtr renamed_for_xmile(const ExprPtr& e, const XmileSpelling& spelling) {
  static const std::vector<std::string> none;
  Speller speller(spelling, none, false);
  return speller.spell(e);
}

}  // namespace h2sim::detail
