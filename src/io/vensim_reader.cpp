// Vensim .mdl reader: text -> Model. See include/h2sim/vensim.hpp and docs/vensim.md.
//
// 1. Split: the text before the sketch is a list of entries `lhs = rhs ~ units ~
//    comment |` (`~~|` leaves units and comment to the last definition of a variable);
//    group markers (`****`) are skipped; `:MACRO:` ... `:END OF MACRO:` frame macros.
// 2. Parse: each left-hand side (name, subscripts, :EXCEPT:, the kind of definition)
//    and each right-hand side into the same expression tree the rest of h2sim uses,
//    with Vensim's grammar (vensim_expression.cpp).
// 3. Build: subscript ranges become dimensions (subranges and mappings included);
//    every variable gets its dimensions from the ranges its definitions name; Vensim's
//    builtins are rewritten into h2sim's (translate()); INTEG definitions become
//    stocks whose rates are split into inflows and outflows where they are sums of
//    flows; macros are expanded at each call.
//
// Longer than 800 lines, and translate() and build_variable() longer than 100, as the Vensim
// work wrote them: one format's reader in one place. The natural split, when it next
// changes, is left-hand sides and ranges / translate() / stock rates, one file each; and the
// Vensim functions that are only renamings or compositions of h2sim's (QUANTUM, PULSE TRAIN,
// SAMPLE IF TRUE, ...) can move into the builtin registry (docs/architecture.md).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/text.hpp"
#include "expr/ast.hpp"
#include "expr/transform.hpp"
#include "h2sim/error.hpp"
#include "h2sim/limits.hpp"
#include "io/data_functions.hpp"
#include "io/readers.hpp"
#include "io/vensim_expression.hpp"

