// Internal interface between the YAML model and scenario readers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "h2sim/model.hpp"
#include "h2sim/scenario.hpp"
#include "io/yaml_support.hpp"

namespace h2sim::detail {

struct LoadedModel {
  std::string file;
  std::string description;
  Model model;
  std::vector<std::string> inputs;                         // variables an including model may bind
  std::vector<std::string> outputs;                        // the model's default outputs
  std::vector<std::pair<std::string, DataNode>> sections;  // analysis sections, as written
};

// What one load shares across the files it reads: the component files being read (for
// cycles), and how many variables were read or copied in all, so that components that
// include components many times over stop at the limit (h2sim/limits.hpp) instead of
// growing without bound.
struct LoadContext {
  std::vector<std::string> stack;
  std::size_t variables = 0;
  // Each component file is read once per load, however often it is included.
  std::map<std::string, LoadedModel> components;  // by canonical path
};

LoadedModel load_model_file(const std::string& path, LoadContext& context);
LoadedModel load_model_node(const YAML::Node& root, const std::string& path, LoadContext& context);

// Reads the analysis sections of `root` into `sections`: a mapping section's entries replace
// earlier ones of the same key, any other section replaces the earlier one whole.
void read_analysis_sections(const YAML::Node& root, const YamlReader& reader,
                            std::vector<std::pair<std::string, DataNode>>& sections);

void read_time(const YAML::Node& node, const std::string& path, TimeSettings& time,
               const YamlReader& reader);

}  // namespace h2sim::detail
