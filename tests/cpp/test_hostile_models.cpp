// Models that loaded and ran although they were wrong: each gave numbers without a word (a
// silent wrong answer) until the second red-team run of issue 17 found it. Each is now an
// h2sim::Error that says where and what, in every reader that can express it.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/encoding.hpp"
#include "test_support.hpp"

using Catch::Matchers::Contains;
using namespace h2test;

namespace {

const std::string kTime = "time: {start: 0, stop: 4, dt: 1}\n";

h2sim::Program compile_yaml(const std::string& text) {
  const h2sim::Scenario s = h2sim::parse_scenario(text, "m.yaml");
  return *s.program;
}

std::string yaml_error(const std::string& text) {
  return message_of<h2sim::Error>([&] { (void)h2sim::simulate(compile_yaml(text)); });
}

}  // namespace

TEST_CASE("a dt longer than the run is refused, not a run of the start alone",
          "[hardening][time]") {
  // dt 1e300 over 20 years rounded to 0 steps: the run saved t = 0 and ignored stop.
  const std::string text =
      "time: {start: 0, stop: 20, dt: 1e300}\nstocks: {s: {initial: 0, inflows: [f]}}\n"
      "flows: {f: 1}\n";
  CHECK_THAT(yaml_error(text), Contains("dt (1e+300) is longer than the run from 0 to 20"));
  h2sim::SimulationOptions o;
  o.dt = 1e20;
  CHECK_THAT(message_of<h2sim::SimulationError>(
                 [&] { (void)h2sim::simulate(compile_yaml(kTime + "constants: {c: 1}\n"), o); }),
             Contains("a run takes at least one step (in the time settings given for this run)"));
}

TEST_CASE("dimensions of other sizes, or that share some element names, do not match by position",
          "[hardening][arrays]") {
  // k over d = [a, b(, c)], with the values 1, 2(, 3); y over e with `equation`.
  auto arrays = [](const std::string& e, const std::string& equation, bool three = false) {
    return kTime + "dimensions: {d: [a, b" + (three ? ", c" : "") + "], e: [" + e +
           "]}\nconstants: {k: {dimensions: d, value: {a: 1, b: 2" + (three ? ", c: 3" : "") +
           "}}}\nauxiliaries: {y: {dimensions: e, equation: '" + equation + "'}}\n";
  };
  // y[e] = k[e] with k over d (3 elements) and e of 2 gave y = k[a], k[b].
  CHECK_THAT(yaml_error(arrays("x, y", "k[e]", true)),
             Contains("element 'x' of 'e' has no counterpart in 'd'"));
  // e = [b, c] and d = [a, b]: y[b] is k[b] by name, and y[c] was k[b] too, by position.
  CHECK_THAT(yaml_error(arrays("b, c", "k[e]")),
             Contains("element 'c' of 'e' has no counterpart in 'd'"));
  CHECK_THAT(yaml_error(arrays("b, c", "k")), Contains("'k' is arrayed by 'd'"));
  // One size and no names in common: matched by position, as Stella does.
  const h2sim::Result r = h2sim::simulate(compile_yaml(arrays("x, y", "k[e] * 10")));
  CHECK(value_at(r, "y[x]", 4) == 10);
  CHECK(value_at(r, "y[y]", 4) == 20);
}

TEST_CASE("a flow listed twice on one stock is refused, not counted twice",
          "[hardening][structure]") {
  // inflows: [f, F] gave s = 8 at t = 4 with f = 1; inflows [f] and outflows [f] gave 0.
  CHECK_THAT(yaml_error(kTime + "stocks: {s: {initial: 0, inflows: [f, F]}}\nflows: {f: 1}\n"),
             Contains("the flow 'f' is listed twice among the stock's inflows and outflows"));
  CHECK_THAT(yaml_error(kTime +
                        "stocks: {s: {initial: 0, inflows: [f], outflows: [f]}}\nflows: {f: 1}\n"),
             Contains("is listed twice"));
  const std::string xmile = R"(<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><name>twice</name></header>
  <sim_specs><start>0</start><stop>4</stop><dt>1</dt></sim_specs>
  <model><variables>
    <stock name="s"><eqn>0</eqn><inflow>f</inflow><inflow>f</inflow></stock>
    <flow name="f"><eqn>1</eqn></flow>
  </variables></model>
</xmile>)";
  CHECK_THAT(message_of<h2sim::Error>(
                 [&] { (void)h2sim::compile_model(h2sim::parse_xmile(xmile, "twice.xmile")); }),
             Contains("is listed twice"));
}

