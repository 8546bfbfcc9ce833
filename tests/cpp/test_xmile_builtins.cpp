// The XMILE 1.0 builtins, read from XMILE text and run: STEP, RAMP, PULSE, DELAY1,
// DELAY3, DELAYN, SMTHN, TREND and FORCST. Each expected value is derived by hand
// (Euler sums) or from the closed form (RK4 with a small dt), and the derivation is
// written beside the test.
//
// Conventions of the engine that the derivations use:
// - A saved value at time t is computed from the stocks at t; Euler sets
//   S(t + dt) = S(t) + dt * (net flow at t).
// - STEP, RAMP and PULSE see the time at the start of the step, through every RK4
//   stage; so with RK4 an input STEP that switches at a grid time is a constant input
//   over each step, and the closed forms below hold to RK4's truncation error.
#include <cmath>
#include <h2sim/xmile.hpp>
#include <string>

#include "test_support.hpp"

using namespace h2test;

namespace {

// A whole XMILE document around `variables`.
std::string document(const std::string& method, double stop, double dt,
                     const std::string& variables) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
         "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
         "<sim_specs method=\"" +
         method + "\"><start>0</start><stop>" + describe(stop) + "</stop><dt>" + describe(dt) +
         "</dt></sim_specs>\n<model><variables>\n" + variables + "</variables></model>\n</xmile>\n";
}

h2sim::Result run_xmile(const std::string& text) {
  return h2sim::simulate(h2sim::compile_model(h2sim::parse_xmile(text, "builtins.xmile")));
}

// Sum_{k=0}^{n-1} e^{-u} u^k / k!: the probability that an Erlang(n) delay with
// stage time 1 has not yet delivered by u (0 for u < 0 is not meant: callers pass u >= 0).
double erlang_tail(int n, double u) {
  double term = std::exp(-u);
  double sum = 0.0;
  for (int k = 0; k < n; ++k) {
    sum += term;
    term *= u / (k + 1);
  }
  return sum;
}

// Step response of an n-stage chain (DELAYN or SMTHN) with total time T, to an input
// that jumps from 0 to `height` at t0: height * (1 - erlang_tail(n, (t - t0) / (T / n))).
double chain_step_response(int n, double total_time, double height, double t0, double t) {
  if (t < t0) return 0.0;
  return height * (1.0 - erlang_tail(n, (t - t0) / (total_time / n)));
}

}  // namespace

TEST_CASE("XMILE builtins: STEP switches at its start time exactly", "[xmile][builtins]") {
  // Euler, dt 0.25. s = STEP(3, 1.5): 0 for t < 1.5, 3 for t >= 1.5 (1.5 is a grid time).
  // late = STEP(2, 1.1): 1.1 is not a grid time, so it is 0 at 1.0 and 2 from 1.25 on.
  // total' = s, total(0) = 0: total(1.5) = 0 (every earlier step added 0);
  // total(1.75) = 0.25 * 3 = 0.75; total(4) = 3 * (4 - 1.5) = 7.5 (10 steps of 0.75).
  const auto r = run_xmile(document("Euler", 4, 0.25,
                                    "<aux name=\"s\"><eqn>STEP(3, 1.5)</eqn></aux>\n"
                                    "<aux name=\"late\"><eqn>STEP(2, 1.1)</eqn></aux>\n"
                                    "<stock name=\"total\"><eqn>0</eqn><inflow>f</inflow></stock>\n"
                                    "<flow name=\"f\"><eqn>s</eqn></flow>\n"));
  CHECK(value_at(r, "s", 0) == 0.0);
  CHECK(value_at(r, "s", 1.25) == 0.0);
  CHECK(value_at(r, "s", 1.5) == 3.0);
  CHECK(value_at(r, "s", 4) == 3.0);
  CHECK(value_at(r, "late", 1.0) == 0.0);
  CHECK(value_at(r, "late", 1.25) == 2.0);
  CHECK(value_at(r, "total", 1.5) == 0.0);
  CHECK(value_at(r, "total", 1.75) == 0.75);
  CHECK(value_at(r, "total", 4) == 7.5);
}

