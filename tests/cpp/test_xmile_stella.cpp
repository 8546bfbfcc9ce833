// XMILE as Stella and the converters write it (issue 18): each construct read and run against a
// value derived by hand or from the closed form. The files are written here (or, for a whole
// Stella-saved model, in tests/data/stella/) in the shape those tools save.
#include <cmath>
#include <filesystem>
#include <h2sim/xmile.hpp>
#include <string>

#include "test_support.hpp"

using Catch::Matchers::Contains;
using namespace h2test;

namespace {

// A whole XMILE document with `dimensions` and `variables` (and more models after the main).
std::string document(double stop, double dt, const std::string& variables,
                     const std::string& dimensions = "", const std::string& more = "") {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
         "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\" "
         "xmlns:isee=\"http://iseesystems.com/XMILE\">\n"
         "<sim_specs method=\"Euler\"><start>0</start><stop>" +
         describe(stop) + "</stop><dt>" + describe(dt) + "</dt></sim_specs>\n" +
         (dimensions.empty() ? "" : "<dimensions>" + dimensions + "</dimensions>\n") +
         "<model><variables>\n" + variables + "</variables></model>\n" + more + "</xmile>\n";
}

h2sim::Result run_xmile(const std::string& text) {
  return h2sim::simulate(h2sim::compile_model(h2sim::parse_xmile(text, "stella.xmile")));
}

const std::string kDimA =
    "<dim name=\"DimA\"><elem name=\"A1\"/><elem name=\"A2\"/><elem name=\"A3\"/></dim>";

}  // namespace

// A whole model as Stella saves it: vendor settings, <default_format/>, views, and three
// modules joined by <connect>/<connect2>, one of them with a quoted name.
TEST_CASE("XMILE Stella: a saved model with modules and vendor blocks", "[xmile][stella]") {
  const auto path =
      std::filesystem::path(H2SIM_TEST_DATA_DIR) / "stella" / "two_tanks_modules.stmx";
  std::vector<std::string> warnings;
  const h2sim::Model model = h2sim::load_xmile(path.string(), &warnings);
  // One warning lists what was skipped, with lines.
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Contains("two_tanks_modules.stmx:21: skipped"));
  CHECK_THAT(warnings[0], Contains("<isee:prefs> (line 21)"));
  CHECK_THAT(warnings[0], Contains("<default_format> (line 26)"));
  CHECK_THAT(warnings[0], Contains("<views> (line "));
  const h2sim::Result r = h2sim::simulate(h2sim::compile_model(model));
  // Euler, dt = 1/4: upstream L1 = 100 (1 - 0.2 dt)^n; downstream
  // L2' = 0.2 L1 - 0.5 L2 from 0; the census adds them.
  double upstream = 100.0;
  double downstream = 0.0;
  for (int n = 0; n < 40; ++n) {
    const double into = 0.2 * upstream;
    downstream += 0.25 * (into - 0.5 * downstream);
    upstream -= 0.25 * into;
  }
  H2_CHECK_REL(final_value(r, "upstream.level"), 100.0 * std::pow(0.95, 40), 1e-12);
  H2_CHECK_REL(final_value(r, "upstream.level"), upstream, 1e-12);
  H2_CHECK_REL(final_value(r, "downstream.level"), downstream, 1e-12);
  H2_CHECK_REL(final_value(r, "census total"), upstream + downstream, 1e-12);
  H2_CHECK_REL(value_at(r, "downstream.inflow from above", 0), 20.0, 1e-12);
}

