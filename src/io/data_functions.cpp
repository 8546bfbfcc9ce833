#include "io/data_functions.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "h2sim/names.hpp"

namespace h2sim::detail {

namespace {

std::string column_letters(int col) {
  std::string column;
  for (int c = col + 1; c > 0; c = (c - 1) / 26)
    column.insert(column.begin(), static_cast<char>('A' + (c - 1) % 26));
  return column;
}

double cell_number(const Workbook& wb, const std::string& sheet, int row, int col) {
  const std::optional<double> v = wb.number(sheet, row, col);
  if (!v)
    throw std::runtime_error("the cell " + column_letters(col) + std::to_string(row + 1) +
                             (sheet.size() > 1 ? " of sheet '" + sheet + "'" : "") +
                             " holds no number");
  return *v;
}

void require_arguments(const std::vector<std::string>& args, std::size_t n, const char* what) {
  if (args.size() != n)
    throw std::runtime_error(std::string(what) + " takes " + std::to_string(n) +
                             " arguments in quotes ('file', 'sheet', ...), not " +
                             std::to_string(args.size()));
  if (!args[0].empty() && args[0][0] == '?')
    throw std::runtime_error("the data file '" + args[0] +
                             "' is one of Vensim's named external data files, which the model "
                             "file does not say where to find; name the file itself");
}

}  // namespace

std::string DataFiles::kind(const std::string& function) {
  for (const char* prefix : {"get_direct_", "get_xls_", "get_123_"}) {
    const std::string p(prefix);
    if (function.rfind(p, 0) != 0) continue;
    const std::string k = function.substr(p.size());
    if (k == "constants" || k == "data" || k == "lookups") return k;
  }
  return {};
}

const Workbook& DataFiles::workbook(const std::string& name) {
  const std::filesystem::path path = std::filesystem::path(model_file_).parent_path() / name;
  const std::string key = path.lexically_normal().string();
  const auto it = workbooks_.find(key);
  if (it != workbooks_.end()) return it->second;
  std::error_code missing;  // a name too long for the system is missing too, not an exception
  if (!std::filesystem::exists(path, missing) || missing)
    throw std::runtime_error("the data file '" + name + "' does not exist (looked for " + key +
                             ")");
  try {
    return workbooks_.emplace(key, Workbook::open(key)).first->second;
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("the data file '" + name + "': " + e.what());
  }
}

std::vector<double> DataFiles::constants(const std::vector<std::string>& args,
                                         const std::vector<std::size_t>& shape) {
  require_arguments(args, 3, "GET DIRECT CONSTANTS");
  const std::string& sheet = args[1];
  std::string ref = args[2];
  const bool transposed = !ref.empty() && ref.back() == '*';
  if (transposed) ref.pop_back();
  const Workbook& wb = workbook(args[0]);
  const CellRange r = wb.range(sheet, ref);
  if (shape.size() > 2)
    throw std::runtime_error(
        "GET DIRECT CONSTANTS for more than two dimensions at once is not "
        "supported");
  const std::size_t rows = shape.size() == 2 ? shape[0] : 1;
  const std::size_t cols = shape.empty() ? 1 : shape.back();
  std::vector<double> out;
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) {
      int row = r.row0 + static_cast<int>(i), col = r.col0 + static_cast<int>(j);
      if (transposed) row = r.row0 + static_cast<int>(j), col = r.col0 + static_cast<int>(i);
      out.push_back(cell_number(wb, sheet, row, col));
    }
  return out;
}

std::vector<GraphicalFunction> DataFiles::series(const std::vector<std::string>& args,
                                                 std::size_t count) {
  require_arguments(args, 4, "GET DIRECT DATA and GET DIRECT LOOKUPS");
  const std::string& sheet = args[1];
  const std::string& time_ref = args[2];
  const std::string& first_ref = args[3];
  const Workbook& wb = workbook(args[0]);
  const CellRange first = wb.range(sheet, first_ref);
  bool along_row = true;
  int time_line = 0, start = 0, end = -1;  // the row (column) of the times, and their span
  auto all = [&](auto test) {
    return !time_ref.empty() && std::all_of(time_ref.begin(), time_ref.end(), [&](char c) {
      return test(static_cast<unsigned char>(c));
    });
  };
  if (all([](unsigned char c) { return std::isdigit(c) != 0; })) {
    // (XFD1048576 is the last cell of a sheet: more digits would overflow std::stoi.)
    if (time_ref.size() > 7) throw std::runtime_error("no sheet has a row " + time_ref);
    time_line = std::stoi(time_ref) - 1;
    start = first.col0;
  } else if (time_ref.size() <= 3 && all([](unsigned char c) { return std::isalpha(c) != 0; })) {
    int row = 0;
    parse_cell(time_ref + "1", row, time_line);
    along_row = false;
    start = first.row0;
  } else {
    const CellRange t = wb.range(sheet, time_ref);
    along_row = t.row0 == t.row1;
    time_line = along_row ? t.row0 : t.col0;
    start = along_row ? t.col0 : t.row0;
    end = along_row ? t.col1 : t.row1;
  }
  std::vector<double> times;
  std::vector<int> at;
  for (int k = start; end >= 0 ? k <= end : k < start + 100000; ++k) {
    const std::optional<double> v =
        along_row ? wb.number(sheet, time_line, k) : wb.number(sheet, k, time_line);
    if (!v) {
      if (end < 0) break;
      continue;
    }
    times.push_back(*v);
    at.push_back(k);
  }
  if (times.empty()) throw std::runtime_error("no times found at '" + time_ref + "'");
  std::vector<GraphicalFunction> out;
  for (std::size_t e = 0; e < count; ++e) {
    GraphicalFunction gf;
    const int offset = static_cast<int>(e);
    for (std::size_t i = 0; i < times.size(); ++i) {
      const std::optional<double> v = along_row ? wb.number(sheet, first.row0 + offset, at[i])
                                                : wb.number(sheet, at[i], first.col0 + offset);
      if (!v) continue;  // no data at this time
      gf.x.push_back(times[i]);
      gf.y.push_back(*v);
    }
    if (gf.x.empty()) throw std::runtime_error("no data found at '" + first_ref + "'");
    out.push_back(std::move(gf));
  }
  return out;
}

bool parse_data_call(const std::string& text, std::string& function,
                     std::vector<std::string>& args) {
  const auto open = text.find('(');
  if (open == std::string::npos) return false;
  std::string name;
  for (const char c : text.substr(0, open))
    if (!std::isspace(static_cast<unsigned char>(c))) name += c == '_' ? ' ' : c;
  function = canonical_name(name);
  if (DataFiles::kind(function).empty()) {
    // "GET DIRECT DATA" with its spaces taken out above reads as one word: try the words.
    std::string spaced;
    for (const char c : text.substr(0, open)) spaced += c == '_' ? ' ' : c;
    function = canonical_name(spaced);
    if (DataFiles::kind(function).empty()) return false;
  }
  args.clear();
  std::string cur;
  bool quoted = false;
  bool closed = false;
  for (std::size_t i = open + 1; i < text.size() && !closed; ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\'') {
        quoted = false;
        args.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    } else if (c == '\'') {
      quoted = true;
    } else if (c == ')') {
      closed = true;
    } else if (c != ',' && c != '_' && !std::isspace(static_cast<unsigned char>(c))) {
      return false;  // an argument that is not text
    }
  }
  return closed;
}

}  // namespace h2sim::detail
