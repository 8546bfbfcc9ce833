// The builtin registry: every function an equation can call (ABS, SMTH1, XIDZ, TIME, ...),
// each described once, in src/builtins/builtins.cpp, with
//   - its names and how many arguments it takes (read by the resolver, which reports unknown
//     functions and wrong argument counts),
//   - its unit rule (read by the units checker),
//   - its lowering into program instructions (read by the compiler),
//   - its documentation (read by h2sim::builtin_functions(), `h2sim functions` and
//     docs/functions.md).
// The unit rule and the lowering are written against two small interfaces, UnitCall and
// LowerCall, which the units checker and the compiler implement: a builtin never sees
// either stage's insides, and neither stage has a list of builtins of its own.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "program/program_data.hpp"
#include "units/value.hpp"

namespace h2sim::detail {

// --- units ----------------------------------------------------------------------------
// What a unit rule may ask of the units checker about one call. Arguments are numbered from
// 0; messages name the function (upper case) and the argument. Every report is a unit issue
// at the call (or at the argument, for expect_*), never an exception.
class UnitCall {
 public:
  virtual ~UnitCall() = default;
  virtual std::size_t argc() const = 0;
  virtual const std::string& function() const = 0;  // upper case, for messages: "SMTH1"
  // The unit argument i has (unknown when there is no argument i).
  virtual UnitValue arg(std::size_t i) = 0;
  virtual UnitValue time() = 0;      // the model's time unit
  virtual UnitValue per_time() = 0;  // 1 / the time unit
  virtual UnitValue dimensionless() = 0;
  // Operands that must share a unit: reports a difference as "<what> have different units".
  virtual UnitValue same(const UnitValue& a, const UnitValue& b, const std::string& what) = 0;
  virtual UnitValue product(const UnitValue& a, const UnitValue& b) = 0;
  virtual UnitValue quotient(const UnitValue& a, const UnitValue& b) = 0;
  // base^exponent, exponents times `exponent`, which must stay whole (reported otherwise).
  virtual UnitValue power(const UnitValue& base, double exponent, const std::string& what) = 0;
  // Reports argument i unless it is in the time unit / dimensionless / `expected`.
  virtual void expect_time(std::size_t i, const std::string& what) = 0;
  virtual void expect_dimensionless(std::size_t i, const std::string& what) = 0;
  virtual void expect(std::size_t i, const UnitValue& expected, const std::string& subject,
                      const std::string& expectation) = 0;
  // The number of elements argument i ranges over (x[*]: the size of x's dimension).
  virtual std::size_t element_count(std::size_t i) = 0;
  // The y unit of the graphical function argument `table` names, checking argument `x`
  // against its x unit.
  virtual UnitValue lookup(std::size_t table, std::size_t x) = 0;
};

// --- lowering -------------------------------------------------------------------------
struct Lowered;  // an expression on its way to instructions (src/compile/lowered.hpp)
using LoweredPtr = std::shared_ptr<const Lowered>;

enum class Clock { Time, Dt, Start, Stop };

// What a lowering may ask of the compiler about one call. It builds the call's value from
// its arguments with instructions (apply), and may add internal stocks (SMTH, DELAY) or held
// values (INIT, PREVIOUS, DELAY) that belong to the variable being compiled.
class LowerCall {
 public:
  virtual ~LowerCall() = default;
  virtual std::size_t argc() const = 0;
  virtual const std::string& function() const = 0;  // upper case, for messages
  // Argument i, lowered once (asking twice gives the same expression).
  virtual LoweredPtr arg(std::size_t i) = 0;
  // Argument i once per element it ranges over: SUM(fleet[*]) gives one term per element
  // of fleet's dimension; a scalar argument gives one term. `[*]` is allowed only here.
  virtual std::vector<LoweredPtr> elements(std::size_t i) = 0;
  virtual LoweredPtr number(double value) = 0;
  // An instruction over the arguments (folded when every argument is a number).
  virtual LoweredPtr apply(Op op, std::vector<LoweredPtr> args) = 0;
  virtual LoweredPtr clock(Clock which) = 0;
  // The graphical function argument `table` names, read at x.
  virtual LoweredPtr lookup(std::size_t table, LoweredPtr x) = 0;
  // A whole number that fixes the structure (the order of SMTHN): argument i must follow
  // from numbers, constants and the clock (it is taken at the start time), from `low` to
  // `high`; reported as "<FUNCTION>: the <what> must ...".
  virtual int whole_number(std::size_t i, const std::string& what, int low, int high) = 0;
  // Internal state of the variable being compiled, named "<variable>.<label>":
  // a stock that starts at `initial` (its derivative set later with set_derivative),
  virtual LoweredPtr stock(const std::string& label, LoweredPtr initial) = 0;
  virtual void set_derivative(const LoweredPtr& stock, LoweredPtr derivative) = 0;
  // x computed once a step in a node of its own, where a builtin uses it several times (a
  // lowered expression is a tree: used n times, it is computed n times); a number or a
  // variable is returned as it is,
  virtual LoweredPtr held(LoweredPtr x, const std::string& label) = 0;
  // x's value at the start time (INIT),
  virtual LoweredPtr initial_value(LoweredPtr x) = 0;
  // x computed once, at the start, in a node of its own, for the stocks of a chain that all
  // start from it; a number or a variable is returned as it is,
  virtual LoweredPtr held_initial(LoweredPtr x) = 0;
  // x's value one DT earlier, `initial` at the start (PREVIOUS),
  virtual LoweredPtr previous(LoweredPtr x, LoweredPtr initial) = 0;
  // `input` of `delay_time` earlier, rounded to whole DTs and fixed at the start (DELAY).
  virtual LoweredPtr pipeline_delay(LoweredPtr input, LoweredPtr delay_time,
                                    LoweredPtr initial) = 0;
  // `value` while running, `initial` when the initial values are computed (ACTIVE INITIAL).
  virtual LoweredPtr active_initial(LoweredPtr value, LoweredPtr initial) = 0;
  // The element being computed (SAMPLE IF TRUE remembers its own last value).
  virtual LoweredPtr self() = 0;