// `to` may name the input alone (older files) or instance.input; `from` may be .x, x or
// other.output. A connection written twice the same way is one connection.
TEST_CASE("XMILE Stella: module connections into submodule inputs", "[xmile][stella]") {
  const std::string sub =
      "<model name=\"scale\"><variables>"
      "<aux name=\"x\" access=\"input\"><eqn>1</eqn></aux>"
      "<aux name=\"factor\" access=\"input\"><eqn>1</eqn></aux>"
      "<aux name=\"y\" access=\"output\"><eqn>x * factor</eqn></aux>"
      "</variables></model>"
      // A module inside a module: `outer` connects its own input on into `inner`.
      "<model name=\"outer\"><variables>"
      "<aux name=\"seed\" access=\"input\"><eqn>0</eqn></aux>"
      "<module name=\"inner\" model=\"scale\"><connect to=\"inner.x\" from=\".seed\"/>"
      "<connect to=\"factor\" from=\"seed\"/></module>"
      "<aux name=\"result\"><eqn>inner.y + 1</eqn></aux>"
      "</variables></model>";
  const std::string text = document(
      2, 1,
      "<aux name=\"base\"><eqn>3</eqn></aux>"
      "<module name=\"first\" model=\"scale\"><connect to=\"first.x\" from=\".base\"/>"
      "<connect2 to=\"first.x\" from=\"base\"/><connect to=\"first.factor\" from=\".base\"/>"
      "</module>"
      "<module name=\"second\" model=\"scale\"><connect to=\"x\" from=\"first.y\"/></module>"
      "<module name=\"nest\" model=\"outer\"><connect to=\"nest.seed\" from=\"TIME\"/></module>"
      "<aux name=\"out\"><eqn>second.y + nest.result</eqn></aux>",
      "", sub);
  const h2sim::Result r = run_xmile(text);
  CHECK(final_value(r, "first.y") == 9.0);       // 3 * 3
  CHECK(final_value(r, "second.y") == 9.0);      // 9 * its own factor, 1
  CHECK(value_at(r, "nest.inner.y", 2) == 4.0);  // TIME * TIME
  CHECK(value_at(r, "nest.result", 2) == 5.0);
  CHECK(value_at(r, "out", 1) == 9.0 + 2.0);
  // An input connected twice to different sources is an error at the connection.
  const std::string twice =
      document(1, 1,
               "<aux name=\"a\"><eqn>1</eqn></aux><aux name=\"b\"><eqn>2</eqn></aux>"
               "<module name=\"m\" model=\"scale\"><connect to=\"m.x\" from=\".a\"/>"
               "<connect2 to=\"m.x\" from=\".b\"/></module>",
               "", sub);
  CHECK_THROWS_WITH(h2sim::parse_xmile(twice, "twice.xmile"),
                    Contains("twice.xmile:") && Contains("'m.x' is connected twice"));
}

// An input that nothing connects to and whose equation is only Stella's placeholder
// comment is refused where it stands.
TEST_CASE("XMILE Stella: an unconnected module input is a located error", "[xmile][stella]") {
  const std::string text =
      document(1, 1, "<module name=\"m\"/>", "",
               "<model name=\"m\"><variables>\n<aux name=\"rate\" access=\"input\">\n"
               "<eqn>{Enter equation for use when not hooked up to other models}</eqn></aux>\n"
               "</variables></model>\n");
  try {
    (void)h2sim::parse_xmile(text, "unconnected.xmile");
    FAIL("loaded");
  } catch (const h2sim::Error& e) {
    CHECK(e.where().file == "unconnected.xmile");
    CHECK(e.where().line == 8);  // its <eqn>
    CHECK_THAT(e.message(), Contains("a module input that nothing connects to"));
  }
}

// A different <gf> per element (XMILE 3.7.1.3): x[A1] reads a rising table, x[A2] a falling
// one, x[A3] the variable's own.
TEST_CASE("XMILE Stella: per-element graphical functions", "[xmile][stella]") {
  const std::string text = document(
      4, 1,
      "<aux name=\"x\"><dimensions><dim name=\"DimA\"/></dimensions><eqn>TIME</eqn>"
      "<gf><xscale min=\"0\" max=\"4\"/><ypts>5,5</ypts></gf>"
      "<element "
      "subscript=\"A1\"><eqn>TIME</eqn><gf><xpts>0,4</xpts><ypts>0,40</ypts></gf></element>"
      "<element subscript=\"A2\"><eqn>TIME / 2</eqn><gf><xpts>0,2</xpts><ypts>10,0</ypts></gf>"
      "</element></aux>"
      // An array of lookup tables, called per element.
      "<aux name=\"table\"><dimensions><dim name=\"DimA\"/></dimensions>"
      "<element subscript=\"A1\"><gf><xpts>0,1</xpts><ypts>0,1</ypts></gf></element>"
      "<element subscript=\"A2\"><gf><xpts>0,1</xpts><ypts>0,2</ypts></gf></element>"
      "<element subscript=\"A3\"><gf><xpts>0,1</xpts><ypts>0,3</ypts></gf></element></aux>"
      "<aux name=\"y\"><dimensions><dim "
      "name=\"DimA\"/></dimensions><eqn>table[DimA](0.5)</eqn></aux>"
      "<aux name=\"z\"><eqn>table[A3](0.25)</eqn></aux>",
      kDimA);
  const h2sim::Result r = run_xmile(text);
  CHECK(value_at(r, "x[A1]", 3) == 30.0);  // 10 per unit of TIME
  CHECK(value_at(r, "x[A2]", 3) == 2.5);   // TIME / 2 = 1.5 on 10 -> 0 over 2
  CHECK(value_at(r, "x[A3]", 3) == 5.0);   // the variable's own table
  CHECK(value_at(r, "y[A1]", 0) == 0.5);
  CHECK(value_at(r, "y[A2]", 0) == 1.0);
  CHECK(value_at(r, "y[A3]", 0) == 1.5);
  CHECK(value_at(r, "z", 0) == 0.75);
}

