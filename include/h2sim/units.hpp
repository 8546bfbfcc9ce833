// Units of measure: parsing unit strings and unit arithmetic. Checking a model's equations
// against them is check_units (h2sim/check.hpp).
//
// A unit is a scale factor times a product of base dimensions with integer exponents:
// "t/day" is 365000 kg/year, "kW" is 8760 kWh/year, "%" is 0.01 (dimensionless).
//
// Base dimensions: kg (mass), m (length), year (time), kWh (energy), CNY, USD and EUR
// (money, never converted into each other). Power is energy per time (kW = kWh/hour).
// Any other word is a base dimension of its own ("vehicles", "stations", "CO2", "H2"),
// compared case-insensitively with plurals folded (vehicle == Vehicles). So "t CO2" is
// tonnes times CO2: a mass of CO2, distinct from a plain mass "t" and from "kg H2".
//
// Syntax: words and numbers side by side multiply and bind tighter than '*' and '/'
// ("kg/100 km" is kg per 100 km, "t CO2/year" is (t CO2)/year); '*', '/' and "per" go
// left to right; '^' takes a whole, optionally negative, exponent ("m^2", "year^-1");
// parentheses group. "1", "dimensionless" and "dmnl" are dimensionless; an empty string
// means "not specified" and is never checked. Numbers and the words thousand/k,
// million/M/mn, billion/bn and wan (10^4) scale ("1e6 CNY", "M CNY", "10k CNY").
#pragma once

#include <map>
#include <string>
#include <vector>

namespace h2sim {

struct Unit {
  // A value in this unit times `scale` is the value in base units.
  double scale = 1.0;
  // Base dimension -> exponent; dimensions with exponent 0 are left out.
  std::map<std::string, int> exponents;
  // False for the empty unit string: unknown, not checked.
  bool specified = true;
  // The string it was parsed from, for messages; empty for units computed from others.
  std::string text;

  bool dimensionless() const { return exponents.empty(); }
};

// Parses a unit string. Throws ParseError (Location::column and Location::equation set
// to the position in, and the text of, the unit string) for strings that do not parse.
Unit parse_unit(const std::string& text);

// The unit in base dimensions, parseable again: "365000 kg/year", "CNY/(kWh*year)",
// "1/year", "dimensionless", "0.01"; "unspecified" for an unspecified unit.
std::string format_unit(const Unit& unit);

// Unit arithmetic (the result has no text).
Unit operator*(const Unit& a, const Unit& b);
Unit operator/(const Unit& a, const Unit& b);
Unit pow(const Unit& base, int exponent);

// Same base dimensions with the same exponents, whatever the scale.
bool same_dimension(const Unit& a, const Unit& b);
// Same dimension and the same scale (to a relative 1e-9): interchangeable in a sum.
bool same_unit(const Unit& a, const Unit& b);

// The factor that turns a value in `from` into a value in `to`:
// conversion_factor("t/day", "kg/year") == 365000. Throws ModelError when the dimensions
// differ or either unit is unspecified.
double conversion_factor(const Unit& from, const Unit& to);
double conversion_factor(const std::string& from, const std::string& to);

}  // namespace h2sim