TEST_CASE("a negative delay or averaging time is a run-time error, not a chain that explodes",
          "[hardening][builtins]") {
  // DELAY1(TIME, -1) ran to -1,013 at t = 10 without a word; DELAY(x, -1, 0) was refused.
  for (const std::string call :
       {"DELAY1(TIME, -1)", "DELAY3(TIME, -1)", "DELAYN(TIME, -1, 2, 0)", "SMOOTH(TIME, -1)",
        "SMOOTH3(TIME, -2)", "SMTHN(TIME, -1, 4)", "TREND(TIME, -1, 0)", "FORCST(TIME, -1, 1)"}) {
    INFO(call);
    const std::string message = yaml_error(kTime + "auxiliaries: {x: '" + call + "'}\n");
    CHECK_THAT(message, Contains("variable 'x'") && Contains("became NaN") &&
                            Contains("a delay or averaging time below 0"));
  }
  // A time that turns negative while running is caught when it does.
  const std::string turning = kTime + "auxiliaries: {x: 'SMOOTH(1, 2.5 - TIME)'}\n";
  CHECK_THAT(yaml_error(turning), Contains("at time 3"));
  // A positive time is unchanged (and 0 is refused as before: a division by zero).
  const h2sim::Result r =
      h2sim::simulate(compile_yaml(kTime + "auxiliaries: {x: 'SMOOTH(TIME, 2)'}\n"));
  CHECK(value_at(r, "x", 1) == 0);
  CHECK(value_at(r, "x", 2) == 0.5);
}

TEST_CASE("a YAML file of two documents is refused, not read as its first",
          "[hardening][yaml]") {
  const std::string text = kTime + "constants: {a: 1}\n---\nconstants: {b: 2}\n";
  const std::string message = message_of<h2sim::ScenarioError>(
      [&] { (void)h2sim::parse_scenario(text, "two.yaml"); });
  CHECK_THAT(message, Contains("two.yaml:4") && Contains("a second YAML document"));
  // A leading `---` and an empty document after the last are fine.
  CHECK_NOTHROW(h2sim::parse_scenario("---\n" + kTime + "constants: {a: 1}\n---\n", "one.yaml"));
}

namespace {

const std::string kControl =
    "INITIAL TIME = 0 ~ Month ~|\nFINAL TIME = 4 ~ Month ~|\nTIME STEP = 1 ~ Month ~|\n"
    "SAVEPER = TIME STEP ~ Month ~|\n";

std::string vensim_error(const std::string& text) {
  return message_of<h2sim::Error>(
      [&] { (void)h2sim::compile_model(h2sim::parse_vensim(text, "m.mdl")); });
}

}  // namespace