TEST_CASE("XMILE builtins: RAMP rises from its start and holds after its end",
          "[xmile][builtins]") {
  // held = RAMP(2, 1, 3): 0 up to t = 1, 2 (t - 1) from 1 to 3, 2 * (3 - 1) = 4 after 3.
  // open = RAMP(0.5, 2): 0 up to 2, then 0.5 (t - 2) without end: 1 at t = 4.
  // total' = held, Euler dt 0.25 (a left Riemann sum): the steps that start at
  // t = 1.25 .. 3 add 0.25 * 2 * (0.25, 0.5, ..., 2) = 0.25 * 18 = 4.5, those at
  // 3.25, 3.5, 3.75 add 0.25 * 4 each = 3: total(4) = 7.5 (the exact integral is 8).
  const auto r = run_xmile(document("Euler", 4, 0.25,
                                    "<aux name=\"held\"><eqn>RAMP(2, 1, 3)</eqn></aux>\n"
                                    "<aux name=\"open\"><eqn>RAMP(0.5, 2)</eqn></aux>\n"
                                    "<stock name=\"total\"><eqn>0</eqn><inflow>f</inflow></stock>\n"
                                    "<flow name=\"f\"><eqn>held</eqn></flow>\n"));
  CHECK(value_at(r, "held", 0.5) == 0.0);
  CHECK(value_at(r, "held", 1) == 0.0);
  CHECK(value_at(r, "held", 2) == 2.0);
  CHECK(value_at(r, "held", 2.5) == 3.0);
  CHECK(value_at(r, "held", 3) == 4.0);
  CHECK(value_at(r, "held", 3.5) == 4.0);
  CHECK(value_at(r, "open", 2) == 0.0);
  CHECK(value_at(r, "open", 3) == 0.5);
  CHECK(value_at(r, "open", 4) == 1.0);
  CHECK(value_at(r, "total", 4) == 7.5);
}

TEST_CASE("XMILE builtins: PULSE is magnitude/DT for one DT and moves exactly its magnitude",
          "[xmile][builtins]") {
  // Euler, dt 0.25, stop 4.
  // once = PULSE(5, 1): 5 / 0.25 = 20 during the step that starts at 1, else 0.
  // every = PULSE(5, 1, 1.5): 20 at t = 1, 2.5, 4; 0 at 1.25, 2.75.
  // zero = PULSE(5, 1, 0): an interval of 0 is a single pulse (XMILE 1.0, PULSE).
  // total' = every: total(1) = 0, total(1.25) = 0.25 * 20 = 5, total(2.5) = 5,
  // total(2.75) = 10, total(4) = 10
  // (the pulse at 4 is the last saved time; no step integrates it).
  const auto r = run_xmile(document("Euler", 4, 0.25,
                                    "<aux name=\"once\"><eqn>PULSE(5, 1)</eqn></aux>\n"
                                    "<aux name=\"every\"><eqn>PULSE(5, 1, 1.5)</eqn></aux>\n"
                                    "<aux name=\"zero\"><eqn>PULSE(5, 1, 0)</eqn></aux>\n"
                                    "<stock name=\"total\"><eqn>0</eqn><inflow>f</inflow></stock>\n"
                                    "<flow name=\"f\"><eqn>every</eqn></flow>\n"));
  CHECK(value_at(r, "once", 0.75) == 0.0);
  CHECK(value_at(r, "once", 1) == 20.0);
  CHECK(value_at(r, "once", 1.25) == 0.0);
  CHECK(value_at(r, "once", 2.5) == 0.0);
  CHECK(value_at(r, "every", 1) == 20.0);
  CHECK(value_at(r, "every", 1.25) == 0.0);
  CHECK(value_at(r, "every", 2.5) == 20.0);
  CHECK(value_at(r, "every", 2.75) == 0.0);
  CHECK(value_at(r, "every", 4) == 20.0);
  CHECK(value_at(r, "zero", 1) == 20.0);
  CHECK(value_at(r, "zero", 2.5) == 0.0);
  CHECK(value_at(r, "total", 1) == 0.0);
  CHECK(value_at(r, "total", 1.25) == 5.0);
  CHECK(value_at(r, "total", 2.5) == 5.0);
  CHECK(value_at(r, "total", 2.75) == 10.0);
  CHECK(value_at(r, "total", 4) == 10.0);

  // With RK4 and a dt that is not a power of two, each pulse still adds its magnitude:
  // all four stages of the step see the same height 7 / 0.1, and RK4 adds
  // dt * (1 + 2 + 2 + 1) / 6 * 70 = 7 (to round-off). Pulses at 0.5, 1.5, 2.5.
  const auto rk =
      run_xmile(document("RK4", 3, 0.1,
                         "<stock name=\"total\"><eqn>0</eqn><inflow>f</inflow></stock>\n"
                         "<flow name=\"f\"><eqn>PULSE(7, 0.5, 1)</eqn></flow>\n"));
  H2_CHECK_NEAR(value_at(rk, "total", 0.5), 0.0, 1e-12);
  H2_CHECK_NEAR(value_at(rk, "total", 1.0), 7.0, 1e-12);
  H2_CHECK_NEAR(value_at(rk, "total", 2.0), 14.0, 1e-12);
  H2_CHECK_NEAR(value_at(rk, "total", 3.0), 21.0, 1e-12);
}

