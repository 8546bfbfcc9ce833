// Canonical names: the one rule by which every stage compares variable, dimension and
// element names (XMILE 1.0, 3.2.2: case-insensitive, spaces and underscores alike).
#include "h2sim/names.hpp"

#include <cctype>
#include <sstream>

namespace h2sim {

namespace {

std::string canonical_pass(const std::string& name) {
  std::string out;
  out.reserve(name.size());
  std::size_t begin = 0;
  std::size_t end = name.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(name[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(name[end - 1]))) --end;
  // Every layer of quotes, and \n or \N for a line break (found by fuzzing: "a\N b" became
  // a\n_b, whose key is a_b).
  while (end - begin >= 2 && name[begin] == '"' && name[end - 1] == '"') {
    ++begin, --end;
    while (begin < end && std::isspace(static_cast<unsigned char>(name[begin]))) ++begin;
    while (end > begin && std::isspace(static_cast<unsigned char>(name[end - 1]))) --end;
  }
  bool pending_separator = false;
  for (std::size_t i = begin; i < end; ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == ' ' || c == '_' || c == '\t' || c == '\n' || c == '\r') {
      pending_separator = !out.empty();
      continue;
    }
    if (c == '\\' && i + 1 < end && (name[i + 1] == 'n' || name[i + 1] == 'N')) {  // XMILE: \n
      ++i;
      pending_separator = !out.empty();
      continue;
    }
    if (pending_separator) out += '_';
    pending_separator = false;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

}  // namespace

// One pass, repeated until nothing changes: a canonical name must be its own canonical name,
// or a name stored by its key is not found by it (`"_"x"_"` is "x" after one pass; every
// pass that changes a name shortens it, so this ends).
std::string canonical_name(const std::string& name) {
  std::string out = canonical_pass(name);
  for (std::string again = canonical_pass(out); again != out; again = canonical_pass(out))
    out = std::move(again);
  return out;
}

std::string canonical_element_name(const std::string& name) {
  const auto open = name.find('[');
  if (open == std::string::npos || name.back() != ']') return canonical_name(name);
  std::string key = canonical_name(name.substr(0, open)) + "[";
  std::stringstream inner(name.substr(open + 1, name.size() - open - 2));
  std::string part;
  bool first = true;
  while (std::getline(inner, part, ',')) {
    key += (first ? "" : ",") + canonical_name(part);
    first = false;
  }
  return key + "]";
}

}  // namespace h2sim
