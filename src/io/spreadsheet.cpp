// .xlsx reading: the workbook part lists the sheets (and defined names), its
// relationships say which part holds each sheet, shared strings are skipped (only
// numbers are read), and each sheet's <c r="B5"><v>..</v></c> cells give the numbers.
// .csv and .tab tables are one sheet of numbers.
#include "io/spreadsheet.hpp"

#include <minizip/unzip.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>
#include <stdexcept>

namespace h2sim::detail {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads one part of the zip; empty when it is not there.
std::string read_part(unzFile zip, const std::string& name) {
  if (unzLocateFile(zip, name.c_str(), 0) != UNZ_OK) return {};
  if (unzOpenCurrentFile(zip) != UNZ_OK) return {};
  std::string out;
  char buffer[65536];
  for (;;) {
    const int n = unzReadCurrentFile(zip, buffer, sizeof buffer);
    if (n < 0) {
      unzCloseCurrentFile(zip);
      throw std::runtime_error("the part " + name + " of the workbook cannot be read");
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  unzCloseCurrentFile(zip);
  return out;
}

struct ZipCloser {
  unzFile zip;
  ~ZipCloser() {
    if (zip != nullptr) unzClose(zip);
  }
};

}  // namespace

bool parse_cell(const std::string& text, int& row, int& col) {
  std::size_t i = 0;
  col = 0;
  while (i < text.size() && text[i] == '$') ++i;
  const std::size_t letters = i;
  // At most 3 letters and 7 digits (XFD1048576 is the last cell of a sheet), checked as
  // they come, so that no count overflows.
  while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
    if (i - letters == 3) return false;
    col = col * 26 + (std::toupper(static_cast<unsigned char>(text[i++])) - 'A' + 1);
  }
  if (i == letters) return false;
  while (i < text.size() && text[i] == '$') ++i;
  const std::size_t digits = i;
  row = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (i - digits == 7) return false;
    row = row * 10 + (text[i++] - '0');
  }
  if (i == digits || i != text.size() || row < 1) return false;
  --row;
  --col;
  return true;
}

// A text table: rows of fields separated by tabs (when the first line has one) or commas,
// fields optionally in double quotes; the fields that are numbers are the cells.
Workbook Workbook::open_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  const std::size_t first_end = text.find_first_of("\r\n");
  const char separator = text.substr(0, first_end).find('\t') != std::string::npos ? '\t' : ',';
  Workbook wb;
  wb.path_ = path;
  wb.text_table_ = true;
  Sheet sheet;
  int row = 0;
  int col = 0;
  std::string field;
  bool quoted = false;
  auto finish_field = [&] {
    std::size_t b = 0, e = field.size();
    while (b < e && std::isspace(static_cast<unsigned char>(field[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(field[e - 1]))) --e;
    const std::string f = field.substr(b, e - b);
    char* end = nullptr;
    const double x = std::strtod(f.c_str(), &end);
    if (!f.empty() && end == f.c_str() + f.size() && std::isfinite(x))
      sheet.numbers[{row, col}] = x;
    field.clear();
    ++col;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == separator) {
      finish_field();
    } else if (c == '\n' || c == '\r') {
      finish_field();
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++row;
      col = 0;
    } else {
      field += c;
    }
  }
  if (!field.empty() || col > 0) finish_field();
  wb.sheet_order_.push_back("");
  wb.sheets_[""] = std::move(sheet);
  return wb;
}

