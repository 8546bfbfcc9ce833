// The standalone C file (h2sim export --format c): the one-lane kernel of codegen.cpp, the
// program's tables and names, and a driver that runs the model as the simulator's fixed-step
// path does (src/sim/simulate.cpp, run_fixed): the same clock, PREVIOUS and DELAY once per
// dt, Boost.Odeint's Euler and RK4 sums term by term, non-negative stocks clamped after each
// step. tests/cpp/test_native.cpp compiles it and checks it against simulate(), bit for bit.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "h2sim/error.hpp"
#include "native/codegen.hpp"

namespace h2sim::detail {

namespace {

const char* const kMath = R"(
/* exp, log and pow. h2sim computes them with SLEEF's deterministic functions (with FMA on
 * processors that have it); compile with -DH2SIM_SLEEF and link -lsleef for the same bits.
 * Without, the C library's functions, which may differ in the last bit. */
#ifdef H2SIM_SLEEF
double Sleef_finz_expd1_u10purecfma(double);
double Sleef_finz_logd1_u10purecfma(double);
double Sleef_finz_powd1_u10purecfma(double, double);
static double h2sim_model_exp(double x) { return Sleef_finz_expd1_u10purecfma(x); }
static double h2sim_model_log(double x) { return Sleef_finz_logd1_u10purecfma(x); }
static double h2sim_model_pow(double x, double y) { return Sleef_finz_powd1_u10purecfma(x, y); }
#else
static double h2sim_model_exp(double x) { return exp(x); }
static double h2sim_model_log(double x) { return log(x); }
static double h2sim_model_pow(double x, double y) { return pow(x, y); }
#endif
static const struct h2sim_math h2sim_model_math = {h2sim_model_exp, h2sim_model_log,
                                                   h2sim_model_pow, 0, 0, 0};
)";

// The driver. Placeholders are the arrays and sizes written before it.
const char* const kDriver = R"(
#include <stdio.h>
#include <stdlib.h>

/* Where value `slot` is not finite: the message, and 1. */
static int h2sim_model_fail(const double* s, int slot, double t, const char* when, char* error,
                            size_t size) {
  const char* name = slot >= H2SIM_VARIABLE_BEGIN && slot < H2SIM_VARIABLE_END
                         ? h2sim_slot_names[slot - H2SIM_VARIABLE_BEGIN]
                         : "a rate of change";
  if (error != NULL && size > 0)
    snprintf(error, size, "%s became %s%s at time %g", name,
             s[slot] != s[slot] ? "NaN" : s[slot] > 0 ? "+infinity" : "-infinity", when, t);
  return 1;
}

/* The first slot in [begin, end) that is not finite, or -1. */
static int h2sim_model_nonfinite(const double* s, int begin, int end) {
  int k;
  for (k = begin; k < end; ++k)
    if (!isfinite(s[k])) return k;
  return -1;
}

static void h2sim_model_evaluate(double* s, const double* x, double t) {
  memcpy(s + H2SIM_STOCK_BEGIN, x, sizeof(double) * H2SIM_MODEL_STOCKS);
  s[0] = t; /* the time slot */
  h2sim_step1(s, h2sim_lookup_x, h2sim_lookup_y, h2sim_schedules);
}

int h2sim_model_run(const double* parameters, double* outputs, char* error, size_t error_size) {
  const double dt = h2sim_model_dt;
  const size_t n = H2SIM_MODEL_STOCKS + 1;
  double* s = (double*)calloc(H2SIM_MODEL_SLOTS, sizeof(double));
  double* x = (double*)calloc(n, sizeof(double));
  double* k1 = (double*)calloc(n, sizeof(double));
  double* k2 = (double*)calloc(n, sizeof(double));
  double* k3 = (double*)calloc(n, sizeof(double));
  double* k4 = (double*)calloc(n, sizeof(double));
  double* tmp = (double*)calloc(n, sizeof(double));
  double previous[H2SIM_PREVIOUS_COUNT + 1];
  long delay_steps[H2SIM_DELAY_COUNT + 1];
  double delay_initial[H2SIM_DELAY_COUNT + 1];
  double* delay_buffer[H2SIM_DELAY_COUNT + 1];
  long delay_size[H2SIM_DELAY_COUNT + 1];
  int status = 0, bad, k, d;
  long i, j;
  h2sim_lent = &h2sim_model_math;
  for (d = 0; d <= H2SIM_DELAY_COUNT; ++d) delay_buffer[d] = NULL;
  if (s == NULL || x == NULL || k1 == NULL || k2 == NULL || k3 == NULL || k4 == NULL ||
      tmp == NULL) {
    if (error != NULL && error_size > 0) snprintf(error, error_size, "out of memory");
    status = 2;
    goto done;
  }
  for (k = 0; k < H2SIM_LITERAL_COUNT; ++k) s[h2sim_literal_slots[k]] = h2sim_literal_values[k];
  for (k = 0; k < H2SIM_MODEL_PARAMETERS; ++k)
    s[h2sim_parameter_slots[k]] =
        parameters != NULL ? parameters[k] : h2sim_model_parameter_defaults[k];
  s[0] = s[2] = s[4] = h2sim_model_start; /* time, start, start of the step */
  s[1] = dt;
  s[3] = h2sim_model_stop;
  h2sim_init1(s, h2sim_lookup_x, h2sim_lookup_y, h2sim_schedules);
  bad = h2sim_model_nonfinite(s, H2SIM_VARIABLE_BEGIN, H2SIM_VARIABLE_END);
  if (bad >= 0) {
    status = h2sim_model_fail(s, bad, h2sim_model_start, " while computing initial values",
                              error, error_size);
    goto done;
  }
  memcpy(x, s + H2SIM_STOCK_BEGIN, sizeof(double) * H2SIM_MODEL_STOCKS);
  for (d = 0; d < H2SIM_DELAY_COUNT; ++d) {
    const double delay = s[h2sim_delays[d][2]];
    long steps;
    if (!(delay >= 0) || !isfinite(delay)) {
      if (error != NULL && error_size > 0)
        snprintf(error, error_size, "DELAY in %s: the delay time must be a finite number >= 0",
                 h2sim_slot_names[h2sim_delays[d][0] - H2SIM_VARIABLE_BEGIN]);
      status = 1;
      goto done;
    }
    steps = lround(delay / dt);
    delay_steps[d] = steps > 1 ? steps : 1;
    delay_initial[d] = s[h2sim_delays[d][3]];
    delay_size[d] = delay_steps[d] < H2SIM_MODEL_STEPS + 1 ? delay_steps[d] : H2SIM_MODEL_STEPS + 1;
    delay_buffer[d] = (double*)calloc((size_t)delay_size[d], sizeof(double));
    if (delay_buffer[d] == NULL) {
      status = 2;
      goto done;
    }
  }
  for (i = 0;; ++i) {
    const double t = h2sim_model_start + (double)i * dt;
    s[4] = t;
    for (d = 0; d < H2SIM_DELAY_COUNT; ++d)
      s[h2sim_delays[d][0]] = i >= delay_steps[d] ? delay_buffer[d][(i - delay_steps[d]) % delay_size[d]]
                                                  : delay_initial[d];
    h2sim_model_evaluate(s, x, t);
    bad = h2sim_model_nonfinite(s, H2SIM_DERIVATIVE_BEGIN, H2SIM_DERIVATIVE_BEGIN + H2SIM_MODEL_STOCKS);
    if (i % h2sim_model_save_stride == 0) {
      const long row = i / h2sim_model_save_stride;
      if (bad < 0) bad = h2sim_model_nonfinite(s, H2SIM_VARIABLE_BEGIN, H2SIM_VARIABLE_END);
      for (k = 0; k < H2SIM_MODEL_OUTPUTS; ++k)
        outputs[row * H2SIM_MODEL_OUTPUTS + k] = s[h2sim_output_slots[k]];
    } else if (bad < 0) {
      bad = h2sim_model_nonfinite(s, H2SIM_STOCK_BEGIN, H2SIM_STOCK_BEGIN + H2SIM_MODEL_STOCKS);
    }
    if (bad >= 0) {
      status = h2sim_model_fail(s, bad, t, "", error, error_size);
      goto done;
    }
    if (i == H2SIM_MODEL_STEPS) break;
    for (k = 0; k < H2SIM_PREVIOUS_COUNT; ++k) previous[k] = s[h2sim_previous[k][1]];
    for (d = 0; d < H2SIM_DELAY_COUNT; ++d) delay_buffer[d][i % delay_size[d]] = s[h2sim_delays[d][1]];
    memcpy(k1, s + H2SIM_DERIVATIVE_BEGIN, sizeof(double) * H2SIM_MODEL_STOCKS);
    if (h2sim_model_method == 0) { /* Euler: x = 1 * x + dt * dxdt, as Odeint sums */
      for (j = 0; j < H2SIM_MODEL_STOCKS; ++j) x[j] = 1.0 * x[j] + dt * k1[j];
    } else { /* RK4, as Odeint's generic Runge-Kutta sums its stages */
      const double half = 0.5 * dt, none = 0.0 * dt, whole = 1.0 * dt;
      const double sixth = (1.0 / 6.0) * dt, third = (1.0 / 3.0) * dt;
      for (j = 0; j < H2SIM_MODEL_STOCKS; ++j) tmp[j] = 1.0 * x[j] + half * k1[j];
      h2sim_model_evaluate(s, tmp, t + 0.5 * dt);
      memcpy(k2, s + H2SIM_DERIVATIVE_BEGIN, sizeof(double) * H2SIM_MODEL_STOCKS);
      for (j = 0; j < H2SIM_MODEL_STOCKS; ++j) tmp[j] = 1.0 * x[j] + none * k1[j] + half * k2[j];
      h2sim_model_evaluate(s, tmp, t + 0.5 * dt);
      memcpy(k3, s + H2SIM_DERIVATIVE_BEGIN, sizeof(double) * H2SIM_MODEL_STOCKS);
      for (j = 0; j < H2SIM_MODEL_STOCKS; ++j)
        tmp[j] = 1.0 * x[j] + none * k1[j] + none * k2[j] + whole * k3[j];
      h2sim_model_evaluate(s, tmp, t + 1.0 * dt);
      memcpy(k4, s + H2SIM_DERIVATIVE_BEGIN, sizeof(double) * H2SIM_MODEL_STOCKS);
      for (j = 0; j < H2SIM_MODEL_STOCKS; ++j)
        x[j] = 1.0 * x[j] + sixth * k1[j] + third * k2[j] + third * k3[j] + sixth * k4[j];
    }
    for (j = 0; j < H2SIM_MODEL_STOCKS; ++j)
      if (h2sim_non_negative[j] && x[j] < 0) x[j] = 0;
    for (k = 0; k < H2SIM_PREVIOUS_COUNT; ++k) s[h2sim_previous[k][0]] = previous[k];
  }
done:
  for (d = 0; d < H2SIM_DELAY_COUNT; ++d) free(delay_buffer[d]);
  free(s);
  free(x);
  free(k1);
  free(k2);
  free(k3);
  free(k4);
  free(tmp);
  return status;
}
)";

