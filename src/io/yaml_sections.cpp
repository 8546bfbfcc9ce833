// Analysis sections (`outcomes:`, `targets:`, `uncertainties:`, `calibration:`,
// `reality_checks:`): the loaders carry them as located data for the Python analysis tools,
// which own their meaning (DESIGN.md: analysis modules sit above run/run_batch).
#include <algorithm>

#include "h2sim/scenario.hpp"
#include "io/yaml_loader.hpp"

namespace h2sim {

const std::vector<std::string>& analysis_section_names() {
  static const std::vector<std::string> names = {"outcomes", "targets", "uncertainties",
                                                 "calibration", "reality_checks"};
  return names;
}

namespace detail {

DataNode read_data_node(const YAML::Node& node, const YamlReader& reader) {
  DataNode out;
  out.where = reader.where(node);
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      out.kind = DataNode::Kind::Scalar;
      out.scalar = node.Scalar();
      out.quoted = node.Tag() == "!";  // yaml-cpp tags quoted scalars "!", plain ones "?"
      break;
    case YAML::NodeType::Sequence:
      out.kind = DataNode::Kind::List;
      for (const auto& item : node) out.children.push_back(read_data_node(item, reader));
      break;
    case YAML::NodeType::Map:
      out.kind = DataNode::Kind::Map;
      for (const auto& item : node) {
        if (!item.first.IsScalar())
          reader.fail(item.first, "", "keys must be single values, not lists or mappings");
        out.keys.push_back(item.first.Scalar());
        out.children.push_back(read_data_node(item.second, reader));
      }
      break;
    default:
      break;
  }
  return out;
}

void read_analysis_sections(const YAML::Node& root, const YamlReader& reader,
                            std::vector<std::pair<std::string, DataNode>>& sections) {
  for (const auto& name : analysis_section_names()) {
    if (!root[name]) continue;
    DataNode node = read_data_node(root[name], reader);
    auto it = std::find_if(sections.begin(), sections.end(),
                           [&](const auto& s) { return s.first == name; });
    if (it == sections.end()) {
      sections.emplace_back(name, std::move(node));
      continue;
    }
    DataNode& old = it->second;
    if (old.kind != DataNode::Kind::Map || node.kind != DataNode::Kind::Map) {
      old = std::move(node);
      continue;
    }
    for (std::size_t i = 0; i < node.keys.size(); ++i) {
      auto key = std::find(old.keys.begin(), old.keys.end(), node.keys[i]);
      if (key == old.keys.end()) {
        old.keys.push_back(node.keys[i]);
        old.children.push_back(std::move(node.children[i]));
      } else {
        old.children[static_cast<std::size_t>(key - old.keys.begin())] =
            std::move(node.children[i]);
      }
    }
  }
}

}  // namespace detail
}  // namespace h2sim