TEST_CASE("Vensim: a variable, an element or a control setting defined twice is refused",
          "[hardening][vensim]") {
  // The first definition was kept and the second dropped without a word.
  CHECK_THAT(vensim_error("a = 1 ~~|\na = 2 ~~|\n" + kControl),
             Contains("m.mdl:2") && Contains("'a' is defined twice (first at line 1)"));
  CHECK_THAT(vensim_error("s = INTEG(1, 0) ~~|\ns = INTEG(5, 0) ~~|\n" + kControl),
             Contains("'s' is defined twice"));
  const std::string dims = "d: a, b ~~|\n";
  CHECK_THAT(vensim_error(dims + "x[d] = 1 ~~|\nx[a] = 2 ~~|\n" + kControl),
             Contains("m.mdl:3") && Contains("'x[a]' is defined twice (first at line 2)"));
  CHECK_THAT(vensim_error(dims + "x[d] = 1 ~~|\nx[d] = 5 ~~|\n" + kControl),
             Contains("'x[a]' is defined twice"));
  CHECK_THAT(vensim_error("a = 1 ~~|\n" + kControl + "FINAL TIME = 8 ~ Month ~|\n"),
             Contains("m.mdl:6") && Contains("'FINAL TIME' is defined twice (first at line 3)"));
  // Pieces that cover the elements once each are fine.
  const h2sim::Result r = h2sim::simulate(h2sim::compile_model(h2sim::parse_vensim(
      dims + "x[a] = 1 ~~|\nx[b] = 2 ~~|\ny[d] :EXCEPT: [a] = 3 ~~|\ny[a] = 4 ~~|\n" + kControl,
      "m.mdl")));
  CHECK(value_at(r, "x[b]", 4) == 2);
  CHECK(value_at(r, "y[a]", 4) == 4);
  CHECK(value_at(r, "y[b]", 4) == 3);
}

TEST_CASE("Vensim: an :EXCEPT: list that names nothing on the left-hand side is refused",
          "[hardening][vensim]") {
  // Both excepted nothing: every element was 1.
  const std::string dims = "d: a, b ~~|\n";
  CHECK_THAT(vensim_error(dims + "x[d] :EXCEPT: [c] = 1 ~~|\nx[a] = 2 ~~|\n" + kControl),
             Contains(":EXCEPT: [c] names x[c], which is not among the elements of x[d]"));
  CHECK_THAT(vensim_error(dims + "x[d] :EXCEPT: [a, b] = 1 ~~|\n" + kControl),
             Contains(":EXCEPT: [a, b] has 2 subscripts; 'x[d]' has 1"));
}

TEST_CASE("Vensim: a file that begins {UTF-8} holds UTF-8, with no Latin-1 fallback",
          "[hardening][vensim][encoding]") {
  const std::string text = "{UTF-8}\na = 1 ~ caf\xE9 ~ |\n" + kControl;
  CHECK_THAT(vensim_error(text), Contains("m.mdl:2") && Contains("0xE9 is not UTF-8"));
  CHECK_THAT(message_of<h2sim::Error>(
                 [&] { (void)h2sim::detail::decode_text(text, "m.mdl", h2sim::detail::TextFallback::Windows1252); }),
             Contains("0xE9"));
  // Without the mark, a Latin-1 file is read as Windows-1252, as Vensim writes it.
  CHECK_NOTHROW(h2sim::parse_vensim("a = 1 ~ caf\xE9 ~ |\n" + kControl, "m.mdl"));
}

TEST_CASE("XMILE: an element's equation or a time setting given twice is refused",
          "[hardening][xmile]") {
  auto xmile = [](const std::string& specs, const std::string& variables) {
    return R"(<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><name>m</name></header>
  <sim_specs>)" + specs + R"(</sim_specs>
  <dimensions><dim name="d"><elem name="a"/><elem name="b"/></dim></dimensions>
  <model><variables>)" + variables + R"(</variables></model>
</xmile>)";
  };
  auto error = [](const std::string& text) {
    return message_of<h2sim::Error>(
        [&] { (void)h2sim::compile_model(h2sim::parse_xmile(text, "m.xmile")); });
  };
  const std::string specs = "<start>0</start><stop>4</stop><dt>1</dt>";
  const std::string twice = R"(<aux name="x"><dimensions><dim name="d"/></dimensions>
      <element subscript="a"><eqn>1</eqn></element><element subscript="A"><eqn>2</eqn></element>
      <element subscript="b"><eqn>3</eqn></element></aux>)";
  CHECK_THAT(error(xmile(specs, twice)), Contains("<element subscript=\"A\"> is given twice"));
  const std::string aux = R"(<aux name="c"><eqn>1</eqn></aux>)";
  CHECK_THAT(error(xmile("<start>0</start><stop>4</stop><stop>8</stop><dt>1</dt>", aux)),
             Contains("<sim_specs> gives <stop> twice"));
  CHECK_THAT(error(xmile("<start>0</start><stop>4</stop><dt reciprocal=\"yes\">4</dt>", aux)),
             Contains("reciprocal is true or false"));
  const h2sim::Program p = h2sim::compile_model(h2sim::parse_xmile(
      xmile("<start>0</start><stop>4</stop><dt reciprocal=\"true\">4</dt>", aux), "m.xmile"));
  CHECK(p.time().dt == 0.25);
}