// `name` as a C array of `type` with the values `write` prints; C has no empty arrays, so an
// empty one holds a single unused zero.
template <class T, class F>
void array(std::ostringstream& out, const char* qualifiers, const char* type, const char* name,
           const std::vector<T>& values, F write) {
  out << qualifiers << type << " " << name << "[] = {";
  if (values.empty()) out << "0";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out << ",";
    out << (i % 8 == 0 ? "\n  " : " ");
    write(values[i]);
  }
  out << "};\n";
}

// Text that stays inside a C comment: "*/" would end it and turn the rest (a model's title,
// which its author chose) into code, "/*" inside one is a warning, and a line break would
// leave the comment's " * " margin.
std::string comment_text(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if ((c == '/' && !out.empty() && out.back() == '*') ||
        (c == '*' && !out.empty() && out.back() == '/'))
      out += ' ';
    out += c == '\n' || c == '\r' ? ' ' : c;
  }
  return out;
}

}  // namespace

std::string standalone_source(const ProgramData& p, const std::string& title) {
  if (p.time.method != Method::Euler && p.time.method != Method::RK4)
    throw ModelError(
        "a standalone model runs with Euler or RK4, as SD tools do; this model's "
        "method is " +
        to_string(p.time.method) + ": set `method: euler` (or rk4) and export again");
  const long steps = std::lround((p.time.stop - p.time.start) / p.time.dt);
  const double save = p.time.save_every > 0 ? p.time.save_every : p.time.dt;
  const long stride = std::max(1L, std::lround(save / p.time.dt));
  std::ostringstream out;
  out << "/* " << (title.empty() ? std::string("A model") : comment_text(title))
      << ", exported by h2sim (h2sim export --format c; docs/compiled.md).\n"
         " *\n"
         " * Build:  cc -std=gnu11 -O2 -ffp-contract=off -c model.c   (GCC or Clang)\n"
         " *         add -DH2SIM_SLEEF and link -lsleef for h2sim's exact exp, log and pow.\n"
         " * Run:    double out[H2SIM_MODEL_SAVES * H2SIM_MODEL_OUTPUTS];\n"
         " *         char error[256];\n"
         " *         if (h2sim_model_run(NULL, out, error, sizeof error) != 0) puts(error);\n"
         " * `parameters` (NULL: the defaults) holds H2SIM_MODEL_PARAMETERS values in the order\n"
         " * of h2sim_model_parameter_names; `out` gets the outputs at each saved time, row by\n"
         " * row. h2sim_model_run returns 0, 1 when a value became NaN or infinite (`error` says\n"
         " * which, and when), 2 when out of memory. It is reentrant except for the lent math\n"
         " * table, which every call sets to the same value. */\n";
  write_rules(out);
  out << kMath << "\n";
  write_kernel(p, out, false);
  out.precision(17);
  out << "#define H2SIM_MODEL_SLOTS " << p.slot_count << "\n#define H2SIM_MODEL_STOCKS "
      << p.stock_count << "\n#define H2SIM_MODEL_OUTPUTS " << p.outputs.size()
      << "\n#define H2SIM_MODEL_PARAMETERS " << p.parameters.size()
      << "\n#define H2SIM_MODEL_STEPS " << steps << "L\n#define H2SIM_MODEL_SAVES "
      << (steps / stride + 1) << "\n#define H2SIM_STOCK_BEGIN " << p.stock_begin
      << "\n#define H2SIM_DERIVATIVE_BEGIN " << p.derivative_begin
      << "\n#define H2SIM_VARIABLE_BEGIN " << p.variable_begin << "\n#define H2SIM_VARIABLE_END "
      << p.variable_end << "\n#define H2SIM_LITERAL_COUNT " << p.literals.size()
      << "\n#define H2SIM_PREVIOUS_COUNT " << p.previous.size() << "\n#define H2SIM_DELAY_COUNT "
      << p.delays.size() << "\n\n";
  out << "const double h2sim_model_start = " << c_number(p.time.start)
      << ";\nconst double h2sim_model_stop = " << c_number(p.time.stop)
      << ";\nconst double h2sim_model_dt = " << c_number(p.time.dt)
      << ";\nconst long h2sim_model_save_stride = " << stride
      << ";\nconst int h2sim_model_method = " << (p.time.method == Method::Euler ? 0 : 1)
      << "; /* 0 Euler, 1 RK4 */\n";
  auto number = [&](double v) { out << c_number(v); };
  auto integer = [&](std::int32_t v) { out << v; };
  auto text = [&](const std::string& s) { out << c_string(s); };
  std::vector<std::string> output_names, output_units, parameter_names;
  for (const OutputInfo& o : p.outputs) {
    output_names.push_back(o.name);
    output_units.push_back(o.units);
  }
  std::vector<double> defaults;
  for (const ParameterInfo& info : p.parameters) {
    parameter_names.push_back(info.name);
    defaults.push_back(info.value);
  }
  std::vector<std::int32_t> literal_slots;
  std::vector<double> literal_values;
  for (const auto& [slot, value] : p.literals) {
    literal_slots.push_back(slot);
    literal_values.push_back(value);
  }
  array(out, "const char* const ", "", "h2sim_model_output_names", output_names, text);
  array(out, "const char* const ", "", "h2sim_model_output_units", output_units, text);
  array(out, "const char* const ", "", "h2sim_model_parameter_names", parameter_names, text);
  array(out, "const ", "double", "h2sim_model_parameter_defaults", defaults, number);
  array(out, "static const ", "int", "h2sim_parameter_slots", p.parameter_slots, integer);
  array(out, "static const ", "int", "h2sim_output_slots", p.output_slots, integer);
  array(out, "static const ", "int", "h2sim_literal_slots", literal_slots, integer);
  array(out, "static const ", "double", "h2sim_literal_values", literal_values, number);
  array(out, "static const ", "double", "h2sim_lookup_x", p.lookup_x, number);
  array(out, "static const ", "double", "h2sim_lookup_y", p.lookup_y, number);
  // Scheduled levers read the model's own tables (h2sim binds others per run).
  out << "static const struct h2sim_table h2sim_schedules[] = {";
  for (const std::int32_t table : p.schedule_lookups) {
    const LookupTable& t = p.lookups[static_cast<std::size_t>(table)];
    out << "\n  {h2sim_lookup_x + " << t.offset << ", h2sim_lookup_y + " << t.offset << ", "
        << t.count << ", " << static_cast<int>(t.interpolation) << "},";
  }
  out << (p.schedule_lookups.empty() ? "{0, 0, 0, 0}" : "") << "};\n";
  array(out, "static const ", "unsigned char", "h2sim_non_negative", p.non_negative,
        [&](std::uint8_t v) { out << static_cast<int>(v); });
  array(out, "static const char* const ", "", "h2sim_slot_names", p.slot_names, text);
  out << "static const int h2sim_previous[][2] = {";
  for (const PreviousState& s : p.previous) out << "{" << s.slot << ", " << s.source << "}, ";
  out << (p.previous.empty() ? "{0, 0}" : "") << "};\nstatic const int h2sim_delays[][4] = {";
  for (const PipelineDelay& d : p.delays)
    out << "{" << d.slot << ", " << d.input << ", " << d.delay_time << ", " << d.initial << "}, ";
  out << (p.delays.empty() ? "{0, 0, 0, 0}" : "") << "};\n";
  out << kDriver;
  return out.str();
}

}  // namespace h2sim::detail
