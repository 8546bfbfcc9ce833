// The SD conformance cases: every .xmile and every .mdl under ../shared/sd-test-models/
// that has an output.csv or output.tab beside it is loaded, run with its own time
// settings, and every variable that is both in the model and in the expected output is
// compared at every saved time (relative 1e-3, absolute 1e-6 near zero; the tolerance
// the reference tools agree to among themselves). One section per case, so failures
// name the case.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <h2sim/h2sim.hpp>
#include <h2sim/vensim.hpp>
#include <h2sim/xmile.hpp>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Cases that cannot pass, with the reason. Each is still run: it must still fail (so
// that a fix is noticed and the entry removed), and where another tool's output of
// the same file exists (`substitute`), the model must match that instead; where the
// expected output was made with another integration method (`euler`), the model must
// match it when run with that method.
struct ExpectedFailure {
  const char* case_path;  // relative to sd-test-models/
  const char* reason;
  const char* substitute;  // another output file in the case's folder, or nullptr
  bool euler = false;      // output.* matches the model run with Euler
};

const ExpectedFailure kExpectedFailures[] = {
    {"tests/macro_expression/test_macro_expression.xmile",
     "the file calls EXPRESSION MACRO(...) but contains no <macro> definition (the "
     "Vensim-to-XMILE translation dropped it): unknown function",
     nullptr},
    {"tests/macro_multi_expression/test_macro_multi_expression.xmile",
     "the file calls EXPRESSION MACRO(...) but contains no <macro> definition: unknown function",
     nullptr},
    {"tests/macro_stock/test_macro_stock.xmile",
     "the file calls EXPRESSION MACRO(...) but contains no <macro> definition: unknown function",
     nullptr},
    {"tests/non_negative_flows/test_non_negative_flows.xmile",
     "not well-formed XML: <flow name=\"if_else3\"> is never closed", nullptr},
    {"tests/subscript_1d_arrays/test_subscript_1d_arrays.xmile",
     "'Rate A' has the equation \"?\?\?\" (the translation lost it)", nullptr},
    {"tests/subscript_constant_call/test_subscript_constant_call.xmile",
     "'Subscripted Constant' has the equation \"?\?\?\" (the translation lost it)", nullptr},
    {"tests/subscript_mixed_assembly/test_subscript_mixed_assembly.xmile",
     "'mixed assembly' and 'subset' have the equation \"?\?\?\", and 'mixed assembly' names "
     "elements of the wrong dimension",
     nullptr},
    {"tests/subscript_subranges/test_subscript_subrange.xmile",
     "'Rate A' has the equation \"?\?\?\" and the subrange 'Subrange of Dim1' is not defined",
     nullptr},
    {"tests/subscript_subranges_equal/test_subscript_subrange_equal.xmile",
     "'Rate A' has the equation \"?\?\?\" and the subrange 'Subrange of Dim1' is not defined",
     nullptr},
    {"tests/active_initial/test_active_initial.xmile",
     "output.tab is Vensim's run of ACTIVE INITIAL(Value A, 45); the translation kept only "
     "'Value_A' (= Time, 0 at the start), so Stock A starts at 0 in the file as written "
     "(Stella's run of the file, output_stella.csv, agrees)",
     "output_stella.csv"},
    {"tests/zeroled_decimals/test_zeroled_decimals.xmile",
     "its stocks name <aux> elements as inflows and outflows (Vensim's export writes rates "
     "so); XMILE 1.0 (3.7.1) takes flows there, and h2sim refuses anything else in every "
     "format, as the YAML reader always did (the .mdl of this case passes; output.tab is an "
     "Euler run although sim_specs says RK4)",
     nullptr},
};