// SUM(z[*:SubA]) sums the subrange only; MAX(x[*:SubX]) the same with a subrange that XMILE
// declares as a dimension of its own, related to x's only by the element names.
TEST_CASE("XMILE Stella: subranges in reductions", "[xmile][stella]") {
  const std::string dims = kDimA +
                           "<dim name=\"SubA\"><elem name=\"A2\"/><elem name=\"A3\"/></dim>"
                           "<dim name=\"DimX\"><elem name=\"one\"/><elem name=\"two\"/>"
                           "<elem name=\"three\"/></dim>"
                           "<dim name=\"SubX\"><elem name=\"three\"/><elem name=\"one\"/></dim>";
  const std::string text = document(
      1, 1,
      "<aux name=\"z\"><dimensions><dim name=\"DimA\"/></dimensions><eqn>1, 10, 100</eqn></aux>"
      "<aux name=\"x\"><dimensions><dim name=\"DimX\"/></dimensions><eqn>7, 9, 8</eqn></aux>"
      "<aux name=\"total\"><eqn>SUM(z[*:SubA])</eqn></aux>"
      "<aux name=\"largest\"><eqn>MAX(x[*:SubX])</eqn></aux>"
      "<aux name=\"smallest\"><eqn>MIN(x[*:SubX])</eqn></aux>"
      "<aux name=\"mean\"><eqn>MEAN(z[*:SubA])</eqn></aux>",
      dims);
  const h2sim::Result r = run_xmile(text);
  CHECK(value_at(r, "total", 0) == 110.0);
  CHECK(value_at(r, "largest", 0) == 8.0);
  CHECK(value_at(r, "smallest", 0) == 7.0);
  CHECK(value_at(r, "mean", 0) == 55.0);
}

// Dimensions of one size that share no element names match by position (XMILE has no
// mapping syntax; converters drop Vensim's): e[DimB] = input[DimA] * 10, also without
// subscripts, and in a stock's flows.
TEST_CASE("XMILE Stella: positional matching between dimensions", "[xmile][stella]") {
  const std::string dims =
      kDimA +
      "<dim name=\"DimB\"><elem name=\"B1\"/><elem name=\"B2\"/><elem name=\"B3\"/></dim>"
      "<dim name=\"DimD\"><elem name=\"D1\"/><elem name=\"D2\"/></dim>";
  const std::string text = document(
      1, 1,
      "<aux name=\"input\"><dimensions><dim name=\"DimA\"/></dimensions><eqn>-1, 2, 3</eqn></aux>"
      "<aux name=\"e\"><dimensions><dim name=\"DimB\"/></dimensions><eqn>input[DimA] * "
      "10</eqn></aux>"
      "<aux name=\"f\"><dimensions><dim name=\"DimB\"/></dimensions><eqn>input + e</eqn></aux>"
      "<flow name=\"a\"><dimensions><dim name=\"DimA\"/></dimensions><eqn>input</eqn></flow>"
      "<stock name=\"g\"><dimensions><dim name=\"DimB\"/></dimensions><eqn>e[DimB]</eqn>"
      "<inflow>a</inflow></stock>"
      "<aux name=\"p\"><dimensions><dim name=\"DimA\"/></dimensions><eqn>DimB</eqn></aux>",
      dims);
  const h2sim::Result r = run_xmile(text);
  CHECK(value_at(r, "e[B1]", 0) == -10.0);
  CHECK(value_at(r, "e[B3]", 0) == 30.0);
  CHECK(value_at(r, "f[B2]", 0) == 22.0);
  CHECK(value_at(r, "g[B2]", 1) == 22.0);  // 20 + 2
  CHECK(value_at(r, "p[A3]", 0) == 3.0);
  // Sizes that differ do not match: refused where the reference stands.
  const std::string mismatch =
      document(1, 1,
               "<aux name=\"j\"><dimensions><dim name=\"DimD\"/></dimensions><eqn>1, 2</eqn></aux>"
               "<aux name=\"k\"><dimensions><dim name=\"DimA\"/></dimensions><eqn>j[DimD]</eqn>"
               "</aux>",
               dims);
  const auto message = message_of<h2sim::ModelError>(
      [&] { (void)h2sim::compile_model(h2sim::parse_xmile(mismatch, "sizes.xmile")); });
  CHECK_THAT(message, Contains("sizes.xmile:") && Contains("k[A1]") && Contains("'dimd'"));
}

