// Units of measure: the unit-string parser and unit arithmetic. The equation checker
// is in checker.cpp.
#include "h2sim/units.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "h2sim/error.hpp"
#include "h2sim/limits.hpp"

namespace h2sim {

// --- arithmetic -----------------------------------------------------------------------

namespace {

// Exponents stay far inside int, so that no product or power of units overflows.
constexpr long long kLargestExponent = 1'000'000;

int checked_exponent(long long value, const std::string& dimension) {
  if (value > kLargestExponent || value < -kLargestExponent)
    throw ModelError("a unit with " + dimension + " to the power " + std::to_string(value) +
                     ": unit exponents must stay within +-" + std::to_string(kLargestExponent));
  return static_cast<int>(value);
}

}  // namespace

Unit operator*(const Unit& a, const Unit& b) {
  Unit out;
  out.scale = a.scale * b.scale;
  out.exponents = a.exponents;
  for (const auto& [dim, power] : b.exponents) {
    int& sum = out.exponents[dim];
    sum = checked_exponent(static_cast<long long>(sum) + power, dim);
    if (sum == 0) out.exponents.erase(dim);
  }
  return out;
}

Unit operator/(const Unit& a, const Unit& b) { return a * pow(b, -1); }

Unit pow(const Unit& base, int exponent) {
  Unit out;
  out.scale = std::pow(base.scale, exponent);
  if (exponent == 0) return out;
  for (const auto& [dim, power] : base.exponents)
    out.exponents[dim] = checked_exponent(static_cast<long long>(power) * exponent, dim);
  return out;
}

bool same_dimension(const Unit& a, const Unit& b) { return a.exponents == b.exponents; }

bool same_unit(const Unit& a, const Unit& b) {
  // Scales come out of different routes of multiplication (t/day vs 1000 kg*365/year),
  // so they are compared with a tolerance, not bit for bit.
  return same_dimension(a, b) &&
         std::abs(a.scale - b.scale) <= 1e-9 * std::max(std::abs(a.scale), std::abs(b.scale));
}

double conversion_factor(const Unit& from, const Unit& to) {
  if (!from.specified || !to.specified)
    throw ModelError("cannot convert between units when one of them is unspecified");
  if (!same_dimension(from, to))
    throw ModelError("cannot convert " + (from.text.empty() ? format_unit(from) : from.text) +
                     " (" + format_unit(from) + ") to " +
                     (to.text.empty() ? format_unit(to) : to.text) + " (" + format_unit(to) +
                     "): the dimensions differ");
  return from.scale / to.scale;
}

double conversion_factor(const std::string& from, const std::string& to) {
  return conversion_factor(parse_unit(from), parse_unit(to));
}

// --- formatting -----------------------------------------------------------------------

namespace {

std::string format_number(double value) {
  std::ostringstream out;
  out.precision(10);  // enough to tell units apart, short enough to read
  out << value;
  return out.str();
}

// "kg*m^2" from the dimensions with positive (or, with `sign` -1, negative) exponents.
std::string join_dimensions(const Unit& unit, int sign, int* count) {
  std::string out;
  *count = 0;
  for (const auto& [dim, power] : unit.exponents) {
    const int p = power * sign;
    if (p <= 0) continue;
    out += (out.empty() ? "" : "*") + dim + (p == 1 ? "" : "^" + std::to_string(p));
    ++*count;
  }
  return out;
}

}  // namespace

std::string format_unit(const Unit& unit) {
  if (!unit.specified) return "unspecified";
  int up_count = 0;
  int down_count = 0;
  const std::string up = join_dimensions(unit, 1, &up_count);
  const std::string down = join_dimensions(unit, -1, &down_count);
  const bool scaled = unit.scale != 1.0;
  const std::string number = format_number(unit.scale);
  const std::string denominator = down_count > 1 ? "(" + down + ")" : down;
  if (up.empty() && down.empty()) return scaled ? number : "dimensionless";
  // "0.5/year" rather than "0.5 1/year", which reads as 0.5 times 1 per year.
  if (up.empty()) return (scaled ? number : "1") + "/" + denominator;
  std::string out = (scaled ? number + " " : "") + up;
  if (!down.empty()) out += "/" + denominator;
  return out;
}

// --- the table of known units ---------------------------------------------------------

namespace {

Unit base(const std::string& dimension) {
  Unit u;
  u.exponents[dimension] = 1;
  return u;
}

Unit scaled(double factor, const Unit& unit = Unit{}) {
  Unit u = unit;
  u.scale *= factor;
  return u;
}

struct KnownUnit {
  std::string symbol;
  Unit unit;
};

// Symbols as written (case matters first: "m" is metre, "M" is million).
const std::vector<KnownUnit>& known_units() {
  static const std::vector<KnownUnit> table = [] {
    std::vector<KnownUnit> t;
    auto add = [&t](std::initializer_list<const char*> symbols, const Unit& unit) {
      for (const char* s : symbols) t.push_back({s, unit});
    };
    const Unit kg = base("kg");
    const Unit metre = base("m");
    const Unit year = base("year");
    const Unit kwh = base("kWh");
    const Unit hour = scaled(1.0 / 8760.0, year);

    add({"dimensionless", "dmnl", "unitless"}, Unit{});
    add({"%", "percent"}, scaled(0.01));
    // Plain multipliers: "M CNY", "10k CNY", "billion USD".
    add({"thousand", "k"}, scaled(1e3));
    add({"wan"}, scaled(1e4));  // 万, common in Chinese cost figures
    add({"million", "M", "mn"}, scaled(1e6));
    add({"billion", "bn"}, scaled(1e9));
    add({"trillion"}, scaled(1e12));
    // Mass.
    add({"kg", "kilogram"}, kg);
    add({"g", "gram"}, scaled(1e-3, kg));
    add({"mg", "milligram"}, scaled(1e-6, kg));
    add({"t", "tonne", "ton"}, scaled(1e3, kg));
    add({"kt"}, scaled(1e6, kg));
    add({"Mt"}, scaled(1e9, kg));
    add({"Gt"}, scaled(1e12, kg));
    // Length and volume.
    add({"m", "metre", "meter"}, metre);
    add({"km", "kilometre", "kilometer"}, scaled(1e3, metre));
    add({"cm", "centimetre", "centimeter"}, scaled(1e-2, metre));
    add({"mm", "millimetre", "millimeter"}, scaled(1e-3, metre));
    add({"L", "litre", "liter"}, scaled(1e-3, pow(metre, 3)));
    // Time: the year is the base; a year is 365 days.
    add({"year", "yr", "a", "annum"}, year);
    add({"month", "mo"}, scaled(1.0 / 12.0, year));
    add({"week", "wk"}, scaled(7.0 / 365.0, year));
    add({"day", "d"}, scaled(1.0 / 365.0, year));
    add({"hour", "h", "hr"}, hour);
    add({"minute", "min"}, scaled(1.0 / 60.0, hour));
    add({"second", "s", "sec"}, scaled(1.0 / 3600.0, hour));
    // Energy: kWh is the base; 1 kWh = 3.6 MJ.
    add({"Wh"}, scaled(1e-3, kwh));
    add({"kWh"}, kwh);
    add({"MWh"}, scaled(1e3, kwh));
    add({"GWh"}, scaled(1e6, kwh));
    add({"TWh"}, scaled(1e9, kwh));
    add({"J", "joule"}, scaled(1.0 / 3.6e6, kwh));
    add({"kJ"}, scaled(1.0 / 3.6e3, kwh));
    add({"MJ"}, scaled(1.0 / 3.6, kwh));
    add({"GJ"}, scaled(1e3 / 3.6, kwh));
    add({"TJ"}, scaled(1e6 / 3.6, kwh));
    add({"PJ"}, scaled(1e9 / 3.6, kwh));
    // Power is energy per time, so that kW * hour == kWh exactly.
    const Unit kw = kwh / hour;
    add({"W", "watt"}, scaled(1e-3, kw));
    add({"kW"}, kw);
    add({"MW"}, scaled(1e3, kw));
    add({"GW"}, scaled(1e6, kw));
    add({"TW"}, scaled(1e9, kw));
    // Money: currencies are separate bases, never converted.
    add({"CNY", "yuan", "RMB"}, base("CNY"));
    add({"USD", "dollar"}, base("USD"));
    add({"EUR", "euro"}, base("EUR"));
    return t;
  }();
  return table;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Whether `word` may stand for `symbol` written in another case: not where the first letter
// of a symbol (up to three letters) is an SI prefix in one case and something else in the
// other (m/M milli and mega, p/P pico and peta, g/G gram and giga, t/T tonne and tera): "Mg"
// is not "mg", nor "mW" "MW", nor "mt" "Mt". "MWH" is MWh, "KWh" kWh and "Tonne" tonne.
bool same_meaning_in_other_case(const std::string& word, const std::string& symbol) {
  if (word.empty() || symbol.size() > 3 || word[0] == symbol[0]) return true;
  const char first = static_cast<char>(std::tolower(static_cast<unsigned char>(symbol[0])));
  return first != 'm' && first != 'p' && first != 'g' && first != 't';
}

// Exact match first; then a case-insensitive match, but only where it is unambiguous
// ("MWH" is MWh, while "m" and "M" must be written as they are) and keeps an SI prefix's
// meaning. Both indexes are built once: a model's unit check looks up every word of every
// unit string.
const Unit* find_known(const std::string& word) {
  struct Index {
    std::unordered_map<std::string, const Unit*> exact;  // the first entry of a symbol
    // nullptr where two symbols fold alike
    std::unordered_map<std::string, const KnownUnit*> folded;
  };
  static const Index index = [] {
    Index i;
    for (const KnownUnit& k : known_units()) {
      i.exact.emplace(k.symbol, &k.unit);
      const auto [it, added] = i.folded.emplace(lower(k.symbol), &k);
      if (!added) it->second = nullptr;
    }
    return i;
  }();
  if (const auto it = index.exact.find(word); it != index.exact.end()) return it->second;
  const auto it = index.folded.find(lower(word));
  if (it == index.folded.end() || it->second == nullptr) return nullptr;
  return same_meaning_in_other_case(word, it->second->symbol) ? &it->second->unit : nullptr;
}

// Letters, and no capital after the first ("Tonne", "hr", "Mt"; not "kW").
bool plain_word(const std::string& s) {
  return !s.empty() && std::isalpha(static_cast<unsigned char>(s[0])) &&
         std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The base-dimension key of a word that is not a known unit: lower case, singular.
std::string base_word(const std::string& word) {
  std::string w = lower(word);
  if (w == "people" || w == "persons") return "person";
  if (w.size() > 4 && ends_with(w, "ies")) return w.substr(0, w.size() - 3) + "y";
  for (const char* tail : {"sses", "xes", "ches", "shes", "uses"})
    if (w.size() > 4 && ends_with(w, tail)) return w.substr(0, w.size() - 2);
  // "stations" -> "station", but leave "bus", "gas", "process", "basis" alone.
  if (w.size() > 3 && ends_with(w, "s") && !ends_with(w, "ss") && !ends_with(w, "us") &&
      !ends_with(w, "is"))
    return w.substr(0, w.size() - 1);
  return w;
}

// The unit a word stands for: a known unit (plurals too), a length with a power digit
// ("m2", "km3"), or a base dimension of its own.
Unit word_unit(const std::string& word) {
  if (const Unit* u = find_known(word)) return *u;
  // A plural of a unit written as a word ("tonnes", "Hours", "kgs"); not "kWs", which is kW
  // times s, an energy.
  if (word.size() >= 3 && word.back() == 's' && plain_word(word.substr(0, word.size() - 1)))
    if (const Unit* u = find_known(word.substr(0, word.size() - 1))) return *u;
  if (word.size() >= 2 && (word.back() == '2' || word.back() == '3')) {
    const Unit* u = find_known(word.substr(0, word.size() - 1));
    if (u != nullptr && same_dimension(*u, base("m"))) return pow(*u, word.back() - '0');
  }
  return base(base_word(word));
}

// --- the parser -----------------------------------------------------------------------

// unit    := product
// product := term (('*' | '/' | "per") term)*
// term    := factor factor*          (side by side: multiplies, binds tighter than * and /)
// factor  := atom ('^' ['-'|'+'] digits | '^' '(' ['-'|'+'] digits ')')?
// atom    := number | word | '%' | '(' product ')'
class UnitParser {
 public:
  explicit UnitParser(const std::string& text) : text_(text) {}

  Unit parse() {
    if (text_.size() > limit(Limit::EquationLength))
      fail(limit_message(Limit::EquationLength,
                         "the unit has " + std::to_string(text_.size()) + " characters"),
           0);
    Unit u;
    try {
      u = product();
    } catch (const ModelError& e) {  // an exponent out of range
      fail(e.message());
    }
    skip_space();
    if (pos_ < text_.size()) {
      if (text_[pos_] == ')') fail("a ')' with no '(' before it");
      fail("unexpected " + describe_here() + ": expected '*', '/', '^' or the end");
    }
    if (!std::isfinite(u.scale) || !(u.scale > 0))
      fail("the unit's scale factor is out of range (" + format_number(u.scale) + ")", 0);
    return u;
  }

 private:
  [[noreturn]] void fail(const std::string& what, std::size_t at) const {
    Location where;
    where.column = static_cast<int>(at) + 1;
    where.equation = text_;
    throw ParseError("unit '" + text_ + "', column " + std::to_string(where.column) + ": " + what,
                     where);
  }
  [[noreturn]] void fail(const std::string& what) const { fail(what, pos_); }

  std::string describe_here() const {
    if (pos_ >= text_.size()) return "end of the unit";
    // A whole UTF-8 sequence, so that "²" or "€" prints as itself.
    const auto c = static_cast<unsigned char>(text_[pos_]);
    const std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return "character '" + text_.substr(pos_, length) + "'";
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool at_digit(std::size_t at) const {
    return at < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at]));
  }
  bool at_letter(std::size_t at) const {
    return at < text_.size() &&
           (std::isalpha(static_cast<unsigned char>(text_[at])) || text_[at] == '_');
  }
  bool at_number() const { return at_digit(pos_) || (text_[pos_] == '.' && at_digit(pos_ + 1)); }
  bool at_per() const {
    return text_.compare(pos_, 3, "per") == 0 && !at_letter(pos_ + 3) && !at_digit(pos_ + 3);
  }
  bool at_atom() const {
    return pos_ < text_.size() &&
           (at_number() || at_letter(pos_) || text_[pos_] == '%' || text_[pos_] == '(');
  }

  Unit product() {
    Unit u = term();
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) return u;
      std::string op;
      if (text_[pos_] == '*' || text_[pos_] == '/') {
        op = text_.substr(pos_, 1);
        ++pos_;
      } else if (at_per()) {
        op = "per";
        pos_ += 3;
      } else {
        return u;
      }
      skip_space();
      if (!at_atom()) {
        fail("expected a unit after '" + op + "' but found " +
             (pos_ >= text_.size() ? std::string("the end") : describe_here()));
      }
      const Unit next = term();
      u = op == "*" ? u * next : u / next;
    }
  }