// The Vensim cases that cannot pass, with the reason: a construct h2sim does not run
// (the reader refuses it with the file, line and construct) or a reference file that
// does not match the model.
const ExpectedFailure kExpectedVensimFailures[] = {
    // Constructs h2sim refuses (with the file, line and construct).
    {"samples/Query_file/Query_file.mdl",
     "RANDOM UNIFORM: random numbers are refused (runs are deterministic)", nullptr},
    {"tests/allocate_available/test_allocate_available.mdl", "ALLOCATE AVAILABLE is not supported",
     nullptr},
    {"tests/allocate_by_priority/test_allocate_by_priority.mdl",
     "ALLOCATE BY PRIORITY is not supported", nullptr},
    {"tests/invert_matrix/test_invert_matrix.mdl", "INVERT MATRIX is not supported", nullptr},
    {"tests/vector_select/test_vector_select.mdl",
     "VECTOR SELECT with the actions Vensim's manual does not list (5, and TIME + 6: a "
     "changing action) and with selections over other dimensions than the values': h2sim "
     "refuses actions other than 0 to 3 fixed at the start",
     nullptr},
    {"tests/vector_order/test_vector_order.mdl",
     "its data are :RAW: (no interpolation between the times given), which h2sim refuses", nullptr},
    {"tests/control_vars/test_control_vars.mdl",
     "INITIAL TIME, FINAL TIME, TIME STEP and SAVEPER are equations of Time: h2sim's clock is "
     "fixed before a run",
     nullptr},
    {"tests/dynamic_final_time/test_dynamic_final_time.mdl",
     "FINAL TIME is an equation of the model's variables (the run stops when it is reached): "
     "h2sim's clock is fixed before a run",
     nullptr},
    {"tests/data_from_other_model/test_data_from_other_model.mdl",
     "its data variables (var 0dim:INTERPOLATE: ...) have no equation: Vensim reads them from "
     "another run's .vdf file, which h2sim cannot read",
     nullptr},
    {"tests/get_constants_incomplete_subscript/test_get_constants_incomplete_subscript.mdl",
     "GET DIRECT CONSTANTS from an old-style .xls workbook (h2sim reads .xlsx)", nullptr},
    {"tests/get_data_args_3d_xls/test_get_data_args_3d_xls.mdl",
     "GET XLS DATA from an old-style .xls workbook (h2sim reads .xlsx), and :LOOK FORWARD: data",
     nullptr},
    {"tests/get_lookups_subscripted_args/test_get_lookups_subscripted_args.mdl",
     "GET XLS LOOKUPS from an old-style .xls workbook (h2sim reads .xlsx)", nullptr},
    {"tests/get_lookups_subset/test_get_lookups_subset.mdl",
     "GET XLS LOOKUPS from an old-style .xls workbook (h2sim reads .xlsx)", nullptr},

    {"tests/get_subscript_3d_arrays_xls/test_get_subscript_3d_arrays_xls.mdl",
     "GET DIRECT SUBSCRIPT (subscript ranges read from .xls) is not supported", nullptr},

    // Reference files that do not match the model as written.
    {"tests/data_from_other_model/model_to_generate_data.mdl",
     "output.tab beside it is the output of test_data_from_other_model.mdl (saved every 0.5); "
     "this model's own run is data.tab, which it must match",
     "data.tab"},
    {"tests/delays/test_delays.mdl",
     "Vensim's DELAY N does not conserve the material in transit when the delay time changes: "
     "when it rises from 4 to 6 at t = 15, Vensim's output jumps up (3.95 where the input "
     "flow is 4 and the stages hold what entered at the old rate); h2sim's DELAYN, like "
     "Vensim's own DELAY1 and DELAY3 in the same file, keeps the material; every other "
     "column matches",
     nullptr},
    {"samples/Roessler_Chaos/roessler_chaos.mdl",
     "a chaotic system: the run agrees with Vensim to 1e-3 until t = 43, then rounding "
     "differences grow past the tolerance where x, y and their rates cross zero (112 of 19209 "
     "values)",
     nullptr},
};

template <std::size_t N>
const ExpectedFailure* expected_failure(const ExpectedFailure (&list)[N],
                                        const std::string& case_path) {
  for (const auto& f : list)
    if (case_path == f.case_path) return &f;
  return nullptr;
}

const ExpectedFailure* expected_failure(const std::string& case_path) {
  return expected_failure(kExpectedFailures, case_path);
}

h2sim::Model load_case(const fs::path& model_file) {
  if (model_file.extension() == ".mdl") return h2sim::load_vensim(model_file.string());
  return h2sim::load_xmile(model_file.string());
}

// An expected-output file: a header row (the first column is time) and rows of
// numbers; an empty cell is a value the tool did not write (Vensim writes constants
// once).
struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::optional<double>>> rows;
};

