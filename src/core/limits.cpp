// The limits of h2sim/limits.hpp: defaults, and the environment variables that raise them.
// docs/limits.md explains each default.
#include "h2sim/limits.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <optional>

#include "h2sim/error.hpp"

namespace h2sim {

namespace {

struct LimitSpec {
  Limit limit;
  const char* variable;
  std::size_t default_value;
};

// In the order of the enum.
constexpr std::array<LimitSpec, 10> kLimits = {{
    // Every recursive stage (parsers, resolver, units, compiler, printing) together takes
    // about 1.2 KiB of stack per level in a release build, a few times that with sanitizers:
    // 500 levels stay inside a 1 MiB thread stack, and far inside the usual 8 MiB
    // (docs/limits.md has the measurement).
    {Limit::Nesting, "H2SIM_MAX_NESTING", 500},
    {Limit::EquationLength, "H2SIM_MAX_EQUATION_LENGTH", 1'000'000},
    {Limit::ExpressionSize, "H2SIM_MAX_EXPRESSION_SIZE", 100'000},
    {Limit::FileSize, "H2SIM_MAX_FILE_SIZE", 64u << 20},
    {Limit::DocumentNodes, "H2SIM_MAX_DOCUMENT_NODES", 1'000'000},
    {Limit::Variables, "H2SIM_MAX_VARIABLES", 200'000},
    {Limit::Elements, "H2SIM_MAX_ELEMENTS", 1'000'000},
    // A model just inside it compiles in under 5 s within 1.5 GiB, measured (docs/limits.md);
    // a million elements of five terms each fit.
    {Limit::CompiledTerms, "H2SIM_MAX_COMPILED_TERMS", 5'000'000},
    {Limit::Steps, "H2SIM_MAX_STEPS", 10'000'000},
    {Limit::SavedValues, "H2SIM_MAX_SAVED_VALUES", 100'000'000},
}};

const LimitSpec& spec(Limit which) { return kLimits[static_cast<std::size_t>(which)]; }

// A limit as the environment sets it: nullopt when unset, 0 when not a whole number >= 1.
std::optional<std::size_t> from_environment(const char* variable) {
  const char* text = std::getenv(variable);
  if (text == nullptr || *text == '\0') return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value == 0 || text[0] == '-') return 0;
  return static_cast<std::size_t>(value);
}

// Read once: a run never sees a limit change under it.
struct Settings {
  std::array<std::optional<std::size_t>, kLimits.size()> values;
  Settings() {
    for (std::size_t i = 0; i < kLimits.size(); ++i)
      values[i] = from_environment(kLimits[i].variable);
  }
};

const Settings& settings() {
  static const Settings s;
  return s;
}

}  // namespace

std::size_t default_limit(Limit which) { return spec(which).default_value; }

std::size_t limit(Limit which) {
  const auto& value = settings().values[static_cast<std::size_t>(which)];
  if (!value) return default_limit(which);
  if (*value == 0)
    throw ScenarioError(std::string("the environment variable ") + spec(which).variable +
                        " must be a whole number of at least 1 (it raises a limit of h2sim; "
                        "docs/limits.md)");
  return *value;
}

const char* limit_variable(Limit which) { return spec(which).variable; }

std::string limit_message(Limit which, const std::string& found) {
  return found + ", more than the limit of " + std::to_string(limit(which)) +
         " (raise it with the environment variable " + limit_variable(which) + "; docs/limits.md)";
}

}  // namespace h2sim