namespace h2sim {

namespace {

using detail::BinaryOp;
using detail::Expr;
using detail::ExprKind;
using detail::lower;
using detail::Subscript;
using detail::trim;
using detail::UnaryOp;
using detail::VensimLookup;

// Runs of whitespace (newlines included) become one space.
std::string collapse_spaces(const std::string& s) {
  std::string out;
  bool space = false;
  for (const char c : trim(s)) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool starts_with_ci(const std::string& s, std::size_t at, const std::string& prefix) {
  if (s.size() < at + prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[at + i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (n < 0 || i + static_cast<std::size_t>(n) >= s.size() + (n == 0 ? 1 : 0)) return false;
    for (int k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) >> 6) != 0x2)
        return false;
    i += static_cast<std::size_t>(n) + 1;
  }
  return true;
}

// Older .mdl files are in the Windows code page: read them as Latin-1.
std::string latin1_to_utf8(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Removes Vensim's line continuations: a backslash at the end of a line joins it to
// the next, whose leading whitespace goes too.
std::string join_continuations(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      std::size_t j = i + 1;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
      if (j < s.size() && (s[j] == '\n' || s[j] == '\r')) {
        if (s[j] == '\r' && j + 1 < s.size() && s[j + 1] == '\n') ++j;
        ++j;
        while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
        i = j - 1;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// --- entries --------------------------------------------------------------------------
struct Entry {
  std::string equation;  // continuations joined
  std::string units;
  std::string comment;
  bool shares_documentation = false;  // written `~~|`: units and comment follow later
  int line = 0;
};

// Splits the model text (before the sketch) into entries.
std::vector<Entry> split_entries(const std::string& text, int first_line) {
  std::vector<Entry> entries;
  enum class Part { Equation, Units, Comment } part = Part::Equation;
  Entry cur;
  std::string* target = &cur.equation;
  int line = first_line;
  int tildes = 0;
  bool quoted = false;
  auto finish = [&] {
    cur.equation = join_continuations(cur.equation);
    cur.shares_documentation = tildes == 2 && trim(cur.units).empty() && trim(cur.comment).empty();
    if (!trim(cur.equation).empty() || tildes > 0) entries.push_back(cur);
    cur = Entry{};
    part = Part::Equation;
    target = &cur.equation;
    tildes = 0;
    quoted = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (cur.line == 0 && !std::isspace(static_cast<unsigned char>(c))) cur.line = line;
    if (c == '\n') ++line;
    if (part == Part::Equation) {
      if (c == '"') {
        // A backslash escapes a quote inside a quoted name.
        if (!(quoted && i > 0 && text[i - 1] == '\\')) quoted = !quoted;
      }
      if (!quoted && c == '~') {
        part = Part::Units;
        target = &cur.units;
        tildes = 1;
        continue;
      }
      if (!quoted && c == '|') {
        finish();
        continue;
      }
    } else if (c == '~') {
      ++tildes;
      if (part == Part::Units) {
        part = Part::Comment;
        target = &cur.comment;
        continue;
      }
      // A third section (flags such as :SUPPLEMENTARY): not part of the comment.
      target = nullptr;
      continue;
    } else if (c == '|') {
      finish();
      continue;
    }
    if (target != nullptr) *target += c;
  }
  if (!trim(cur.equation).empty()) {
    cur.equation = join_continuations(cur.equation);
    entries.push_back(cur);
  }
  return entries;
}

// --- left-hand sides --------------------------------------------------------------------
enum class DefinitionKind {
  Equation,      // name[subs] = expression
  Unchangeable,  // name == constant
  Data,          // name := data (GET DIRECT DATA, ...)
  Lookup,        // name( lookup points )
  Range,         // name: elements -> mapping
  Equivalence,   // name <-> other
  DataOnly,      // name :INTERPOLATE: with no equation (data from a .vdf file)
};

struct LeftSide {
  std::string name;                              // display
  std::vector<std::string> subscripts;           // display, as written
  std::vector<std::vector<std::string>> except;  // :EXCEPT: [a, b], [c, d]
  DefinitionKind kind = DefinitionKind::Equation;
  std::string data_mode;  // INTERPOLATE, RAW, HOLD BACKWARD, LOOK FORWARD
  std::string rhs;        // the rest
};

class LeftSideParser {
 public:
  explicit LeftSideParser(const std::string& text) : s_(text) {}

  // Throws std::string with the problem.
  LeftSide parse() {
    LeftSide l;
    skip();
    l.name = read_name();
    if (l.name.empty()) throw std::string("expected a variable name");
    skip();
    if (at('[')) l.subscripts = read_subscripts();
    skip();
    if (starts_with_ci(s_, p_, ":EXCEPT:")) {
      p_ += 8;
      skip();
      for (;;) {
        if (!at('[')) throw std::string(":EXCEPT: needs a list of subscripts in [ ]");
        l.except.push_back(read_subscripts());
        skip();
        if (!at(',')) break;
        ++p_;
        skip();
      }
    }
    for (const char* mode : {":INTERPOLATE:", ":RAW:", ":HOLD BACKWARD:", ":LOOK FORWARD:"}) {
      if (starts_with_ci(s_, p_, mode)) {
        const std::string m(mode);
        l.data_mode = m.substr(1, m.size() - 2);
        p_ += m.size();
        skip();
      }
    }
    if (p_ >= s_.size()) {
      l.kind = DefinitionKind::DataOnly;
      return l;
    }
    if (s_.compare(p_, 2, "==") == 0) {
      l.kind = DefinitionKind::Unchangeable;
      p_ += 2;
    } else if (s_.compare(p_, 2, ":=") == 0) {
      l.kind = DefinitionKind::Data;
      p_ += 2;
    } else if (s_.compare(p_, 3, "<->") == 0) {
      l.kind = DefinitionKind::Equivalence;
      p_ += 3;
    } else if (at('=')) {
      l.kind = DefinitionKind::Equation;
      ++p_;
    } else if (at('(')) {
      l.kind = DefinitionKind::Lookup;  // the points, parenthesis included
    } else if (at(':')) {
      l.kind = DefinitionKind::Range;
      ++p_;
    } else {
      throw std::string("expected '=', '(' or ':' after '") + l.name + "', found '" + s_[p_] + "'";
    }
    l.rhs = trim(s_.substr(p_));
    return l;
  }

 private:
  bool at(char c) const { return p_ < s_.size() && s_[p_] == c; }
  void skip() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }

  std::string read_name() {
    if (at('"')) {
      std::string out;
      ++p_;
      while (p_ < s_.size() && s_[p_] != '"') {
        if (s_[p_] == '\\' && p_ + 1 < s_.size() && s_[p_ + 1] == '"') ++p_;
        out += s_[p_++];
      }
      if (!at('"')) throw std::string("unclosed quoted name");
      ++p_;
      return out;
    }
    const std::size_t b = p_;
    while (p_ < s_.size() && s_[p_] != '[' && s_[p_] != '=' && s_[p_] != '(' && s_[p_] != ':' &&
           s_.compare(p_, 3, "<->") != 0)
      ++p_;
    return collapse_spaces(s_.substr(b, p_ - b));
  }

  std::vector<std::string> read_subscripts() {
    ++p_;  // [
    std::vector<std::string> out;
    for (;;) {
      skip();
      std::string name = read_subscript_name();
      if (name.empty()) throw std::string("expected a subscript in [ ]");
      out.push_back(name);
      skip();
      if (at(',')) {
        ++p_;
        continue;
      }
      if (at(']')) {
        ++p_;
        return out;
      }
      throw std::string("expected ',' or ']' in the subscripts");
    }
  }

  std::string read_subscript_name() {
    if (at('"')) return read_name();
    const std::size_t b = p_;
    while (p_ < s_.size() && s_[p_] != ',' && s_[p_] != ']') ++p_;
    return collapse_spaces(s_.substr(b, p_ - b));
  }

  const std::string& s_;
  std::size_t p_ = 0;
};

// --- the reader -------------------------------------------------------------------------
struct Definition {
  LeftSide left;
  ExprPtr expr;                            // Equation, Unchangeable, Data
  std::vector<std::vector<double>> table;  // a number list: rows of values
  bool is_table = false;
  VensimLookup lookup;  // Lookup
  std::string units;
  std::string comment;
  int line = 0;
};

struct VariableDefinitions {
  std::string name;
  std::vector<Definition> definitions;
  int line = 0;
};

struct Macro {
  std::string name;                     // display
  std::vector<std::string> parameters;  // canonical
  std::vector<VariableDefinitions> variables;
  int line = 0;
};

class Reader {
 public:
  Reader(const std::string& text, std::string file) : file_(std::move(file)), data_files_(file_) {
    std::string t = text;
    if (t.compare(0, 3, "\xEF\xBB\xBF") == 0) t.erase(0, 3);
    int first_line = 1;
    if (starts_with_ci(t, 0, "{UTF-8}")) {
      t.erase(0, 7);  // decode_text refused bytes that are not UTF-8 after it
    } else if (!valid_utf8(t)) {
      t = latin1_to_utf8(t);
    }
    // Everything from the sketch on is display information.
    auto sketch = t.find("\\---///");
    if (sketch != std::string::npos) {
      while (sketch > 0 && t[sketch - 1] == '\\') --sketch;
      t.resize(sketch);
    }
    text_ = t;
    first_line_ = first_line;
  }

  Model read() {
    model_ = Model(model_name());
    collect(split_entries(text_, first_line_));
    build_dimensions();
    read_control();
    for (const std::string& key : order_) {
      const Definition& d = variables_.at(key).definitions.front();
      if (d.left.kind == DefinitionKind::Lookup || data_kind(d) == "lookups") lookups_.insert(key);
    }
    for (const std::string& key : order_) build_variable(variables_.at(key), "");
    split_stock_rates();
    return std::move(model_);
  }

 private:
  // --- errors ------------------------------------------------------------------------
  [[noreturn]] void fail(int line, const std::string& message,
                         const std::string& variable = {}) const {
    Location where;
    where.file = file_;
    where.line = line;
    where.variable = variable;
    throw ModelError(message, where);
  }

  [[noreturn]] void relocate(const Error& e, int line) const {
    Location where = e.where();
    where.file = file_;
    if (where.line == 0) where.line = line;
    if (e.kind() == ErrorKind::Parse) throw ParseError(e.message(), where);
    throw ModelError(e.message(), where);
  }

  std::string model_name() const {
    std::string stem = std::filesystem::path(file_).stem().string();
    return stem.empty() ? "model" : stem;
  }

  // --- collecting ----------------------------------------------------------------------
  void collect(const std::vector<Entry>& entries) {
    Macro* macro = nullptr;
    for (const Entry& entry : entries) {
      std::string eq = trim(entry.equation);
      if (eq.empty()) continue;
      if (eq[0] == '*') continue;  // a group marker: ****  .name  ****
      // The end of one macro and the start of the next are one entry (neither ends in `|`):
      // the end comes off first.
      if (starts_with_ci(eq, 0, ":END OF MACRO:")) {
        macro = nullptr;
        eq = trim(eq.substr(14));
        if (eq.empty()) continue;
      }
      if (starts_with_ci(eq, 0, ":MACRO:")) {
        const auto open = eq.find('(');
        const auto close = eq.find(')');
        if (open == std::string::npos || close == std::string::npos || close < open)
          fail(entry.line, "a :MACRO: needs a name and its parameters: :MACRO: NAME(a, b)");
        Macro m;
        m.name = collapse_spaces(eq.substr(7, open - 7));
        std::stringstream params(eq.substr(open + 1, close - open - 1));
        std::string p;
        while (std::getline(params, p, ',')) {
          const auto colon = p.find(':');  // "input : output" lists outputs after ':'
          if (colon != std::string::npos)
            fail(entry.line,
                 "macros with several outputs (':' in the parameter list) are not "
                 "supported");
          if (!trim(p).empty()) m.parameters.push_back(canonical_name(collapse_spaces(p)));
        }
        m.line = entry.line;
        macros_[canonical_name(m.name)] = std::move(m);
        macro = &macros_[canonical_name(collapse_spaces(eq.substr(7, open - 7)))];
        eq = trim(eq.substr(close + 1));
        if (eq.empty()) continue;
      }
      Entry e = entry;
      e.equation = eq;
      read_entry(e, macro);
    }
    // Everything after an unclosed :MACRO: went into the macro (the control section too,
    // which then seemed missing): say what is wrong instead.
    if (macro != nullptr)
      fail(macro->line, ":MACRO: " + macro->name + " has no :END OF MACRO:");
    // `~~|` definitions take the units and comment of the variable's last definition.
    for (auto& [key, v] : variables_) share_documentation(v);
    for (auto& [key, m] : macros_)
      for (auto& v : m.variables) share_documentation(v);
  }

  static void share_documentation(VariableDefinitions& v) {
    std::string units, comment;
    for (auto it = v.definitions.rbegin(); it != v.definitions.rend(); ++it) {
      if (!trim(it->units).empty() || !trim(it->comment).empty()) {
        units = it->units;
        comment = it->comment;
      } else {
        it->units = units;
        it->comment = comment;
      }
    }
  }

  void read_entry(const Entry& entry, Macro* macro) {
    LeftSide left;
    try {
      left = LeftSideParser(entry.equation).parse();
    } catch (const std::string& message) {
      Location where;
      where.file = file_;
      where.line = entry.line;
      throw ParseError(message + ": '" + collapse_spaces(entry.equation) + "'", where);
    }
    const std::string key = canonical_name(left.name);
    if (left.kind == DefinitionKind::Range || left.kind == DefinitionKind::Equivalence) {
      if (macro != nullptr) fail(entry.line, "subscript ranges inside a macro are not supported");
      ranges_.push_back({left, entry.line});
      return;
    }
    Definition d;
    d.left = left;
    d.units = entry.units;
    d.comment = entry.comment;
    d.line = entry.line;
    parse_right_side(d, left.name);
    if (macro != nullptr) {
      auto it =
          std::find_if(macro->variables.begin(), macro->variables.end(),
                       [&](const VariableDefinitions& v) { return canonical_name(v.name) == key; });
      if (it == macro->variables.end()) {
        macro->variables.push_back({left.name, {}, entry.line});
        it = macro->variables.end() - 1;
      }
      it->definitions.push_back(std::move(d));
      return;
    }
    if (is_control(key)) {
      if (const auto before = control_.find(key); before != control_.end())
        fail(entry.line,
             "'" + left.name + "' is defined twice (first at line " +
                 std::to_string(before->second.line) + "): which one should the run take?",
             left.name);
      control_[key] = std::move(d);
      return;
    }
    auto it = variables_.find(key);
    if (it == variables_.end()) {
      order_.push_back(key);
      it = variables_.emplace(key, VariableDefinitions{left.name, {}, entry.line}).first;
    }
    it->second.definitions.push_back(std::move(d));
  }

  static bool is_control(const std::string& key) {
    return key == "initial_time" || key == "final_time" || key == "time_step" || key == "saveper";
  }

  void parse_right_side(Definition& d, const std::string& variable) {
    const std::string& rhs = d.left.rhs;
    try {
      switch (d.left.kind) {
        case DefinitionKind::Lookup:
          if (lower(rhs).find("get ") != std::string::npos ||
              lower(rhs).find("get_") != std::string::npos) {
            // name( GET XLS LOOKUPS('file', 'sheet', 'times', 'first cell') )
            d.expr = detail::parse_vensim_equation(rhs, variable);
            if (data_kind(d) != "lookups")
              fail(d.line, "a lookup's points must be numbers or GET ... LOOKUPS(...)", variable);
            return;
          }
          d.lookup = detail::parse_vensim_lookup(rhs, variable);
          return;
        case DefinitionKind::DataOnly:
          return;
        default:
          break;
      }
      if (detail::parse_vensim_number_table(rhs, d.table)) {
        d.is_table = d.table.size() > 1 || d.table[0].size() > 1;
        if (!d.is_table) d.expr = number_expr(d.table[0][0]);
        return;
      }
      d.expr = detail::parse_vensim_equation(rhs, variable);
    } catch (const Error& e) {
      relocate(e, d.line);
    }
  }

  static ExprPtr number_expr(double v) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Number;
    e->number = v;
    return e;
  }
  static ExprPtr name_expr(const std::string& canonical) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Name;
    e->name = canonical;
    return e;
  }
  static ExprPtr call(const std::string& f, std::vector<ExprPtr> args, int column = 0) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Call;
    e->name = f;
    e->column = column;
    e->args = std::move(args);
    return e;
  }
  static ExprPtr binary(BinaryOp op, ExprPtr a, ExprPtr b) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Binary;
    e->binary = op;
    e->column = a->column;
    e->args = {std::move(a), std::move(b)};
    return e;
  }
  static ExprPtr unary(UnaryOp op, ExprPtr a) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Unary;
    e->unary = op;
    e->column = a->column;
    e->args = {std::move(a)};
    return e;
  }

  // --- dimensions ------------------------------------------------------------------------
  struct RangeDefinition {
    LeftSide left;
    int line = 0;
  };

  // "(a1-a12)" -> a1 ... a12; the numbers keep the width they are written with.
  std::vector<std::string> numbered_range(const std::string& item, int line) const {
    const std::string inner = trim(item.substr(1, item.size() - 2));
    const auto dash = inner.find('-');
    if (dash == std::string::npos) fail(line, "a numbered range is written (a1-a9), not " + item);
    const std::string from = trim(inner.substr(0, dash));
    const std::string to = trim(inner.substr(dash + 1));
    auto split = [&](const std::string& s, std::string& prefix, long& n) {
      std::size_t k = s.size();
      while (k > 0 && std::isdigit(static_cast<unsigned char>(s[k - 1]))) --k;
      if (k == s.size()) fail(line, "a numbered range needs numbers at the end: " + item);
      prefix = s.substr(0, k);
      // Digits alone, so strtol cannot fail on anything but their size.
      if (s.size() - k > 15) fail(line, "the numbers of the range " + item + " are too large");
      n = std::strtol(s.c_str() + k, nullptr, 10);
    };
    std::string p1, p2;
    long a = 0, b = 0;
    split(from, p1, a);
    split(to, p2, b);
    if (canonical_name(p1) != canonical_name(p2) || b < a)
      fail(line, "the numbered range " + item + " needs the same prefix and increasing numbers");
    if (static_cast<unsigned long>(b - a) >= limit(Limit::Elements))
      fail(line, limit_message(Limit::Elements, "the numbered range " + item + " has " +
                                                    std::to_string(b - a + 1) + " elements"));
    std::vector<std::string> out;
    for (long k = a; k <= b; ++k) out.push_back(p1 + std::to_string(k));
    return out;
  }

  // Splits at top-level commas.
  static std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    bool quoted = false;
    for (const char c : s) {
      if (c == '"') quoted = !quoted;
      if (!quoted && (c == '(' || c == '[')) ++depth;
      if (!quoted && (c == ')' || c == ']')) --depth;
      if (!quoted && depth == 0 && c == ',') {
        out.push_back(trim(cur));
        cur.clear();
        continue;
      }
      cur += c;
    }
    if (!trim(cur).empty()) out.push_back(trim(cur));
    return out;
  }

  const std::vector<std::string>& range_elements(const std::string& key,
                                                 std::set<std::string>& visiting) {
    const auto done = range_elements_.find(key);
    if (done != range_elements_.end()) return done->second;
    const auto def = range_index_.find(key);
    const RangeDefinition& r = ranges_[def->second];
    if (visiting.count(key) != 0)
      fail(r.line, "subscript range '" + r.left.name + "' contains itself");
    if (visiting.size() >= limit(Limit::Nesting))
      fail(r.line, limit_message(Limit::Nesting, "subscript ranges nest " +
                                                     std::to_string(visiting.size() + 1) +
                                                     " deep (a range made of ranges made of ...)"));
    visiting.insert(key);
    std::vector<std::string> elements;
    std::string body = r.left.rhs;
    if (r.left.kind == DefinitionKind::Equivalence) {
      body = trim(body);
    } else {
      const auto arrow = body.find("->");
      if (arrow != std::string::npos) body = body.substr(0, arrow);
    }
    if (lower(body).find("get direct subscript") != std::string::npos ||
        lower(body).find("get xls subscript") != std::string::npos)
      fail(r.line,
           "subscript ranges read from a spreadsheet (GET DIRECT SUBSCRIPT) are not "
           "supported",
           r.left.name);
    // An element twice is an error (as Model::add_dimension finds it), found here as the
    // list grows: ranges made of a range twice over would otherwise double at every level.
    std::unordered_set<std::string> seen;
    const auto add = [&](const std::string& e) {
      if (!seen.insert(canonical_name(e)).second)
        fail(r.line, "subscript range '" + r.left.name + "' lists element '" + e + "' twice");
      elements.push_back(e);
    };
    for (const std::string& item : split_commas(body)) {
      if (item.empty()) continue;
      if (item.front() == '(' && item.back() == ')') {
        for (auto& e : numbered_range(item, r.line)) add(e);
        continue;
      }
      const std::string name = collapse_spaces(item);
      const std::string k = canonical_name(name);
      if (range_index_.count(k) != 0 && k != key) {
        for (const auto& e : range_elements(k, visiting)) add(e);
      } else {
        add(name);
      }
      // Ranges of ranges multiply: stop before the list outgrows every limit.
      if (elements.size() > limit(Limit::Elements))
        fail(r.line, limit_message(Limit::Elements,
                                   "subscript range '" + r.left.name + "' has more than " +
                                       std::to_string(limit(Limit::Elements)) + " elements"));
    }
    visiting.erase(key);
    if (elements.empty()) fail(r.line, "subscript range '" + r.left.name + "' has no elements");
    return range_elements_[key] = elements;
  }

  void build_dimensions() {
    for (std::size_t i = 0; i < ranges_.size(); ++i) {
      const std::string key = canonical_name(ranges_[i].left.name);
      if (range_index_.count(key) != 0)
        fail(ranges_[i].line, "subscript range '" + ranges_[i].left.name + "' is defined twice");
      range_index_[key] = i;
    }
    // The dimensions are complete (elements, mappings, subrange parents) before the Model
    // gets them.
    std::vector<Dimension> dims;
    std::size_t all_elements = 0;
    for (const RangeDefinition& r : ranges_) {
      std::set<std::string> visiting;
      Dimension d;
      d.name = r.left.name;
      d.elements = range_elements(canonical_name(r.left.name), visiting);
      // As Model::add_dimension counts them, before the next range is made: thirty ranges of
      // a million elements are a few hundred bytes of file.
      all_elements += d.elements.size();
      if (all_elements > limit(Limit::Elements))
        fail(r.line,
             limit_message(Limit::Elements, "with subscript range '" + r.left.name +
                                                "', the model's ranges have " +
                                                std::to_string(all_elements) + " elements in all"));
      if (r.left.kind == DefinitionKind::Equivalence) {
        d.mappings.push_back({collapse_spaces(r.left.rhs), {}});
      } else {
        const auto arrow = r.left.rhs.find("->");
        if (arrow != std::string::npos) add_mappings(d, r.left.rhs.substr(arrow + 2), r.line);
      }
      dims.push_back(std::move(d));
    }
    // A range whose elements all belong to a larger (or an earlier, equal) range is its
    // subrange: its name used as a number counts positions in that parent.
    // (Each range's canonical elements sorted once: building them per pair took seconds
    // for a few dozen large ranges.)
    std::vector<std::vector<std::string>> sorted(dims.size());
    for (std::size_t i = 0; i < dims.size(); ++i) {
      for (const auto& e : dims[i].elements) sorted[i].push_back(canonical_name(e));
      std::sort(sorted[i].begin(), sorted[i].end());
      sorted[i].erase(std::unique(sorted[i].begin(), sorted[i].end()), sorted[i].end());
    }
    for (std::size_t i = 0; i < dims.size(); ++i) {
      const std::vector<std::string>& mine = sorted[i];
      std::size_t best = i;
      for (std::size_t j = 0; j < dims.size(); ++j) {
        if (j == i || dims[j].elements.size() < mine.size()) continue;
        const std::vector<std::string>& theirs = sorted[j];
        if (!std::includes(theirs.begin(), theirs.end(), mine.begin(), mine.end())) continue;
        const std::size_t size_best = dims[best].elements.size();
        if (dims[j].elements.size() > size_best ||
            (dims[j].elements.size() == size_best && j < best))
          best = j;
      }
      if (best != i) dims[i].parent = dims[best].name;
    }
    // Equivalent ranges map both ways.
    for (const RangeDefinition& r : ranges_) {
      if (r.left.kind != DefinitionKind::Equivalence) continue;
      for (auto& d : dims)
        if (canonical_name(d.name) == canonical_name(collapse_spaces(r.left.rhs)))
          d.mappings.push_back({r.left.name, {}});
    }
    for (std::size_t i = 0; i < dims.size(); ++i) {
      try {
        model_.add_dimension(std::move(dims[i]));
      } catch (const Error& e) {
        relocate(e, ranges_[i].line);
      }
    }
  }

  // "DimB" or "DimB, DimC" or "(DimB: b2, b1)".
  void add_mappings(Dimension& d, const std::string& text, int line) {
    for (const std::string& item : split_commas(text)) {
      if (item.empty()) continue;
      DimensionMapping m;
      if (item.front() == '(' && item.back() == ')') {
        const std::string inner = item.substr(1, item.size() - 2);
        const auto colon = inner.find(':');
        if (colon == std::string::npos)
          fail(line, "a mapping with elements is written (Dim: e1, e2), not " + item);
        m.target = collapse_spaces(inner.substr(0, colon));
        for (const std::string& e : split_commas(inner.substr(colon + 1)))
          m.elements.push_back(collapse_spaces(e));
        if (m.elements.size() != d.elements.size())
          fail(line, "the mapping " + item + " lists " + std::to_string(m.elements.size()) +
                         " elements for the " + std::to_string(d.elements.size()) + " of '" +
                         d.name + "'");
      } else {
        m.target = collapse_spaces(item);
      }
      d.mappings.push_back(std::move(m));
    }
  }

  const Dimension* dimension(const std::string& name) const { return model_.find_dimension(name); }

  // The elements a subscript on a left-hand side stands for: a range's elements or itself.
  std::vector<std::string> covered(const std::string& subscript) const {
    if (const Dimension* d = dimension(subscript)) return d->elements;
    return {subscript};
  }

  // Each position's dimension: the range named there when one definition covers it,
  // else the smallest range that holds every element the definitions name there.
  std::vector<std::string> variable_dimensions(const VariableDefinitions& v) const {
    const Definition& first = v.definitions.front();
    const std::size_t rank = first.left.subscripts.size();
    for (const Definition& d : v.definitions)
      if (d.left.subscripts.size() != rank)
        fail(d.line,
             "'" + v.name + "' is defined with " + std::to_string(d.left.subscripts.size()) +
                 " subscripts here and " + std::to_string(rank) + " elsewhere",
             v.name);
    std::vector<std::string> dims;
    for (std::size_t p = 0; p < rank; ++p) {
      std::vector<std::string> all;
      std::set<std::string> seen;
      for (const Definition& d : v.definitions)
        for (const auto& e : covered(d.left.subscripts[p]))
          if (seen.insert(canonical_name(e)).second) all.push_back(e);
      std::string chosen;
      for (const Definition& d : v.definitions) {
        const Dimension* dim = dimension(d.left.subscripts[p]);
        if (dim != nullptr && dim->elements.size() == all.size()) chosen = dim->name;
        if (!chosen.empty()) break;
      }
      if (chosen.empty()) {
        std::size_t best = 0;
        for (const Dimension& dim : model_.dimensions()) {
          std::set<std::string> has;
          for (const auto& e : dim.elements) has.insert(canonical_name(e));
          const bool holds = std::all_of(seen.begin(), seen.end(),
                                         [&](const std::string& e) { return has.count(e) != 0; });
          if (holds && (chosen.empty() || dim.elements.size() < best))
            chosen = dim.name, best = dim.elements.size();
        }
      }
      if (chosen.empty())
        fail(first.line,
             "'" + first.left.subscripts[p] +
                 "' is neither a subscript range nor an "
                 "element of one",
             v.name);
      dims.push_back(chosen);
    }
    return dims;
  }

  // --- control section ----------------------------------------------------------------
  double constant_value(const Expr& e, int line, const std::string& what, int depth = 0) const {
    switch (e.kind) {
      case ExprKind::Number:
        return e.number;
      case ExprKind::Unary: {
        const double a = constant_value(*e.args[0], line, what, depth);
        return e.unary == UnaryOp::Neg ? -a : a;
      }
      case ExprKind::Binary: {
        const double a = constant_value(*e.args[0], line, what, depth);
        const double b = constant_value(*e.args[1], line, what, depth);
        switch (e.binary) {
          case BinaryOp::Add:
            return a + b;
          case BinaryOp::Sub:
            return a - b;
          case BinaryOp::Mul:
            return a * b;
          case BinaryOp::Div:
            return a / b;
          case BinaryOp::Pow:
            return std::pow(a, b);
          default:
            break;
        }
        break;
      }
      case ExprKind::Name: {
        if (depth > 20 || !e.subscripts.empty()) break;
        // (depth also bounds control settings defined by each other: TIME STEP = TIME STEP.)
        if (is_control(e.name)) return control_value(e.name, depth + 1);
        const auto it = variables_.find(e.name);
        if (it != variables_.end() && it->second.definitions.size() == 1 &&
            it->second.definitions[0].expr)
          return constant_value(*it->second.definitions[0].expr, line, what, depth + 1);
        break;
      }
      default:
        break;
    }
    fail(line, what +
                   " must be a constant (a number or an expression of constants); h2sim "
                   "cannot run a model whose clock changes while it runs");
  }

  double control_value(const std::string& key, int depth = 0) const {
    const auto it = control_.find(key);
    if (it == control_.end()) {
      if (key == "saveper") return control_value("time_step", depth);
      if (key == "time_step") return 1.0;
      if (key == "initial_time") return 0.0;
      fail(1, "the model has no FINAL TIME");
    }
    const Definition& d = it->second;
    if (!d.expr) fail(d.line, d.left.name + " must be a number");
    return constant_value(*d.expr, d.line, d.left.name, depth);
  }

  void read_control() {
    TimeSettings& t = model_.time();
    t.method = Method::Euler;  // Vensim's default; the method is kept in the settings
    t.start = control_value("initial_time");
    t.stop = control_value("final_time");
    t.dt = control_value("time_step");
    t.save_every = control_value("saveper");
    const int line = control_.count("time_step") ? control_.at("time_step").line : 1;
    t.location.file = file_;
    t.location.line = line;
    if (!(t.dt > 0)) fail(line, "TIME STEP must be positive");
    if (!(t.stop > t.start)) fail(line, "FINAL TIME must be after INITIAL TIME");
    const double ratio = t.save_every / t.dt;
    if (!(t.save_every > 0) || std::abs(ratio - std::round(ratio)) > 1e-9 * ratio)
      fail(control_.count("saveper") ? control_.at("saveper").line : line,
           "SAVEPER must be a whole number of TIME STEPs");
    if (control_.count("final_time")) {
      std::string units = trim(control_.at("final_time").units);
      const auto bracket = units.find('[');
      if (bracket != std::string::npos) units = trim(units.substr(0, bracket));
      if (!units.empty()) t.time_units = units;
    }
  }

  // --- translation of Vensim's builtins ----------------------------------------------------
  struct Site {
    std::string variable;  // display name, for errors
    std::string self;      // canonical name of the variable being defined
    int line = 0;
    bool arrayed = false;
  };

  [[noreturn]] void refuse(const Site& site, const std::string& construct,
                           const std::string& why) const {
    fail(site.line, construct + ": " + why, site.variable);
  }

  // Vensim's functions in h2sim's terms: one case per function (see the note at the top).
  ExprPtr translate(const ExprPtr& e, const Site& site) {
    if (!e) return e;
    if (e->kind == ExprKind::Name) {
      if (e->name == "saveper" && e->subscripts.empty())
        return number_expr(model_.time().save_every);
      if (e->name == "time_step" || e->name == "initial_time" || e->name == "final_time" ||
          e->name == "time")
        return e;
      if (!e->name.empty() && e->name[0] == '\'')
        refuse(site, "the text " + e->name, "text is only allowed in data functions");
      return e;
    }
    if (e->kind != ExprKind::Call) {
      auto copy = std::make_shared<Expr>(*e);
      for (auto& a : copy->args) a = translate(a, site);
      return copy;
    }
    const std::string& f = e->name;
    auto arg = [&](std::size_t i) { return translate(e->args[i], site); };
    auto argc = e->args.size();
    auto need = [&](std::size_t lo, std::size_t hi) {
      if (argc < lo || argc > hi)
        refuse(
            site, upper_name(f),
            "takes " +
                (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
                " arguments, not " + std::to_string(argc));
    };
    auto same = [&](const std::string& name) {
      auto copy = std::make_shared<Expr>(*e);
      copy->name = name;
      for (auto& a : copy->args) a = translate(a, site);
      return ExprPtr(copy);
    };
    // A macro call: expand the macro for this call.
    if (macros_.count(f) != 0) return expand_macro(*e, site);
    // One of the model's lookups, called as name(x).
    // One of the model's lookups, called as name(x), or one element's: name[A](x).
    if (const Variable* v = model_.find(f); v != nullptr && v->is_lookup_table()) return same(f);
    if (lookups_.count(f) != 0) return same(f);
    // Functions the builtin registry has under Vensim's own name (src/builtins/): the same
    // call; the registry checks the arguments.
    static const std::set<std::string> same_name = {"abs",
                                                    "exp",
                                                    "ln",
                                                    "sqrt",
                                                    "sin",
                                                    "cos",
                                                    "tan",
                                                    "arcsin",
                                                    "arccos",
                                                    "arctan",
                                                    "sinh",
                                                    "cosh",
                                                    "tanh",
                                                    "min",
                                                    "max",
                                                    "step",
                                                    "ramp",
                                                    "xidz",
                                                    "zidz",
                                                    "sum",
                                                    "prod",
                                                    "if_then_else",
                                                    "delay1",
                                                    "delay3",
                                                    "trend",
                                                    "integer",
                                                    "modulo",
                                                    "quantum",
                                                    "game",
                                                    "vmin",
                                                    "vmax",
                                                    "initial",
                                                    "active_initial",
                                                    "pulse_train",
                                                    "delay1i",
                                                    "delay3i",
                                                    "delay_n",
                                                    "delay_fixed",
                                                    "smooth",
                                                    "smoothi",
                                                    "smooth3",
                                                    "smooth3i",
                                                    "smooth_n",
                                                    "forecast",
                                                    "sample_if_true",
                                                    "npv",
                                                    "vector_select",
                                                    "vector_elm_map",
                                                    "vector_sort_order",
                                                    "vector_rank",
                                                    "vector_reorder"};
    if (same_name.count(f) != 0) {
      if (f == "ramp") need(2, 3);
      if (f == "step" || f == "zidz") need(2, 2);
      if (f == "xidz" || f == "if_then_else") need(3, 3);
      if (f == "delay1" || f == "delay3") need(2, 2);
      if (f == "trend") need(3, 3);
      if (f == "smooth" || f == "smooth3") need(2, 2);
      if (f == "smoothi" || f == "smooth3i" || f == "delay1i" || f == "delay3i" ||
          f == "delay_fixed" || f == "forecast" || f == "sample_if_true")
        need(3, 3);
      return same(f);
    }
    if (f == "power") {
      need(2, 2);
      return binary(BinaryOp::Pow, arg(0), arg(1));
    }
    if (f == "log") {
      need(2, 2);
      return binary(BinaryOp::Div, call("ln", {arg(0)}), call("ln", {arg(1)}));
    }
    if (f == "elmcount") {
      need(1, 1);
      const Expr& d = *e->args[0];
      const Dimension* dim = d.kind == ExprKind::Name ? dimension(d.name) : nullptr;
      if (dim == nullptr) refuse(site, "ELMCOUNT", "its argument must name a subscript range");
      return number_expr(static_cast<double>(dim->elements.size()));
    }
    if (f == "pulse") {
      // Vensim: 1 from `start` for `width` (at least one TIME STEP), else 0.
      need(2, 2);
      const ExprPtr start = arg(0);
      const ExprPtr width = call("max", {arg(1), name_expr("time_step")});
      return binary(BinaryOp::Sub, call("step", {number_expr(1), start}),
                    call("step", {number_expr(1), binary(BinaryOp::Add, start, width)}));
    }
    if (f == "integ")
      refuse(site, "INTEG", "must be the whole right-hand side of a stock's equation");
    if (f == "with_lookup")
      refuse(site, "WITH LOOKUP", "must be the whole right-hand side of an equation");
    if (f.rfind("random", 0) == 0)
      refuse(site, upper_name(f),
             "random numbers are not supported (h2sim runs are deterministic; sample "
             "uncertain constants with run_batch instead)");
    if (f.rfind("get_", 0) == 0)
      refuse(site, upper_name(f), "data read from files is not supported yet");
    if (f.rfind("vector_", 0) == 0 || f.rfind("allocate", 0) == 0 || f == "invert_matrix" ||
        f == "allocate_by_priority")
      refuse(site, upper_name(f), "this array function is not supported yet");
    if (f.rfind("lookup_", 0) == 0)
      refuse(site, upper_name(f), "this lookup function is not supported yet");
    refuse(site, "the function " + upper_name(f), "unknown or not supported");
  }

  static std::string upper_name(const std::string& canonical) {
    std::string s;
    for (const char c : canonical)
      s += c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }

  // --- macros ----------------------------------------------------------------------------
  static ExprPtr substitute(const ExprPtr& e, const std::map<std::string, ExprPtr>& args,
                            const std::map<std::string, std::string>& rename) {
    if (!e) return e;
    if (e->kind == ExprKind::Name && e->subscripts.empty()) {
      const auto a = args.find(e->name);
      if (a != args.end()) return a->second;
    }
    auto copy = std::make_shared<Expr>(*e);
    if (e->kind == ExprKind::Name || e->kind == ExprKind::Call) {
      const auto r = rename.find(e->name);
      if (r != rename.end()) copy->name = r->second;
    }
    for (auto& a : copy->args) a = substitute(a, args, rename);
    return copy;
  }

  ExprPtr expand_macro(const Expr& call_expr, const Site& site) {
    const Macro& m = macros_.at(call_expr.name);
    if (site.arrayed)
      refuse(site, "the macro " + m.name, "macro calls in arrayed equations are not supported");
    if (call_expr.args.size() != m.parameters.size())
      refuse(site, "the macro " + m.name,
             "takes " + std::to_string(m.parameters.size()) + " arguments, not " +
                 std::to_string(call_expr.args.size()));
    const int k = ++macro_calls_[call_expr.name];
    const std::string instance = m.name + " " + std::to_string(k);
    std::map<std::string, ExprPtr> args;
    for (std::size_t i = 0; i < m.parameters.size(); ++i)
      args[m.parameters[i]] = translate(call_expr.args[i], site);
    std::map<std::string, std::string> rename;
    for (const auto& v : m.variables) {
      const std::string local = canonical_name(v.name);
      rename[local] =
          canonical_name(local == canonical_name(m.name) ? instance : instance + " " + v.name);
    }
    if (rename.count(canonical_name(m.name)) == 0)
      refuse(site, "the macro " + m.name, "defines no variable named after it (its output)");
    for (const auto& v : m.variables) {
      VariableDefinitions copy = v;
      const bool output = canonical_name(v.name) == canonical_name(m.name);
      copy.name = output ? instance : instance + " " + v.name;
      for (Definition& d : copy.definitions) {
        d.left.name = copy.name;
        d.expr = substitute(d.expr, args, rename);
        if (d.comment.empty())
          d.comment = "Expanded from macro " + m.name + " (" + site.variable + ")";
      }
      build_variable(copy, m.name);
    }
    return name_expr(rename.at(canonical_name(m.name)));
  }

  // --- variables -----------------------------------------------------------------------
  static bool is_call(const ExprPtr& e, const char* name) {
    return e && e->kind == ExprKind::Call && e->name == name;
  }

  static std::string units_of(const std::string& text) {
    std::string u = trim(text);
    const auto bracket = u.find('[');
    if (bracket != std::string::npos) u = trim(u.substr(0, bracket));
    return u;
  }

  // Element tuples that `subscripts` (elements or ranges) stand for, row-major.
  std::vector<std::vector<std::string>> tuples(const std::vector<std::string>& subscripts) const {
    std::vector<std::vector<std::string>> out{{}};
    for (const std::string& s : subscripts) {
      std::vector<std::vector<std::string>> next;
      for (const auto& t : out)
        for (const auto& e : covered(s)) {
          auto u = t;
          u.push_back(e);
          next.push_back(std::move(u));
        }
      out = std::move(next);
    }
    return out;
  }

  // --- data functions (GET DIRECT ... / GET XLS ...) ------------------------------------
  // "constants", "data" or "lookups" for a definition that reads a spreadsheet, else "".
  static std::string data_kind(const Definition& d) {
    if (!d.expr || d.expr->kind != ExprKind::Call) return {};
    return detail::DataFiles::kind(d.expr->name);
  }

  // The text arguments of a data function ('file.xlsx', 'Sheet1', 'B5').
  std::vector<std::string> text_arguments(const Definition& d, const std::string& variable) const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < d.expr->args.size(); ++i) {
      const ExprPtr& a = d.expr->args[i];
      if (a->kind != ExprKind::Name || a->name.empty() || a->name[0] != '\'')
        fail(d.line,
             upper_name(d.expr->name) + ": argument " + std::to_string(i + 1) +
                 " must be text in single quotes ('file.xlsx', 'Sheet1', 'B5')",
             variable);
      out.push_back(a->name.substr(1, a->name.size() - 2));
    }
    return out;
  }

  // How many values each range of the left-hand side asks for (ranges only, in order).
  std::vector<std::size_t> shape(const std::vector<std::string>& subscripts) const {
    std::vector<std::size_t> out;
    for (const auto& sub : subscripts)
      if (const Dimension* d = dimension(sub)) out.push_back(d->elements.size());
    return out;
  }

  // GET DIRECT CONSTANTS: one value per element (src/io/data_functions.cpp).
  std::vector<double> read_constants(const Definition& d, const std::string& variable) {
    try {
      return data_files_.constants(text_arguments(d, variable), shape(d.left.subscripts));
    } catch (const std::runtime_error& e) {
      fail(d.line, e.what(), variable);
    }
  }

  // GET DIRECT DATA / LOOKUPS: one series per element of the left-hand side's range.
  std::vector<GraphicalFunction> read_series(const Definition& d, const std::string& variable) {
    const std::vector<std::size_t> dims = shape(d.left.subscripts);
    if (dims.size() > 1)
      fail(d.line, upper_name(d.expr->name) + " for more than one range at once is not supported",
           variable);
    std::vector<GraphicalFunction> out;
    try {
      out = data_files_.series(text_arguments(d, variable), dims.empty() ? 1 : dims[0]);
    } catch (const std::runtime_error& e) {
      fail(d.line, e.what(), variable);
    }
    for (const GraphicalFunction& gf : out) check_points(gf, d.line, variable);
    return out;
  }

  Interpolation data_interpolation(const Definition& d, const std::string& variable) const {
    const std::string mode = lower(d.left.data_mode);
    if (mode.empty() || mode == "interpolate") return Interpolation::Continuous;
    if (mode == "hold backward") return Interpolation::Discrete;
    fail(
        d.line,
        ":" + d.left.data_mode + ": data are not supported yet (INTERPOLATE and HOLD BACKWARD are)",
        variable);
  }

  // One Vensim variable, from all its definitions: a case per kind of definition (lookups,
  // data, WITH LOOKUP, one equation, per-element lists); see the note at the top.
  void build_variable(const VariableDefinitions& v, const std::string& in_macro) {
    const Definition& first = v.definitions.front();
    Variable var;
    var.name = v.name;
    var.location.file = file_;
    var.location.line = v.line;
    var.location.variable = v.name;
    var.units = units_of(first.units);
    var.description = collapse_spaces(first.comment);
    for (const Definition& d : v.definitions) {
      if (var.units.empty()) var.units = units_of(d.units);
      if (var.description.empty()) var.description = collapse_spaces(d.comment);
    }
    if (var.units == "Dmnl" || var.units == "dmnl") var.units = "dimensionless";
    var.dimensions = variable_dimensions(v);
    check_defined_once(v);
    const std::string self = canonical_name(v.name);
    lines_[self] = v.line;

    // Lookups: name( points ), or one per element: name[A]( points ), name[B]( ... ).
    if (first.left.kind == DefinitionKind::Lookup) {
      std::vector<std::pair<std::vector<std::string>, GraphicalFunction>> tables;
      for (const Definition& d : v.definitions) {
        if (d.left.kind != DefinitionKind::Lookup)
          fail(d.line, "'" + v.name + "' mixes lookup definitions with equations", v.name);
        if (data_kind(d) == "lookups") {  // one table per element, read from a spreadsheet
          const auto all = tuples(d.left.subscripts);
          std::vector<GraphicalFunction> series = read_series(d, v.name);
          for (std::size_t k = 0; k < all.size() && k < series.size(); ++k)
            tables.emplace_back(all[k], std::move(series[k]));
          continue;
        }
        GraphicalFunction gf;
        gf.x = d.lookup.x;
        gf.y = d.lookup.y;
        sort_points(gf);
        check_points(gf, d.line, v.name);
        tables.emplace_back(d.left.subscripts, std::move(gf));
      }
      lookups_.insert(self);
      if (var.dimensions.empty()) {
        add_lookup(v.name, tables[0].second, var.units, var.description, var.location);
        return;
      }
      for (auto& [elements, gf] : tables)
        var.element_equations.push_back({elements, Equation(), std::move(gf)});
      add_variable(std::move(var));
      return;
    }
    for (const Definition& d : v.definitions) {
      if (d.left.kind == DefinitionKind::DataOnly)
        fail(d.line,
             "'" + v.name +
                 "' is a data variable without an equation: its values come "
                 "from a Vensim data file (.vdf), which h2sim cannot read",
             v.name);
      if (d.left.kind == DefinitionKind::Lookup)
        fail(d.line, "'" + v.name + "' mixes lookup definitions with equations", v.name);
    }

    if (var.dimensions.empty() && !data_kind(first).empty()) {
      const std::string kind = data_kind(first);
      if (kind == "lookups") {
        add_lookup(v.name, read_series(first, v.name)[0], var.units, var.description, var.location);
        return;
      }
      if (kind == "constants") {
        var.equation = Equation::from_tree(number_expr(read_constants(first, v.name)[0]));
      } else {
        GraphicalFunction gf = read_series(first, v.name)[0];
        gf.interpolation = data_interpolation(first, v.name);
        var.graphical_function = gf;
        var.equation = Equation::from_tree(name_expr("time"));
      }
      add_variable(std::move(var));
      return;
    }
    const bool stock = is_call(first.expr, "integ");
    const bool with_lookup = is_call(first.expr, "with_lookup");
    Site site{v.name, self, first.line, !var.dimensions.empty()};
    var.kind = stock ? VariableKind::Stock : VariableKind::Auxiliary;
    std::vector<ExprPtr> rates;  // stocks: one per definition

    auto body_of = [&](const Definition& d, ExprPtr* rate) -> ExprPtr {
      Site s = site;
      s.line = d.line;
      if (is_call(d.expr, "integ") != stock)
        fail(d.line, "'" + v.name + "' is a stock (INTEG) in one definition and not in another",
             v.name);
      if (stock) {
        if (d.expr->args.size() != 2) refuse(s, "INTEG", "takes 2 arguments (rate, initial value)");
        *rate = translate(d.expr->args[0], s);
        return translate(d.expr->args[1], s);
      }
      return translate(d.expr, s);
    };

    if (with_lookup) {
      if (v.definitions.size() > 1 || !var.dimensions.empty())
        fail(first.line, "WITH LOOKUP in an arrayed variable is not supported yet", v.name);
      const Expr& w = *first.expr;
      if (w.args.size() != 2 || w.args[1]->kind != ExprKind::Call ||
          w.args[1]->name != "\x01lookup")
        fail(first.line, "WITH LOOKUP needs an input and a lookup: WITH LOOKUP(x, ((0,0),(1,1)))",
             v.name);
      GraphicalFunction gf;
      const VensimLookup& points = detail::vensim_lookup_of(*w.args[1]);
      gf.x = points.x;
      gf.y = points.y;
      check_points(gf, first.line, v.name);
      var.graphical_function = gf;
      var.equation = Equation::from_tree(translate(w.args[0], site));
      add_variable(std::move(var));
      return;
    }

    const bool single = v.definitions.size() == 1 && first.left.except.empty() && !first.is_table &&
                        data_kind(first).empty() &&
                        same_names(first.left.subscripts, var.dimensions);
    if (single) {
      ExprPtr rate;
      var.equation = Equation::from_tree(body_of(first, &rate));
      if (stock) rates.push_back(rate);
    } else {
      for (const Definition& d : v.definitions) {
        ExprPtr rate;
        const std::string kind = data_kind(d);
        if (!kind.empty()) {
          // One value per element (constants), or a graphical function per element: of TIME
          // (data), or a table of its own called as name[A](x) (lookups).
          const auto all = tuples(d.left.subscripts);
          std::vector<GraphicalFunction> series;
          std::vector<double> values;
          if (kind == "constants") {
            values = read_constants(d, v.name);
          } else {
            series = read_series(d, v.name);
          }
          const Interpolation mode =
              kind == "data" ? data_interpolation(d, v.name) : Interpolation::Continuous;
          for (std::size_t k = 0; k < all.size(); ++k) {
            ElementEquation eq;
            eq.elements = all[k];
            if (kind == "constants") {
              eq.equation = Equation::from_tree(number_expr(values[k]));
            } else {
              series[k].interpolation = mode;
              if (kind == "data") eq.equation = Equation::from_tree(name_expr("time"));
              eq.graphical_function = std::move(series[k]);
            }
            var.element_equations.push_back(std::move(eq));
          }
          if (kind == "lookups") lookups_.insert(self);
          continue;
        }
        if (d.is_table) {
          // The list fills the ranges on the left-hand side, row-major.
          const auto all = tuples(d.left.subscripts);
          std::vector<double> values;
          for (const auto& row : d.table) values.insert(values.end(), row.begin(), row.end());
          if (values.size() != all.size())
            fail(d.line,
                 "the list has " + std::to_string(values.size()) + " values but " + v.name + "[" +
                     join(d.left.subscripts) + "] has " + std::to_string(all.size()) + " elements",
                 v.name);
          if (stock) fail(d.line, "a stock's definition cannot be a list of numbers", v.name);
          for (std::size_t k = 0; k < all.size(); ++k) {
            ElementEquation eq;
            eq.elements = all[k];
            eq.equation = Equation::from_tree(number_expr(values[k]));
            var.element_equations.push_back(std::move(eq));
          }
          continue;
        }
        const ExprPtr body = body_of(d, &rate);
        std::vector<std::vector<std::string>> targets;
        if (d.left.except.empty()) {
          targets.push_back(d.left.subscripts);
        } else {
          std::set<std::vector<std::string>> excluded;
          for (const auto& ex : d.left.except)
            for (const auto& t : tuples(ex)) excluded.insert(canonical_tuple(t));
          for (const auto& t : tuples(d.left.subscripts))
            if (excluded.count(canonical_tuple(t)) == 0) targets.push_back(t);
        }
        for (const auto& t : targets) {
          ElementEquation eq;
          eq.elements = t;
          eq.equation = Equation::from_tree(body);
          var.element_equations.push_back(std::move(eq));
          if (stock) rates.push_back(rate);
        }
      }
    }
    if (stock)
      stock_rates_[self] = {rates, var.element_equations.empty()
                                       ? std::vector<std::vector<std::string>>{}
                                       : element_lists(var)};
    (void)in_macro;
    add_variable(std::move(var));
  }

  // Each element defined once, as Vensim requires: a second definition of a variable (`a = 1`
  // twice) or of one of its elements (`x[d] = 1` and `x[a] = 2`) would be ignored. And an
  // :EXCEPT: list names elements of the left-hand side, one per subscript: one that names
  // nothing there would except nothing.
  void check_defined_once(const VariableDefinitions& v) const {
    if (v.definitions.size() == 1 && v.definitions.front().left.except.empty()) return;
    std::map<std::vector<std::string>, int> defined;  // canonical element tuple -> line
    for (const Definition& d : v.definitions) {
      const auto elements = tuples(d.left.subscripts);
      std::set<std::vector<std::string>> all;
      for (const auto& t : elements) all.insert(canonical_tuple(t));
      std::set<std::vector<std::string>> excluded;
      for (const auto& ex : d.left.except) {
        if (ex.size() != d.left.subscripts.size())
          fail(d.line,
               ":EXCEPT: [" + join(ex) + "] has " + std::to_string(ex.size()) +
                   " subscripts; '" + v.name + "[" + join(d.left.subscripts) + "]' has " +
                   std::to_string(d.left.subscripts.size()),
               v.name);
        for (const auto& t : tuples(ex)) {
          if (all.count(canonical_tuple(t)) == 0)
            fail(d.line,
                 ":EXCEPT: [" + join(ex) + "] names " + v.name + "[" + join(t) +
                     "], which is not among the elements of " + v.name + "[" +
                     join(d.left.subscripts) + "]",
                 v.name);
          excluded.insert(canonical_tuple(t));
        }
      }
      for (const auto& t : elements) {
        const auto key = canonical_tuple(t);
        if (excluded.count(key) != 0) continue;
        const auto [at, fresh] = defined.emplace(key, d.line);
        if (!fresh)
          fail(d.line,
               "'" + v.name + (t.empty() ? "" : "[" + join(t) + "]") +
                   "' is defined twice (first at line " + std::to_string(at->second) +
                   "): which definition should it take?",
               v.name);
      }
    }
  }

  static std::vector<std::vector<std::string>> element_lists(const Variable& v) {
    std::vector<std::vector<std::string>> out;
    for (const auto& eq : v.element_equations) out.push_back(eq.elements);
    return out;
  }

  static std::vector<std::string> canonical_tuple(const std::vector<std::string>& t) {
    std::vector<std::string> out;
    for (const auto& s : t) out.push_back(canonical_name(s));
    return out;
  }

  static bool same_names(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (canonical_name(a[i]) != canonical_name(b[i])) return false;
    return true;
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  // Vensim reads a lookup's points in the order of their x values, whatever the order
  // written (tests/subscripted_lookups: (2,-3),(1,-7),(0,-1)).
  static void sort_points(GraphicalFunction& gf) {
    std::vector<std::size_t> order(gf.x.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return gf.x[a] < gf.x[b]; });
    std::vector<double> x, y;
    for (std::size_t i : order) x.push_back(gf.x[i]), y.push_back(gf.y[i]);
    gf.x = std::move(x);
    gf.y = std::move(y);
  }

  void check_points(const GraphicalFunction& gf, int line, const std::string& name) const {
    if (gf.x.empty()) fail(line, "a lookup needs at least one point", name);
    for (std::size_t i = 1; i < gf.x.size(); ++i)
      if (!(gf.x[i] > gf.x[i - 1]))
        fail(line,
             "the lookup's x values must increase (" + std::to_string(gf.x[i - 1]) +
                 " is followed by " + std::to_string(gf.x[i]) + ")",
             name);
  }

  void add_variable(Variable var) {
    if (model_.find(var.name) != nullptr)
      fail(var.location.line, "a variable with this name is already defined", var.name);
    // Flows are marked as such once the stocks' rates are split into them.
    if (var.kind != VariableKind::Stock) var.kind = VariableKind::Auxiliary;
    const int line = var.location.line;
    try {
      model_.add(std::move(var));
    } catch (const Error& e) {
      relocate(e, line);
    }
  }

  void add_lookup(const std::string& name, GraphicalFunction gf, const std::string& units,
                  const std::string& description, const Location& where) {
    Variable table;
    table.name = name;
    table.graphical_function = std::move(gf);
    table.units = units;
    table.description = description;
    table.location = where;
    add_variable(std::move(table));
  }

  // Marks a variable as a flow (it is an auxiliary until a stock's rate names it).
  void make_flow(const std::string& name) {
    Variable flow = *model_.find(name);
    flow.kind = VariableKind::Flow;
    model_.replace(std::move(flow));
  }

  // --- stock rates ------------------------------------------------------------------------
  // The terms of a sum: +a - b + (c - d) -> (a, +), (b, -), (c, +), (d, -).
  static void sum_terms(const ExprPtr& e, bool positive,
                        std::vector<std::pair<ExprPtr, bool>>& out) {
    if (e->kind == ExprKind::Binary && (e->binary == BinaryOp::Add || e->binary == BinaryOp::Sub)) {
      sum_terms(e->args[0], positive, out);
      sum_terms(e->args[1], e->binary == BinaryOp::Add ? positive : !positive, out);
      return;
    }
    if (e->kind == ExprKind::Unary && e->unary != UnaryOp::Not) {
      sum_terms(e->args[0], e->unary == UnaryOp::Plus ? positive : !positive, out);
      return;
    }
    out.emplace_back(e, positive);
  }

  // A stock's rate that is a sum of flows becomes its inflows and outflows; anything
  // else becomes one flow, "<stock> net flow", that the stock integrates.
  void split_stock_rates() {
    for (const auto& [key, entry] : stock_rates_) {
      const auto& [rates, element_lists] = entry;
      const Variable* stock = model_.find(key);
      std::vector<std::string> inflows, outflows;
      bool simple = element_lists.empty() && rates.size() == 1;
      if (simple) {
        std::vector<std::pair<ExprPtr, bool>> terms;
        sum_terms(rates[0], true, terms);
        for (const auto& [term, positive] : terms) {
          const Variable* flow = term->kind == ExprKind::Name ? model_.find(term->name) : nullptr;
          const bool ok = flow != nullptr && flow->kind != VariableKind::Stock &&
                          !flow->graphical_function.has_value() && flow->equation &&
                          (term->subscripts.empty() || subscripts_are(*term, stock->dimensions)) &&
                          same_names(flow->dimensions, stock->dimensions) &&
                          std::find(inflows.begin(), inflows.end(), flow->name) == inflows.end() &&
                          std::find(outflows.begin(), outflows.end(), flow->name) == outflows.end();
          if (!ok || !flow->equation) {
            simple = false;
            break;
          }
          (positive ? inflows : outflows).push_back(flow->name);
        }
        // A variable that is a flow must not also be a constant of the model.
      }
      if (simple && (!inflows.empty() || !outflows.empty())) {
        VariableEditor edit = model_.edit(key);
        for (const auto& f : inflows) edit.with_inflow(f);
        for (const auto& f : outflows) edit.with_outflow(f);
        for (const auto& f : inflows) make_flow(f);
        for (const auto& f : outflows) make_flow(f);
        continue;
      }
      // One net flow with the stock's own definitions.
      std::string name = stock->name + " net flow";
      while (model_.find(name) != nullptr) name += " 2";
      Variable flow;
      flow.name = name;
      flow.kind = VariableKind::Flow;
      flow.dimensions = stock->dimensions;
      flow.location = stock->location;
      flow.description = "The rate of change of " + stock->name + " (its INTEG rate).";
      if (!stock->units.empty())
        flow.units = "(" + stock->units + ")/(" + model_.time().time_units + ")";
      if (element_lists.empty()) {
        flow.equation = Equation::from_tree(rates[0]);
      } else {
        for (std::size_t k = 0; k < rates.size(); ++k)
          flow.element_equations.push_back(
              {element_lists[k], Equation::from_tree(rates[k]), std::nullopt});
      }
      add_variable(std::move(flow));
      model_.edit(key).with_inflow(name);
      make_flow(name);
    }
  }

  static bool subscripts_are(const Expr& term, const std::vector<std::string>& dims) {
    if (term.subscripts.size() != dims.size()) return false;
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (term.subscripts[i].kind != Subscript::Kind::Name ||
          term.subscripts[i].name != canonical_name(dims[i]))
        return false;
    return true;
  }

  std::string file_;
  std::string text_;
  int first_line_ = 1;
  Model model_;
  std::vector<RangeDefinition> ranges_;
  std::map<std::string, std::size_t> range_index_;
  std::map<std::string, std::vector<std::string>> range_elements_;
  std::map<std::string, VariableDefinitions> variables_;
  std::vector<std::string> order_;
  std::map<std::string, Definition> control_;
  std::map<std::string, Macro> macros_;
  std::map<std::string, int> macro_calls_;
  std::set<std::string> lookups_;
  detail::DataFiles data_files_;
  std::map<std::string, int> lines_;
  std::map<std::string, std::pair<std::vector<ExprPtr>, std::vector<std::vector<std::string>>>>
      stock_rates_;
};

}  // namespace

Model detail::read_vensim(const std::string& text, const std::string& file) {
  return Reader(text, file).read();
}

}  // namespace h2sim