std::vector<std::string> split_fields(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == separator) {
      fields.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  fields.push_back(cur);
  return fields;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Reads CR, LF or CRLF line ends; tab- or comma-separated; quoted fields.
Table read_table(const fs::path& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  // Vensim writes its output files in the Windows code page: read them as Latin-1.
  bool utf8 = true;
  for (std::size_t i = 0; i < text.size() && utf8;) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = c < 0x80           ? 0
                          : (c >> 5) == 0x6  ? 1
                          : (c >> 4) == 0xE  ? 2
                          : (c >> 3) == 0x1E ? 3
                                             : 9;
    if (n == 9 || i + n >= text.size() + (n == 0 ? 1 : 0)) utf8 = false;
    for (std::size_t k = 1; utf8 && k <= n; ++k)
      utf8 = (static_cast<unsigned char>(text[i + k]) >> 6) == 0x2;
    i += n + 1;
  }
  if (!utf8) {
    std::string converted;
    for (const char ch : text) {
      const auto c = static_cast<unsigned char>(ch);
      if (c < 0x80) {
        converted += ch;
      } else {
        converted += static_cast<char>(0xC0 | (c >> 6));
        converted += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    text = converted;
  }
  std::vector<std::string> lines;
  std::string cur;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' || text[i] == '\n') {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (!trim(cur).empty()) lines.push_back(cur);
      cur.clear();
    } else {
      cur += text[i];
    }
  }
  if (!trim(cur).empty()) lines.push_back(cur);
  Table table;
  if (lines.empty()) {
    error = "the file is empty";
    return table;
  }
  const char separator = lines[0].find('\t') != std::string::npos ? '\t' : ',';
  for (auto& h : split_fields(lines[0], separator)) table.headers.push_back(trim(h));
  for (std::size_t r = 1; r < lines.size(); ++r) {
    std::vector<std::optional<double>> row;
    for (const auto& f : split_fields(lines[r], separator)) {
      const std::string s = trim(f);
      if (s.empty()) {
        row.emplace_back();
        continue;
      }
      char* end = nullptr;
      const double v = std::strtod(s.c_str(), &end);
      if (end != s.c_str() + s.size()) {
        error = "line " + std::to_string(r + 1) + ": '" + s + "' is not a number";
        return table;
      }
      row.emplace_back(v);
    }
    if (!row.empty() && row[0]) table.rows.push_back(std::move(row));
  }
  return table;
}

struct Outcome {
  std::string error;  // load, compile or simulation error; or a bad output file
  int compared = 0;   // values compared
  int mismatches = 0;
  std::vector<std::string> report;  // the first mismatches, for the failure message
  bool passed() const { return error.empty() && mismatches == 0 && compared > 0; }
};

// Relative 1e-3; near zero, absolute 1e-6 of the column's scale (its largest
// magnitude, at least 1): the tools write single-precision numbers, so a stock that
// passes through zero prints as -2.52e-06 where the exact value is 0 (tests/exp).
bool close_enough(double actual, double expected, double scale) {
  if (std::isnan(expected)) return std::isnan(actual);
  return std::abs(actual - expected) <=
         std::max(1e-6 * std::max(1.0, scale), 1e-3 * std::abs(expected));
}

