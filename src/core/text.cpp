#include "core/text.hpp"

#include <algorithm>
#include <cctype>

#include "h2sim/names.hpp"

namespace h2sim::detail {

std::size_t edit_distance(const std::string& a, const std::string& b, std::size_t max) {
  // Only the band |i - j| <= max of the table can hold a distance <= max, and a length
  // difference above max is already too far: O(n * max), not O(n * m).
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  if ((n > m ? n - m : m - n) > max) return max + 1;
  const std::size_t too_far = max + 1;
  std::vector<std::size_t> previous(m + 1, too_far), current(m + 1, too_far);
  for (std::size_t j = 0; j <= std::min(m, max); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    const std::size_t from = i > max ? i - max : 1;
    const std::size_t to = std::min(m, i + max);
    // Cells left of the band read as too far; those right of it were never written.
    current[from - 1] = i <= max ? i : too_far;
    if (to < m) current[to + 1] = too_far;
    std::size_t best = current[from - 1];
    for (std::size_t j = from; j <= to; ++j) {
      const std::size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute, too_far});
      best = std::min(best, current[j]);
    }
    if (best > max) return too_far;  // every path already costs more
    std::swap(previous, current);
  }
  return std::min(previous[m], too_far);
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  return edit_distance(a, b, std::max(a.size(), b.size()));
}

std::string closest_name(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string key = canonical_name(word);
  // A name this long is no typo worth guessing at, and guessing would cost its square.
  if (key.size() > kLongestSuggestedName) return {};
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, key.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    if (candidate.size() > 2 * kLongestSuggestedName) continue;
    const std::string other = canonical_name(candidate);
    const std::size_t d = edit_distance(key, other, best_distance - 1);
    if (d < best_distance) best_distance = d, best = candidate;
  }
  if (!best.empty() || key.size() < 3) return best;
  // No typo close enough: a name left short (`bus_mandate` for `bus_mandate_share`) or written
  // without its component (`learning_rate` for `learning.learning_rate`), when only one fits.
  const std::string dotted = "." + key;
  for (const auto& candidate : candidates) {
    if (candidate.size() > 2 * kLongestSuggestedName) continue;
    const std::string other = canonical_name(candidate);
    const bool fits = other.starts_with(key) || other.ends_with(dotted);
    if (!fits || candidate == best) continue;
    if (!best.empty()) return {};  // two fit: no guess
    best = candidate;
  }
  return best;
}

std::size_t scan_number(const std::string& text, std::size_t begin) {
  std::size_t pos = begin;
  auto digits = [&] {
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
  };
  digits();
  if (pos < text.size() && text[pos] == '.') ++pos, digits();
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    std::size_t p = pos + 1;
    if (p < text.size() && (text[p] == '+' || text[p] == '-')) ++p;
    if (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p]))) {
      pos = p;
      digits();
    }
  }
  return pos;
}

std::string trim(const std::string& s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : separator) + items[i];
  return out;
}

}  // namespace h2sim::detail