TEST_CASE("a scenario file that sets one constant or lever twice is refused",
          "[hardening][yaml]") {
  // parameters: {c[a]: 1, c[A]: 2} kept the last value.
  const Folder folder("twice");
  folder.write("m.yaml", kTime + "dimensions: {d: [a, b]}\n"
                                 "constants:\n  c: {dimensions: d, value: 0}\n  p: 1\n");
  const std::string path = (folder.path / "s.yaml").string();
  CHECK_THAT(message_of<h2sim::ScenarioError>([&] {
               (void)h2sim::parse_scenario("model: m.yaml\nparameters:\n  c[a]: 1\n  c[A]: 2\n",
                                           path);
             }),
             Contains("s.yaml:4") && Contains("sets `c[a]` again"));
  CHECK_THAT(message_of<h2sim::ScenarioError>([&] {
               (void)h2sim::parse_scenario("model: m.yaml\nlevers:\n  p: 2\n  P: 3\n", path);
             }),
             Contains("s.yaml:4") && Contains("names the lever `p` again"));
  // Whole and then one element is an override, not a repeat.
  const h2sim::Scenario s =
      h2sim::parse_scenario("model: m.yaml\nparameters:\n  c: 1\n  c[b]: 2\n", path);
  const h2sim::Result r = h2sim::simulate(*s.program);
  CHECK(value_at(r, "c[a]", 0) == 1);
  CHECK(value_at(r, "c[b]", 0) == 2);
}

TEST_CASE("a subscript position known when compiling is checked then, as c[0] is",
          "[hardening][arrays]") {
  // c[-1] was a NaN at the first step ("look for a division by zero").
  const std::string model = kTime + "dimensions: {d: [a, b]}\n"
                                    "constants: {c: {dimensions: d, value: 1}, i: -1}\n";
  CHECK_THAT(yaml_error(model + "auxiliaries: {y: 'c[-1]'}\n"),
             Contains("subscript 1 of 'c' is -1: a position must be a whole number from 1 to 2"));
  CHECK_THAT(yaml_error(model + "auxiliaries: {y: 'c[1 + 2]'}\n"), Contains("is 3"));
  // A constant may be set per run: its position is checked while running.
  CHECK_THAT(yaml_error(model + "auxiliaries: {y: 'c[i]'}\n"),
             Contains("variable 'y'") && Contains("became NaN"));
  const h2sim::Result r = h2sim::simulate(compile_yaml(model + "auxiliaries: {y: 'c[3 - 1]'}\n"));
  CHECK(value_at(r, "y", 0) == 1);
}

TEST_CASE("a constant's distribution refuses keys its type does not use", "[hardening][yaml]") {
  // `mean: 5` on a uniform loaded without a word (and was ignored).
  const std::string text =
      kTime + "constants:\n  p:\n    value: 1\n    distribution: {type: uniform, low: 0, high: 2, mean: 5}\n";
  CHECK_THAT(message_of<h2sim::ScenarioError>([&] { (void)h2sim::parse_scenario(text, "d.yaml"); }),
             Contains("d.yaml:5") &&
                 Contains("a uniform distribution does not use `mean` (it takes low and high)"));
  CHECK_NOTHROW(h2sim::parse_scenario(
      kTime + "constants:\n  p:\n    value: 1\n    distribution: {type: normal, mean: 1, sd: 0.1, low: 0}\n",
      "d.yaml"));
}

