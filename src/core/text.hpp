// Small text helpers shared by the stages: suggestions for misspelt names ("did you mean"),
// lists in messages.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace h2sim::detail {

// Levenshtein distance: insertions, deletions and substitutions each cost 1.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The one rule for "did you mean": the candidate closest to `word` (both compared as
// canonical names), when it is close enough to be a likely typo: at most max(2, n / 3)
// edits for a word of n characters. Ties go to the first candidate. "" when none is.
std::string closest_name(const std::string& word, const std::vector<std::string>& candidates);

// Without leading and trailing whitespace.
std::string trim(const std::string& s);
// In lower case (ASCII).
std::string lower(std::string s);

// "a, b, c".
std::string join(const std::vector<std::string>& items, const std::string& separator = ", ");

}  // namespace h2sim::detail
