// Hostile inputs (issue 17): every reproducer of a crash, hang, memory blow-up or silent
// wrong answer that was found, each ending now in an h2sim::Error that names what was wrong
// (and, for a limit, which limit and how to raise it), or in the right numbers. The limits
// themselves are in h2sim/limits.hpp and docs/limits.md.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/encoding.hpp"
#include "core/text.hpp"
#include "test_support.hpp"

using Catch::Matchers::Contains;
using namespace h2test;
namespace fs = std::filesystem;

namespace {

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// The error an equation gives as the only auxiliary of a small model, compiled and checked.
std::string equation_error(const std::string& equation) {
  return message_of<h2sim::Error>([&] {
    h2sim::Model model = make_model(0, 1, 1);
    model.add_constant("a", 1);
    model.add_auxiliary("x", equation);
    h2sim::check_model(model).throw_first_error();
  });
}

const char* kBassYaml = R"(name: bass
time: {start: 0, stop: 10, dt: 1}
constants:
  p: 0.03
  market: 100
stocks:
  adopters: {initial: 0, inflows: [adoption]}
flows:
  adoption: p * (market - adopters)
)";

}  // namespace

// --- nesting -------------------------------------------------------------------------------

TEST_CASE("deep nesting in an equation is a ParseError that names the limit", "[hardening]") {
  // Each of these crashed `h2sim check` with a stack overflow.
  const std::string parens = repeat("(", 10000) + "1" + repeat(")", 10000);
  const std::string minus = repeat("-", 30000) + "1";
  const std::string sum = "1" + repeat(" + 1", 19999);
  const std::string calls = repeat("ABS(", 10000) + "1" + repeat(")", 10000);
  const std::string power = "2" + repeat("^1", 20000);
  for (const std::string* equation : {&parens, &minus, &sum, &calls, &power}) {
    const std::string message =
        message_of<h2sim::ParseError>([&] { h2sim::Equation e(*equation); });
    CHECK_THAT(message, Contains("more than the limit of 500"));
    CHECK_THAT(message, Contains("H2SIM_MAX_NESTING"));
  }
  // Within the limit, the same shapes compile and compute.
  h2sim::Model model = make_model(0, 1, 1);
  model.add_auxiliary("nested", repeat("(", 400) + "2" + repeat(")", 400));
  model.add_auxiliary("negated", repeat("-", 400) + "2");
  model.add_auxiliary("summed", "1" + repeat(" + 1", 399));
  const h2sim::Result r = run(model);
  CHECK(value_at(r, "nested", 0) == 2);
  CHECK(value_at(r, "negated", 0) == 2);
  CHECK(value_at(r, "summed", 0) == 400);
}

TEST_CASE("the Vensim equation parser keeps the same nesting limit", "[hardening][vensim]") {
  const std::string text = "{UTF-8}\nx = " + repeat("(", 5000) + "1" + repeat(")", 5000) +
                           "\n~~|\nINITIAL TIME = 0 ~~|\nFINAL TIME = 1 ~~|\nTIME STEP = 1 ~~|\n"
                           "SAVEPER = 1 ~~|\n";
  const std::string message =
      message_of<h2sim::Error>([&] { (void)h2sim::parse_vensim(text, "deep.mdl"); });
  CHECK_THAT(message, Contains("H2SIM_MAX_NESTING"));
  CHECK_THAT(message, Contains("deep.mdl"));
}

TEST_CASE("deep nesting in a unit string is a ParseError, and exponents cannot overflow",
          "[hardening][units]") {
  const std::string deep = repeat("(", 10000) + "kg" + repeat(")", 10000);
  CHECK_THAT(message_of<h2sim::ParseError>([&] { (void)h2sim::parse_unit(deep); }),
             Contains("H2SIM_MAX_NESTING"));
  // m^9999 a thousand times is m^9999000: past what a unit may carry, not an int overflow.
  const std::string big = repeat("(m^9999)", 1000);
  CHECK_THAT(message_of<h2sim::ParseError>([&] { (void)h2sim::parse_unit(big); }),
             Contains("exponents must stay within"));
  CHECK_THAT(message_of<h2sim::ParseError>([&] { (void)h2sim::parse_unit("1e300 1e300 kg"); }),
             Contains("out of range"));
  CHECK(h2sim::parse_unit("(" + repeat("(", 100) + "kg" + repeat(")", 100) + ")/year").exponents ==
        h2sim::parse_unit("kg/year").exponents);
}

TEST_CASE("expression size and length have limits too", "[hardening]") {
  // 100,001 numbers in one call: within the nesting limit, past the size limit.
  std::string call = "MAX(1";
  for (int i = 0; i < 100000; ++i) call += ",1";
  call += ")";
  CHECK_THAT(message_of<h2sim::ParseError>([&] { h2sim::Equation e(call); }),
             Contains("H2SIM_MAX_EXPRESSION_SIZE"));
  const std::string long_name(1'000'001, 'a');
  CHECK_THAT(message_of<h2sim::ParseError>([&] { h2sim::Equation e(long_name); }),
             Contains("H2SIM_MAX_EQUATION_LENGTH"));
}

