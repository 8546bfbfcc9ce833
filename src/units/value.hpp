// The unit an expression has, as the units checker infers it. Builtins' unit rules
// (src/builtins/builtins.cpp) compute with these values too.
#pragma once

#include <utility>

#include "h2sim/units.hpp"

namespace h2sim::detail {

// One of three kinds:
//   Unknown  it involves a variable with no units (or a unit string that did not parse):
//            nothing that depends on it is checked.
//   Literal  a number, or a result built only from numbers, comparisons and logic: it takes
//            whatever unit a sum, comparison or IF branch needs, and is a plain number in a
//            product or quotient.
//   Known    a unit with a dimension and a scale. Once a number has multiplied or divided
//            it (a conversion factor, say), only its dimension is still meaningful.
struct UnitValue {
  enum class Kind { Unknown, Literal, Known } kind = Kind::Unknown;
  Unit unit;
  bool exact_scale = true;  // false once a number has multiplied or divided it

  static UnitValue unknown() { return {}; }
  static UnitValue literal() { return {Kind::Literal, Unit{}, true}; }
  static UnitValue known(Unit u, bool exact = true) {
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
  bool is_unknown() const { return kind == Kind::Unknown; }
};

// Whether two known values agree: the dimension always, the scale when both are exact.
inline bool agree(const UnitValue& a, const UnitValue& b) {
  if (!a.exact_scale || !b.exact_scale) return same_dimension(a.unit, b.unit);
  return same_unit(a.unit, b.unit);
}

// a * b, or a / b with `divide`. A literal factor keeps the other's dimension but not its
// scale (x * 2, 2 * x); 1 / x has 1/x's dimension.
inline UnitValue multiply(const UnitValue& a, const UnitValue& b, bool divide) {
  if (a.is_unknown() || b.is_unknown()) return UnitValue::unknown();
  if (a.is_literal() && b.is_literal()) return UnitValue::literal();
  if (b.is_literal()) return UnitValue::known(a.unit, false);
  if (a.is_literal()) return UnitValue::known(divide ? pow(b.unit, -1) : b.unit, false);
  return UnitValue::known(divide ? a.unit / b.unit : a.unit * b.unit,
                          a.exact_scale && b.exact_scale);
}

}  // namespace h2sim::detail
