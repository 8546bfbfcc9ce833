#include "io/yaml_support.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "core/counting.hpp"
#include "core/encoding.hpp"
#include "core/text.hpp"
#include "h2sim/limits.hpp"
#include "h2sim/model.hpp"
#include "io/readers.hpp"

namespace h2sim::detail {

bool path_exists(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::exists(path, error) && !error;
}

bool path_is_folder(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::is_directory(path, error) && !error;
}

std::string path_key(const std::filesystem::path& path) {
  std::error_code error;
  const std::filesystem::path key = std::filesystem::weakly_canonical(path, error);
  return error ? path.lexically_normal().string() : key.string();
}

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
  Location where;
  where.file = path;
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw ScenarioError("is a folder, not a file", where);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError("cannot open the file: no such file or not readable", where);
  // A device or a pipe (/dev/zero, /dev/stdin) never ends, or ends when it likes: files only.
  if (!std::filesystem::is_regular_file(path, error))
    throw ScenarioError("is not a regular file (a device or a pipe?)", where);
  // Read at most one byte past the limit, whatever the file claims its size is.
  const std::size_t largest = limit(Limit::FileSize);
  std::string bytes;
  char buffer[1 << 16];
  while (in && bytes.size() <= largest) {
    in.read(buffer, sizeof buffer);
    bytes.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw ScenarioError("cannot read the file", where);
  if (bytes.size() > largest)
    throw ScenarioError(limit_message(Limit::FileSize, "the file has more than " +
                                                           std::to_string(largest) + " bytes"),
                        where);
  return decode_text(bytes, path, text_fallback(path));
}

TextFallback text_fallback(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".mdl") return TextFallback::Windows1252;
  if (ext == ".xmile" || ext == ".stmx" || ext == ".itmx" || ext == ".xml")
    return TextFallback::Declared;
  return TextFallback::None;
}

// The line (from 1) where a second YAML document with content begins, else 0. A document
// marker (`---` or `...` at the start of a line, then a blank or the line's end) ends a
// document; comments, blank lines and directives (`%YAML`) are no content, so a leading
// `---` and an empty document at the end are fine. Found by scanning the lines, not by
// yaml-cpp's LoadAll: that loops forever on some malformed input (found by fuzzing).
int second_document_line(const std::string& text) {
  bool earlier = false;  // a document before the last marker had content
  bool content = false;  // the current document has content
  int line = 0;
  for (std::size_t pos = 0; pos <= text.size();) {
    const std::size_t eol = std::min(text.find('\n', pos), text.size());
    const std::string_view row(text.data() + pos, eol - pos);
    ++line;
    const bool marker = row.size() >= 3 && (row.substr(0, 3) == "---" || row.substr(0, 3) == "...") &&
                        (row.size() == 3 || row[3] == ' ' || row[3] == '\t' || row[3] == '\r');
    if (marker) {
      earlier = earlier || content;
      content = false;
    }
    const std::string_view rest = marker ? row.substr(3) : row;
    const std::size_t k = rest.find_first_not_of(" \t\r");
    const bool directive = !marker && !content && k == 0 && rest[0] == '%';
    if (k != std::string_view::npos && rest[k] != '#' && !directive) {
      if (earlier) return line;
      content = true;
    }
    pos = eol + 1;
  }
  return 0;
}

YAML::Node YamlReader::parse(const std::string& text) const {
  // A second document (after `---`) would be ignored: yaml-cpp's Load reads the first.
  if (const int line = second_document_line(text); line > 0) {
    Location where;
    where.file = file_;
    where.line = line;
    throw ScenarioError(
        "a second YAML document (after `---`): a scenario or model file is one document, and "
        "the rest would be ignored; join them, or put the second in a file of its own "
        "(`extends:` or `components:`)",
        where);
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Location where;
    where.file = file_;
    where.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    where.column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    throw ParseError("YAML syntax: " + e.msg, where);
  }
  check_document(root, text);
  return root;
}