  // --- arrays ---
  // How many elements argument i stands for: the whole array for an arrayed name without
  // subscripts (SIZE(SELF), SIZE(x)), else the elements its `*` and open dimensions range
  // over (SIZE(x[*, 1])); 1 for a scalar.
  virtual std::size_t size(std::size_t i) = 0;
  // Array-valued functions (Vensim's VECTOR SORT ORDER, VECTOR RANK, VECTOR REORDER) work
  // along one dimension, the last one argument i is subscripted with: its elements, each
  // lowered with that dimension at it (the other subscripts as the equation has them), and
  // the position (from 0) along it of the element this equation computes. A scalar argument
  // is a vector of one.
  virtual std::vector<LoweredPtr> vector(std::size_t i) = 0;
  virtual std::size_t vector_position(std::size_t i) = 0;
  // Every element of the variable argument i names, in storage order (row-major), and the
  // position in that order of the element it names here (Vensim's VECTOR ELM MAP); an
  // expression is an array of one.
  virtual std::vector<LoweredPtr> flat(std::size_t i) = 0;
  virtual std::size_t flat_position(std::size_t i) = 0;
  // A value that every element of an array-valued call shares (the ranks of a sort): made
  // once per call and per element of the dimensions other than those vector() and
  // vector_position() worked along, held in a node of its own, and reused.
  virtual LoweredPtr shared(const std::string& label, const std::function<LoweredPtr()>& make) = 0;
};

// --- the registry ---------------------------------------------------------------------
inline constexpr int kAnyNumber = std::numeric_limits<int>::max();  // max_args: no limit

struct Builtin {
  std::string name;                  // canonical (lower case): "smth1"
  std::vector<std::string> aliases;  // other names for the same function: "smooth"
  int min_args = 0;
  int max_args = 0;             // kAnyNumber: no limit
  bool bare = false;            // may be written without parentheses: TIME, PI
  bool table_argument = false;  // the first argument names a graphical function (LOOKUP)
  std::string signature;        // for documentation: "(input, time[, initial])"
  std::string description;      // one sentence or two, for documentation
  std::function<UnitValue(UnitCall&)> units;
  std::function<LoweredPtr(LowerCall&)> lower;
  // Array functions: whether the function ranges over the elements of argument `i` of
  // `argc` (SUM(x[*]); LowerCall::elements and size may be asked only of such an argument).
  // The dimensions that argument leaves open are the function's own: an array function
  // around it does not range over them too. nullptr: of no argument.
  bool (*ranges_over)(std::size_t argc, std::size_t i) = nullptr;
};

// Values of Builtin::ranges_over.
inline bool every_argument(std::size_t, std::size_t) { return true; }
inline bool a_lone_argument(std::size_t argc, std::size_t) { return argc == 1; }  // MIN(x[*])
inline bool the_first_two(std::size_t, std::size_t i) { return i < 2; }          // VECTOR SELECT

// Every builtin, in the order of the reference (docs/functions.md).
const std::vector<Builtin>& builtins();

// The builtin with this canonical name or alias; nullptr when there is none.
const Builtin* find_builtin(const std::string& canonical_name);

// "2", "2 to 3", "at least 1": the argument counts a builtin takes, for messages.
std::string argument_count_text(const Builtin& builtin);

// Every name and alias, for "did you mean" suggestions.
std::vector<std::string> builtin_names();

}  // namespace h2sim::detail