TEST_CASE("XMILE builtins: DELAY1, DELAY3 and DELAYN step responses are Erlang",
          "[xmile][builtins][closed_form]") {
  // x = STEP(2, 1), delay time T = 4. An n-stage material delay (stage time T/n) of a
  // step is the Erlang(n) distribution function times the height:
  //   out(t) = 2 (1 - sum_{k<n} e^{-u} u^k / k!),  u = (t - 1) / (T / n), t >= 1,
  // and 0 before 1 (every stage starts at its equilibrium with x = 0).
  // RK4 at dt 1/64 with a constant input over each step: the error is ~1e-10.
  const auto r = run_xmile(document("RK4", 20, 1.0 / 64,
                                    "<aux name=\"x\"><eqn>STEP(2, 1)</eqn></aux>\n"
                                    "<aux name=\"d1\"><eqn>DELAY1(x, 4)</eqn></aux>\n"
                                    "<aux name=\"d3\"><eqn>DELAY3(x, 4)</eqn></aux>\n"
                                    "<aux name=\"d5\"><eqn>DELAYN(x, 4, 5)</eqn></aux>\n"
                                    "<aux name=\"d12\"><eqn>DELAYN(x, 4, 12)</eqn></aux>\n"));
  for (double t : {0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0}) {
    INFO("t = " << t);
    H2_CHECK_NEAR(value_at(r, "d1", t), chain_step_response(1, 4, 2, 1, t), 1e-6);
    H2_CHECK_NEAR(value_at(r, "d3", t), chain_step_response(3, 4, 2, 1, t), 1e-6);
    H2_CHECK_NEAR(value_at(r, "d5", t), chain_step_response(5, 4, 2, 1, t), 1e-6);
    H2_CHECK_NEAR(value_at(r, "d12", t), chain_step_response(12, 4, 2, 1, t), 1e-6);
  }
  // DELAY1 at one delay time after the step: 2 (1 - 1/e).
  H2_CHECK_NEAR(value_at(r, "d1", 5.0), 2.0 * (1.0 - std::exp(-1.0)), 1e-6);
}