Workbook Workbook::open(const std::string& path) {
  std::string ext = lower(std::filesystem::path(path).extension().string());
  if (ext == ".csv" || ext == ".tab" || ext == ".txt" || ext == ".tsv") return open_text(path);
  if (ext == ".xls")
    throw std::runtime_error(
        "old-style Excel files (.xls) are not supported; save the workbook as .xlsx");
  if (ext != ".xlsx" && ext != ".xlsm")
    throw std::runtime_error("'" + ext +
                             "' is not a data file h2sim reads (.xlsx, or a .csv or .tab table)");
  ZipCloser zip{unzOpen64(path.c_str())};
  if (zip.zip == nullptr) throw std::runtime_error("cannot open the workbook (not an .xlsx file?)");
  Workbook wb;
  wb.path_ = path;
  pugi::xml_document workbook, rels;
  const std::string workbook_text = read_part(zip.zip, "xl/workbook.xml");
  const std::string rels_text = read_part(zip.zip, "xl/_rels/workbook.xml.rels");
  if (!workbook.load_string(workbook_text.c_str()) || !rels.load_string(rels_text.c_str()))
    throw std::runtime_error("the workbook has no readable xl/workbook.xml");
  std::map<std::string, std::string> targets;
  for (const auto& r : rels.child("Relationships").children("Relationship"))
    targets[r.attribute("Id").value()] = r.attribute("Target").value();
  const pugi::xml_node root = workbook.child("workbook");
  for (const auto& s : root.child("sheets").children("sheet")) {
    const std::string name = lower(s.attribute("name").value());
    std::string target = targets[s.attribute("r:id").value()];
    if (target.rfind("/xl/", 0) == 0)
      target = target.substr(1);
    else
      target = "xl/" + target;
    pugi::xml_document sheet_doc;
    const std::string sheet_text = read_part(zip.zip, target);
    if (!sheet_doc.load_string(sheet_text.c_str()))
      throw std::runtime_error("the sheet '" + std::string(s.attribute("name").value()) +
                               "' cannot be read");
    Sheet sheet;
    for (const auto& row : sheet_doc.child("worksheet").child("sheetData").children("row"))
      for (const auto& c : row.children("c")) {
        const std::string type = c.attribute("t").value();
        if (!type.empty() && type != "n") continue;  // text, booleans, errors
        const pugi::xml_node v = c.child("v");
        if (!v) continue;
        int r = 0, k = 0;
        if (!parse_cell(c.attribute("r").value(), r, k)) continue;
        char* end = nullptr;
        const std::string value = v.child_value();
        const double x = std::strtod(value.c_str(), &end);
        if (end != value.c_str()) sheet.numbers[{r, k}] = x;
      }
    wb.sheet_order_.push_back(name);
    wb.sheets_[name] = std::move(sheet);
  }
  for (const auto& d : root.child("definedNames").children("definedName")) {
    const std::string name = lower(d.attribute("name").value());
    if (d.attribute("localSheetId"))
      wb.local_names_[{d.attribute("localSheetId").as_int(), name}] = d.child_value();
    else
      wb.global_names_[name] = d.child_value();
  }
  return wb;
}

const Workbook::Sheet& Workbook::sheet(const std::string& name) const {
  if (text_table_) return sheets_.begin()->second;  // the sheet argument is the delimiter
  const auto it = sheets_.find(lower(name));
  if (it == sheets_.end()) throw std::runtime_error("the workbook has no sheet '" + name + "'");
  return it->second;
}

std::optional<double> Workbook::number(const std::string& sheet_name, int row, int col) const {
  const Sheet& s = sheet(sheet_name);
  const auto it = s.numbers.find({row, col});
  if (it == s.numbers.end()) return std::nullopt;
  return it->second;
}

CellRange Workbook::range(const std::string& sheet_name, const std::string& reference) const {
  CellRange r;
  if (parse_cell(reference, r.row0, r.col0)) {
    r.row1 = r.row0;
    r.col1 = r.col0;
    return r;
  }
  const std::string key = lower(reference);
  const auto position = std::find(sheet_order_.begin(), sheet_order_.end(), lower(sheet_name));
  std::string target;
  if (position != sheet_order_.end()) {
    const auto local = local_names_.find({static_cast<int>(position - sheet_order_.begin()), key});
    if (local != local_names_.end()) target = local->second;
  }
  if (target.empty()) {
    const auto global = global_names_.find(key);
    if (global == global_names_.end())
      throw std::runtime_error("'" + reference + "' is neither a cell (B5) nor a name defined in " +
                               std::filesystem::path(path_).filename().string());
    target = global->second;
  }
  // "Sheet!$B$4:$G$4" or "'My sheet'!$B$4"
  const auto bang = target.rfind('!');
  const std::string cells = bang == std::string::npos ? target : target.substr(bang + 1);
  const auto colon = cells.find(':');
  if (!parse_cell(cells.substr(0, colon), r.row0, r.col0) ||
      (colon != std::string::npos && !parse_cell(cells.substr(colon + 1), r.row1, r.col1)))
    throw std::runtime_error("the name '" + reference + "' refers to '" + target +
                             "', which is not a range of cells");
  if (colon == std::string::npos) r.row1 = r.row0, r.col1 = r.col0;
  return r;
}

}  // namespace h2sim::detail