TEST_CASE("Vensim: a macro without its end is named, not a missing FINAL TIME",
          "[hardening][vensim]") {
  CHECK_THAT(vensim_error("x = 1 ~~|\n:MACRO: TWICE(a)\nTWICE = 2 * a ~~|\n" + kControl),
             Contains("m.mdl:2") && Contains(":MACRO: TWICE has no :END OF MACRO:"));
}

// Found while reading the macro code for another bug: an :END OF MACRO: followed by the next
// :MACRO: is one entry (neither ends in `|`), and the reader looked for :MACRO: before it took
// the end off, so a file with two macros in a row failed with "expected a variable name".
TEST_CASE("Vensim: macros one after another all load", "[vensim]") {
  const std::string mdl =
      "{UTF-8}\n:MACRO: TWICE(a)\nTWICE = 2 * a ~~|\n:END OF MACRO:\n"
      ":MACRO: PLUS ONE(b)\nPLUS ONE = b + 1 ~~|\n:END OF MACRO:\n"
      ":MACRO: HALF(c)\nHALF = c / 2\n ~ dmnl\n ~ a documented macro variable |\n\n"
      ":END OF MACRO:\n"
      "y = HALF(PLUS ONE(TWICE(TIME))) ~ Month ~|\n" +
      kControl;
  h2sim::SimulationOptions options;
  options.outputs = {"y"};
  const auto r = run(h2sim::parse_vensim(mdl, "m.mdl"), options);
  CHECK(value_at(r, "y", 0) == 0.5);
  CHECK(value_at(r, "y", 3) == 3.5);
}

TEST_CASE("a per-element mapping that names one element twice is refused", "[hardening][yaml]") {
  // value: {a: 1, A: 2, b: 3} gave v[a] = 2, and equation: {a: 1, A: 5, b: 2} gave w[a] = 1.
  const std::string dims = kTime + "dimensions: {d: [a, b], e: [x, y]}\n";
  CHECK_THAT(yaml_error(dims + "constants: {v: {dimensions: [d], value: {a: 1, A: 2, b: 3}}}\n"),
             Contains("m.yaml:3") && Contains("gives the value of an element again"));
  CHECK_THAT(yaml_error(dims + "constants:\n  m:\n    dimensions: [d, e]\n"
                               "    value: {\"a, x\": 1, \"a,x\": 9, \"a, y\": 2, \"b, x\": 3, \"b, y\": 4}\n"),
             Contains("gives the value of an element again"));
  CHECK_THAT(yaml_error(dims + "auxiliaries: {w: {dimensions: [d], equation: {a: 1, A: 5, b: 2}}}\n"),
             Contains("names the element(s) of `a` again"));
  CHECK_THAT(yaml_error(dims + "stocks: {s: {dimensions: [d], initial: {a: 1, A: 7, b: 2}}}\n"),
             Contains("names the element(s) of `a` again"));
  // A specific key before `*` is the documented way to single out an element.
  const h2sim::Result r = h2sim::simulate(
      compile_yaml(dims + "auxiliaries: {w: {dimensions: [d], equation: {a: 1, \"*\": 2}}}\n"));
  CHECK(value_at(r, "w[a]", 0) == 1);
  CHECK(value_at(r, "w[b]", 0) == 2);
}