TEST_CASE("XMILE builtins: DELAY1, DELAY3 and DELAYN conserve material",
          "[xmile][builtins][conservation]") {
  SECTION("what is in transit follows the closed form and tends to input * T") {
    // transit' = x - DELAYN(x, T, n), x = STEP(2, 1), T = 3. In transit at t is the
    // integral of 2 * (1 - F(s)) over the time since the step, F the Erlang(n) CDF with
    // stage time tau = T/n:
    //   transit(t) = 2 tau sum_{k=0}^{n-1} (1 - sum_{j=0}^{k} e^{-w} w^j / j!),
    //   w = (t - 1) / tau, which tends to 2 n tau = 2 T = 6.
    const auto r = run_xmile(document(
        "RK4", 40, 1.0 / 64,
        "<aux name=\"x\"><eqn>STEP(2, 1)</eqn></aux>\n"
        "<stock name=\"transit1\"><eqn>0</eqn><inflow>i1</inflow><outflow>o1</outflow></stock>\n"
        "<stock name=\"transit3\"><eqn>0</eqn><inflow>i3</inflow><outflow>o3</outflow></stock>\n"
        "<stock name=\"transit7\"><eqn>0</eqn><inflow>i7</inflow><outflow>o7</outflow></stock>\n"
        "<flow name=\"i1\"><eqn>x</eqn></flow>\n"
        "<flow name=\"i3\"><eqn>x</eqn></flow>\n"
        "<flow name=\"i7\"><eqn>x</eqn></flow>\n"
        "<flow name=\"o1\"><eqn>DELAY1(x, 3)</eqn></flow>\n"
        "<flow name=\"o3\"><eqn>DELAY3(x, 3)</eqn></flow>\n"
        "<flow name=\"o7\"><eqn>DELAYN(x, 3, 7)</eqn></flow>\n"));
    auto in_transit = [](int n, double t) {
      if (t <= 1) return 0.0;
      const double tau = 3.0 / n;
      const double w = (t - 1) / tau;
      double sum = 0.0;
      for (int k = 0; k < n; ++k) sum += 1.0 - erlang_tail(k + 1, w);
      return 2.0 * tau * sum;
    };
    for (double t : {1.0, 2.0, 4.0, 7.0, 15.0, 40.0}) {
      INFO("t = " << t);
      H2_CHECK_NEAR(value_at(r, "transit1", t), in_transit(1, t), 1e-6);
      H2_CHECK_NEAR(value_at(r, "transit3", t), in_transit(3, t), 1e-6);
      H2_CHECK_NEAR(value_at(r, "transit7", t), in_transit(7, t), 1e-6);
    }
    H2_CHECK_NEAR(value_at(r, "transit3", 40), 6.0, 1e-6);
  }

  SECTION("a pulse that enters comes out whole") {
    // Euler, dt 0.125, T = 3: PULSE(10, 1) is 80 during the step from 1 to 1.125, so 10
    // units enter the delay, and nothing comes out in that step (the stages were empty).
    // DELAY1 then loses the fraction dt/T = 1/24 of its content each step: after the 471
    // steps from 1.125 to 60, got1 = 10 - 10 (23/24)^471 (~1e-13 short of 10). The
    // chains of 3 and 4 stages (each losing 1/8 or 1/6 per step) hold < 1e-15 by then.
    const auto r =
        run_xmile(document("Euler", 60, 0.125,
                           "<aux name=\"x\"><eqn>PULSE(10, 1)</eqn></aux>\n"
                           "<stock name=\"got1\"><eqn>0</eqn><inflow>o1</inflow></stock>\n"
                           "<stock name=\"got3\"><eqn>0</eqn><inflow>o3</inflow></stock>\n"
                           "<stock name=\"got4\"><eqn>0</eqn><inflow>o4</inflow></stock>\n"
                           "<flow name=\"o1\"><eqn>DELAY1(x, 3)</eqn></flow>\n"
                           "<flow name=\"o3\"><eqn>DELAY3(x, 3)</eqn></flow>\n"
                           "<flow name=\"o4\"><eqn>DELAYN(x, 3, 4)</eqn></flow>\n"));
    CHECK(value_at(r, "got1", 1.125) == 0.0);
    H2_CHECK_NEAR(value_at(r, "o1", 1.125), 10.0 / 3.0, 1e-12);  // content 10, T = 3
    H2_CHECK_NEAR(value_at(r, "got1", 60), 10.0 - 10.0 * std::pow(23.0 / 24.0, 471), 1e-11);
    H2_CHECK_NEAR(value_at(r, "got3", 60), 10.0, 1e-11);
    H2_CHECK_NEAR(value_at(r, "got4", 60), 10.0, 1e-11);
  }

  SECTION("the initial value is the initial outflow, and what is in the pipe comes out") {
    // DELAY3(0, 3, 2): every stage starts at 2 * (T/3) = 2, outflow 2 at t = 0; with no
    // input, out(t) = 2 * sum_{k<3} e^{-u} u^k / k!, u = t / 1 (the chain drains as an
    // Erlang tail), and what comes out in all is the initial content 2 * T = 6.
    const auto r = run_xmile(document("RK4", 40, 1.0 / 64,
                                      "<stock name=\"got\"><eqn>0</eqn><inflow>o</inflow></stock>\n"
                                      "<flow name=\"o\"><eqn>DELAY3(0, 3, 2)</eqn></flow>\n"
                                      "<aux name=\"one\"><eqn>DELAY1(0, 3, 2)</eqn></aux>\n"));
    CHECK(value_at(r, "o", 0) == 2.0);
    CHECK(value_at(r, "one", 0) == 2.0);
    for (double t : {0.5, 1.0, 3.0, 6.0}) {
      INFO("t = " << t);
      H2_CHECK_NEAR(value_at(r, "o", t), 2.0 * erlang_tail(3, t), 1e-6);
      H2_CHECK_NEAR(value_at(r, "one", t), 2.0 * std::exp(-t / 3.0), 1e-6);
    }
    H2_CHECK_NEAR(value_at(r, "got", 40), 6.0, 1e-6);
  }
}