TEST_CASE("long chains compile without recursion: SUM over many elements, many auxiliaries",
          "[hardening][compile]") {
  // The compiler's trees and dependency walks used to recurse once per term and per link.
  SECTION("SUM over 200,000 elements") {
    h2sim::Model model = make_model(0, 1, 1);
    std::vector<std::string> elements;
    for (int i = 0; i < 200000; ++i) elements.push_back("e" + std::to_string(i));
    model.add_dimension("d", elements);
    model.add_auxiliary("x", "1").with_dimensions({"d"});
    model.add_auxiliary("total", "SUM(x[*])");
    h2sim::SimulationOptions options;
    options.outputs = {"total"};
    CHECK(value_at(run(model, options), "total", 1) == 200000);
  }
  SECTION("a chain of 50,000 auxiliaries") {
    h2sim::Model model = make_model(0, 1, 1);
    model.add_auxiliary("a0", "TIME");
    for (int i = 1; i < 50000; ++i)
      model.add_auxiliary("a" + std::to_string(i), "a" + std::to_string(i - 1) + " + 1");
    h2sim::SimulationOptions options;
    options.outputs = {"a49999"};
    CHECK(value_at(run(model, options), "a49999", 1) == 50000);
  }
  SECTION("a stock with 20,000 inflows") {
    h2sim::Model model = make_model(0, 1, 1);
    std::vector<std::string> inflows;
    for (int i = 0; i < 20000; ++i) {
      inflows.push_back("f" + std::to_string(i));
      model.add_flow(inflows.back(), "1");
    }
    model.add_stock("s", "0", inflows);
    h2sim::SimulationOptions options;
    options.outputs = {"s"};
    CHECK(value_at(run(model, options), "s", 1) == 20000);
  }
}

// Found by the fuzzer (equation target, a slow unit of 13 s): array functions nested inside
// array functions are unrolled once per outer element, so k levels of SUM over a dimension of
// n elements make n^k terms. 17 levels over 2 elements took 1.4 s (release); 12 over 10 would
// never end. The terms of all equations together now stop at a limit. (An inner SUM that reads
// nothing of the outer one's element is computed once now: test_arrays.cpp. Here each level
// reads the element of the level around it, v[d] or w[e], so each is unrolled per element.)
TEST_CASE("nested array functions stop at the compiled-terms limit", "[hardening][compile]") {
  h2sim::Model model = make_model(0, 1, 1);
  model.add_dimension("d", {"e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e10"});
  model.add_dimension("e", {"f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10"});
  model.add_constant("v", 1).with_dimensions({"d"});
  model.add_constant("w", 1).with_dimensions({"e"});
  model.add_auxiliary("x", "SUM(v[*] * " + repeat("SUM(w[*] * v[d] * SUM(v[*] * w[e] * ", 6) +
                               "1" + repeat(")", 13));
  const std::string message =
      message_of<h2sim::ModelError>([&] { (void)h2sim::compile_model(model); });
  CHECK_THAT(message, Contains("variable 'x'"));
  CHECK_THAT(message, Contains("array functions"));
  CHECK_THAT(message, Contains("H2SIM_MAX_COMPILED_TERMS"));

  // Levels that read nothing of the level around them are computed once each: the twelve the
  // fuzzer's case grew to give 10^12 at once, and two give 20 * 20.
  h2sim::Model small = make_model(0, 1, 1);
  small.add_dimension("d", {"e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e10"});
  small.add_constant("v", 2).with_dimensions({"d"});
  small.add_constant("one", 1).with_dimensions({"d"});
  small.add_auxiliary("x", "SUM(v[*] * SUM(v[*]))");
  small.add_auxiliary("twelve", repeat("SUM(one[*] * ", 12) + "one[*]" + repeat(")", 12));
  h2sim::SimulationOptions options;
  options.outputs = {"x", "twelve"};
  const h2sim::Result result = run(small, options);
  CHECK(value_at(result, "x", 1) == 400);
  CHECK(value_at(result, "twelve", 1) == 1e12);
}

// Found while fixing the one above: a builtin that reads an argument twice (QUANTUM reads x
// twice and q three times; PULSE TRAIN, FORCST and VECTOR SELECT do the same) shares the
// argument's tree, and the compiler's walks went down each share again: 20 nested QUANTUMs
// took 6 s and 1.1 GiB, 30 would take hours. A constant fixed at the start (a DELAYN order)
// read through auxiliaries that each read the one before twice did the same. Each shared
// part is now walked, and emitted, once.
TEST_CASE("shared parts of an equation are compiled once, however deep they nest",
          "[hardening][compile]") {
  h2sim::SimulationOptions options;
  SECTION("nested QUANTUM") {
    h2sim::Model model = make_model(0, 1, 1);
    model.add_auxiliary("x", repeat("QUANTUM(", 60) + "TIME + 2.5" + repeat(", 1)", 60));
    options.outputs = {"x"};
    const auto r = run(model, options);
    CHECK(value_at(r, "x", 0) == 2);
    CHECK(value_at(r, "x", 1) == 3);
  }
  SECTION("nested PULSE TRAIN") {
    h2sim::Model model = make_model(0, 2, 1);
    // At TIME 0 the levels alternate (the innermost is 0, so the next starts at 0 and is 1,
    // ...): the sixtieth is 1. At TIME 1 every level is 1.
    model.add_auxiliary("x", repeat("PULSE TRAIN(", 60) + "1" + repeat(", 1, 10, 100)", 60));
    options.outputs = {"x"};
    const auto r = run(model, options);
    CHECK(value_at(r, "x", 0) == 1);
    CHECK(value_at(r, "x", 1) == 1);
  }
  SECTION("a structural constant read through auxiliaries that read the one before twice") {
    h2sim::Model model = make_model(0, 4, 1);
    model.add_auxiliary("a0", "3");
    for (int i = 1; i <= 30; ++i)  // 2^30 paths; the walk stops at 100 levels (90 here)
      model.add_auxiliary("a" + std::to_string(i), "(a" + std::to_string(i - 1) + " + a" +
                                                       std::to_string(i - 1) + ") / 2");
    model.add_auxiliary("x", "DELAYN(STEP(1, 1), 3, a30, 0)");
    options.outputs = {"x"};
    const auto r = run(model, options);
    CHECK(value_at(r, "x", 0) == 0);
    CHECK(value_at(r, "x", 4) > 0);
  }
}

