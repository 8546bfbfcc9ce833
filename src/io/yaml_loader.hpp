// Internal interface between the YAML model and scenario readers.
#pragma once

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

// `stack` holds the files being loaded (for component cycles).
LoadedModel load_model_file(const std::string& path, std::vector<std::string>& stack);
LoadedModel load_model_node(const YAML::Node& root, const std::string& path,
                            std::vector<std::string>& stack);

// Reads the analysis sections of `root` into `sections`: a mapping section's entries replace
// earlier ones of the same key, any other section replaces the earlier one whole.
void read_analysis_sections(const YAML::Node& root, const YamlReader& reader,
                            std::vector<std::pair<std::string, DataNode>>& sections);

void read_time(const YAML::Node& node, const std::string& path, TimeSettings& time,
               const YamlReader& reader);

}  // namespace h2sim::detail
