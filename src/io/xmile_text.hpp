// Text rules of XMILE files: display names and top-level lists.
#pragma once

#include <string>
#include <vector>

namespace h2sim::detail {

// "size_of_one\ntime_lynx_harvest" -> "size of one time lynx harvest": the name as
// Stella and Vensim print it. canonical_name() of both is the same.
std::string display_name(const std::string& xml_name);

// Splits "a, b; c" at top-level commas and semicolons (outside (), [], {} and "");
// `had_separator` says whether there was any.
std::vector<std::string> split_top_level(const std::string& text, bool* had_separator);

// A name qualified by module instances, split at the dots outside quotes, without the
// quotes: `b."ghost of module/output"` -> {"b", "ghost of module/output"}. A leading dot (an
// input's source in the enclosing model, `.area`) is dropped.
std::vector<std::string> split_qualified(const std::string& name);

// The text without its { comments }, trimmed.
std::string without_comments(const std::string& text);

}  // namespace h2sim::detail