// Found by the fuzzer (equation target, a timeout): every stage of an SMTHN or DELAYN chain
// starts from the initial value, and a long initial expression was emitted once per stage. An
// SMTHN of order 1000 over a SUM of 20,000 terms was 20 million instructions: 33 s and
// 6.6 GiB in a release build, from a file of 200 KB. The initial value is now computed once.
TEST_CASE("SMTHN and DELAYN of high order compute a long initial value once",
          "[hardening][compile]") {
  h2sim::Model model = make_model(0, 2, 1);
  std::vector<std::string> elements;
  for (int i = 0; i < 20000; ++i) elements.push_back("e" + std::to_string(i));
  model.add_dimension("d", elements);
  model.add_constant("v", 1).with_dimensions({"d"});
  model.add_auxiliary("smoothed", "SMTHN(TIME, 1000, 1000, SUM(v[*] * v[*]))");
  model.add_auxiliary("delayed", "DELAYN(TIME, 1000, 1000, SUM(v[*] * v[*]))");
  model.add_auxiliary("smoothed3", "SMTH3(TIME, 1, SUM(v[*]) / 10000)");
  h2sim::SimulationOptions options;
  options.outputs = {"smoothed", "delayed", "smoothed3"};
  const auto r = run(model, options);
  CHECK(value_at(r, "smoothed", 0) == 20000);
  CHECK(value_at(r, "delayed", 0) == 20000);
  CHECK(value_at(r, "smoothed3", 0) == 2);
  // Each stage's time is 1 (= dt): in one Euler step the first stage takes its input, 0.
  CHECK(value_at(r, "smoothed", 1) == 20000);
  CHECK(value_at(r, "delayed", 1) == 20000);
}

// --- sizes ---------------------------------------------------------------------------------

TEST_CASE("a subscript too large for any dimension is a ParseError", "[hardening]") {
  // x[3000000000] was cast to int and read out of bounds in compile_model.
  CHECK_THAT(equation_error("a[3000000000]"), Contains("whole number from 1 to"));
  CHECK_THAT(equation_error("a[1e300]"), Contains("whole number from 1 to"));
}

TEST_CASE("dimensions: duplicates found in linear time, sizes and products capped",
          "[hardening][arrays]") {
  h2sim::Model model("dims");
  std::vector<std::string> many;
  for (int i = 0; i < 100000; ++i) many.push_back("e" + std::to_string(i));
  model.add_dimension("big", many);  // pairwise checking took minutes at this size
  many.push_back("E5");              // the same name as e5
  CHECK_THAT(message_of<h2sim::ModelError>([&] { model.add_dimension("again", many); }),
             Contains("lists element 'E5' twice"));
  // Two dimensions of 100,000 make 10^10 elements: past the limit, reported before any is
  // expanded.
  many.pop_back();
  model.add_dimension("other", many);
  model.add_auxiliary("x", "1").with_dimensions({"big", "other"});
  const std::string message =
      message_of<h2sim::ModelError>([&] { (void)h2sim::compile_model(model); });
  CHECK_THAT(message, Contains("10000000000 elements"));
  CHECK_THAT(message, Contains("H2SIM_MAX_ELEMENTS"));
}

TEST_CASE("XMILE and Vensim dimensions of a billion elements are refused before they are made",
          "[hardening][xmile][vensim]") {
  const std::string xmile =
      "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">"
      "<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>"
      "<dimensions><dim name=\"d\" size=\"1000000000\"/></dimensions>"
      "<model><variables><aux name=\"x\"><dimensions><dim name=\"d\"/></dimensions>"
      "<eqn>1</eqn></aux></variables></model></xmile>";
  CHECK_THAT(message_of<h2sim::Error>([&] { (void)h2sim::parse_xmile(xmile, "big.xmile"); }),
             Contains("H2SIM_MAX_ELEMENTS"));
  const std::string mdl =
      "{UTF-8}\nd: (a1-a1000000000) ~~|\nx[d] = 1 ~~|\nINITIAL TIME = 0 ~~|\n"
      "FINAL TIME = 1 ~~|\nTIME STEP = 1 ~~|\nSAVEPER = 1 ~~|\n";
  CHECK_THAT(message_of<h2sim::Error>([&] { (void)h2sim::parse_vensim(mdl, "big.mdl"); }),
             Contains("H2SIM_MAX_ELEMENTS"));
  const std::string digits =
      "{UTF-8}\nd: (a1-a99999999999999999999) ~~|\nINITIAL TIME = 0 ~~|\n"
      "FINAL TIME = 1 ~~|\nTIME STEP = 1 ~~|\nSAVEPER = 1 ~~|\n";
  CHECK_THAT(message_of<h2sim::Error>([&] { (void)h2sim::parse_vensim(digits, "big.mdl"); }),
             Contains("too large"));
}