// What yaml-cpp lets through and h2sim must not: keys that are lists or mappings (nothing in
// h2sim's formats is named by one), nesting past the limit, a document that its aliases
// expand past the limits (every use of an alias is read again, and copied into sections),
// and a quoted scalar whose closing quote never comes (yaml-cpp 0.7 takes the rest of the
// file into it when the file ends first).
void YamlReader::check_document(const YAML::Node& root, const std::string& text) const {
  const std::size_t max_depth = limit(Limit::Nesting);
  const std::size_t max_nodes = limit(Limit::DocumentNodes);
  const std::size_t max_bytes = limit(Limit::FileSize);
  std::size_t nodes = 0;
  std::size_t bytes = 0;
  std::vector<std::pair<YAML::Node, std::size_t>> pending{{root, 1}};
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    if (++nodes > max_nodes)
      fail(node, "",
           limit_message(Limit::DocumentNodes, "the file has more than " +
                                                   std::to_string(max_nodes) +
                                                   " nodes (every use of an alias counts)"));
    if (depth > max_depth)
      fail(node, "",
           limit_message(Limit::Nesting,
                         "the file nests " + std::to_string(depth) + " mappings or lists deep"));
    if (node.IsScalar()) {
      bytes = saturating_sum(bytes, node.Scalar().size());
      if (bytes > max_bytes)
        fail(node, "",
             limit_message(Limit::FileSize, "with its aliases expanded, the file has more than " +
                                                std::to_string(max_bytes) + " bytes of values"));
      if (node.Tag() == "!") check_closing_quote(node, text);
    } else if (node.IsSequence()) {
      for (const auto& item : node) pending.emplace_back(item, depth + 1);
    } else if (node.IsMap()) {
      for (const auto& item : node) {
        if (!item.first.IsScalar() && !item.first.IsNull())
          fail(item.first, "",
               "a key must be a name or a number, not a list or a mapping (`? [a, b]` and "
               "`{a: 1}: x` name nothing h2sim reads)");
        pending.emplace_back(item.first, depth + 1);
        pending.emplace_back(item.second, depth + 1);
      }
    }
  }
}

// A quoted scalar starts with its quote at its mark; the quote that closes it must come
// before the end of the file. (yaml-cpp 0.7 accepts `name: "unclosed` at the end of a file,
// and with it every line that follows, as one value.)
void YamlReader::check_closing_quote(const YAML::Node& node, const std::string& text) const {
  const YAML::Mark mark = node.Mark();
  if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text.size()) return;
  const std::size_t open = static_cast<std::size_t>(mark.pos);
  const char quote = text[open];
  if (quote != '"' && quote != '\'') return;  // not where the scalar starts: nothing to say
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;  // an escaped character
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is a quote inside single quotes
        continue;
      }
      return;
    }
  }
  Location where = this->where(node);
  throw ParseError(std::string("YAML syntax: the quoted text that starts here (") + quote +
                       ") is never closed: the file ends first",
                   where);
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
    const std::string key = item.first.Scalar();
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

namespace {

// A decimal number and nothing else: [+-] digits [. digits] [e [+-] digits], or with the
// digits after the point alone (".5"). No hexadecimal, no "inf" or "nan", no spaces, no
// trailing text (strtod alone would read "1/4xyz" as 1/4 and "0x10" as 16).
bool decimal(const std::string& s, double* value) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto digits = [&] {
    const std::size_t from = i;
    while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i - from;
  };
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t count = digits();
  if (i < n && s[i] == '.') {
    ++i;
    count += digits();
  }
  if (count == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  if (i != n) return false;
  *value = std::strtod(s.c_str(), nullptr);
  return true;
}

}  // namespace

double YamlReader::number(const YAML::Node& node, const std::string& path) const {
  if (!node.IsScalar())
    fail(node, path, std::string("expected a number, found ") + type_name(node));
  const std::string s = node.Scalar();
  const std::string shown = "'" + utf8_prefix(s, 60) + (s.size() > 60 ? "...'" : "'");
  double v = 0;
  // "1/8" is accepted for dt, as XMILE's reciprocal dt.
  const auto slash = s.find('/');
  if (slash != std::string::npos) {
    double a = 0;
    double b = 0;
    if (!decimal(trim(s.substr(0, slash)), &a) || !decimal(trim(s.substr(slash + 1)), &b))
      fail(node, path, "expected a number or a fraction such as 1/8, found " + shown);
    if (b == 0) fail(node, path, "division by zero in " + shown);
    v = a / b;
  } else if (!decimal(s, &v)) {
    fail(node, path, "expected a number, found " + shown);
  }
  if (!std::isfinite(v)) fail(node, path, "expected a finite number, found " + shown);
  return v;
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
