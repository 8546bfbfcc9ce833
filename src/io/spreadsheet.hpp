// Numbers from spreadsheets, for data functions (Vensim's GET DIRECT/GET XLS): .xlsx
// workbooks (a zip of XML parts, read with minizip and pugixml) and .csv/.tab tables.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace h2sim::detail {

struct CellRange {
  int row0 = 0, col0 = 0, row1 = 0, col1 = 0;  // 0-based, inclusive
};

class Workbook {
 public:
  // Reads a workbook (.xlsx), or a text table (.csv, .tab, .txt: one sheet, comma- or
  // tab-separated, which any sheet name reads). Throws std::runtime_error saying what is
  // wrong with the file.
  static Workbook open(const std::string& path);

  // The number in a cell (formula cells give their saved result); nothing for an empty
  // or text cell. Throws std::runtime_error for a sheet the workbook does not have.
  std::optional<double> number(const std::string& sheet, int row, int col) const;

  // "B5" (a cell) or a defined name (the sheet's own, then the workbook's) -> cells.
  // Throws std::runtime_error when it is neither.
  CellRange range(const std::string& sheet, const std::string& reference) const;

 private:
  struct Sheet {
    std::map<std::pair<int, int>, double> numbers;
  };
  const Sheet& sheet(const std::string& name) const;

  static Workbook open_text(const std::string& path);

  std::string path_;
  bool text_table_ = false;               // a .csv/.tab file: its one sheet answers to any name
  std::map<std::string, Sheet> sheets_;   // by lower-case name
  std::vector<std::string> sheet_order_;  // lower-case names in workbook order
  std::map<std::string, std::string> global_names_;  // lower-case name -> "Sheet!$A$1:$B$2"
  std::map<std::pair<int, std::string>, std::string> local_names_;  // (sheet index, name)
};

// "B5" -> (row 4, column 1); false when `text` is not a cell reference.
bool parse_cell(const std::string& text, int& row, int& col);

}  // namespace h2sim::detail
