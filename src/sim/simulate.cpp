// simulate / simulate_batch: drive a Program through time with Boost.Odeint.
//
// Lanes are run in blocks of W: the state of a block is [stock][lane], so every
// instruction advances W runs at once. Fixed-step methods (Euler, RK4) run batches in
// blocks of kBlockWidth; adaptive methods control their step size on one lane at a time
// (W = 1), because a shared step size would couple the lanes of a block.
//
// Over 800 lines: the plan of a run, the fixed-step and adaptive drivers and the batch
// driver share the run's invariants (state layout, saving, finite checks); the split to make
// when it next grows is the time-settings plan (make_plan and its checks) into its own file.
#include "h2sim/simulate.hpp"

#include <algorithm>
#include <atomic>
#include <boost/numeric/odeint/stepper/generation.hpp>
#include <boost/numeric/odeint/stepper/runge_kutta4.hpp>
#include <boost/numeric/odeint/stepper/runge_kutta_dopri5.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>

#include "core/counting.hpp"
#include "h2sim/error.hpp"
#include "h2sim/limits.hpp"
#include "program/access.hpp"
#include "program/kernel.hpp"
#include "program/program_data.hpp"
#include "sim/stiff.hpp"

namespace h2sim {

namespace {

namespace odeint = boost::numeric::odeint;

// memcpy of n doubles; a model without stocks copies none, and its empty vectors may hand
// out null pointers, which memcpy must never see.
void copy_values(double* to, const double* from, std::size_t n) {
  if (n > 0) std::memcpy(to, from, n * sizeof(double));
}
using detail::Block;
using detail::ProgramData;
using detail::SlotVector;

constexpr int kBlockWidth = H2SIM_LANES;  // 8 doubles: one AVX-512 register, two AVX2 registers

// Everything about a run that does not depend on the lane.
struct RunPlan {
  double start = 0, stop = 0, dt = 0, save_every = 0;
  Method method = Method::Euler;
  double rtol = 1e-6, atol = 1e-9;
  long steps = 0;        // dt steps from start to stop
  long save_stride = 1;  // fixed-step methods: save every save_stride steps
  long saves = 0;
  std::vector<std::int32_t> output_slots;
  std::vector<std::string> output_names, output_units;
  std::vector<double> times;
};

bool is_multiple(double a, double b) {
  const double r = a / b;
  return std::abs(r - std::round(r)) <= 1e-6 * std::max(1.0, std::abs(r));
}

// "1e+19" for messages: std::to_string prints 1e19 with twenty digits and 1e-9 as 0.
std::string number_text(double v) {
  std::ostringstream out;
  out.precision(10);
  out << v;
  return out.str();
}

// How finely a run's times must be resolved: dt (and the save interval) at least this
// fraction of the largest time, so that start + k * dt is a new number for every k, with
// digits to spare. Doubles hold about 16 significant digits; this keeps 4 for the steps.
constexpr double kTimeResolution = 1e-12;

// Longer than 100 lines: every check of a run's time settings, in the order a user reads the
// errors (start, stop, dt, method, save interval, counts, resolution), so that each message
// names the setting at fault; split it by setting when it next grows.
RunPlan make_plan(const Program& program, const SimulationOptions& o) {
  const ProgramData& p = detail::ProgramAccess::data(program);
  RunPlan plan;
  plan.start = o.start.value_or(p.time.start);
  plan.stop = o.stop.value_or(p.time.stop);
  plan.dt = o.dt.value_or(p.time.dt);
  const double save = o.save_every.value_or(p.time.save_every);
  // A model's 0 means "every dt"; a run's save_every must be a real interval.
  plan.save_every = !o.save_every && !(save > 0) ? plan.dt : save;
  plan.method = o.method.value_or(p.time.method);
  plan.rtol = o.relative_tolerance;
  plan.atol = o.absolute_tolerance;
  // An error about settings that all came from the model points at the model's time
  // settings (file and line); one about a setting given for this run says so.
  auto bad = [&](const std::string& m, std::initializer_list<bool> overridden) {
    const bool from_run =
        std::any_of(overridden.begin(), overridden.end(), [](bool b) { return b; });
    throw SimulationError(m + (from_run ? " (in the time settings given for this run)" : ""),
                          from_run ? Location{} : p.time.location);
  };
  const bool by_start = o.start.has_value(), by_stop = o.stop.has_value(), by_dt = o.dt.has_value(),
             by_save = o.save_every.has_value();
  if (!std::isfinite(plan.start)) bad("the start time must be a finite number", {by_start});
  if (!std::isfinite(plan.stop)) bad("the stop time must be a finite number", {by_stop});
  if (!(plan.stop > plan.start))
    bad("the stop time (" + number_text(plan.stop) + ") must be after the start time (" +
            number_text(plan.start) + ")",
        {by_start, by_stop});
  if (!(plan.dt > 0) || !std::isfinite(plan.dt))
    bad("dt must be a positive number, not " + number_text(plan.dt), {by_dt});
  if (!(plan.save_every > 0) || !std::isfinite(plan.save_every))
    bad("save_every must be a positive number, not " + number_text(plan.save_every), {by_save});
  if (!(plan.rtol > 0) || !(plan.atol > 0) || !std::isfinite(plan.rtol) ||
      !std::isfinite(plan.atol))
    bad("tolerances must be positive numbers", {true});
  const double span = plan.stop - plan.start;
  // Counted in floating point first: no integer conversion can overflow below.
  const double steps = std::round(span / plan.dt);
  if (!(steps >= 1))
    bad("dt (" + number_text(plan.dt) + ") is longer than the run from " +
            number_text(plan.start) + " to " + number_text(plan.stop) +
            ": a run takes at least one step",
        {by_start, by_stop, by_dt});
  const auto max_steps = static_cast<double>(limit(Limit::Steps));
  if (!(steps <= max_steps))
    bad(limit_message(Limit::Steps, "the run from " + number_text(plan.start) + " to " +
                                        number_text(plan.stop) + " takes " + number_text(steps) +
                                        " steps of dt " + number_text(plan.dt)),
        {by_start, by_stop, by_dt});
  const double largest_time = std::max(std::abs(plan.start), std::abs(plan.stop));
  if (!std::isfinite(span) || plan.dt < kTimeResolution * largest_time ||
      plan.save_every < kTimeResolution * largest_time)
    bad("dt (" + number_text(plan.dt) + ") and save_every (" + number_text(plan.save_every) +
            ") must be at least 1e-12 of the largest time (" + number_text(largest_time) +
            "): a double holds about 16 digits, so TIME could not tell one step from the next; "
            "start the time axis nearer 0, or take larger steps",
        {by_start, by_stop, by_dt, by_save});
  if (!is_multiple(span, plan.dt))
    bad("the run length " + number_text(span) +
            " is not a whole number of dt steps (dt = " + number_text(plan.dt) + ")",
        {by_start, by_stop, by_dt});
  plan.steps = static_cast<long>(steps);
  const bool fixed = plan.method == Method::Euler || plan.method == Method::RK4;
  // A save interval longer than the run saves the start alone.
  double saves = 1;
  if (fixed) {
    if (!is_multiple(plan.save_every, plan.dt))
      bad("save_every (" + number_text(plan.save_every) + ") must be a multiple of dt (" +
              number_text(plan.dt) + ") for fixed-step methods",
          {by_save, by_dt});
    const double stride = std::max(1.0, std::round(plan.save_every / plan.dt));
    plan.save_stride = stride > steps ? plan.steps + 1 : static_cast<long>(stride);
    saves = std::floor(steps / static_cast<double>(plan.save_stride)) + 1;
  } else {
    saves = std::floor(span / plan.save_every + 1e-9) + 1;
  }
  const auto max_saved = static_cast<double>(limit(Limit::SavedValues));
  if (!(saves <= max_saved))
    bad(limit_message(Limit::SavedValues, "saving every " + number_text(plan.save_every) +
                                              " from " + number_text(plan.start) + " to " +
                                              number_text(plan.stop) + " saves " +
                                              number_text(saves) + " times"),
        {by_start, by_stop, by_save});
  plan.saves = static_cast<long>(saves);
  plan.times.resize(static_cast<std::size_t>(plan.saves));
  for (long k = 0; k < plan.saves; ++k)
    plan.times[static_cast<std::size_t>(k)] =
        fixed ? plan.start + static_cast<double>(k * plan.save_stride) * plan.dt
              : plan.start + static_cast<double>(k) * plan.save_every;

  // Outputs: names resolved once, here, never in the step loop. A variable named twice (or by
  // two spellings, or whole and by element) is reported once: two columns of one name would
  // make the results ambiguous.
  std::vector<char> reported(p.outputs.size(), 0);
  auto add_output = [&](std::size_t i) {
    if (reported[i] != 0) return;
    reported[i] = 1;
    plan.output_slots.push_back(p.output_slots[i]);
    plan.output_names.push_back(p.outputs[i].name);
    plan.output_units.push_back(p.outputs[i].units);
  };
  if (o.outputs.empty()) {
    for (std::size_t i = 0; i < p.outputs.size(); ++i) add_output(i);
  } else {
    for (const std::string& name : o.outputs) {
      const int i = program.find_output(name);
      if (i >= 0) {
        add_output(static_cast<std::size_t>(i));
        continue;
      }
      const std::string key = canonical_name(name);
      const auto group = std::find_if(p.output_groups.begin(), p.output_groups.end(),
                                      [&](const auto& g) { return g.first == key; });
      if (group == p.output_groups.end()) {
        Location where;
        where.variable = name;
        throw ModelError("no such variable to report", where);
      }
      for (const std::int32_t k : group->second) add_output(static_cast<std::size_t>(k));
    }
  }
  return plan;
}

// Per-lane parameter values and schedule tables, resolved from names once.
struct LaneParameters {
  std::vector<double> defaults;            // per parameter
  std::vector<std::vector<int>> columns;   // table column -> parameter indices
  const Eigen::MatrixXd* table = nullptr;  // lanes x columns (may be empty)
  std::size_t lanes = 1;