// Dim.Element is the element's position (XMILE 3.7.1.1); as a subscript it names the element.
TEST_CASE("XMILE Stella: Dim.Element references", "[xmile][stella]") {
  const std::string dims =
      "<dim name=\"Location\"><elem name=\"Amsterdam\"/><elem name=\"Boston\"/><elem "
      "name=\"Chicago\"/></dim>";
  const std::string text =
      document(1, 1,
               "<aux name=\"population\"><dimensions><dim name=\"Location\"/></dimensions>"
               "<eqn>1, 2, 3</eqn></aux>"
               "<aux name=\"boston\"><eqn>population[Location.Boston]</eqn></aux>"
               "<aux name=\"position\"><eqn>Location.Boston</eqn></aux>"
               "<aux name=\"east of boston\"><dimensions><dim name=\"Location\"/></dimensions>"
               "<eqn>IF Location &lt; Location.Boston THEN 1 ELSE 0</eqn></aux>",
               dims);
  const h2sim::Result r = run_xmile(text);
  CHECK(value_at(r, "boston", 0) == 2.0);
  CHECK(value_at(r, "position", 0) == 2.0);
  CHECK(value_at(r, "east of boston[Amsterdam]", 0) == 1.0);
  CHECK(value_at(r, "east of boston[Chicago]", 0) == 0.0);
}

// A subscript computed while running picks an element per step; outside the array it is a
// run-time error that names the variable.
TEST_CASE("XMILE Stella: computed subscripts", "[xmile][stella]") {
  const std::string dims = "<dim name=\"Step\" size=\"5\"/>";
  const std::string text = document(
      9, 1,
      "<aux name=\"aux\"><dimensions><dim name=\"Step\"/></dimensions><eqn>10, 20, 30, 40, 50</eqn>"
      "</aux>"
      "<aux name=\"picked\"><eqn>aux[INT(TIME MOD 5) + 1]</eqn></aux>"
      "<aux name=\"index\"><eqn>2</eqn></aux>"
      "<aux name=\"by name\"><eqn>aux[index]</eqn></aux>",
      dims);
  const h2sim::Result r = run_xmile(text);
  for (int t = 0; t <= 9; ++t) CHECK(value_at(r, "picked", t) == 10.0 * (t % 5 + 1));
  CHECK(value_at(r, "by name", 0) == 20.0);
  const std::string outside = document(
      9, 1,
      "<aux name=\"aux\"><dimensions><dim name=\"Step\"/></dimensions><eqn>10, 20, 30, 40, 50</eqn>"
      "</aux>\n<aux name=\"beyond\">\n<eqn>aux[TIME + 1]</eqn></aux>",
      dims);
  const auto message = message_of<h2sim::SimulationError>([&] { (void)run_xmile(outside); });
  CHECK_THAT(message, Contains("stella.xmile:7") && Contains("beyond"));
}

// An array with some elements defined and others not: refused, naming the element.
TEST_CASE("XMILE Stella: an element without an equation is refused", "[xmile][stella]") {
  const std::string text =
      document(1, 1,
               "<aux name=\"w\"><dimensions><dim name=\"DimA\"/></dimensions>\n"
               "<element subscript=\"A1\"><eqn>1</eqn></element>\n"
               "<element subscript=\"A3\"><eqn>3</eqn></element></aux>",
               kDimA);
  const auto message = message_of<h2sim::ModelError>(
      [&] { (void)h2sim::compile_model(h2sim::parse_xmile(text, "partial.xmile")); });
  CHECK_THAT(message, Contains("partial.xmile:6") && Contains("no equation for element [A2]"));
}

// SIZE counts elements: the whole array for SIZE(SELF) and SIZE(x), a slice for x[*, 1].
TEST_CASE("XMILE Stella: SIZE", "[xmile][stella]") {
  const std::string dims =
      kDimA + "<dim name=\"DimB\"><elem name=\"B1\"/><elem name=\"B2\"/></dim>";
  const std::string text = document(
      1, 1,
      "<aux name=\"m\"><dimensions><dim name=\"DimA\"/><dim name=\"DimB\"/></dimensions>"
      "<eqn>SIZE(SELF)</eqn></aux>"
      "<aux name=\"whole\"><eqn>SIZE(m)</eqn></aux>"
      "<aux name=\"column\"><eqn>SIZE(m[*, 1])</eqn></aux>"
      "<aux name=\"row\"><dimensions><dim name=\"DimA\"/></dimensions><eqn>SIZE(m[DimA, *])</eqn>"
      "</aux>",
      dims);
  const h2sim::Result r = run_xmile(text);
  CHECK(value_at(r, "m[A2,B1]", 0) == 6.0);
  CHECK(value_at(r, "whole", 0) == 6.0);
  CHECK(value_at(r, "column", 0) == 3.0);
  CHECK(value_at(r, "row[A1]", 0) == 2.0);
}

