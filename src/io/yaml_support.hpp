// Small helpers for reading YAML with errors that point at the line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "h2sim/error.hpp"

namespace h2sim::detail {

// Whether a path names something, and whether a folder: false where the system cannot say (a
// name too long for it, a part that is a file): the caller's "no such file" error follows,
// never a std::filesystem exception, which is not an h2sim::Error.
bool path_exists(const std::filesystem::path& path);
bool path_is_folder(const std::filesystem::path& path);
// A file's key for "loaded already" and cycles: canonical where it can be made, else as written.
std::string path_key(const std::filesystem::path& path);

// Reads one YAML file; every error names the file, line, column and YAML path.
// The line (from 1) where a second YAML document with content begins, else 0.
int second_document_line(const std::string& text);

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  // Parses text; YAML syntax errors become ParseError with the position, and a document
  // that goes past the limits (h2sim/limits.hpp) or has a key that is not a name a
  // ParseError or ScenarioError where it does.
  YAML::Node parse(const std::string& text) const;

  Location where(const YAML::Node& node) const;

  [[noreturn]] void fail(const YAML::Node& node, const std::string& path,
                         const std::string& message) const;

  // Rejects keys outside `allowed`, suggesting the nearest one.
  void check_keys(const YAML::Node& map, const std::string& path,
                  std::initializer_list<const char*> allowed) const;

  void expect_map(const YAML::Node& node, const std::string& path, const char* what) const;
  void expect_sequence(const YAML::Node& node, const std::string& path, const char* what) const;

  double number(const YAML::Node& node, const std::string& path) const;
  std::string text(const YAML::Node& node, const std::string& path) const;
  bool boolean(const YAML::Node& node, const std::string& path) const;
  std::vector<std::string> text_list(const YAML::Node& node, const std::string& path) const;
  std::vector<double> number_list(const YAML::Node& node, const std::string& path) const;
  // A number, or a scalar the equation language reads (returned as text).
  std::string equation_text(const YAML::Node& node, const std::string& path) const;

 private:
  void check_document(const YAML::Node& root, const std::string& text) const;
  void check_closing_quote(const YAML::Node& node, const std::string& text) const;

  std::string file_;
};

// " (did you mean `x`?)" for the closest of `candidates` to `word` (core/text.hpp has the
// rule), or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace h2sim::detail