  // Per schedule: the table every lane reads unless a column below gives its own.
  std::vector<detail::BoundTable> tables;
  // (table column, schedule): the schedule holds the lane's number for the whole run.
  std::vector<std::pair<Eigen::Index, int>> held;
  // Lever trajectories: a column of tables and the schedules it binds.
  std::vector<std::pair<const ScheduleColumn*, std::vector<int>>> trajectories;

  void fill(std::size_t lane, double* out) const {
    std::copy(defaults.begin(), defaults.end(), out);
    if (table == nullptr) return;
    for (std::size_t c = 0; c < columns.size(); ++c)
      for (const int p : columns[c])
        out[p] = (*table)(static_cast<Eigen::Index>(lane), static_cast<Eigen::Index>(c));
  }

  // The table of each schedule for `lane`, in the order the columns were given.
  void bind(std::size_t lane, detail::BoundTable* out) const {
    std::copy(tables.begin(), tables.end(), out);
    for (const auto& [column, k] : held) {
      const double* v = &(*table)(static_cast<Eigen::Index>(lane), column);
      out[k] = {v, v, 1, Interpolation::Continuous};
    }
    for (const auto& [column, schedules] : trajectories) {
      const GraphicalFunction& gf = column->tables[table_index(*column, lane)];
      for (const int k : schedules) out[k] = bound(gf);
    }
  }

