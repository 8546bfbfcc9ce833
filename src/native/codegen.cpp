// The compiled backend's code generator (codegen.hpp says what it promises).
//
// Within a function, every value an instruction computes is a C local (`v12`), so the C
// compiler keeps it in a register; a value the simulator reads (a variable, a derivative)
// is also stored to its slot, and a temporary only when a later part of the function reads
// it. Long programs are cut into parts of kPartSize instructions, each its own function, so
// that the C compiler's time grows with the program's length, not faster.
#include "native/codegen.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <unordered_map>

#include "h2sim/error.hpp"
#include "native/embedded_rules.hpp"
#include "program/native_abi.h"

namespace h2sim::detail {

namespace {

constexpr std::size_t kPartSize = 1000;

// What both kinds of file start with: the rules, the vector type, the lent functions.
const char* const kPreamble = R"(
#include <math.h>
#include <stddef.h>
#include <string.h>

/* A block of H2SIM_LANES lanes as one value of the compiler's vector extension. */
typedef double h2sim_v8 __attribute__((vector_size(8 * H2SIM_LANES)));
typedef long long h2sim_m8 __attribute__((vector_size(8 * H2SIM_LANES)));

static const struct h2sim_math* h2sim_lent; /* exp, log and pow: the library's own */

static inline h2sim_v8 h2sim_load8(const double* p) {
  h2sim_v8 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
static inline void h2sim_store8(double* p, h2sim_v8 v) { __builtin_memcpy(p, &v, sizeof v); }
static inline h2sim_v8 h2sim_splat(double x) {
  h2sim_v8 v = {x, x, x, x, x, x, x, x};
  return v;
}
/* Lane by lane: m ? a : b, with m all ones or all zeros (a vector comparison). */
static inline h2sim_v8 h2sim_select8(h2sim_m8 m, h2sim_v8 a, h2sim_v8 b) {
  return (h2sim_v8)(((h2sim_m8)a & m) | ((h2sim_m8)b & ~m));
}
static inline h2sim_v8 h2sim_truth8(h2sim_m8 m) {
  return h2sim_select8(m, h2sim_splat(1.0), h2sim_splat(0.0));
}
static inline h2sim_v8 h2sim_exp8(h2sim_v8 a) {
  h2sim_v8 r;
  h2sim_lent->exp8((const double*)&a, (double*)&r);
  return r;
}
static inline h2sim_v8 h2sim_log8(h2sim_v8 a) {
  h2sim_v8 r;
  h2sim_lent->log8((const double*)&a, (double*)&r);
  return r;
}
static inline h2sim_v8 h2sim_pow8(h2sim_v8 a, h2sim_v8 b) {
  h2sim_v8 r;
  h2sim_lent->pow8((const double*)&a, (const double*)&b, (double*)&r);
  return r;
}
)";

// One function of the kernel (initialisation or evaluation) at one width.
class FunctionWriter {
 public:
  FunctionWriter(const ProgramData& p, int width, std::ostringstream& out)
      : p_(p), width_(width), out_(out) {
    for (const auto& [slot, value] : p.literals) literals_.emplace(slot, value);
    temporaries_begin_ = p.derivative_begin + p.stock_count;
  }

  void write(const std::string& name, const std::vector<Instruction>& code) {
    plan_stores(code);
    const std::size_t parts = std::max<std::size_t>(1, (code.size() + kPartSize - 1) / kPartSize);
    for (std::size_t part = 0; part < parts; ++part) {
      out_ << "__attribute__((noinline)) static void " << name << "_" << part
           << "(double* s, const double* lx, const double* ly, const struct h2sim_table* tb) {\n"
           << "  (void)lx;\n  (void)ly;\n  (void)tb;\n";
      names_.clear();
      const std::size_t end = std::min(code.size(), (part + 1) * kPartSize);
      for (std::size_t i = part * kPartSize; i < end; ++i) statement(code[i], i);
      out_ << "}\n";
    }
    out_ << "static void " << name
         << "(double* s, const double* lx, const double* ly, const struct h2sim_table* tb) {\n";
    for (std::size_t part = 0; part < parts; ++part)
      out_ << "  " << name << "_" << part << "(s, lx, ly, tb);\n";
    out_ << "}\n\n";
  }

