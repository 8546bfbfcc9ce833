// Small text helpers shared by the stages: suggestions for misspelt names ("did you mean"),
// lists in messages.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace h2sim::detail {

// Levenshtein distance: insertions, deletions and substitutions each cost 1.
std::size_t edit_distance(const std::string& a, const std::string& b);
// The same when it is at most `max`, else max + 1; takes O(length * max) time.
std::size_t edit_distance(const std::string& a, const std::string& b, std::size_t max);

// closest_name suggests nothing for a word longer than this (canonical characters).
inline constexpr std::size_t kLongestSuggestedName = 200;

// The one rule for "did you mean": the candidate closest to `word` (both compared as
// canonical names), when it is close enough to be a likely typo: at most max(2, n / 3)
// edits for a word of n characters. Ties go to the first candidate. Failing that, the one
// candidate that starts with the word or ends with "." + word (a name left short, or written
// without its component), for words of 3 characters or more. "" when none is, when two fit,
// and for words longer than kLongestSuggestedName. Bounded in time: a length filter and a banded
// edit distance make it O(candidates * n).
std::string closest_name(const std::string& word, const std::vector<std::string>& candidates);

// Without leading and trailing whitespace.
std::string trim(const std::string& s);
// In lower case (ASCII).
std::string lower(std::string s);

// The end of the number that starts at `begin`: digits [. digits] [e [+-] digits]. Both
// equation parsers scan numbers by this one rule, by hand, so that strtod never sees
// hexadecimal or "inf".
std::size_t scan_number(const std::string& text, std::size_t begin);

// "a, b, c".
std::string join(const std::vector<std::string>& items, const std::string& separator = ", ");

}  // namespace h2sim::detail