Outcome run_case(const fs::path& model_file, const fs::path& output_file,
                 std::optional<h2sim::Method> method = std::nullopt) {
  Outcome out;
  Table table = read_table(output_file, out.error);
  if (!out.error.empty()) {
    out.error = output_file.filename().string() + ": " + out.error;
    return out;
  }
  h2sim::Result result;
  try {
    const h2sim::Model model = load_case(model_file);
    h2sim::SimulationOptions options;
    options.method = method;
    result = h2sim::simulate(h2sim::compile_model(model), options);
  } catch (const std::exception& e) {
    out.error = e.what();
    return out;
  }
  std::vector<double> scale(table.headers.size(), 0.0);
  for (const auto& row : table.rows)
    for (std::size_t c = 0; c < row.size() && c < scale.size(); ++c)
      if (row[c] && std::isfinite(*row[c])) scale[c] = std::max(scale[c], std::abs(*row[c]));
  std::map<std::string, int> columns;
  for (std::size_t k = 0; k < result.names.size(); ++k)
    columns[h2sim::canonical_element_name(result.names[k])] = static_cast<int>(k);
  for (const auto& row : table.rows) {
    const double t = *row[0];
    Eigen::Index at = -1;
    // The nearest saved time: output files round times to 6 digits (10.0312 for 10.03125).
    for (std::size_t i = 0; i < result.times.size(); ++i)
      if (std::abs(result.times[i] - t) <= 1e-5 * std::max(1.0, std::abs(t)) &&
          (at < 0 || std::abs(result.times[i] - t) < std::abs(result.times[at] - t)))
        at = i;
    if (at < 0) {
      ++out.mismatches;
      if (out.report.size() < 10) out.report.push_back("no simulated time " + std::to_string(t));
      continue;
    }
    for (std::size_t c = 1; c < table.headers.size() && c < row.size(); ++c) {
      if (!row[c]) continue;
      const auto col = columns.find(h2sim::canonical_element_name(table.headers[c]));
      if (col == columns.end()) continue;
      const double actual = result.at(at, col->second);
      ++out.compared;
      if (!close_enough(actual, *row[c], scale[c])) {
        ++out.mismatches;
        if (out.report.size() < 10) {
          std::ostringstream m;
          m.precision(10);
          m << "'" << table.headers[c] << "' at time " << t << ": expected " << *row[c] << ", got "
            << actual;
          out.report.push_back(m.str());
        }
      }
    }
  }
  return out;
}

struct Case {
  std::string name;  // path relative to sd-test-models/
  fs::path model;
  fs::path output;
};

std::vector<Case> find_cases(const fs::path& root, const char* extension = ".xmile") {
  std::vector<Case> cases;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != extension) continue;
    const fs::path folder = entry.path().parent_path();
    fs::path output;
    for (const char* name : {"output.csv", "output.tab"})
      if (fs::exists(folder / name)) output = folder / name;
    if (output.empty()) continue;
    cases.push_back({fs::relative(entry.path(), root).generic_string(), entry.path(), output});
  }
  std::sort(cases.begin(), cases.end(),
            [](const Case& a, const Case& b) { return a.name < b.name; });
  return cases;
}

std::string describe(const Outcome& o) {
  std::string s = o.error;
  if (s.empty() && o.compared == 0) s = "no variable of the model is in the expected output";
  if (o.mismatches > 0) {
    s += std::to_string(o.mismatches) + " of " + std::to_string(o.compared) + " values differ:";
    for (const auto& r : o.report) s += "\n  " + r;
  }
  return s;
}

}  // namespace

TEST_CASE("SD conformance: every XMILE case matches its expected output", "[conformance][xmile]") {
  const fs::path root = fs::path(H2SIM_SHARED_DIR) / "sd-test-models";
  if (!fs::is_directory(root)) {
    WARN(
        "SKIPPED: the SD conformance cases were skipped because ../shared/sd-test-models is absent "
        "("
        << root.string() << " does not exist)");
    return;
  }
  const std::vector<Case> cases = find_cases(root);
  REQUIRE(!cases.empty());
  // Catch runs the test case once per section: run every case once, keep the outcomes and
  // print how many pass against their own output file.
  static std::map<std::string, Outcome> outcomes;
  if (outcomes.empty()) {
    int passed = 0;
    for (const Case& c : cases)
      if ((outcomes[c.name] = run_case(c.model, c.output)).passed()) ++passed;
    std::cout << "XMILE conformance: " << passed << "/" << cases.size()
              << " cases pass against their own output (the rest are listed in "
                 "kExpectedFailures)\n";
  }
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const ExpectedFailure* known = expected_failure(c.name);
      const Outcome& outcome = outcomes[c.name];
      if (known == nullptr) {
        INFO(c.name << " against " << c.output.filename().string() << "\n" << describe(outcome));
        CHECK(outcome.passed());
      } else {
        INFO(c.name << " is listed as an expected failure (" << known->reason
                    << "); it now passes against " << c.output.filename().string()
                    << ": remove it from kExpectedFailures");
        CHECK_FALSE(outcome.passed());
        if (known->substitute != nullptr) {
          const Outcome other = run_case(c.model, c.output.parent_path() / known->substitute);
          INFO(c.name << " against " << known->substitute << "\n" << describe(other));
          CHECK(other.passed());
        }
        if (known->euler) {
          const Outcome other = run_case(c.model, c.output, h2sim::Method::Euler);
          INFO(c.name << " run with Euler against " << c.output.filename().string() << "\n"
                      << describe(other));
          CHECK(other.passed());
        }
      }
    }
  }
}