// Each dimension within the limit, but thirty of them: 30 million element names from a file
// of a few hundred bytes took minutes and gigabytes. The elements of all dimensions count
// together, and a model of many small dimensions finds each by name in constant time.
TEST_CASE("the elements of all dimensions together are capped, in every reader",
          "[hardening][arrays][xmile][vensim]") {
  h2sim::Model model("dims");
  std::vector<std::string> elements;
  for (int i = 0; i < 600000; ++i) elements.push_back("e" + std::to_string(i));
  model.add_dimension("first", elements);
  const std::string message =
      message_of<h2sim::ModelError>([&] { model.add_dimension("second", elements); });
  CHECK_THAT(message, Contains("dimensions have 1200000 elements in all"));
  CHECK_THAT(message, Contains("H2SIM_MAX_ELEMENTS"));
  // The refused dimension left nothing behind; one that fits is added.
  elements.resize(400000);
  CHECK(model.add_dimension("second", elements).elements.size() == 400000);

  std::string dims;
  for (int i = 0; i < 30; ++i)
    dims += "<dim name=\"d" + std::to_string(i) + "\" size=\"1000000\"/>";
  const std::string xmile =
      "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">"
      "<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs><dimensions>" +
      dims + "</dimensions><model><variables><aux name=\"x\"><eqn>1</eqn></aux></variables>" +
      "</model></xmile>";
  CHECK_THAT(message_of<h2sim::Error>([&] { (void)h2sim::parse_xmile(xmile, "dims.xmile"); }),
             Contains("H2SIM_MAX_ELEMENTS"));
  std::string mdl = "{UTF-8}\n";
  for (int i = 0; i < 30; ++i) mdl += "r" + std::to_string(i) + ": (e1-e1000000) ~~|\n";
  mdl +=
      "x = 1 ~~|\nINITIAL TIME = 0 ~~|\nFINAL TIME = 1 ~~|\nTIME STEP = 1 ~~|\nSAVEPER = 1 ~~|\n";
  CHECK_THAT(message_of<h2sim::Error>([&] { (void)h2sim::parse_vensim(mdl, "dims.mdl"); }),
             Contains("H2SIM_MAX_ELEMENTS"));

  // 100,000 dimensions of one element: each added and found by its name without a search
  // through the others (that was quadratic: minutes).
  h2sim::Model small("small");
  for (int i = 0; i < 100000; ++i) small.add_dimension("d" + std::to_string(i), {"a"});
  CHECK(small.find_dimension("D99999") != nullptr);
  CHECK(small.find_dimension("d100000") == nullptr);
}

// Found by fuzzing: a file name too long for the system made std::filesystem throw its own
// exception, which is not an h2sim::Error.
TEST_CASE("a file name too long for the system is a missing file", "[hardening][yaml]") {
  const std::string name = std::string(5000, 'b') + ".yaml";
  for (const std::string key : {"model", "extends"}) {
    const std::string text = key + ": " + name + "\n";
    CHECK_THAT(message_of<h2sim::Error>([&] { (void)h2sim::parse_scenario(text, "s.yaml"); }),
               Contains("no such"));
  }
  const std::string model = std::string(kBassYaml) + "components:\n  c: {file: " + name + "}\n";
  CHECK_THROWS_AS(h2sim::parse_scenario(model, "m.yaml"), h2sim::Error);
}

TEST_CASE("components that include components over and over stop at the variable limit",
          "[hardening][yaml]") {
  // Nine small files, each including the next ten times: 10^8 copies before.
  Folder folder("fanout");
  for (int level = 1; level <= 9; ++level) {
    std::string text = "name: level" + std::to_string(level) + "\nconstants:\n  c: 1\n";
    if (level < 9) {
      text += "components:\n";
      for (int k = 0; k < 10; ++k)
        text += "  part" + std::to_string(k) + ": {file: level" + std::to_string(level + 1) +
                ".yaml}\n";
    }
    folder.write("level" + std::to_string(level) + ".yaml", text);
  }
  const std::string message = message_of<h2sim::ScenarioError>(
      [&] { (void)h2sim::load_scenario((folder.path / "level1.yaml").string()); });
  CHECK_THAT(message, Contains("H2SIM_MAX_VARIABLES"));
  CHECK_THAT(message, Contains("level"));
}

TEST_CASE("YAML aliases cannot expand a small file past the limits", "[hardening][yaml]") {
  // A "billion laughs": each level lists the one before ten times.
  std::string text =
      "name: laughs\nconstants: {c: 1}\noutcomes:\n  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level < 9; ++level)
    text += "  l" + std::to_string(level) + ": &l" + std::to_string(level) + " [" +
            repeat("*l" + std::to_string(level - 1) + ", ", 9) + "*l" + std::to_string(level - 1) +
            "]\n";
  const std::string message =
      message_of<h2sim::Error>([&] { (void)h2sim::parse_scenario(text, "laughs.yaml"); });
  CHECK_THAT(message, Contains("H2SIM_MAX_DOCUMENT_NODES"));
  CHECK_THAT(message, Contains("laughs.yaml"));
  // A big scalar used many times: its bytes count at every use.
  const std::string big(1 << 20, 'x');
  std::string bytes = "name: big\nconstants: {c: 1}\noutcomes:\n  text: &t " + big + "\n  uses: [" +
                      repeat("*t, ", 99) + "*t]\n";
  CHECK_THAT(message_of<h2sim::Error>([&] { (void)h2sim::parse_scenario(bytes, "big.yaml"); }),
             Contains("H2SIM_MAX_FILE_SIZE"));
}

// --- time ----------------------------------------------------------------------------------

TEST_CASE("steps and saved rows are counted in floating point before any integer conversion",
          "[hardening][time]") {
  h2sim::Model model = make_model(0, 1e19, 1);
  model.add_constant("c", 1);
  const h2sim::Program program = h2sim::compile_model(model);
  // lround(1e19) was LONG_MIN: the step limit passed and the save count went negative.
  CHECK_THAT(message_of<h2sim::SimulationError>([&] { (void)h2sim::simulate(program); }),
             Contains("H2SIM_MAX_STEPS"));
  h2sim::SimulationOptions dense;
  dense.stop = 10;
  dense.method = h2sim::Method::Dopri5;
  dense.save_every = 1e-9;  // 10^10 saved times
  CHECK_THAT(message_of<h2sim::SimulationError>([&] { (void)h2sim::simulate(program, dense); }),
             Contains("H2SIM_MAX_SAVED_VALUES"));
  h2sim::SimulationOptions many;  // 4e8 saved times of a cheap model
  many.stop = 4e8;
  many.method = h2sim::Method::Dopri5;
  many.dt = 1e4;
  many.save_every = 1;
  CHECK_THAT(message_of<h2sim::SimulationError>([&] { (void)h2sim::simulate(program, many); }),
             Contains("H2SIM_MAX_SAVED_VALUES"));
}

