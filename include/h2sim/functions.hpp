// The builtin functions of the equation language, as documentation: docs/functions.md and
// `h2sim functions` are made from this list.
#pragma once

#include <string>
#include <vector>

namespace h2sim {

struct FunctionInfo {
  std::string name;                  // upper case: "SMTH1"
  std::vector<std::string> aliases;  // upper case: "SMOOTH"
  int min_arguments = 0;
  int max_arguments = 0;  // -1: any number
  bool bare = false;      // may be written without parentheses (TIME, PI)
  std::string signature;  // "(input, time[, initial])"; empty for bare names
  std::string description;
};

// Every builtin, in the order of the reference.
std::vector<FunctionInfo> builtin_functions();

}  // namespace h2sim