// PREVIOUS(SELF, 0) + 1 counts the steps; SAMPLE as converters write it (IF ... THEN input
// ELSE PREVIOUS(SELF, initial)) holds the value last sampled; SAMPLE IF TRUE is the same.
TEST_CASE("XMILE Stella: PREVIOUS and SAMPLE with SELF", "[xmile][stella]") {
  const std::string text = document(
      6, 1,
      "<aux name=\"count\"><eqn>PREVIOUS(SELF, 0) + 1</eqn></aux>"
      "<aux name=\"held\"><eqn>IF TIME MOD 3 = 0 THEN TIME * 10 ELSE PREVIOUS(SELF, -1)</eqn></aux>"
      "<aux name=\"vensim held\"><eqn>SAMPLE_IF_TRUE(TIME MOD 3 = 0, TIME * 10, -1)</eqn></aux>"
      "<aux name=\"late\"><eqn>IF TIME &gt;= 2 THEN TIME ELSE PREVIOUS(SELF, 7)</eqn></aux>");
  const h2sim::Result r = run_xmile(text);
  for (int t = 0; t <= 6; ++t) {
    CHECK(value_at(r, "count", t) == t + 1.0);
    CHECK(value_at(r, "held", t) == 10.0 * (t - t % 3));
    CHECK(value_at(r, "vensim held", t) == 10.0 * (t - t % 3));
  }
  CHECK(value_at(r, "late", 0) == 7.0);
  CHECK(value_at(r, "late", 1) == 7.0);
  CHECK(value_at(r, "late", 3) == 3.0);
}

// Stella's <init_eqn> is the value while initial values are computed (ACTIVE INITIAL):
// the stock starts from it, the variable runs on its <eqn>.
TEST_CASE("XMILE Stella: INIT written as <init_eqn>", "[xmile][stella]") {
  const std::string text =
      document(3, 1,
               "<aux name=\"value\"><eqn>TIME</eqn><init_eqn>45</init_eqn></aux>"
               "<stock name=\"s\"><eqn>value</eqn><inflow>f</inflow></stock>"
               "<flow name=\"f\"><eqn>1</eqn></flow>");
  const h2sim::Result r = run_xmile(text);
  CHECK(value_at(r, "s", 0) == 45.0);
  CHECK(value_at(r, "s", 3) == 48.0);
  CHECK(value_at(r, "value", 2) == 2.0);
}

// NPV(stream, rate, initial, factor), as Vensim defines it: the discount factor falls as
// DF_{n+1} = DF_n / (1 + rate DT), and NPV_n = DT * stream * (DF_0 + ... + DF_n) for a
// constant stream (Euler).
TEST_CASE("XMILE Stella: NPV", "[xmile][stella]") {
  const std::string text =
      document(10, 0.5,
               "<aux name=\"stream\"><eqn>3</eqn></aux>"
               "<aux name=\"present\"><eqn>NPV(stream, 0.1, 0, 1)</eqn></aux>"
               "<aux name=\"scaled\"><eqn>NPV(stream, 0.1, 2, 0.5)</eqn></aux>");
  const h2sim::Result r = run_xmile(text);
  double factor = 1.0;
  double sum = 0.0;
  for (int n = 0; n <= 20; ++n) {
    sum += factor;
    const double t = 0.5 * n;
    H2_CHECK_REL(value_at(r, "present", t), 0.5 * 3.0 * sum, 1e-12);
    H2_CHECK_REL(value_at(r, "scaled", t), 0.5 * (2.0 + 0.5 * 3.0 * sum), 1e-12);
    factor /= 1.0 + 0.1 * 0.5;
  }
}

