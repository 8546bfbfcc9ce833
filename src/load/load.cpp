// The public load_* functions: read a file (src/io/, translation only), then check the
// model (src/check/: names, units, loops) and throw the first error. The Scenario keeps the
// Program the check compiled, so running it needs no second compile.
#include <fstream>
#include <sstream>

#include "core/encoding.hpp"
#include "h2sim/check.hpp"
#include "h2sim/limits.hpp"
#include "h2sim/scenario.hpp"
#include "h2sim/vensim.hpp"
#include "h2sim/xmile.hpp"
#include "io/readers.hpp"

namespace h2sim {

namespace {

// Text handed in (from Python, or read by the caller) goes through the one rule files do:
// valid UTF-8 stays as it is, anything else is decoded or refused with its byte offset.
std::string checked_text(const std::string& text, const std::string& file) {
  if (text.size() > limit(Limit::FileSize)) {
    Location where;
    where.file = file;
    throw ScenarioError(
        limit_message(Limit::FileSize, "the text has " + std::to_string(text.size()) + " bytes"),
        where);
  }
  return detail::decode_text(text, file, detail::text_fallback(file));
}

// Checks a scenario read by the readers; its Program is the one the check compiled.
Scenario checked_scenario(Scenario s, const LoadOptions& options) {
  CheckOptions check;
  check.strict_units = options.strict_units;
  const CheckResult result = check_model(s.model, check);
  result.throw_first_error();
  for (auto& warning : result.warnings()) s.warnings.push_back(std::move(warning));
  s.program = result.program;
  return s;
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& file,
                        const LoadOptions& options) {
  return checked_scenario(detail::read_scenario(checked_text(text, file), file), options);
}

Scenario load_scenario(const std::string& path, const LoadOptions& options) {
  return checked_scenario(detail::read_scenario(detail::read_file(path), path), options);
}

Model load_model(const std::string& path, const LoadOptions& options) {
  return load_scenario(path, options).model;
}

namespace {

// A returned Model compiles: check it, and throw its first error.
Model checked(Model model) {
  check_model(model).throw_first_error();
  return model;
}

}  // namespace

Model parse_xmile(const std::string& text, const std::string& file_label,
                  std::vector<std::string>* warnings) {
  if (text.size() > limit(Limit::FileSize)) checked_text(text, file_label);  // throws
  return checked(detail::read_xmile(
      detail::decode_text(text, file_label, detail::TextFallback::Declared), file_label, warnings));
}

Model load_xmile(const std::string& path, std::vector<std::string>* warnings) {
  return checked(detail::read_xmile(detail::read_file(path), path, warnings));
}

Model parse_vensim(const std::string& text, const std::string& file_label) {
  if (text.size() > limit(Limit::FileSize)) checked_text(text, file_label);  // throws
  return checked(detail::read_vensim(
      detail::decode_text(text, file_label, detail::TextFallback::Windows1252), file_label));
}

Model load_vensim(const std::string& path) {
  return checked(detail::read_vensim(detail::read_file(path), path));
}

}  // namespace h2sim