TEST_CASE("adaptive methods: no PULSE before its time, and switches reported as the fixed-step "
          "methods report them", "[hardening][time]") {
  // dopri5 left a sliver of a step just before t = 2, which started within the pulse's
  // tolerance: the stock held 8e-6 at t = 2 and 10.000008 at the end. STEP(1, 2) was reported
  // as 0 at t = 2 (1 in Euler and RK4).
  const std::string text =
      "time: {start: 0, stop: 4, dt: 0.5, save_every: 1}\n"
      "flows: {fin: 'STEP(1, 2)', f2: 'PULSE(10, 2)'}\n"
      "stocks: {s: {initial: 0, inflows: [fin]}, s2: {initial: 0, inflows: [f2]}}\n";
  for (const h2sim::Method method : {h2sim::Method::Euler, h2sim::Method::RK4,
                                     h2sim::Method::Dopri5, h2sim::Method::Rosenbrock4}) {
    INFO(static_cast<int>(method));
    const h2sim::Result r = h2sim::simulate(compile_yaml(text), with_method(method));
    CHECK(value_at(r, "s2", 2) == 0);
    H2_CHECK_NEAR(value_at(r, "s2", 4), 10, 1e-9);
    CHECK(value_at(r, "fin", 2) == 1);
    CHECK(value_at(r, "f2", 2) == 20);
    CHECK(value_at(r, "f2", 3) == 0);
    H2_CHECK_NEAR(value_at(r, "s", 4), 2, 1e-9);
  }
}

TEST_CASE("a canonical name is its own canonical name", "[hardening][names]") {
  // Found by the Vensim fuzzer: "a\N b" gave the key a\n_b, whose own key is a_b, so a stock
  // stored by its key was not found by it (a null dereference in the Vensim reader).
  CHECK(h2sim::canonical_name("\"Stock with\\N e nwline\"") == "stock_with_e_nwline");
  CHECK(h2sim::canonical_name("\"_\"x\"_\"") == "x");
  const std::string alphabet = "aA _\\nN\"\t";
  std::mt19937 random(17);
  for (int k = 0; k < 200000; ++k) {
    std::string name;
    for (int i = static_cast<int>(random() % 9); i > 0; --i)
      name += alphabet[random() % alphabet.size()];
    const std::string key = h2sim::canonical_name(name);
    INFO("[" << name << "] -> [" << key << "]");
    REQUIRE(h2sim::canonical_name(key) == key);
  }
}

TEST_CASE("second YAML documents are found by their markers, not by yaml-cpp's LoadAll",
          "[hardening][yaml]") {
  // LoadAll looped forever on this input (found by fuzzing the first version of the check).
  CHECK_THAT(message_of<h2sim::Error>([&] { (void)h2sim::parse_scenario("\n\n  sCNYe:\n , o\n", "h.yaml"); }),
             !Contains("second YAML document"));
  auto second = [](const std::string& text) {
    try {
      (void)h2sim::parse_scenario(text, "s.yaml");
    } catch (const h2sim::Error& e) {
      const std::string m = e.what();
      if (m.find("a second YAML document") != std::string::npos)
        return std::stoi(m.substr(m.find(':') + 1));
    }
    return 0;
  };
  const std::string model = "time: {start: 0, stop: 1, dt: 1}\nconstants: {a: 1}\n";
  CHECK(second(model + "---\nb: 2\n") == 4);
  CHECK(second(model + "--- b: 2\n") == 3);
  CHECK(second(model + "...\nb: 2\n") == 4);
  CHECK(second("%YAML 1.2\n---\n" + model + "...\n") == 0);
  CHECK(second("# c\n---\n" + model + "---\n# only a comment\n") == 0);
  CHECK(second(model + "description: |\n  ---\n  text\n") == 0);  // indented: no marker
  CHECK_NOTHROW(h2sim::parse_scenario(model + "description: |\n  ---\n  text\n", "s.yaml"));
}

TEST_CASE("a clash of component names says at which line", "[hardening][yaml]") {
  // Said "top.yaml: at `components.a.b`: `a.b.c` is defined twice", without a line.
  const Folder folder("components");
  folder.write("c1.yaml", "constants:\n  b.c: 1\n");
  folder.write("c2.yaml", "constants:\n  c: 2\n");
  const std::string message = message_of<h2sim::ScenarioError>([&] {
    (void)h2sim::parse_scenario(
        kTime + "components:\n  a: {file: c1.yaml}\n  a.b: {file: c2.yaml}\n",
        (folder.path / "top.yaml").string());
  });
  CHECK_THAT(message, Contains("top.yaml:4:3") && Contains("`a.b.c` is defined twice"));
}