 private:
  bool vector() const { return width_ > 1; }
  const char* type() const { return vector() ? "h2sim_v8" : "double"; }
  bool temporary(std::int32_t slot) const {
    return slot >= temporaries_begin_ && !literals_.count(slot);
  }
  std::string memory(std::int32_t slot) const {
    return vector() ? "s + " + std::to_string(static_cast<long>(slot) * width_)
                    : "s[" + std::to_string(slot) + "]";
  }

  // Which instructions' results a later part reads from memory (temporaries only: every
  // other result is stored anyway).
  void plan_stores(const std::vector<Instruction>& code) {
    store_.assign(code.size(), false);
    std::vector<std::int64_t> last_write(static_cast<std::size_t>(p_.slot_count), -1);
    for (std::size_t i = 0; i < code.size(); ++i) {
      const Instruction& in = code[i];
      auto read = [&](std::int32_t s) {
        const std::int64_t w = last_write[static_cast<std::size_t>(s)];
        if (w >= 0 && temporary(s) && static_cast<std::size_t>(w) / kPartSize != i / kPartSize)
          store_[static_cast<std::size_t>(w)] = true;
      };
      read(in.a);
      if (reads_b(in.op)) read(in.b);
      if (reads_c(in)) read(in.c);
      last_write[static_cast<std::size_t>(in.dst)] = static_cast<std::int64_t>(i);
    }
  }

  // The C name of a slot's current value in this part, loading it on first use.
  std::string operand(std::int32_t slot) {
    if (const auto it = names_.find(slot); it != names_.end()) return it->second;
    const std::string name = "m" + std::to_string(slot);
    if (const auto lit = literals_.find(slot); lit != literals_.end()) {
      out_ << "  const " << type() << " " << name << " = "
           << (vector() ? "h2sim_splat(" + c_number(lit->second) + ")" : c_number(lit->second))
           << ";\n";
    } else {
      out_ << "  const " << type() << " " << name << " = "
           << (vector() ? "h2sim_load8(" + memory(slot) + ")" : memory(slot)) << ";\n";
    }
    names_[slot] = name;
    return name;
  }

  void statement(const Instruction& in, std::size_t index) {
    const std::string a = operand(in.a);
    const std::string b = reads_b(in.op) ? operand(in.b) : std::string();
    const std::string c = reads_c(in) ? operand(in.c) : std::string();
    const std::string d = "v" + std::to_string(index);
    const std::string value = expression(in, d, a, b, c);
    if (!value.empty()) out_ << "  const " << type() << " " << d << " = " << value << ";\n";
    names_[in.dst] = d;
    if (!temporary(in.dst) || store_[index])
      out_ << "  "
           << (vector() ? "h2sim_store8(" + memory(in.dst) + ", " + d + ")"
                        : memory(in.dst) + " = " + d)
           << ";\n";
  }

  // Lane by lane for a block: `expr` of lane l (operands as a[l]), into d.
  std::string lanewise(const std::string& d, const std::string& expr) {
    out_ << "  " << type() << " " << d << ";\n"
         << "  for (int l = 0; l < H2SIM_LANES; ++l) " << d << "[l] = " << expr << ";\n";
    return "";
  }