  Unit term() {
    skip_space();
    if (!at_atom()) {
      fail("expected a unit name, a number or '(' but found " +
           (pos_ >= text_.size() ? std::string("the end") : describe_here()));
    }
    Unit u = factor();
    for (;;) {
      skip_space();
      if (!at_atom() || at_per()) return u;
      u = u * factor();
    }
  }

  Unit factor() {
    Unit u = atom();
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != '^') return u;
    ++pos_;
    skip_space();
    const bool parenthesised = pos_ < text_.size() && text_[pos_] == '(';
    if (parenthesised) ++pos_;
    const std::size_t start = pos_;
    if (pos_ < text_.size() && (text_[pos_] == '-' || text_[pos_] == '+')) ++pos_;
    if (!at_digit(pos_)) fail("expected a whole-number exponent after '^'");
    while (at_digit(pos_)) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') fail("exponents must be whole numbers");
    if (pos_ - start > 4) fail("the exponent is too large", start);
    const int exponent = std::stoi(text_.substr(start, pos_ - start));
    if (parenthesised) {
      if (pos_ >= text_.size() || text_[pos_] != ')') fail("expected ')' after the exponent");
      ++pos_;
    }
    return pow(u, exponent);
  }

  Unit atom() {
    const char c = text_[pos_];
    if (c == '(') {
      const std::size_t open = pos_;
      // Parentheses recurse: as deep as an equation may nest, and no deeper.
      if (++depth_ > limit(Limit::Nesting))
        fail(limit_message(Limit::Nesting,
                           "the unit nests " + std::to_string(depth_) + " parentheses deep"));
      ++pos_;
      Unit u = product();
      --depth_;
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ')')
        fail("expected ')' to close the '(' at column " + std::to_string(open + 1) + " but found " +
             (pos_ >= text_.size() ? std::string("the end") : describe_here()));
      ++pos_;
      return u;
    }
    if (c == '%') {
      ++pos_;
      return *find_known("%");
    }
    if (at_number()) return scaled(number());
    const std::size_t start = pos_;
    while (at_letter(pos_) || at_digit(pos_)) ++pos_;
    return word_unit(text_.substr(start, pos_ - start));
  }

  // digits [. digits] [(e|E) [+-] digits]: "100", "0.5", "1e6".
  double number() {
    const std::size_t start = pos_;
    while (at_digit(pos_)) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      while (at_digit(pos_)) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      std::size_t p = pos_ + 1;
      if (p < text_.size() && (text_[p] == '-' || text_[p] == '+')) ++p;
      if (at_digit(p)) {  // otherwise the 'e' starts a word
        pos_ = p;
        while (at_digit(pos_)) ++pos_;
      }
    }
    const double value = std::strtod(text_.substr(start, pos_ - start).c_str(), nullptr);
    if (!(value > 0) || !std::isfinite(value)) fail("a number in a unit must be positive", start);
    return value;
  }

  const std::string& text_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
};

}  // namespace

Unit parse_unit(const std::string& text) {
  const bool blank = std::all_of(
      text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  Unit u;
  if (blank) {
    u.specified = false;
    return u;
  }
  u = UnitParser(text).parse();
  // Keep the text as written, without surrounding blanks, for messages.
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  u.text = text.substr(first, last - first + 1);
  return u;
}

}  // namespace h2sim