TEST_CASE("XMILE builtins: SMTHN is an n-stage exponential smooth",
          "[xmile][builtins][closed_form]") {
  // n first-order smooths in a chain, each with averaging time T/n. Of x = STEP(2, 1)
  // from 0: stage k is the Erlang(k) distribution function, so
  //   SMTHN(x, T, n) = 2 (1 - sum_{k<n} e^{-u} u^k / k!), u = (t - 1) / (T / n).
  // With a constant input a and an initial value y0 in every stage, stage k departs
  // from a by (y0 - a) times the Erlang(k) tail:
  //   SMTHN(a, T, n, y0) = a + (y0 - a) sum_{k<n} e^{-u} u^k / k!, u = t / (T / n).
  const auto r = run_xmile(document("RK4", 20, 1.0 / 64,
                                    "<aux name=\"x\"><eqn>STEP(2, 1)</eqn></aux>\n"
                                    "<aux name=\"s2\"><eqn>SMTHN(x, 3, 2)</eqn></aux>\n"
                                    "<aux name=\"s5\"><eqn>SMTHN(x, 3, 5)</eqn></aux>\n"
                                    "<aux name=\"from10\"><eqn>SMTHN(2, 3, 5, 10)</eqn></aux>\n"));
  for (double t : {0.0, 1.0, 1.5, 2.5, 4.0, 7.0, 12.0}) {
    INFO("t = " << t);
    H2_CHECK_NEAR(value_at(r, "s2", t), chain_step_response(2, 3, 2, 1, t), 1e-6);
    H2_CHECK_NEAR(value_at(r, "s5", t), chain_step_response(5, 3, 2, 1, t), 1e-6);
    H2_CHECK_NEAR(value_at(r, "from10", t), 2.0 + 8.0 * erlang_tail(5, t / (3.0 / 5.0)), 1e-6);
  }
  CHECK(value_at(r, "from10", 0) == 10.0);
}