// QUANTUM truncates toward zero, as Vensim's (its source) does: the sign of x is kept.
TEST_CASE("XMILE Stella: QUANTUM keeps the sign", "[xmile][stella]") {
  const std::string text = document(1, 1,
                                    "<aux name=\"a\"><eqn>QUANTUM(1.9, 1)</eqn></aux>"
                                    "<aux name=\"d\"><eqn>QUANTUM(-1.9, 1)</eqn></aux>"
                                    "<aux name=\"c\"><eqn>QUANTUM(-0.9, 1)</eqn></aux>"
                                    "<aux name=\"e\"><eqn>QUANTUM(112.3, 10)</eqn></aux>"
                                    "<aux name=\"g\"><eqn>QUANTUM(-423, 63)</eqn></aux>"
                                    "<aux name=\"z\"><eqn>QUANTUM(5, 0)</eqn></aux>");
  const h2sim::Result r = run_xmile(text);
  CHECK(value_at(r, "a", 0) == 1.0);
  CHECK(value_at(r, "d", 0) == -1.0);
  CHECK(value_at(r, "c", 0) == 0.0);
  CHECK(value_at(r, "e", 0) == 110.0);
  CHECK(value_at(r, "g", 0) == -378.0);
  CHECK(value_at(r, "z", 0) == 5.0);
}

// Vensim's VECTOR functions as converters keep them, against values worked out by hand:
// h = [2100, 2010, 2020] sorts ascending as indexes [1, 2, 0] (from 0), descending [0, 2, 1];
// its ranks are [3, 1, 2]; ELM MAP counts from the element named through the array in
// storage order; SELECT combines the selected values.
TEST_CASE("XMILE Stella: VECTOR functions", "[xmile][stella]") {
  const std::string dims =
      kDimA + "<dim name=\"DimB\"><elem name=\"B1\"/><elem name=\"B2\"/></dim>";
  const std::string text = document(
      1, 1,
      "<aux name=\"h\"><dimensions><dim name=\"DimA\"/></dimensions><eqn>2100, 2010, 2020</eqn>"
      "</aux>"
      "<aux name=\"up\"><dimensions><dim name=\"DimA\"/></dimensions>"
      "<eqn>VECTOR SORT ORDER(h[DimA], 1)</eqn></aux>"
      "<aux name=\"down\"><dimensions><dim name=\"DimA\"/></dimensions>"
      "<eqn>VECTOR SORT ORDER(h[DimA], 0)</eqn></aux>"
      "<aux name=\"ranks\"><dimensions><dim name=\"DimA\"/></dimensions>"
      "<eqn>VECTOR RANK(h[DimA], 1)</eqn></aux>"
      "<aux name=\"sorted\"><dimensions><dim name=\"DimA\"/></dimensions>"
      "<eqn>VECTOR REORDER(h[DimA], up[DimA])</eqn></aux>"
      // o sorts along its last dimension, row by row; ties keep their order.
      "<aux name=\"o\"><dimensions><dim name=\"DimA\"/><dim name=\"DimB\"/></dimensions>"
      "<eqn>1, 2; 4, 3; 5, 5</eqn></aux>"
      "<aux name=\"p\"><dimensions><dim name=\"DimA\"/><dim name=\"DimB\"/></dimensions>"
      "<eqn>VECTOR SORT ORDER(o[DimA, DimB], 1)</eqn></aux>"
      // d = [[1, 4], [2, 5], [3, 6]]; a = [0, 1, 1]: f[A] = d in storage order from d[A, B1],
      // a[A] further on.
      "<aux name=\"d\"><dimensions><dim name=\"DimA\"/><dim name=\"DimB\"/></dimensions>"
      "<eqn>1, 4; 2, 5; 3, 6</eqn></aux>"
      "<aux name=\"a\"><dimensions><dim name=\"DimA\"/></dimensions><eqn>0, 1, 1</eqn></aux>"
      "<aux name=\"f\"><dimensions><dim name=\"DimA\"/></dimensions>"
      "<eqn>VECTOR ELM MAP(d[DimA, B1], a[DimA])</eqn></aux>"
      // e selects per column of B: B1 selects A2, B2 selects A1 and A3.
      "<aux name=\"e\"><dimensions><dim name=\"DimA\"/><dim name=\"DimB\"/></dimensions>"
      "<eqn>0, 1; 1, 0; 0, 1</eqn></aux>"
      "<aux name=\"c\"><dimensions><dim name=\"DimA\"/></dimensions><eqn>11, 12, 12</eqn></aux>"
      "<aux name=\"total\"><dimensions><dim name=\"DimB\"/></dimensions>"
      "<eqn>VECTOR SELECT(e[*, DimB], c[*], 0, 0, 0)</eqn></aux>"
      "<aux name=\"largest\"><dimensions><dim name=\"DimA\"/></dimensions>"
      "<eqn>VECTOR SELECT(e[DimA, *], d[DimA, *], -1e+38, 3, 0)</eqn></aux>"
      "<aux name=\"none\"><eqn>VECTOR SELECT(e[*, B1] * 0, c[*], -7, 0, 0)</eqn></aux>",
      dims);
  const h2sim::Result r = run_xmile(text);
  const char* a[] = {"A1", "A2", "A3"};
  const double up[] = {1, 2, 0}, down[] = {0, 2, 1}, ranks[] = {3, 1, 2};
  const double sorted[] = {2010, 2020, 2100}, f[] = {1, 5, 6}, largest[] = {4, 2, 6};
  for (int k = 0; k < 3; ++k) {
    const std::string e = std::string("[") + a[k] + "]";
    CHECK(value_at(r, "up" + e, 0) == up[k]);
    CHECK(value_at(r, "down" + e, 0) == down[k]);
    CHECK(value_at(r, "ranks" + e, 0) == ranks[k]);
    CHECK(value_at(r, "sorted" + e, 0) == sorted[k]);
    CHECK(value_at(r, "f" + e, 0) == f[k]);
    CHECK(value_at(r, "largest" + e, 0) == largest[k]);
  }
  CHECK(value_at(r, "p[A1,B1]", 0) == 0.0);
  CHECK(value_at(r, "p[A1,B2]", 0) == 1.0);
  CHECK(value_at(r, "p[A2,B1]", 0) == 1.0);
  CHECK(value_at(r, "p[A2,B2]", 0) == 0.0);
  CHECK(value_at(r, "p[A3,B1]", 0) == 0.0);
  CHECK(value_at(r, "p[A3,B2]", 0) == 1.0);
  CHECK(value_at(r, "total[B1]", 0) == 12.0);
  CHECK(value_at(r, "total[B2]", 0) == 23.0);
  CHECK(value_at(r, "none", 0) == -7.0);
}

