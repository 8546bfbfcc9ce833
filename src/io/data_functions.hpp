// Vensim's data functions, GET DIRECT CONSTANTS/DATA/LOOKUPS and GET XLS ..., read once for
// both readers: the Vensim reader for .mdl files, and the XMILE reader for what converters
// write (xmutil keeps the call in a comment: `0{GET_DIRECT_DATA('e.csv',_',',_'A',_'B2')}`).
// Files are .xlsx workbooks or .csv/.tab tables (spreadsheet.hpp), found beside the model.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "h2sim/model.hpp"
#include "io/spreadsheet.hpp"

namespace h2sim::detail {

class DataFiles {
 public:
  explicit DataFiles(std::string model_file) : model_file_(std::move(model_file)) {}

  // "constants", "data" or "lookups" for a data function's canonical name
  // (get_direct_data, get_xls_lookups, ...); "" for any other.
  static std::string kind(const std::string& function);

  // GET ... CONSTANTS(file, sheet, 'B5' or a name): one value per element of `shape` (the
  // sizes of the dimensions, row-major): along a row, down a column with a trailing '*'
  // ('B5*'), a table (rows by the first dimension) for two.
  std::vector<double> constants(const std::vector<std::string>& args,
                                const std::vector<std::size_t>& shape);

  // GET ... DATA / LOOKUPS(file, sheet, times, first cell): `count` series, the times along
  // a row ('4', or the name of one row) or down a column ('A', or the name of one column),
  // element k in the k-th row (column) from the first cell; times without a value skipped.
  std::vector<GraphicalFunction> series(const std::vector<std::string>& args, std::size_t count);

  // Every error is a std::runtime_error saying what is wrong; the reader adds where.
 private:
  const Workbook& workbook(const std::string& name);
  std::string model_file_;
  std::map<std::string, Workbook> workbooks_;  // by normalised path
};

// A data function call written as text: `GET_DIRECT_DATA('e.csv', ',', 'A', 'B2')` (the
// underscores XMILE converters put for spaces, outside quotes, read as spaces). Sets the
// function's canonical name and its text arguments; false when `text` is not such a call.
bool parse_data_call(const std::string& text, std::string& function,
                     std::vector<std::string>& args);

}  // namespace h2sim::detail