TEST_CASE("an adaptive run whose step size collapses ends in an error, not billions of steps",
          "[hardening][time]") {
  // Each of these ran for minutes under dopri5 or rosenbrock4 (found by the red-team run).
  auto run = [](const std::string& flow, h2sim::Method method) {
    h2sim::Model model = make_model(0, 10, 1);
    model.add_stock("s", "1", {"f"});
    model.add_flow("f", flow);
    h2sim::SimulationOptions o;
    o.method = method;
    return message_of<h2sim::SimulationError>(
        [&] { (void)h2sim::simulate(h2sim::compile_model(model), o); });
  };
  const std::string stiff = run("-1e12 * s", h2sim::Method::Dopri5);
  CHECK_THAT(stiff, Contains("step fell to"));
  CHECK_THAT(stiff, Contains("rosenbrock4"));
  CHECK_THAT(run("s * s", h2sim::Method::Rosenbrock4), Contains("grows without bound"));
  CHECK_THAT(run("IF s > 1 THEN -1e9 ELSE 1e9", h2sim::Method::Dopri5), Contains("step fell to"));
  // The same stiff model runs under rosenbrock4, and a smooth one under dopri5.
  h2sim::Model model = make_model(0, 10, 1);
  model.add_stock("s", "1", {"f"});
  model.add_flow("f", "-1e12 * s");
  h2sim::SimulationOptions o;
  o.method = h2sim::Method::Rosenbrock4;
  const h2sim::Result r = h2sim::simulate(h2sim::compile_model(model), o);
  for (std::size_t k = 0; k < r.names.size(); ++k)
    if (r.names[k] == "s") CHECK(std::abs(r.at(r.times.size() - 1, k)) < 1e-6);
}

TEST_CASE("save_every: zero, negative and NaN are refused; a huge one saves the start only",
          "[hardening][time]") {
  h2sim::Model model = make_model(0, 4, 1);
  model.add_constant("c", 1);
  model.add_stock("s", "0", {"f"});
  model.add_flow("f", "c");
  const h2sim::Program program = h2sim::compile_model(model);
  for (const double bad : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    h2sim::SimulationOptions o;
    o.save_every = bad;
    INFO("save_every " << bad);
    CHECK_THAT(message_of<h2sim::SimulationError>([&] { (void)h2sim::simulate(program, o); }),
               Contains("save_every must be a positive number"));
  }
  for (const h2sim::Method method : {h2sim::Method::Euler, h2sim::Method::Dopri5}) {
    h2sim::SimulationOptions huge;
    huge.save_every = 1e300;  // overflowed the stride, and saved every step
    huge.method = method;
    const h2sim::Result r = h2sim::simulate(program, huge);
    REQUIRE(r.times.size() == 1);
    CHECK(r.times[0] == 0);
  }
}

TEST_CASE("XMILE save intervals of zero or less are refused", "[hardening][xmile]") {
  const std::string text =
      "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">"
      "<sim_specs><start>0</start><stop>1</stop><dt>1</dt><savestep>0</savestep></sim_specs>"
      "<model><variables><aux name=\"x\"><eqn>1</eqn></aux></variables></model></xmile>";
  CHECK_THAT(message_of<h2sim::Error>([&] { (void)h2sim::parse_xmile(text, "save.xmile"); }),
             Contains("<savestep> must be a positive number"));
}

TEST_CASE("time precision: dt must be resolvable at the run's times", "[hardening][time]") {
  h2sim::Model model = make_model(1e17, 1e17 + 64, 1);
  model.add_constant("c", 1);
  const h2sim::Program program = h2sim::compile_model(model);
  CHECK_THAT(message_of<h2sim::SimulationError>([&] { (void)h2sim::simulate(program); }),
             Contains("TIME could not tell one step from the next"));
  h2sim::SimulationOptions near_zero;  // the same run length near 0 is fine
  near_zero.start = 0;
  near_zero.stop = 64;
  CHECK(h2sim::simulate(program, near_zero).times.size() == 65);
}

TEST_CASE("time-settings errors at run time point at the file and line", "[hardening][time]") {
  const std::string text = "name: t\ntime:\n  start: 0\n  stop: 10\n  dt: 3\nconstants: {c: 1}\n";
  const h2sim::Scenario s = h2sim::parse_scenario(text, "time.yaml");
  try {
    (void)h2sim::simulate(*s.program);
    FAIL("ran a run of 10 with dt 3");
  } catch (const h2sim::SimulationError& e) {
    CHECK(e.where().file == "time.yaml");
    CHECK(e.where().line == 3);
    CHECK_THAT(e.what(), Contains("not a whole number of dt steps"));
  }
  // A setting given for the run says so instead.
  h2sim::SimulationOptions o;
  o.dt = 4;
  o.stop = 9;
  try {
    (void)h2sim::simulate(*s.program, o);
    FAIL("ran a run of 9 with dt 4");
  } catch (const h2sim::SimulationError& e) {
    CHECK(e.where().file.empty());
    CHECK_THAT(e.what(), Contains("given for this run"));
  }
}

// --- delays --------------------------------------------------------------------------------

TEST_CASE("a delay longer than the run gives its initial value throughout", "[hardening]") {
  // DELAY(x, 1e30, 0) became a one-step delay: lround(1e30) overflowed.
  for (const h2sim::Method method : {h2sim::Method::Euler, h2sim::Method::Dopri5}) {
    h2sim::Model model = make_model(0, 5, 1, method);
    model.add_auxiliary("x", "TIME + 1");
    model.add_auxiliary("late", "DELAY(x, 1e30, 7)");
    model.add_auxiliary("whole", "DELAY(x, 5, 7)");  // as long as the run: x(0) at the stop
    model.add_auxiliary("longer", "DELAY(x, 6, 7)");
    const h2sim::Result r = run(model);
    INFO(h2sim::to_string(method));
    for (const double t : {0.0, 1.0, 4.0, 5.0}) {
      CHECK(value_at(r, "late", t) == 7);
      CHECK(value_at(r, "longer", t) == 7);
    }
    CHECK(value_at(r, "whole", 4) == 7);
    CHECK(value_at(r, "whole", 5) == 1);
  }
}