TEST_CASE("PULSE with an interval shorter than dt moves every pulse", "[hardening][builtins]") {
  // PULSE(1, 0.1, 0.1) over [0, 3) with dt 0.25 moved 11, not 29: the pulses after the first
  // in each step were lost.
  const std::string text =
      "time: {start: 0, stop: 3, dt: 0.25}\n"
      "flows: {f: 'PULSE(1, 0.1, 0.1)', g: 'PULSE(1, 0.5, 0.5)', h: 'PULSE(2, 0.3, 0.2)'}\n"
      "stocks: {s: {initial: 0, inflows: [f]}, s2: {initial: 0, inflows: [g]},"
      " s3: {initial: 0, inflows: [h]}}\n";
  for (const h2sim::Method method : {h2sim::Method::Euler, h2sim::Method::RK4}) {
    const h2sim::Result r = h2sim::simulate(compile_yaml(text), with_method(method));
    H2_CHECK_NEAR(value_at(r, "s", 3), 29, 1e-9);   // 0.1, 0.2, ..., 2.9
    H2_CHECK_NEAR(value_at(r, "s2", 3), 5, 1e-9);   // 0.5, 1, ..., 2.5 (as before)
    H2_CHECK_NEAR(value_at(r, "s3", 3), 28, 1e-9);  // 0.3, 0.5, ..., 2.9: 14 pulses of 2
  }
}

TEST_CASE("rosenbrock4 ends a run that grows without bound at once, not after millions of steps",
          "[hardening][adaptive]") {
  // Odeint's Rosenbrock error norm squares scaled errors: past about 1e154 they overflow, every
  // step was rejected, and s' = 2333 s took 10 million steps (5 s) to reach the step limit.
  // The fuzzer's 155-byte input took 2.4 s to end in "the step fell to 1e-11".
  const std::string grows =
      "time: {start: 0, stop: 1, dt: 0.25, method: rosenbrock4}\n"
      "stocks: {s: {initial: 1, inflows: [f]}}\nflows: {f: s * 2333}\n";
  const std::string message = yaml_error(grows);
  CHECK_THAT(message, Contains("variable 's': reached a magnitude of"));
  CHECK_THAT(message, Contains("past the 1e150 that rosenbrock4 can integrate"));
  CHECK_THAT(message, Contains("m.yaml:2"));
  // Decay of the same speed is what rosenbrock4 is for: it runs, and matches e^(-2333 t).
  const h2sim::Result decays = h2sim::simulate(compile_yaml(
      "time: {start: 0, stop: 0.01, dt: 0.0025, method: rosenbrock4}\n"
      "stocks: {s: {initial: 1e149, outflows: [f]}}\nflows: {f: s * 2333}\n"));
  const auto s = decays.column("s");
  CHECK_THAT(s[s.size() - 1], Catch::Matchers::WithinRel(1e149 * std::exp(-23.33), 1e-4));
}

TEST_CASE("a component input spelled with leading white space binds the declared input",
          "[hardening][yaml]") {
  // Fuzz finding: the input key "\fdemand" matched the declared input `demand`, but the
  // variable was then looked up as "supply.\fdemand", which is no name (a null reference).
  const Folder folder("component_input");
  folder.write("supply.yaml",
               "inputs: [demand]\nconstants:\n  demand: 1\nauxiliaries:\n  met: demand * 2\n");
  const h2sim::Scenario s = h2sim::parse_scenario(
      kTime + "constants:\n  fleet: 5\ncomponents:\n  supply:\n    file: supply.yaml\n"
              "    inputs:\n      \fdemand: fleet * 3\n",
      (folder.path / "top.yaml").string());
  const h2sim::Result r = h2sim::simulate(*s.program);
  const auto met = r.column("supply.met");
  CHECK(met[0] == 30.0);
}