// The conditional average converters write for Vensim's SUMIF-style reductions: the sum of
// the values that are present over how many are (-1e38 marks a missing one).
TEST_CASE("XMILE Stella: conditional reductions average the present values", "[xmile][stella]") {
  const std::string text = document(
      1, 1,
      "<aux name=\"values\"><dimensions><dim name=\"DimA\"/></dimensions>"
      "<eqn>10, -1e+38, 40</eqn></aux>"
      "<aux name=\"average\"><eqn>SAFEDIV(SUM(( IF values[*] = -1e+38 THEN 0 ELSE values[*] )), "
      "SUM(( IF values[*] = -1e+38 THEN 0 ELSE 1 )))</eqn></aux>"
      "<aux name=\"present\"><eqn>SUM(IF values[*] &gt; 0 THEN 1 ELSE 0)</eqn></aux>",
      kDimA);
  const h2sim::Result r = run_xmile(text);
  CHECK(value_at(r, "average", 0) == 25.0);
  CHECK(value_at(r, "present", 0) == 2.0);
}

// What converters write for Vensim's data functions (the call in a comment after a 0) reads
// the data, as the Vensim reader does: constants along a row, down a column ('B2*'), as a
// table; data series of TIME, interpolated and held at the ends; lookups as tables.
TEST_CASE("XMILE Stella: GET DIRECT data kept in comments by converters", "[xmile][stella]") {
  const auto path = std::filesystem::path(H2SIM_TEST_DATA_DIR) / "stella" / "converted_data.xmile";
  const h2sim::Result r = h2sim::simulate(h2sim::compile_model(h2sim::load_xmile(path.string())));
  CHECK(value_at(r, "a", 1990) == 1.0);
  CHECK(value_at(r, "b[B1]", 1990) == 1.0);
  CHECK(value_at(r, "b[B2]", 1990) == 4.0);
  CHECK(value_at(r, "b[B3]", 1990) == 7.0);
  CHECK(value_at(r, "c[B1,C2]", 1990) == 2.0);
  CHECK(value_at(r, "c[B2,C1]", 1990) == 4.0);
  CHECK(value_at(r, "c[B3,C2]", 1990) == 8.0);
  CHECK(value_at(r, "e[A1]", 1995) == 15.0);
  CHECK(value_at(r, "e[A1]", 2020) == 40.0);   // held after the last time
  CHECK(value_at(r, "e[A2]", 2010) == 200.0);  // 2010 has no value for A2
  CHECK(value_at(r, "g", 2005) == 30.0);
  CHECK(value_at(r, "f[A1]", 2000) == 200.0 + 5.0);
  // Vensim's named external data files (?name) are not in the file: refused, located.
  const std::string text =
      "<xmile version=\"1.0\"><sim_specs><start>0</start><stop>1</stop></sim_specs>\n"
      "<model><variables>\n<aux name=\"c\">\n<eqn>0{GET_DIRECT_DATA('?data', 'C_Data', 'A', "
      "'B2')}</eqn></aux></variables></model></xmile>";
  const auto message = message_of<h2sim::ModelError>(
      [&] { (void)h2sim::parse_xmile(text, (path.parent_path() / "named.xmile").string()); });
  CHECK_THAT(message, Contains("named.xmile:4") && Contains("named external data files"));
}

