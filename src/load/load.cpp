// The public load_* functions: read a file (src/io/, translation only), then check the
// model (src/check/: names, units, loops) and throw the first error. The Scenario keeps the
// Program the check compiled, so running it needs no second compile.
#include <fstream>
#include <sstream>

#include "h2sim/check.hpp"
#include "h2sim/scenario.hpp"
#include "h2sim/vensim.hpp"
#include "h2sim/xmile.hpp"
#include "io/readers.hpp"

namespace h2sim {

Scenario parse_scenario(const std::string& text, const std::string& file,
                        const LoadOptions& options) {
  Scenario s = detail::read_scenario(text, file);
  CheckOptions check;
  check.strict_units = options.strict_units;
  const CheckResult result = check_model(s.model, check);
  result.throw_first_error();
  for (auto& warning : result.warnings()) s.warnings.push_back(std::move(warning));
  s.program = result.program;
  return s;
}

Scenario load_scenario(const std::string& path, const LoadOptions& options) {
  return parse_scenario(detail::read_file(path), path, options);
}

Model load_model(const std::string& path, const LoadOptions& options) {
  return load_scenario(path, options).model;
}

namespace {

std::string file_text(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Location where;
    where.file = path;
    throw ParseError(std::string("cannot open the ") + what, where);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A returned Model compiles: check it, and throw its first error.
Model checked(Model model) {
  check_model(model).throw_first_error();
  return model;
}

}  // namespace

Model parse_xmile(const std::string& text, const std::string& file_label,
                  std::vector<std::string>* warnings) {
  return checked(detail::read_xmile(text, file_label, warnings));
}

Model load_xmile(const std::string& path, std::vector<std::string>* warnings) {
  return parse_xmile(file_text(path, "XMILE file"), path, warnings);
}

Model parse_vensim(const std::string& text, const std::string& file_label) {
  return checked(detail::read_vensim(text, file_label));
}

Model load_vensim(const std::string& path) {
  return parse_vensim(file_text(path, "Vensim model file"), path);
}

}  // namespace h2sim