// The cases that cannot pass fail with an error that says where, never a crash.
TEST_CASE("SD conformance: unloadable cases give located errors", "[conformance][xmile]") {
  const fs::path root = fs::path(H2SIM_SHARED_DIR) / "sd-test-models";
  if (!fs::is_directory(root)) {
    WARN(
        "SKIPPED: the SD conformance cases were skipped because ../shared/sd-test-models is "
        "absent");
    return;
  }
  for (const auto& f : kExpectedFailures) {
    if (f.substitute != nullptr || f.euler) continue;  // loads and runs; the numbers differ
    DYNAMIC_SECTION(f.case_path) {
      const fs::path path = root / f.case_path;
      REQUIRE(fs::exists(path));
      try {
        (void)h2sim::load_xmile(path.string());
        FAIL(f.case_path << " loaded, but it is listed as unloadable: " << f.reason);
      } catch (const h2sim::Error& e) {
        INFO(e.what());
        CHECK(e.where().file == path.string());
        CHECK(e.where().line > 0);
      }
    }
  }
}

// The Vensim cases: the same comparison, through load_vensim. The test prints how many
// pass; each case that cannot is listed in kExpectedVensimFailures with its reason and
// must still fail, so that a fix is noticed.
TEST_CASE("SD conformance: every Vensim case matches its expected output",
          "[conformance][vensim]") {
  const fs::path root = fs::path(H2SIM_SHARED_DIR) / "sd-test-models";
  if (!fs::is_directory(root)) {
    WARN(
        "SKIPPED: the Vensim conformance cases were skipped because ../shared/sd-test-models "
        "is absent ("
        << root.string() << " does not exist)");
    return;
  }
  const std::vector<Case> cases = find_cases(root, ".mdl");
  REQUIRE(!cases.empty());
  // Catch runs the test case once per section: run every case once and keep the outcomes.
  static std::map<std::string, Outcome> outcomes;
  if (outcomes.empty()) {
    int passed = 0;
    std::string failures;
    for (const Case& c : cases) {
      const Outcome& outcome = outcomes[c.name] = run_case(c.model, c.output);
      if (outcome.passed()) {
        ++passed;
      } else {
        std::string first = describe(outcome);
        first = first.substr(0, first.find('\n'));
        failures += "\n  " + c.name + ": " + first;
      }
    }
    std::cout << "Vensim conformance: " << passed << "/" << cases.size() << " cases pass"
              << (failures.empty() ? "" : "; failing:") << failures << "\n";
  }
  for (const Case& c : cases) {
    const Outcome& outcome = outcomes.at(c.name);
    DYNAMIC_SECTION(c.name) {
      const ExpectedFailure* known = expected_failure(kExpectedVensimFailures, c.name);
      if (known == nullptr) {
        INFO(c.name << " against " << c.output.filename().string() << "\n" << describe(outcome));
        CHECK(outcome.passed());
      } else {
        INFO(c.name << " is listed as an expected failure (" << known->reason
                    << "); it now passes against " << c.output.filename().string()
                    << ": remove it from kExpectedVensimFailures");
        CHECK_FALSE(outcome.passed());
        if (known->substitute != nullptr) {
          const Outcome other = run_case(c.model, c.output.parent_path() / known->substitute);
          INFO(c.name << " against " << known->substitute << "\n" << describe(other));
          CHECK(other.passed());
        }
      }
    }
  }
}

// A Vensim case that h2sim refuses is refused with the file and the line, never a crash.
TEST_CASE("SD conformance: refused Vensim cases give located errors", "[conformance][vensim]") {
  const fs::path root = fs::path(H2SIM_SHARED_DIR) / "sd-test-models";
  if (!fs::is_directory(root)) {
    WARN("SKIPPED: ../shared/sd-test-models is absent");
    return;
  }
  for (const auto& f : kExpectedVensimFailures) {
    DYNAMIC_SECTION(f.case_path) {
      const fs::path path = root / f.case_path;
      REQUIRE(fs::exists(path));
      try {
        (void)h2sim::load_vensim(path.string());
      } catch (const h2sim::Error& e) {
        INFO(e.what());
        CHECK(e.where().file == path.string());
        CHECK(e.where().line > 0);
      }
    }
  }
}