TEST_CASE("XMILE builtins: TREND of exponential growth", "[xmile][builtins][closed_form]") {
  // x = e^{g t}, g = 0.1, averaging time T = 2. TREND is defined on
  //   AVERAGE' = (x - AVERAGE) / T,  AVERAGE(0) = x(0) / (1 + g0 T)  (g0: initial trend),
  //   TREND = (x - AVERAGE) / (T |AVERAGE|).
  // x / (1 + g T) solves the AVERAGE equation: its derivative g x / (1 + g T) equals
  // (x - x / (1 + g T)) / T. So
  //   AVERAGE(t) = e^{g t} / (1 + g T) + (1 / (1 + g0 T) - 1 / (1 + g T)) e^{-t / T}.
  // With g0 = g the second term is 0 and TREND = (x g T / (1 + g T)) / (T x / (1 + g T))
  // = g at every time. With g0 = 0 it tends to g as e^{-t/T} dies out.
  // RK4 at dt 1/64 (TIME is exact in every stage): errors ~1e-12.
  const auto r = run_xmile(document("RK4", 30, 1.0 / 64,
                                    "<aux name=\"x\"><eqn>EXP(0.1 * TIME)</eqn></aux>\n"
                                    "<aux name=\"matched\"><eqn>TREND(x, 2, 0.1)</eqn></aux>\n"
                                    "<aux name=\"from_zero\"><eqn>TREND(x, 2)</eqn></aux>\n"));
  const double g = 0.1;
  const double T = 2.0;
  auto average = [&](double g0, double t) {
    return std::exp(g * t) / (1 + g * T) + (1 / (1 + g0 * T) - 1 / (1 + g * T)) * std::exp(-t / T);
  };
  for (double t : {0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0}) {
    INFO("t = " << t);
    H2_CHECK_NEAR(value_at(r, "matched", t), g, 1e-9);
    const double a = average(0.0, t);
    H2_CHECK_NEAR(value_at(r, "from_zero", t), (std::exp(g * t) - a) / (T * a), 1e-8);
  }
  CHECK(value_at(r, "from_zero", 0) == 0.0);  // the default initial trend is 0
  H2_CHECK_NEAR(value_at(r, "from_zero", 30), g, 1e-6);
}

TEST_CASE("XMILE builtins: FORCST extrapolates the trend over the horizon",
          "[xmile][builtins][closed_form]") {
  // FORCST(x, T, h[, g0]) = x (1 + TREND(x, T, g0) h). Of x = e^{g t} with g0 = g
  // (see the TREND test): TREND = g exactly, so FORCST = e^{g t} (1 + g h);
  // g = 0.1, T = 2, h = 5: 1.5 e^{0.1 t}. With g0 = 0 it starts at x (TREND 0) and
  // follows x (1 + h (x - A) / (T A)), A the AVERAGE of the TREND test.
  const auto r = run_xmile(document("RK4", 30, 1.0 / 64,
                                    "<aux name=\"x\"><eqn>EXP(0.1 * TIME)</eqn></aux>\n"
                                    "<aux name=\"matched\"><eqn>FORCST(x, 2, 5, 0.1)</eqn></aux>\n"
                                    "<aux name=\"from_zero\"><eqn>FORCST(x, 2, 5)</eqn></aux>\n"));
  const double g = 0.1;
  const double T = 2.0;
  for (double t : {0.0, 1.0, 2.0, 5.0, 10.0, 30.0}) {
    INFO("t = " << t);
    const double x = std::exp(g * t);
    H2_CHECK_REL(value_at(r, "matched", t), 1.5 * x, 1e-9);
    const double a = x / (1 + g * T) + (1 - 1 / (1 + g * T)) * std::exp(-t / T);
    H2_CHECK_REL(value_at(r, "from_zero", t), x * (1 + 5 * (x - a) / (T * a)), 1e-8);
  }
  CHECK(value_at(r, "from_zero", 0) == 1.0);
}