  // The value of `in` as a C expression over its operands' names; "" when the statement
  // was written already (lane by lane). Longer than 100 lines on purpose: one case per
  // instruction, beside which the kernel's own switch (kernel.hpp) can be read line by line.
  std::string expression(const Instruction& in, const std::string& d, const std::string& a,
                         const std::string& b, const std::string& c) {
    const bool v = vector();
    auto compare = [&](const char* op) {
      return v ? "h2sim_truth8((h2sim_m8)(" + a + " " + op + " " + b + "))"
               : "(" + a + " " + op + " " + b + ") ? 1.0 : 0.0";
    };
    auto select = [&](const std::string& m, const std::string& x, const std::string& y) {
      return v ? "h2sim_select8((h2sim_m8)(" + m + "), " + x + ", " + y + ")"
               : "(" + m + ") ? " + x + " : " + y;
    };
    const std::string zero = v ? "h2sim_splat(0.0)" : "0.0";
    auto scalar_call = [&](const std::string& f) {
      return v ? lanewise(d, f + "(" + a + "[l])") : f + "(" + a + ")";
    };
    std::string step_time;  // loaded only where an instruction reads it
    if (in.op == Op::Step || in.op == Op::Ramp || in.op == Op::Pulse)
      step_time = operand(kStepTimeSlot);
    switch (in.op) {
      case Op::Copy:
        return a;
      case Op::Add:
        return a + " + " + b;
      case Op::Sub:
        return a + " - " + b;
      case Op::Mul:
        return a + " * " + b;
      case Op::Div:
        return a + " / " + b;
      case Op::Pow:
        return v ? "h2sim_pow8(" + a + ", " + b + ")" : "h2sim_lent->pow1(" + a + ", " + b + ")";
      case Op::Mod:
        return v ? lanewise(d, "h2sim_floored_mod(" + a + "[l], " + b + "[l])")
                 : "h2sim_floored_mod(" + a + ", " + b + ")";
      case Op::Neg:
        return "-" + a;
      case Op::Not:
        return v ? "h2sim_truth8((h2sim_m8)(" + a + " == 0.0))" : "(" + a + " == 0.0) ? 1.0 : 0.0";
      case Op::Lt:
        return compare("<");
      case Op::Le:
        return compare("<=");
      case Op::Gt:
        return compare(">");
      case Op::Ge:
        return compare(">=");
      case Op::Eq:
        return compare("==");
      case Op::Ne:
        return compare("!=");
      case Op::And:
        return v ? "h2sim_truth8((h2sim_m8)(" + a + " != 0.0) & (h2sim_m8)(" + b + " != 0.0))"
                 : "(" + a + " != 0.0 && " + b + " != 0.0) ? 1.0 : 0.0";
      case Op::Or:
        return v ? "h2sim_truth8((h2sim_m8)(" + a + " != 0.0) | (h2sim_m8)(" + b + " != 0.0))"
                 : "(" + a + " != 0.0 || " + b + " != 0.0) ? 1.0 : 0.0";
      case Op::Select:
        return select(a + " != 0.0", b, c);
      case Op::Abs:
        // As Eigen: the sign bit cleared (fabs), lane by lane the same.
        return v ? "(h2sim_v8)((h2sim_m8)" + a + " & 0x7fffffffffffffffLL)"
                 : "__builtin_fabs(" + a + ")";
      case Op::Min:  // as std::min and Eigen's pmin: b < a ? b : a
        return select(b + " < " + a, b, a);
      case Op::Max:  // as std::max and Eigen's pmax: a < b ? b : a
        return select(a + " < " + b, b, a);
      case Op::Exp:
        return v ? "h2sim_exp8(" + a + ")" : "h2sim_lent->exp1(" + a + ")";
      case Op::Ln:
        return v ? "h2sim_log8(" + a + ")" : "h2sim_lent->log1(" + a + ")";
      case Op::Log10:
        return scalar_call("log10");
      case Op::Sqrt:
        return scalar_call("__builtin_sqrt");
      case Op::Sin:
        return scalar_call("sin");
      case Op::Cos:
        return scalar_call("cos");
      case Op::Tan:
        return scalar_call("tan");
      case Op::Asin:
        return scalar_call("asin");
      case Op::Acos:
        return scalar_call("acos");
      case Op::Atan:
        return scalar_call("atan");
      case Op::Floor:
        return scalar_call("__builtin_floor");
      case Op::Trunc:
        return scalar_call("__builtin_trunc");
      case Op::Round:
        return scalar_call("__builtin_round");
      case Op::Sinh:
        return scalar_call("sinh");
      case Op::Cosh:
        return scalar_call("cosh");
      case Op::Tanh:
        return scalar_call("tanh");
      case Op::Rem:
        return v ? lanewise(d, "fmod(" + a + "[l], " + b + "[l])") : "fmod(" + a + ", " + b + ")";
      case Op::SafeDiv:
        return select(b + " != 0.0", a + " / " + b, c);
      case Op::Step:
        return select(step_time + " >= " + b, a, zero);
      case Op::Ramp: {
        // held = min(t, end) as Eigen's min: end < t ? end : t.
        const std::string held =
            in.c >= 0 ? "(" + select(c + " < " + step_time, c, step_time) + ")" : step_time;
        return select(step_time + " > " + b, a + " * (" + held + " - " + b + ")", zero);
      }
      case Op::Pulse: {
        const std::string dt = operand(kDtSlot);
        if (v)
          return lanewise(d, "h2sim_pulse(" + a + "[l], " + step_time + "[l], " + dt + "[l], " + b +
                                 "[l], " + (in.c >= 0 ? c + "[l]" : std::string("0.0")) + ")");
        return "h2sim_pulse(" + a + ", " + step_time + ", " + dt + ", " + b + ", " +
               (in.c >= 0 ? c : std::string("0.0")) + ")";
      }
      case Op::Lookup: {
        const LookupTable& t = p_.lookups[static_cast<std::size_t>(in.b)];
        const std::string call = "h2sim_interpolate(lx + " + std::to_string(t.offset) + ", ly + " +
                                 std::to_string(t.offset) + ", " + std::to_string(t.count) + ", " +
                                 std::to_string(static_cast<int>(t.interpolation)) + ", ";
        return v ? lanewise(d, call + a + "[l])") : call + a + ")";
      }
      case Op::Schedule: {
        // The table this run (and lane) bound to schedule b, as the interpreter reads it.
        const std::string k = std::to_string(static_cast<long>(in.b) * width_);
        if (v)
          return lanewise(d, "h2sim_interpolate(tb[" + k + " + l].x, tb[" + k +
                                 " + l].y, (size_t)tb[" + k + " + l].count, tb[" + k +
                                 " + l].mode, " + a + "[l])");
        return "h2sim_interpolate(tb[" + k + "].x, tb[" + k + "].y, (size_t)tb[" + k +
               "].count, tb[" + k + "].mode, " + a + ")";
      }
    }
    throw ModelError("the compiled backend cannot write an instruction of kind " +
                     std::to_string(static_cast<int>(in.op)));
  }

