// Looking builtins up by name. The table itself is in builtins.cpp.
#include "builtins/registry.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "h2sim/functions.hpp"

namespace h2sim::detail {

namespace {

const std::map<std::string, const Builtin*>& by_name() {
  static const std::map<std::string, const Builtin*> index = [] {
    std::map<std::string, const Builtin*> out;
    for (const Builtin& b : builtins()) {
      out[b.name] = &b;
      for (const auto& alias : b.aliases) out[alias] = &b;
    }
    return out;
  }();
  return index;
}

}  // namespace

const Builtin* find_builtin(const std::string& canonical_name) {
  const auto& index = by_name();
  const auto it = index.find(canonical_name);
  return it == index.end() ? nullptr : it->second;
}

std::string argument_count_text(const Builtin& b) {
  if (b.min_args == b.max_args) return std::to_string(b.min_args);
  if (b.max_args == kAnyNumber) return "at least " + std::to_string(b.min_args);
  return std::to_string(b.min_args) + " to " + std::to_string(b.max_args);
}

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const auto& [name, builtin] : by_name()) names.push_back(name);
  return names;  // alphabetical: suggestions prefer the first of equally close names
}

}  // namespace h2sim::detail

namespace h2sim {

namespace {
std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

std::vector<FunctionInfo> builtin_functions() {
  std::vector<FunctionInfo> out;
  for (const detail::Builtin& b : detail::builtins()) {
    FunctionInfo f;
    f.name = upper(b.name);
    for (const auto& a : b.aliases) f.aliases.push_back(upper(a));
    f.min_arguments = b.min_args;
    f.max_arguments = b.max_args == detail::kAnyNumber ? -1 : b.max_args;
    f.bare = b.bare;
    f.signature = b.signature;
    f.description = b.description;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace h2sim
