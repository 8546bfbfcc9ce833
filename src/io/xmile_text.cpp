// Text rules of XMILE files that the reader applies to names and equation lists.
#include "io/xmile_text.hpp"

#include <cctype>

#include "core/text.hpp"

namespace h2sim::detail {

// "size_of_one\ntime_lynx_harvest" -> "size of one time lynx harvest": the name as
// Stella and Vensim print it. canonical_name() of both is the same.
std::string display_name(const std::string& xml_name) {
  std::string out;
  bool space = false;
  const std::string s = trim(xml_name);
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      ++i;
      c = ' ';
    }
    if (c == '_' || std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Splits "a, b; c" at top-level commas and semicolons (outside (), [], {} and "").
std::vector<std::string> split_top_level(const std::string& text, bool* had_separator) {
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  bool comment = false;
  *had_separator = false;
  for (const char c : text) {
    if (comment) {
      comment = c != '}';
      cur += c;
      continue;
    }
    if (quoted) {
      quoted = c != '"';
      cur += c;
      continue;
    }
    if (c == '{') comment = true;
    if (c == '"') quoted = true;
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (depth == 0 && (c == ',' || c == ';')) {
      *had_separator = true;
      parts.push_back(trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!trim(cur).empty() || parts.empty()) parts.push_back(trim(cur));
  return parts;
}

std::vector<std::string> split_qualified(const std::string& name) {
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  const std::string s = trim(name);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted && c == '\\' && i + 1 < s.size() && s[i + 1] == '"') {
      cur += '"';  // \" is a quote inside a quoted part
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == '.' && !quoted) {
      if (!(i == 0 && parts.empty())) parts.push_back(trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(trim(cur));
  return parts;
}

std::string without_comments(const std::string& text) {
  std::string out;
  int depth = 0;
  for (const char c : text) {
    if (c == '{') ++depth;
    if (depth == 0) out += c;
    if (c == '}' && depth > 0) --depth;
  }
  return trim(out);
}

}  // namespace h2sim::detail