  const ProgramData& p_;
  int width_;
  std::ostringstream& out_;
  std::unordered_map<std::int32_t, double> literals_;
  std::int32_t temporaries_begin_ = 0;
  std::vector<bool> store_;
  std::unordered_map<std::int32_t, std::string> names_;  // slot -> its value's name in this part
};

}  // namespace

// A double as a C literal that reads back to the same bits.
std::string c_number(double v) {
  if (std::isnan(v)) return "(__builtin_nan(\"\"))";
  if (std::isinf(v)) return v > 0 ? "(__builtin_inf())" : "(-__builtin_inf())";
  char text[64];
  std::snprintf(text, sizeof text, "(%a)", v);
  return text;
}

std::string c_string(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    // '?' escaped too: "??/" is a backslash where a compiler reads trigraphs (-std=c11).
    if (ch == '"' || ch == '\\' || ch == '?') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      char octal[8];
      std::snprintf(octal, sizeof octal, "\\%03o", c);
      out += octal;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

void write_rules(std::ostringstream& out) {
  out << embedded::kNativeAbi << "\n"
      << embedded::kInterpolationRule << "\n"
      << embedded::kKernelRules << "\n"
      << kPreamble << "\n";
}

void write_kernel(const ProgramData& p, std::ostringstream& out, bool blocks) {
  FunctionWriter one(p, 1, out);
  one.write("h2sim_init1", p.init_code);
  one.write("h2sim_step1", p.step_code);
  if (!blocks) return;
  FunctionWriter eight(p, H2SIM_LANES, out);
  eight.write("h2sim_init8", p.init_code);
  eight.write("h2sim_step8", p.step_code);
}

std::string backend_source(const ProgramData& p) {
  std::ostringstream out;
  out << "/* h2sim compiled model: " << p.step_code.size() << " instructions an evaluation, "
      << p.slot_count << " slots. Generated by h2sim; see docs/compiled.md. */\n";
  write_rules(out);
  write_kernel(p, out, true);
  out << "static const struct h2sim_native_kernel h2sim_kernel = {H2SIM_NATIVE_ABI, "
      << p.slot_count << ", h2sim_init1, h2sim_step1, h2sim_init8, h2sim_step8};\n\n"
      << "__attribute__((visibility(\"default\"))) const struct h2sim_native_kernel*\n"
      << "h2sim_native_entry(const struct h2sim_math* lent) {\n"
      << "  h2sim_lent = lent;\n  return &h2sim_kernel;\n}\n";
  return out.str();
}

}  // namespace h2sim::detail