  static std::size_t table_index(const ScheduleColumn& column, std::size_t lane) {
    if (!column.table_of_lane.empty()) return column.table_of_lane[lane];
    return column.tables.size() == 1 ? 0 : lane;
  }
  static detail::BoundTable bound(const GraphicalFunction& gf) {
    return {gf.x.data(), gf.y.data(), static_cast<std::int32_t>(gf.x.size()), gf.interpolation};
  }
};

// A lever trajectory must be a table the kernel can read: points, in time order, finite.
void check_schedule_table(const GraphicalFunction& gf, const std::string& name,
                          const std::string& which) {
  Location where;
  where.variable = name;
  auto bad = [&](const std::string& m) { throw ModelError(which + m, where); };
  if (gf.x.empty()) bad("a lever trajectory needs at least one point");
  if (gf.x.size() != gf.y.size())
    bad("a lever trajectory needs as many times (" + std::to_string(gf.x.size()) + ") as values (" +
        std::to_string(gf.y.size()) + ")");
  if (gf.x.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    bad("a lever trajectory has too many points");
  for (std::size_t i = 0; i < gf.x.size(); ++i) {
    if (!std::isfinite(gf.x[i]) || !std::isfinite(gf.y[i]))
      bad("the times and values of a lever trajectory must be finite numbers");
    if (i > 0 && gf.x[i] < gf.x[i - 1]) bad("the times of a lever trajectory must not decrease");
    if (i > 0 && gf.x[i] == gf.x[i - 1] && gf.interpolation == Interpolation::Extrapolate)
      bad("a lever trajectory that extrapolates cannot repeat a time");
  }
}

// A structural parameter (the order of a SMTHN/DELAYN) was compiled into the program; a run
// that asks for another value would silently get the compiled one.
void reject_structural(const Program& program, int parameter, const std::string& name,
                       double value) {
  const ParameterInfo& p = program.parameters()[static_cast<std::size_t>(parameter)];
  if (!p.structural || value == p.value) return;
  Location where;
  where.variable = name;
  throw ModelError(
      "is the order of a SMTHN or DELAYN, which fixes the compiled structure: a run "
      "cannot change it; set it in the model and compile again",
      where);
}

// A trajectory for a constant that the model does not schedule: it needs a Program compiled
// with the constant as a schedule (Model::set_time_schedule), so that lanes can bind tables.
[[noreturn]] void throw_not_scheduled(const std::string& name) {
  Location where;
  where.variable = name;
  throw ModelError(
      "is a constant, not a lever schedule: a run can set it to a number; to drive it over "
      "time, schedule it in the model (a scenario's `levers:`, Model::set_time_schedule) and "
      "compile again",
      where);
}

void check_schedule_column(const ScheduleColumn& column, std::size_t lanes) {
  Location where;
  where.variable = column.name;
  if (column.tables.empty()) throw ModelError("a lever trajectory column needs tables", where);
  if (!column.table_of_lane.empty()) {
    if (column.table_of_lane.size() != lanes)
      throw ModelError("gives a table for " + std::to_string(column.table_of_lane.size()) +
                           " lanes in a batch of " + std::to_string(lanes),
                       where);
    for (const std::size_t t : column.table_of_lane)
      if (t >= column.tables.size())
        throw ModelError("a lane names table " + std::to_string(t) + " of " +
                             std::to_string(column.tables.size()),
                         where);
  } else if (column.tables.size() != 1 && column.tables.size() != lanes) {
    throw ModelError("gives " + std::to_string(column.tables.size()) + " tables for a batch of " +
                         std::to_string(lanes) + " lanes: give one, or one per lane",
                     where);
  }
  for (std::size_t t = 0; t < column.tables.size(); ++t)
    check_schedule_table(column.tables[t], column.name,
                         column.tables.size() > 1 ? "table " + std::to_string(t) + ": " : "");
}

// Runs W lanes through one simulation.
template <int W>
class BlockRunner {
 public:
  using State = std::vector<double>;

  BlockRunner(const ProgramData& p, const detail::NativeCode* native, const RunPlan& plan)
      : p_(p),
        native_(native != nullptr ? native->kernel : nullptr),
        plan_(plan),
        slots_(static_cast<std::size_t>(p.slot_count)),
        x_(static_cast<std::size_t>(p.stock_count) * W),
        dxdt_(x_.size()),
        previous_pending_(p.previous.size()),
        params_(p.parameters.size()),
        lane_tables_(p.schedules.size()),
        tables_(p.schedules.size() * W) {
    for (auto& s : slots_) s.setZero();
    for (const auto& [slot, value] : p.literals)
      slots_[static_cast<std::size_t>(slot)].setConstant(value);
    for (std::int32_t k = 0; k < p.stock_count; ++k)
      if (p.non_negative[static_cast<std::size_t>(k)]) non_negative_.push_back(k);
  }

  // Runs lanes [first, first + count) of `lanes`, writing [lane][time][output] rows.
  void run(const LaneParameters& lanes, std::size_t first, std::size_t count, double* out) {
    first_lane_ = first;
    active_ = count;
    out_ = out;
    set_parameters(lanes);
    try {
      if (plan_.method == Method::Euler || plan_.method == Method::RK4) {
        run_fixed();
      } else if constexpr (W == 1) {
        if (x_.empty()) {
          run_clock_only();
        } else {
          run_adaptive();
        }
      }
    } catch (const Error&) {
      throw;
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      // Odeint gives up on a step size it cannot find (a stiff model under dopri5, a
      // derivative that jumps): say so as the run's error.
      throw SimulationError(std::string("the ") + to_string(plan_.method) +
                                " integrator stopped: " + e.what() +
                                " (a stiff model? try rosenbrock4, or euler with a small dt)",
                            p_.time.location);
    }
  }

 private:
  Block<W>& slot(std::int32_t i) { return slots_[static_cast<std::size_t>(i)]; }

  // The initialisation or one evaluation: the compiled backend's machine code where the
  // Program has it, else the interpreter. The same results, bit for bit.
  void run_code(bool initial) {
    if constexpr (W == 1 || W == H2SIM_LANES) {
      if (native_ != nullptr) {
        const h2sim_code code = W == 1 ? (initial ? native_->init1 : native_->step1)
                                       : (initial ? native_->init8 : native_->step8);
        code(slots_.data()->data(), p_.lookup_x.data(), p_.lookup_y.data(),
             reinterpret_cast<const h2sim_table*>(tables_.data()));
        return;
      }
    }
    const std::vector<detail::Instruction>& code = initial ? p_.init_code : p_.step_code;
    detail::execute<W>(p_, code.data(), code.size(), slots_.data(), tables_.data());
  }

  void set_parameters(const LaneParameters& lanes) {
    for (int l = 0; l < W; ++l) {
      // Lanes past the end of the batch repeat the first lane, so they stay finite.
      const std::size_t lane =
          first_lane_ + (static_cast<std::size_t>(l) < active_ ? static_cast<std::size_t>(l) : 0);
      lanes.fill(lane, params_.data());
      for (std::size_t k = 0; k < params_.size(); ++k) slot(p_.parameter_slots[k])[l] = params_[k];
      lanes.bind(lane, lane_tables_.data());
      for (std::size_t k = 0; k < lane_tables_.size(); ++k)
        tables_[k * W + static_cast<std::size_t>(l)] = lane_tables_[k];
    }
  }

  void initialise() {
    slot(detail::kTimeSlot).setConstant(plan_.start);
    slot(detail::kStepTimeSlot).setConstant(plan_.start);
    slot(detail::kDtSlot).setConstant(plan_.dt);
    slot(detail::kStartSlot).setConstant(plan_.start);
    slot(detail::kStopSlot).setConstant(plan_.stop);
    run_code(true);
    check_finite(plan_.start, "while computing initial values");
    if (!x_.empty()) copy_values(x_.data(), slot(p_.stock_begin).data(), x_.size());
    // Pipeline delays: the number of dt steps each lane delays by, fixed from here on.
    delay_steps_.assign(p_.delays.size() * W, 1);
    delay_initial_.assign(p_.delays.size() * W, 0.0);
    delay_buffers_.assign(p_.delays.size() * W, {});
    for (std::size_t d = 0; d < p_.delays.size(); ++d) {
      for (int l = 0; l < W; ++l) {
        const double t = slot(p_.delays[d].delay_time)[l];
        const std::size_t k = d * W + static_cast<std::size_t>(l);
        if (!(t >= 0) || !std::isfinite(t))
          fail(p_.delays[d].slot, "",
               "the delay time must be a finite number >= 0, not " + std::to_string(t));
        // Counted in floating point: a delay longer than the run (1e30, say) gives its
        // initial value throughout, as a delay of steps + 1 does.
        const double steps = std::max(1.0, std::round(t / plan_.dt));
        delay_steps_[k] =
            steps > static_cast<double>(plan_.steps) ? plan_.steps + 1 : static_cast<long>(steps);
        delay_initial_[k] = slot(p_.delays[d].initial)[l];
        delay_buffers_[k].assign(
            static_cast<std::size_t>(std::min(delay_steps_[k], plan_.steps + 1)), 0.0);
      }
    }
  }

  // --- discrete state: PREVIOUS and pipeline DELAY, once per dt ------------------
  void begin_step(long i) {
    for (std::size_t d = 0; d < p_.delays.size(); ++d) {
      Block<W>& out = slot(p_.delays[d].slot);
      for (int l = 0; l < W; ++l) {
        const std::size_t k = d * W + static_cast<std::size_t>(l);
        const long n = delay_steps_[k];
        out[l] = i >= n ? delay_buffers_[k][static_cast<std::size_t>(
                              (i - n) % static_cast<long>(delay_buffers_[k].size()))]
                        : delay_initial_[k];
      }
    }
  }
  void capture_step(long i) {
    for (std::size_t k = 0; k < p_.previous.size(); ++k)
      previous_pending_[k] = slot(p_.previous[k].source);
    for (std::size_t d = 0; d < p_.delays.size(); ++d) {
      const Block<W>& in = slot(p_.delays[d].input);
      for (int l = 0; l < W; ++l) {
        auto& buffer = delay_buffers_[d * W + static_cast<std::size_t>(l)];
        buffer[static_cast<std::size_t>(i % static_cast<long>(buffer.size()))] = in[l];
      }
    }
  }
  void commit_step() {
    for (std::size_t k = 0; k < p_.previous.size(); ++k)
      slot(p_.previous[k].slot) = previous_pending_[k];
  }

  // --- the right-hand side ------------------------------------------------------------
  void evaluate(const double* x, double t) {
    if (x != nullptr && !x_.empty()) copy_values(slot(p_.stock_begin).data(), x, x_.size());
    if (clamp_in_rhs_)
      for (const std::int32_t k : non_negative_)
        slot(p_.stock_begin + k) = slot(p_.stock_begin + k).max(0.0);
    slot(detail::kTimeSlot).setConstant(t);
    run_code(false);
  }
  void derivatives(double* dxdt) {
    if (!x_.empty()) copy_values(dxdt, slot(p_.derivative_begin).data(), x_.size());
    if (clamp_in_rhs_)
      for (const std::int32_t k : non_negative_)
        for (int l = 0; l < W; ++l) {
          const std::size_t i = static_cast<std::size_t>(k) * W + static_cast<std::size_t>(l);
          if (slot(p_.stock_begin + k)[l] <= 0 && dxdt[i] < 0) dxdt[i] = 0;
        }
  }
  void rhs(const State& x, State& dxdt, double t) {
    evaluate(x.data(), t);
    derivatives(dxdt.data());
  }

  void record(long k) {
    const std::size_t n_out = plan_.output_slots.size();
    const std::size_t n_times = static_cast<std::size_t>(plan_.saves);
    for (std::size_t l = 0; l < active_; ++l) {
      double* row = out_ + (l * n_times + static_cast<std::size_t>(k)) * n_out;
      for (std::size_t o = 0; o < n_out; ++o)
        row[o] = slot(plan_.output_slots[o])[static_cast<int>(l)];
    }
  }

  // x * 0 is NaN exactly when x is not finite, so one sum over slots tells: 0 when all are
  // finite, NaN otherwise, in any order. Four sums side by side, so that the additions do not
  // wait on each other (one chain of adds cost a fifth of a batch's time on a model saved
  // every step).
  Block<W> probe(std::int32_t begin, std::int32_t end) {
    Block<W> sum[4] = {Block<W>::Zero(), Block<W>::Zero(), Block<W>::Zero(), Block<W>::Zero()};
    std::int32_t s = begin;
    for (; s + 4 <= end; s += 4)
      for (int k = 0; k < 4; ++k) sum[k] += slot(s + k) * 0.0;
    for (; s < end; ++s) sum[0] += slot(s) * 0.0;
    return (sum[0] + sum[1]) + (sum[2] + sum[3]);
  }

  // Between saved times only the state and its derivatives are checked: a value that
  // matters reaches them, and anything reported is checked when it is saved.
  void check_state_finite(double t) {
    const Block<W> state = probe(p_.stock_begin, p_.stock_begin + p_.stock_count) +
                           probe(p_.derivative_begin, p_.derivative_begin + p_.stock_count);
    if (!state.isFinite().all()) check_finite(t);
  }

  // Every variable; names the first one that is not finite, with its lane and time.
  void check_finite(double t, const char* when = "") {
    const Block<W> sum = probe(p_.variable_begin, p_.variable_end) +
                         probe(p_.derivative_begin, p_.derivative_begin + p_.stock_count);
    if (sum.isFinite().all()) return;
    for (std::size_t l = 0; l < active_; ++l) {
      const int lane = static_cast<int>(l);
      if (std::isfinite(sum[lane])) continue;
      auto report = [&](double v, std::int32_t variable_slot, const char* what) {
        std::ostringstream m;
        m << (std::isnan(v) ? "became NaN (not a number)"
              : v > 0       ? "became +infinity"
                            : "became -infinity")
          << what << (*when ? " " : "") << when << " at time " << t
          << (W > 1 || first_lane_ > 0 ? " in lane " + std::to_string(first_lane_ + l)
                                       : std::string())
          << " (look for a division by zero, LN or SQRT of a negative number, a delay or "
             "averaging time below 0, or a value that grows without bound)";
        fail(variable_slot, "", m.str());
      };
      for (std::int32_t s = p_.variable_begin; s < p_.variable_end; ++s)
        if (!std::isfinite(slot(s)[lane])) report(slot(s)[lane], s, "");
      for (std::int32_t k = 0; k < p_.stock_count; ++k)
        if (!std::isfinite(slot(p_.derivative_begin + k)[lane]))
          report(slot(p_.derivative_begin + k)[lane], p_.stock_begin + k,
                 " in its rate of change (inflows minus outflows)");
    }
  }

  // A run-time error about the variable in `variable_slot`, at the file and line where the
  // variable is defined; `prefix` goes before its name ("DELAY in ").
  [[noreturn]] void fail(std::int32_t variable_slot, const std::string& prefix,
                         const std::string& message) const {
    const auto k = static_cast<std::size_t>(variable_slot - p_.variable_begin);
    const std::int32_t variable = p_.slot_variables[k];
    Location where =
        variable >= 0 ? p_.variable_locations[static_cast<std::size_t>(variable)] : Location{};
    where.variable = prefix + p_.slot_names[k];
    if (p_.slot_internals[k].empty()) throw SimulationError(message, where);
    // Inside a builtin: the user's variable, what in it, and its equation.
    if (variable >= 0) {
      where.equation = p_.variable_equations[static_cast<std::size_t>(variable)];
      where.column = 0;
    }
    throw SimulationError("in " + p_.slot_internals[k] + ": " + message, where);
  }

  void clamp_non_negative(double* x) {
    for (const std::int32_t k : non_negative_)
      for (int l = 0; l < W; ++l) {
        double& v = x[static_cast<std::size_t>(k) * W + static_cast<std::size_t>(l)];
        if (v < 0) v = 0;
      }
  }

  // x + dt * dx/dt on the stock slots: the operation odeint's Euler stepper does
  // (1.0 * x + dt * dxdt, where the product by 1.0 is exact), so the same bits, without
  // copying the state out of the slots and back each step (a tenth of a batch's time).
  void euler_step_in_slots() {
    const std::size_t n = static_cast<std::size_t>(p_.stock_count) * W;
    if (n == 0) return;
    double* x = slot(p_.stock_begin).data();
    const double* dxdt = slot(p_.derivative_begin).data();
    const double dt = plan_.dt;
    for (std::size_t i = 0; i < n; ++i) x[i] = x[i] + dt * dxdt[i];
    clamp_non_negative(x);
  }

  // --- Euler and RK4 at fixed dt, the system-dynamics way -----------------------------
  void run_fixed() {
    initialise();
    odeint::runge_kutta4<State> rk4;
    auto system = [this](const State& x, State& dxdt, double t) { rhs(x, dxdt, t); };
    // Euler keeps the state in the stock slots: no copy in and out of odeint's vector.
    const bool in_slots = plan_.method == Method::Euler;
    for (long i = 0;; ++i) {
      const double t = plan_.start + static_cast<double>(i) * plan_.dt;
      slot(detail::kStepTimeSlot).setConstant(t);  // STEP/RAMP/PULSE hold it through RK stages
      begin_step(i);
      evaluate(in_slots ? nullptr : x_.data(), t);
      if (i % plan_.save_stride == 0) {
        check_finite(t);
        record(i / plan_.save_stride);
      } else {
        check_state_finite(t);
      }
      if (i == plan_.steps) break;
      capture_step(i);
      if (in_slots) {
        euler_step_in_slots();
      } else {
        derivatives(dxdt_.data());
        rk4.do_step(system, x_, dxdt_, t, plan_.dt);
        clamp_non_negative(x_.data());
      }
      commit_step();
    }
  }

  // --- adaptive and stiff: dense output sampled at the save times ---------------------
  std::vector<double> boundaries() {
    std::vector<double> b;
    const double eps = 1e-9 * plan_.dt;
    auto add = [&](double t) {
      if (std::isfinite(t) && t > plan_.start + eps && t < plan_.stop - eps) b.push_back(t);
    };
    for (const std::int32_t s : p_.breakpoint_slots) add(slot(s)[0]);
    for (const auto& [first, interval] : p_.pulse_breakpoints) {
      const double t0 = slot(first)[0];
      const double every = slot(interval)[0];
      const double width = plan_.dt;
      for (long k = 0; k < 100000; ++k) {
        const double t = t0 + static_cast<double>(k) * every;
        if (t > plan_.stop) break;
        add(t);
        add(t + width);
        if (!(every > 0)) break;
      }
    }
    // The times of the lane's schedules (adaptive runs are one lane): steps and kinks.
    for (std::size_t k = 0; k < p_.schedules.size(); ++k)
      for (std::int32_t i = 0; i < tables_[k * W].count; ++i) add(tables_[k * W].x[i]);
    if (p_.has_discrete_state())
      for (long i = 1; i < plan_.steps; ++i) add(plan_.start + static_cast<double>(i) * plan_.dt);
    b.push_back(plan_.stop);
    std::sort(b.begin(), b.end());
    b.erase(std::unique(b.begin(), b.end(), [&](double u, double v) { return v - u <= eps; }),
            b.end());
    return b;
  }

  // An adaptive run of a model without stocks: nothing to integrate (odeint cannot step an
  // empty state). Every value follows from the time and the dt clock of PREVIOUS and DELAY.
  void run_clock_only() {
    initialise();
    const double eps = 1e-9 * plan_.dt;
    long next_save = 0;
    for (long i = 0; i <= plan_.steps; ++i) {
      const double t = plan_.start + static_cast<double>(i) * plan_.dt;
      const double next = i < plan_.steps ? t + plan_.dt : plan_.stop + plan_.dt;
      slot(detail::kStepTimeSlot).setConstant(t);
      begin_step(i);
      while (next_save < plan_.saves &&
             plan_.times[static_cast<std::size_t>(next_save)] < next - eps) {
        const double saved = plan_.times[static_cast<std::size_t>(next_save)];
        evaluate(nullptr, saved);
        check_finite(saved);
        record(next_save++);
      }
      evaluate(nullptr, t);
      capture_step(i);
      commit_step();
    }
  }

  void run_adaptive() {
    clamp_in_rhs_ = true;
    initialise();
    if (plan_.method == Method::Dopri5) {
      auto stepper =
          odeint::make_dense_output(plan_.atol, plan_.rtol, odeint::runge_kutta_dopri5<State>());
      auto system = [this](const State& x, State& dxdt, double t) { rhs(x, dxdt, t); };
      integrate_dense(stepper, system, x_);
    } else {
      detail::StiffSystem system;
      system.context = this;
      system.rhs = [](void* self, const double* x, double* dxdt, double t) {
        auto* runner = static_cast<BlockRunner*>(self);
        runner->evaluate(x, t);
        runner->derivatives(dxdt);
      };
      detail::StiffDenseStepper stepper(plan_.atol, plan_.rtol, system);
      integrate_dense(stepper, 0, x_);
    }
  }

  // An adaptive run must end: a step size that collapses (a stiff model under dopri5, a value
  // that blows up in finite time, a derivative that jumps back and forth) would otherwise
  // take billions of steps. The steps count against the step limit, and a step that TIME
  // cannot resolve (the step the controller proposes, while the run goes on, under 10^-12 of
  // the run's largest time: the rule dt and save_every follow) is an error.
  void check_adaptive_step(double now, double proposed, double boundary, std::size_t steps) const {
    // Called every step: the method's name is made only for an error. Both errors point at
    // the time settings that chose the method.
    auto method = [this] { return std::string(to_string(plan_.method)); };
    if (steps > limit(Limit::Steps))
      throw SimulationError(
          limit_message(Limit::Steps,
                        "the " + method() + " integrator took " + std::to_string(steps) +
                            " steps by time " + number_text(now) +
                            " (a stiff model? try rosenbrock4, or euler with a small dt)"),
          p_.time.location);
    const double scale = std::max({std::abs(plan_.start), std::abs(plan_.stop), plan_.dt});
    if (now < boundary - 1e-9 * plan_.dt && proposed < 1e-12 * scale)
      throw SimulationError(
          "the " + method() + " integrator's step fell to " + number_text(proposed) + " at time " +
              number_text(now) + ", too small for TIME to resolve: a value that grows without " +
              "bound, a stiff model (try rosenbrock4) or a derivative that jumps " +
              "back and forth (try euler with a small dt)",
          p_.time.location);
  }

  // Rosenbrock4's error norm (Odeint's) sums squared scaled errors: past a stock of about
  // 1e154 the squares overflow, every step is rejected and the step shrinks to nothing over
  // millions of steps. So a stock past kStiffMagnitudeLimit ends the run at once. Dopri5's
  // norm is a maximum and goes on until the value itself overflows.
  static constexpr double kStiffMagnitudeLimit = 1e150;
  template <class Stepper>
  void check_magnitude(const Stepper&) const {}
  void check_magnitude(const detail::StiffDenseStepper& stepper) const {
    std::size_t k = 0;
    const double largest = stepper.largest_magnitude(k);
    if (!(largest > kStiffMagnitudeLimit)) return;  // NaN: check_finite reports it
    std::ostringstream m;
    m << "reached a magnitude of " << number_text(largest) << " at time "
      << number_text(stepper.current_time())
      << ", past the 1e150 that rosenbrock4 can integrate (its error estimate overflows "
         "beyond that): a value that grows without bound? (dopri5 goes on to 1e308)";
    fail(p_.stock_begin + static_cast<std::int32_t>(k), "", m.str());
  }

  // Odeint's dense steppers take the system in do_step; ours already holds it.
  template <class Stepper, class System>
  static void step(Stepper& stepper, System& system) {
    stepper.do_step(system);
  }
  static void step(detail::StiffDenseStepper& stepper, int) { stepper.do_step(); }

  template <class Stepper, class System, class StateType>
  void integrate_dense(Stepper& stepper, System system, StateType x) {
    const std::vector<double> stops = boundaries();
    const double eps = 1e-9 * plan_.dt;
    StateType sample = x;
    long next_save = 0;
    std::size_t steps = 0;  // adaptive steps taken, against the step limit
    long step_index = 0;    // dt clock for PREVIOUS and DELAY
    double t = plan_.start;
    auto save_through = [&](double until) {
      while (next_save < plan_.saves &&
             plan_.times[static_cast<std::size_t>(next_save)] <= until + eps) {
        stepper.calc_state(plan_.times[static_cast<std::size_t>(next_save)], sample);
        // STEP/RAMP/PULSE as the fixed-step methods report them at a saved time: their value
        // from that time on (a PULSE starting at 2 is on at 2), not that of the step's start.
        slot(detail::kStepTimeSlot).setConstant(plan_.times[static_cast<std::size_t>(next_save)]);
        evaluate(&sample[0], plan_.times[static_cast<std::size_t>(next_save)]);
        check_finite(plan_.times[static_cast<std::size_t>(next_save)]);
        record(next_save++);
      }
    };
    slot(detail::kStepTimeSlot).setConstant(t);
    begin_step(0);
    evaluate(&x[0], t);
    check_finite(t);
    record(next_save++);
    for (const double boundary : stops) {
      if (p_.has_discrete_state()) {
        slot(detail::kStepTimeSlot).setConstant(t);
        begin_step(step_index);
        evaluate(&x[0], t);
        capture_step(step_index);
      }
      slot(detail::kStepTimeSlot).setConstant(t);
      stepper.initialize(x, t, std::min(plan_.dt, boundary - t));
      // A step that would end within `snap` of the boundary ends on it: a sliver of a step
      // left before a PULSE edge would start within the pulse's tolerance (1e-6 dt) and take
      // some of the pulse before its time.
      const double snap = 1e-5 * plan_.dt;
      while (stepper.current_time() < boundary - eps) {
        const double now = stepper.current_time();
        if (now + stepper.current_time_step() > boundary - snap)
          stepper.initialize(stepper.current_state(), now, boundary - now);
        // STEP/RAMP/PULSE see the time each step starts at, as in the fixed-step methods.
        slot(detail::kStepTimeSlot).setConstant(now);
        step(stepper, system);
        save_through(std::min(stepper.current_time(), boundary));
        check_adaptive_step(stepper.current_time(), stepper.current_time_step(), boundary, ++steps);
        check_magnitude(stepper);
      }
      x = stepper.current_state();
      t = boundary;
      if (p_.has_discrete_state()) {
        commit_step();
        ++step_index;
      }
    }
    save_through(plan_.stop + plan_.dt);
  }

  const ProgramData& p_;
  const h2sim_native_kernel* native_;  // null: the interpreter
  const RunPlan& plan_;
  SlotVector<W> slots_;
  State x_, dxdt_;
  std::vector<Block<W>> previous_pending_;
  std::vector<long> delay_steps_;
  std::vector<double> delay_initial_;
  std::vector<std::vector<double>> delay_buffers_;
  std::vector<double> params_;
  std::vector<detail::BoundTable> lane_tables_;  // one lane's, while binding
  std::vector<detail::BoundTable> tables_;       // [schedule][lane]: what Op::Schedule reads
  std::vector<std::int32_t> non_negative_;
  bool clamp_in_rhs_ = false;
  std::size_t first_lane_ = 0;
  std::size_t active_ = 0;
  double* out_ = nullptr;
};

template <int W>
void run_blocks(const Program& program, const RunPlan& plan, const LaneParameters& lanes,
                const SimulationOptions& options, std::vector<double>& values) {
  const std::size_t n_lanes = lanes.lanes;
  const std::size_t blocks = (n_lanes + W - 1) / W;
  const std::size_t row = static_cast<std::size_t>(plan.saves) * plan.output_slots.size();
  // More threads than four per core would only wait for each other (and a million would
  // exhaust the system): the results are the same for any number.
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  unsigned threads = options.threads != 0 ? std::min(options.threads, 4 * cores) : cores;
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, blocks));
  std::atomic<std::size_t> next_block{0};
  std::atomic<std::size_t> lanes_done{0};
  // Where several blocks fail, the first block's error is reported: blocks are taken in order,
  // so every block before a failing one has started and finishes (or fails) too, and the
  // message is the same on any number of threads.
  std::exception_ptr failure;
  std::size_t failed_block = blocks;
  std::mutex failure_mutex;
  std::atomic<bool> stop{false};
  auto work = [&](bool report) {
    std::size_t b = blocks;
    try {
      // Allocations happen here, once per thread.
      BlockRunner<W> runner(detail::ProgramAccess::data(program),
                            detail::ProgramAccess::native(program), plan);
      for (;;) {
        if (stop.load()) return;
        b = next_block.fetch_add(1);
        if (b >= blocks) return;
        const std::size_t first = b * W;
        const std::size_t count = std::min<std::size_t>(W, n_lanes - first);
        runner.run(lanes, first, count, values.data() + first * row);
        lanes_done += count;
        if (report && options.progress) options.progress(lanes_done.load(), n_lanes);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure || b < failed_block) {
        failure = std::current_exception();
        failed_block = b;
      }
      stop = true;
    }
  };
  std::vector<std::thread> pool;
  for (unsigned k = 1; k < threads; ++k) {
    try {
      pool.emplace_back(work, false);
    } catch (const std::system_error&) {
      break;  // the system has no more threads to give: fewer threads, the same results
    }
  }
  work(true);
  for (auto& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
  if (options.progress) options.progress(n_lanes, n_lanes);
}

BatchResult run_lanes(const Program& program, const RunPlan& plan, const LaneParameters& lanes,
                      const SimulationOptions& options) {
  // Counted capped before anything is allocated: lanes x times x outputs.
  const std::size_t values = detail::saturating_product(
      detail::saturating_product(lanes.lanes, static_cast<std::size_t>(plan.saves)),
      plan.output_slots.size());
  if (values > limit(Limit::SavedValues))
    throw SimulationError(limit_message(
        Limit::SavedValues,
        std::to_string(lanes.lanes) + " run(s) x " + std::to_string(plan.saves) +
            " saved times x " + std::to_string(plan.output_slots.size()) + " outputs are " +
            (values == SIZE_MAX ? std::string("too many") : std::to_string(values)) + " values"));
  BatchResult result;
  result.names = plan.output_names;
  result.units = plan.output_units;
  result.times = plan.times;
  result.lanes = lanes.lanes;
  result.values.assign(
      lanes.lanes * static_cast<std::size_t>(plan.saves) * plan.output_slots.size(), 0.0);
  const bool fixed = plan.method == Method::Euler || plan.method == Method::RK4;
  if (fixed && lanes.lanes > 1) {
    run_blocks<kBlockWidth>(program, plan, lanes, options, result.values);
  } else {
    run_blocks<1>(program, plan, lanes, options, result.values);
  }
  return result;
}

LaneParameters default_parameters(const Program& program) {
  LaneParameters lp;
  for (const auto& p : program.parameters()) lp.defaults.push_back(p.value);
  const ProgramData& data = detail::ProgramAccess::data(program);
  for (const std::int32_t table : data.schedule_lookups) {
    const detail::LookupTable& t = data.lookups[static_cast<std::size_t>(table)];
    lp.tables.push_back({data.lookup_x.data() + t.offset, data.lookup_y.data() + t.offset, t.count,
                         t.interpolation});
  }
  return lp;
}

}  // namespace

int lane_block_width() { return kBlockWidth; }

Result simulate(const Program& program, const SimulationOptions& options,
                const std::vector<std::pair<std::string, double>>& overrides,
                const std::vector<std::pair<std::string, GraphicalFunction>>& schedules) {
  const RunPlan plan = make_plan(program, options);
  LaneParameters lanes = default_parameters(program);
  // A scheduled lever held at a number reads a one-point table of it.
  std::vector<double> held;
  held.reserve(overrides.size());
  for (const auto& [name, value] : overrides) {
    const Settable set = program.settable(name);
    for (const int k : set.parameters) {
      reject_structural(program, k, name, value);
      lanes.defaults[static_cast<std::size_t>(k)] = value;
    }
    if (set.schedules.empty()) continue;
    held.push_back(value);
    for (const int k : set.schedules)
      lanes.tables[static_cast<std::size_t>(k)] = {&held.back(), &held.back(), 1,
                                                   Interpolation::Continuous};
  }
  for (const auto& [name, table] : schedules) {
    const Settable set = program.settable(name);
    if (set.schedules.empty()) throw_not_scheduled(name);
    check_schedule_table(table, name, "");
    for (const int k : set.schedules)
      lanes.tables[static_cast<std::size_t>(k)] = LaneParameters::bound(table);
  }
  lanes.lanes = 1;
  SimulationOptions single = options;
  single.threads = 1;
  BatchResult batch = run_lanes(program, plan, lanes, single);
  Result r;
  r.names = std::move(batch.names);
  r.units = std::move(batch.units);
  r.times = std::move(batch.times);
  r.values = std::move(batch.values);  // one lane is laid out as a Result is
  return r;
}

BatchResult simulate_batch(const Program& program, const ParameterTable& table,
                           const SimulationOptions& options) {
  const RunPlan plan = make_plan(program, options);
  LaneParameters lanes = default_parameters(program);
  if (static_cast<std::size_t>(table.values.cols()) != table.names.size())
    throw ModelError("the parameter table has " + std::to_string(table.names.size()) +
                     " names but " + std::to_string(table.values.cols()) + " columns");
  // A number column named twice would leave one silently unused. (A schedule column after a
  // number column for the same lever is an override, and wins.)
  std::set<std::string> named;
  for (const std::string& name : table.names)
    if (!named.insert(canonical_element_name(name)).second) {
      Location where;
      where.variable = name;
      throw ModelError("is named by two columns of the parameter table: which should a run take?",
                       where);
    }
  lanes.lanes = table.names.empty() && table.values.rows() == 0
                    ? 1
                    : static_cast<std::size_t>(table.values.rows());
  for (const ScheduleColumn& column : table.schedules)
    if (table.names.empty() && table.values.rows() == 0)
      lanes.lanes = std::max(lanes.lanes, column.table_of_lane.empty() && column.tables.size() > 1
                                              ? column.tables.size()
                                              : column.table_of_lane.size());
  if (lanes.lanes == 0)
    throw ModelError("the parameter table has no rows: a batch needs at least one lane");
  for (std::size_t c = 0; c < table.names.size(); ++c) {
    const Settable set = program.settable(table.names[c]);
    lanes.columns.push_back(set.parameters);
    for (const int k : set.parameters)
      for (Eigen::Index r = 0; r < table.values.rows(); ++r)
        reject_structural(program, k, table.names[c],
                          table.values(r, static_cast<Eigen::Index>(c)));
    for (const int k : set.schedules) lanes.held.emplace_back(static_cast<Eigen::Index>(c), k);
  }
  lanes.table = &table.values;
  for (const ScheduleColumn& column : table.schedules) {
    const Settable set = program.settable(column.name);
    if (set.schedules.empty()) throw_not_scheduled(column.name);
    check_schedule_column(column, lanes.lanes);
    lanes.trajectories.emplace_back(&column, set.schedules);
  }
  return run_lanes(program, plan, lanes, options);
}

struct PreparedRun::Plan {
  Program program;
  RunPlan plan;
  LaneParameters defaults;  // the model's values and tables
};

PreparedRun::PreparedRun(const Program& program, const SimulationOptions& options) {
  SimulationOptions single = options;
  single.threads = 1;
  auto p = std::make_shared<Plan>(Plan{program, make_plan(program, single), {}});
  p->defaults = default_parameters(program);
  plan_ = std::move(p);
}

const std::vector<std::string>& PreparedRun::names() const { return plan_->plan.output_names; }
const std::vector<std::string>& PreparedRun::units() const { return plan_->plan.output_units; }
const std::vector<double>& PreparedRun::times() const { return plan_->plan.times; }

std::vector<int> PreparedRun::parameters(const std::string& name) const {
  return plan_->program.settable(name).parameters;
}

Settable PreparedRun::settable(const std::string& name) const {
  return plan_->program.settable(name);
}

void PreparedRun::run(const std::vector<int>& indices, const std::vector<double>& values,
                      double* out,
                      const std::vector<std::pair<int, GraphicalFunction>>& schedules) const {
  if (indices.size() != values.size())
    throw ModelError("a prepared run needs one value per parameter index");
  LaneParameters lanes = plan_->defaults;
  const auto& known = plan_->program.schedules();
  for (const auto& [k, table] : schedules) {
    if (k < 0 || static_cast<std::size_t>(k) >= known.size())
      throw ModelError("no schedule with index " + std::to_string(k));
    check_schedule_table(table, known[static_cast<std::size_t>(k)].name, "");
    lanes.tables[static_cast<std::size_t>(k)] = LaneParameters::bound(table);
  }
  const auto& parameters = plan_->program.parameters();
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const int i = indices[k];
    if (i < 0 || static_cast<std::size_t>(i) >= parameters.size())
      throw ModelError("no parameter with index " + std::to_string(i));
    reject_structural(plan_->program, i, parameters[static_cast<std::size_t>(i)].name, values[k]);
    lanes.defaults[static_cast<std::size_t>(i)] = values[k];
  }
  lanes.lanes = 1;
  BlockRunner<1> runner(detail::ProgramAccess::data(plan_->program),
                        detail::ProgramAccess::native(plan_->program), plan_->plan);
  runner.run(lanes, 0, 1, out);
}

namespace {
int find_name(const std::vector<std::string>& names, const std::string& name) {
  const std::string key = canonical_element_name(name);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (canonical_element_name(names[i]) == key) return static_cast<int>(i);
  return -1;
}
}  // namespace

int SavedOutputs::find(const std::string& name) const { return find_name(names, name); }

ColumnView Result::column(const std::string& name) const {
  const int i = find(name);
  if (i < 0) {
    Location where;
    where.variable = name;
    throw ModelError("was not reported by this run (ask for it in SimulationOptions::outputs)",
                     where);
  }
  return ColumnView(values.data() + i, static_cast<Eigen::Index>(times.size()),
                    Eigen::InnerStride<>(static_cast<Eigen::Index>(names.size())));
}

}  // namespace h2sim