// --- builtins ------------------------------------------------------------------------------

TEST_CASE("a run-time error inside a builtin names the user's variable and its equation",
          "[hardening][errors]") {
  // Used to name only "y (inside smooth1)".
  const std::string text =
      "name: smooth\ntime: {start: 0, stop: 2, dt: 1}\nconstants:\n  t0: 0\nauxiliaries:\n"
      "  x: 1 / (TIME - 1)\n  y: SMTH1(x, 1)\n";
  const h2sim::Scenario s = h2sim::parse_scenario(text, "smooth.yaml");
  try {
    (void)h2sim::simulate(*s.program);
    FAIL("ran through a division by zero");
  } catch (const h2sim::SimulationError& e) {
    INFO(e.what());
    // x itself is infinite at time 1; y's internal stock follows only after. Whichever is
    // reported, it is a variable the user wrote, with its equation when inside a builtin.
    CHECK((e.where().variable == "x" || e.where().variable == "y"));
    if (e.where().variable == "y") {
      CHECK(e.where().equation == "SMTH1(x, 1)");
      CHECK_THAT(e.message(), Contains("SMTH1"));
    }
  }
  const std::string inside =
      "name: smooth\ntime: {start: 0, stop: 3, dt: 1}\nauxiliaries:\n"
      "  y: SMTH1(1, TIME - 1)\n";
  const h2sim::Scenario t = h2sim::parse_scenario(inside, "inside.yaml");
  try {
    (void)h2sim::simulate(*t.program);
    FAIL("ran through a smoothing time of 0");
  } catch (const h2sim::SimulationError& e) {
    INFO(e.what());
    CHECK(e.where().variable == "y");
    CHECK(e.where().file == "inside.yaml");
    CHECK(e.where().equation == "SMTH1(1, TIME - 1)");
    CHECK_THAT(e.message(), Contains("of SMTH1"));
  }
}

// --- the same rules in every reader --------------------------------------------------------

TEST_CASE("XMILE equations are read whole: comments, CDATA and several text parts",
          "[hardening][xmile]") {
  auto value = [](const std::string& eqn) {
    const std::string text =
        "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">"
        "<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>"
        "<model><variables><aux name=\"x\"><eqn>" +
        eqn + "</eqn></aux></variables></model></xmile>";
    return value_at(h2sim::simulate(h2sim::compile_model(h2sim::parse_xmile(text, "w.xmile"))), "x",
                    0);
  };
  CHECK(value("60<!-- c -->+10") == 70);  // was 60
  CHECK(value("<![CDATA[IF 1 < 2 THEN 5 ELSE 6]]>") == 5);
  CHECK(value("1<![CDATA[+]]>2") == 3);
}

TEST_CASE("an inflow or outflow that is not a flow is refused in every format",
          "[hardening][xmile]") {
  const std::string text =
      "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">"
      "<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>"
      "<model><variables><stock name=\"s\"><eqn>0</eqn><outflow>a</outflow></stock>"
      "<aux name=\"a\"><eqn>1</eqn></aux></variables></model></xmile>";
  CHECK_THAT(message_of<h2sim::ModelError>([&] { (void)h2sim::parse_xmile(text, "o.xmile"); }),
             Contains("'a' is an auxiliary, not a flow"));
  h2sim::Model model = make_model(0, 1, 1);
  model.add_auxiliary("a", "1");
  model.add_stock("s", "0", {}, {"a"});
  CHECK_THAT(message_of<h2sim::ModelError>([&] { (void)h2sim::compile_model(model); }),
             Contains("not a flow"));
}

TEST_CASE("YAML numbers are strict", "[hardening][yaml]") {
  for (const char* bad : {"1/4xyz", "0x10", "1e", "inf", ".nan", "1 000", "1_000", "--1", "1/x"}) {
    const std::string text = "name: n\nconstants:\n  c:\n    value: " + std::string(bad) + "\n";
    INFO(bad);
    CHECK_THAT(
        message_of<h2sim::ScenarioError>([&] { (void)h2sim::parse_scenario(text, "n.yaml"); }),
        Contains("expected a number"));
  }
  const h2sim::Scenario s = h2sim::parse_scenario(
      "name: n\ntime: {start: 0, stop: 1, dt: 1/8}\nconstants: {a: .5, b: -2e3, c: +1.}\n",
      "n.yaml");
  CHECK(s.model.time().dt == 0.125);
  CHECK(s.model.find("a")->equation.text() == "0.5");
}

TEST_CASE("an unterminated quote is a ParseError, not the rest of the file", "[hardening][yaml]") {
  // yaml-cpp 0.7 took everything after the quote as one value: a model with no variables.
  const std::string text = "name: \"unclosed\ntime: {start: 0, stop: 1}\nconstants: {c: 1}\n";
  const std::string message =
      message_of<h2sim::ParseError>([&] { (void)h2sim::parse_scenario(text, "q.yaml"); });
  CHECK_THAT(message, Contains("q.yaml:1"));
  CHECK_THAT(message, Contains("never closed"));
  CHECK_THAT(message_of<h2sim::ParseError>(
                 [&] { (void)h2sim::parse_scenario("name: 'it''s\n", "q.yaml"); }),
             Contains("never closed"));
  // Escaped quotes inside closed ones are fine.
  const h2sim::Scenario s = h2sim::parse_scenario(
      "name: \"a \\\" b\"\ndescription: 'it''s'\nconstants: {c: 1}\n", "q.yaml");
  CHECK(s.model.name() == "a \" b");
}

