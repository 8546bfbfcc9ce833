#include "io/yaml_support.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/text.hpp"
#include "h2sim/model.hpp"
#include "io/readers.hpp"

namespace h2sim::detail {

namespace {

const char* type_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a single value";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "an undefined value";
  }
}

}  // namespace

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string best = closest_name(word, candidates);
  return best.empty() ? std::string() : " (did you mean `" + best + "`?)";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError("cannot open '" + path + "': no such file or not readable");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

YAML::Node YamlReader::parse(const std::string& text) const {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    Location where;
    where.file = file_;
    where.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    where.column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    throw ParseError("YAML syntax: " + e.msg, where);
  }
}

Location YamlReader::where(const YAML::Node& node) const {
  Location where;
  where.file = file_;
  if (node.IsDefined()) {
    const YAML::Mark mark = node.Mark();
    if (mark.line >= 0) {
      where.line = mark.line + 1;
      where.column = mark.column + 1;
    }
  }
  return where;
}

void YamlReader::fail(const YAML::Node& node, const std::string& path,
                      const std::string& message) const {
  throw ScenarioError(path.empty() ? message : "at `" + path + "`: " + message, where(node));
}

void YamlReader::check_keys(const YAML::Node& map, const std::string& path,
                            std::initializer_list<const char*> allowed) const {
  std::vector<std::string> keys(allowed.begin(), allowed.end());
  std::vector<std::string> seen;
  for (const auto& item : map) {
    const std::string key = item.first.as<std::string>();
    const std::string here = path.empty() ? key : path + "." + key;
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string list;
      for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
      fail(item.first, here,
           "unknown key `" + key + "`" + did_you_mean(key, keys) + "; expected one of: " + list);
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      fail(item.first, here, "`" + key + "` is given twice");
    seen.push_back(key);
  }
}

void YamlReader::expect_map(const YAML::Node& node, const std::string& path,
                            const char* what) const {
  if (!node.IsMap())
    fail(node, path,
         std::string("expected ") + what + " (a mapping of keys to values), found " +
             type_name(node));
}

void YamlReader::expect_sequence(const YAML::Node& node, const std::string& path,
                                 const char* what) const {
  if (!node.IsSequence())
    fail(node, path, std::string("expected ") + what + " (a list), found " + type_name(node));
}

double YamlReader::number(const YAML::Node& node, const std::string& path) const {
  if (!node.IsScalar())
    fail(node, path, std::string("expected a number, found ") + type_name(node));
  const std::string s = node.Scalar();
  // "1/8" is accepted for dt, as XMILE's reciprocal dt.
  const auto slash = s.find('/');
  try {
    std::size_t used = 0;
    if (slash != std::string::npos) {
      const double a = std::stod(s.substr(0, slash), &used);
      const double b = std::stod(s.substr(slash + 1));
      if (b == 0) fail(node, path, "division by zero in '" + s + "'");
      return a / b;
    }
    const double v = std::stod(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    if (!std::isfinite(v)) fail(node, path, "expected a finite number, found '" + s + "'");
    return v;
  } catch (const std::logic_error&) {
    fail(node, path, "expected a number, found '" + s + "'");
  }
}

std::string YamlReader::text(const YAML::Node& node, const std::string& path) const {
  if (!node.IsScalar()) fail(node, path, std::string("expected text, found ") + type_name(node));
  return node.Scalar();
}

bool YamlReader::boolean(const YAML::Node& node, const std::string& path) const {
  if (node.IsScalar()) {
    std::string s = node.Scalar();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  fail(node, path, "expected true or false");
}

std::vector<std::string> YamlReader::text_list(const YAML::Node& node,
                                               const std::string& path) const {
  std::vector<std::string> out;
  if (node.IsScalar()) return {node.Scalar()};
  expect_sequence(node, path, "a list of names");
  for (std::size_t i = 0; i < node.size(); ++i)
    out.push_back(text(node[i], path + "[" + std::to_string(i) + "]"));
  return out;
}

std::vector<double> YamlReader::number_list(const YAML::Node& node, const std::string& path) const {
  expect_sequence(node, path, "a list of numbers");
  std::vector<double> out;
  for (std::size_t i = 0; i < node.size(); ++i)
    out.push_back(number(node[i], path + "[" + std::to_string(i) + "]"));
  return out;
}

std::string YamlReader::equation_text(const YAML::Node& node, const std::string& path) const {
  if (!node.IsScalar())
    fail(node, path,
         std::string("expected an equation (text or a number), found ") + type_name(node));
  const std::string s = node.Scalar();
  if (s.find_first_not_of(" \t\r\n") == std::string::npos)
    fail(node, path, "the equation is empty");
  return s;
}

}  // namespace h2sim::detail