// ALLOCATE AVAILABLE (as converters keep it) and Stella's ALLOCATE are refused on purpose,
// with the file, the line and the reason, not as an unknown name (docs/xmile.md).
TEST_CASE("XMILE Stella: ALLOCATE AVAILABLE is refused with its reason", "[xmile][stella]") {
  for (const std::string call : {"ALLOCATE_AVAILABLE(request[*], priority[*], 10)",
                                 "ALLOCATE(10, DimA, request[*], priority[*], 1)"}) {
    const std::string text = document(
        1, 1,
        "<aux name=\"request\"><dimensions><dim name=\"DimA\"/></dimensions><eqn>1, 2, 3</eqn>"
        "</aux>\n<aux name=\"priority\"><dimensions><dim name=\"DimA\"/></dimensions>"
        "<eqn>1, 1, 1</eqn></aux>\n<aux name=\"shared\"><dimensions><dim name=\"DimA\"/>"
        "</dimensions>\n<eqn>" +
            call + "</eqn></aux>",
        kDimA);
    const auto message = message_of<h2sim::ModelError>(
        [&] { (void)h2sim::compile_model(h2sim::parse_xmile(text, "allocate.xmile")); });
    CHECK_THAT(message, Contains("allocate.xmile:") && Contains("shared") &&
                            Contains("priority curves") && !Contains("unknown function"));
  }
}

// Apply-to-all arrays with some elements defined separately, as converters write Vensim's
// piecewise definitions: an <element> may name a dimension, a subrange or * for a whole
// axis, and an <eqn> beside the elements is the value of every element they leave out.
TEST_CASE("XMILE Stella: apply-to-all arrays with elements defined separately", "[xmile][stella]") {
  const std::string dims =
      "<dim name=\"DimA\"><elem name=\"A1\"/><elem name=\"A2\"/></dim>"
      "<dim name=\"DimB\"><elem name=\"B1\"/><elem name=\"B2\"/></dim>"
      "<dim name=\"DimC\"><elem name=\"C1\"/><elem name=\"C2\"/><elem name=\"C3\"/></dim>"
      "<dim name=\"SubC\"><elem name=\"C2\"/><elem name=\"C3\"/></dim>";
  const std::string shape =
      "<dimensions><dim name=\"DimC\"/><dim name=\"DimA\"/><dim name=\"DimB\"/></dimensions>";
  const std::string text = document(
      1, 1,
      "<aux name=\"pieces\">" + shape +
          "<element subscript=\"DimC, A1, B1\"><eqn>1</eqn></element>"
          "<element subscript=\"*, A1, B2\"><eqn>2</eqn></element>"
          "<element subscript=\"DimC, A2, *\"><eqn>3</eqn></element></aux>"
          "<aux name=\"by subrange\">" +
          shape +
          "<element subscript=\"C1, DimA, DimB\"><eqn>10</eqn></element>"
          "<element subscript=\"SubC, DimA, DimB\"><eqn>100 * DimC</eqn></element></aux>"
          "<aux name=\"overridden\">" +
          shape + "<eqn>7</eqn><element subscript=\"C3, A1, B1\"><eqn>-1</eqn></element></aux>",
      dims);
  const h2sim::Result r = run_xmile(text);
  for (const char* c : {"C1", "C2", "C3"}) {
    const std::string e = std::string("[") + c;
    CHECK(value_at(r, "pieces" + e + ",A1,B1]", 0) == 1.0);
    CHECK(value_at(r, "pieces" + e + ",A1,B2]", 0) == 2.0);
    CHECK(value_at(r, "pieces" + e + ",A2,B1]", 0) == 3.0);
    CHECK(value_at(r, "pieces" + e + ",A2,B2]", 0) == 3.0);
  }
  CHECK(value_at(r, "by subrange[C1,A2,B2]", 0) == 10.0);
  CHECK(value_at(r, "by subrange[C2,A1,B1]", 0) == 200.0);  // C2 is DimC's 2nd element
  CHECK(value_at(r, "by subrange[C3,A2,B1]", 0) == 300.0);
  CHECK(value_at(r, "overridden[C3,A1,B1]", 0) == -1.0);
  CHECK(value_at(r, "overridden[C3,A1,B2]", 0) == 7.0);
  CHECK(value_at(r, "overridden[C1,A1,B1]", 0) == 7.0);
}