TEST_CASE("YAML keys that are lists or mappings are refused where they are", "[hardening][yaml]") {
  const std::string text = "name: k\nconstants:\n  ? [a, b]\n  : 1\n";
  const std::string message =
      message_of<h2sim::ScenarioError>([&] { (void)h2sim::parse_scenario(text, "k.yaml"); });
  CHECK_THAT(message, Contains("k.yaml:3"));
  CHECK_THAT(message, Contains("a key must be a name or a number"));
}

TEST_CASE("one unknown name as a model's outputs is a ScenarioError, not a yaml-cpp error",
          "[hardening][yaml]") {
  // `outputs: zzz` (a scalar) was indexed as a list to point at the bad name: an internal
  // yaml-cpp error instead of "unknown variable".
  const std::string text = "name: o\nconstants: {c: 1}\noutputs: zzz\n";
  const std::string message =
      message_of<h2sim::ScenarioError>([&] { (void)h2sim::parse_scenario(text, "o.yaml"); });
  CHECK_THAT(message, Contains("o.yaml:3"));
  CHECK_THAT(message, Contains("unknown variable `zzz`"));
  CHECK(h2sim::parse_scenario("name: o\nconstants: {c: 1}\noutputs: c\n", "o.yaml").outputs ==
        std::vector<std::string>{"c"});
}

TEST_CASE("a lever's options are checked for duplicates in n log n", "[hardening][yaml]") {
  // Pairwise, 300,000 options took minutes.
  std::string options;
  for (int i = 0; i < 300000; ++i) options += (i ? ", " : "") + std::to_string(i);
  CHECK_NOTHROW(h2sim::parse_scenario(
      "name: o\nconstants:\n  c: {value: 1, lever: {options: [" + options + "]}}\n", "o.yaml"));
  const std::string message = message_of<h2sim::ScenarioError>([&] {
    (void)h2sim::parse_scenario(
        "name: o\nconstants:\n  c: {value: 1, lever: {options: [3, " + options + "]}}\n", "o.yaml");
  });
  CHECK_THAT(message, Contains("options[4]"));
  CHECK_THAT(message, Contains("the option 3 is given twice"));
}

TEST_CASE("time units that do not parse are an error at the time settings", "[hardening][units]") {
  // The message named no file (found by the red-team run, in YAML, XMILE and Vensim alike).
  Folder folder("time_units");
  const fs::path file = folder.write(
      "t.yaml", "name: t\ntime: {start: 0, stop: 4, dt: 1, units: '(('}\nconstants:\n  c: 1\n");
  const std::string message = message_of<h2sim::Error>([&] {
    h2sim::LoadOptions strict;
    strict.strict_units = true;
    (void)h2sim::load_scenario(file.string(), strict);
  });
  CHECK_THAT(message, Contains("t.yaml:2"));
  CHECK_THAT(message, Contains("time units: unit '(('"));
}

TEST_CASE("a component needs a name", "[hardening][yaml]") {
  Folder folder("prefix");
  folder.write("part.yaml", "name: part\nconstants: {demand: 1}\n");
  const fs::path main =
      folder.write("main.yaml", "name: main\ncomponents:\n  \"\": {file: part.yaml}\n");
  CHECK_THAT(message_of<h2sim::ScenarioError>([&] { (void)h2sim::load_scenario(main.string()); }),
             Contains("a component needs a name"));
}

TEST_CASE("a model with no variables is a warning", "[hardening]") {
  const h2sim::CheckResult r = h2sim::check_model(h2sim::Model("empty"));
  REQUIRE(r.diagnostics.size() == 1);
  CHECK_FALSE(r.diagnostics[0].is_error());
  CHECK_THAT(r.diagnostics[0].message, Contains("no variables"));
  const h2sim::Scenario s =
      h2sim::parse_scenario("name: empty\ntime: {start: 0, stop: 1}\n", "e.yaml");
  REQUIRE(s.warnings.size() == 1);
  CHECK_THAT(s.warnings[0], Contains("e.yaml"));
}

TEST_CASE("extends:, model: and file: naming a folder point at the file that names it",
          "[hardening][yaml]") {
  Folder folder("folders");
  fs::create_directories(folder.path / "sub");
  for (const char* key : {"extends", "model"}) {
    const fs::path scenario =
        folder.write("s.yaml", "scenario: s\n" + std::string(key) + ": sub\n");
    try {
      (void)h2sim::load_scenario(scenario.string());
      FAIL("loaded a folder");
    } catch (const h2sim::ScenarioError& e) {
      CHECK(e.where().file == scenario.string());
      CHECK(e.where().line == 2);
      CHECK_THAT(e.what(), Contains("names a folder"));
    }
  }
  const fs::path model = folder.write("m.yaml", "name: m\ncomponents:\n  part: {file: sub}\n");
  CHECK_THAT(message_of<h2sim::ScenarioError>([&] { (void)h2sim::load_scenario(model.string()); }),
             Contains("names a folder"));
  // Nor a device that never ends.
  if (fs::exists("/dev/zero")) {
    const fs::path zero = folder.write("z.yaml", "scenario: z\nmodel: /dev/zero\n");
    CHECK_THAT(message_of<h2sim::ScenarioError>([&] { (void)h2sim::load_scenario(zero.string()); }),
               Contains("not a regular file"));
  }
}

// --- files as bytes -------------------------------------------------------------------------

TEST_CASE("file text is decoded by one rule, errors naming the byte", "[hardening][encoding]") {
  using h2sim::detail::decode_text;
  using h2sim::detail::TextFallback;
  CHECK(decode_text("\xEF\xBB\xBFname: x", "f.yaml") == "name: x");
  CHECK(decode_text(std::string("\xFF\xFEn\0a\0", 6), "f.yaml") == "na");            // UTF-16 LE
  CHECK(decode_text(std::string("\xFE\xFF\0n\0\xE9", 6), "f.yaml") == "n\xC3\xA9");  // BE, é
  try {
    (void)decode_text("a: 1\n# caf\xE9\n", "latin.yaml");
    FAIL("took Latin-1 as UTF-8");
  } catch (const h2sim::ParseError& e) {
    CHECK(e.where().file == "latin.yaml");
    CHECK(e.where().line == 2);
    CHECK_THAT(e.message(), Contains("byte 10"));
    CHECK_THAT(e.message(), Contains("0xE9"));
  }
  CHECK_THAT(
      message_of<h2sim::ParseError>([&] { (void)decode_text(std::string("a\0b", 3), "b.yaml"); }),
      Contains("NUL"));
  // Vensim files from before {UTF-8}: Windows-1252.
  CHECK(decode_text("caf\xE9 \x80", "old.mdl", TextFallback::Windows1252) ==
        "caf\xC3\xA9 \xE2\x82\xAC");
  // XML that declares Latin-1 is read as Latin-1.
  CHECK(decode_text("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9</a>", "l.xmile",
                    TextFallback::Declared) ==
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xC3\xA9</a>");
  // Overlong forms and surrogates are not UTF-8.
  CHECK(h2sim::detail::first_invalid_utf8("ok\xC0\xAF") == 2);
  CHECK(h2sim::detail::first_invalid_utf8("ok\xED\xA0\x80") == 2);
  CHECK(h2sim::detail::first_invalid_utf8("ok \xE2\x82\xAC") == 6);
}

TEST_CASE("parse_scenario applies the same rule to text it is handed", "[hardening][encoding]") {
  try {
    (void)h2sim::parse_scenario(std::string(kBassYaml) + "# \xFF\n", "bass.yaml");
    FAIL("took invalid UTF-8");
  } catch (const h2sim::ParseError& e) {
    CHECK(e.where().file == "bass.yaml");
    CHECK_THAT(e.message(), Contains("0xFF"));
  }
}

// --- overrides and batches ------------------------------------------------------------------

TEST_CASE("a batch that names a constant twice is refused", "[hardening][batch]") {
  const h2sim::Scenario s = h2sim::parse_scenario(kBassYaml, "bass.yaml");
  h2sim::ParameterTable table;
  table.names = {"p", "P"};
  table.values = Eigen::MatrixXd::Constant(2, 2, 0.05);
  CHECK_THAT(message_of<h2sim::ModelError>([&] { (void)h2sim::simulate_batch(*s.program, table); }),
             Contains("two columns"));
}

TEST_CASE("setting elements checks them against the dimensions", "[hardening]") {
  h2sim::Model model = make_model(0, 1, 1);
  model.add_dimension("d", {"a", "b"});
  model.add_constant("c", 1).with_dimensions({"d"});
  CHECK_THAT(message_of<h2sim::ModelError>([&] { model.set_constant("c", 2, {"z"}); }),
             Contains("'z' is not an element of 'd'"));
  CHECK_THAT(message_of<h2sim::ModelError>([&] {
               model.set_constant("c", 2, {"a", "b"});
             }),
             Contains("names 2 element(s)"));
  model.add_constant("scalar", 1);
  CHECK_THAT(message_of<h2sim::ModelError>([&] { model.set_constant("scalar", 2, {"a"}); }),
             Contains("names 1 element(s)"));
  CHECK(h2sim::is_settable_constant(*model.find("c")));
  model.add_auxiliary("computed", "c[a] * 2");
  CHECK_FALSE(h2sim::is_settable_constant(*model.find("computed")));
}

// --- suggestions ----------------------------------------------------------------------------

TEST_CASE("did you mean: the banded distance agrees with the full one", "[hardening][names]") {
  using h2sim::detail::edit_distance;
  std::mt19937 random(17);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string a, b;
    for (unsigned i = random() % 9; i > 0; --i) a += "abc"[random() % 3];
    for (unsigned i = random() % 9; i > 0; --i) b += "abc"[random() % 3];
    const std::size_t full = edit_distance(a, b);
    for (std::size_t max = 0; max < 10; ++max)
      REQUIRE(edit_distance(a, b, max) == (full <= max ? full : max + 1));
  }
  CHECK(h2sim::detail::closest_name("adoptoin", {"adoption", "market"}) == "adoption");
  // A 40,000-character typo: no suggestion (and no 40k x n table to find that out).
  const std::string typo(40000, 'q');
  CHECK(h2sim::detail::closest_name(typo, {std::string(40001, 'q'), "market"}).empty());
}

TEST_CASE("did you mean: a name left short or without its component is found",
          "[hardening][names]") {
  using h2sim::detail::closest_name;
  // `h2sim sweep --lever bus_mandate=...` used to say only "no constant or lever".
  const std::vector<std::string> names{"bus_mandate_share", "truck_mandate_share",
                                       "learning.learning_rate", "marketing"};
  CHECK(closest_name("bus_mandate", names) == "bus_mandate_share");
  CHECK(closest_name("learning_rate", names) == "learning.learning_rate");
  // Ambiguous (two candidates start with it) or too short: no guess.
  CHECK(closest_name("mandate", {"mandate_share_of_buses", "mandate_share_of_trucks"}).empty());
  CHECK(closest_name("ma", names).empty());
  // A typo still wins over a longer name that merely starts with the word.
  CHECK(closest_name("marketin", {"marketing_budget_total", "marketing"}) == "marketing");
}

TEST_CASE("a model without stocks runs (no copies from empty vectors)", "[hardening]") {
  // UBSan reported memcpy with null pointers in initialise, evaluate and derivatives.
  h2sim::Model model = make_model(0, 2, 1);
  model.add_auxiliary("x", "TIME * 2");
  for (const h2sim::Method method : {h2sim::Method::Euler, h2sim::Method::RK4,
                                     h2sim::Method::Dopri5, h2sim::Method::Rosenbrock4})
    CHECK(value_at(run(model, with_method(method)), "x", 2) == 4);
}
