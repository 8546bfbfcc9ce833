// The broken-file corpus (tests/data/yaml_bad): every file there is a model or scenario
// with one mistake. Each starts with
//   # expect: <part of the error message>
//   # at: <line>:<column>      (or just <line>)
//   # file: <path>             (optional: the file the error is in, when not this one)
// and loading it must throw an h2sim::Error whose message contains the expected text, the
// file name and the line (and the column: in the file, or in the equation the error shows
// with a caret). Files added to the folder are picked up without changing this test.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kCorpus = fs::path(H2SIM_TEST_DATA_DIR) / "yaml_bad";

struct Expectation {
  fs::path file;
  std::string message;
  int line = 0;
  int column = 0;
  fs::path error_file;  // the file the error is reported in
};

std::string header_value(const std::string& line, const std::string& key) {
  const std::string prefix = "# " + key + ":";
  if (line.rfind(prefix, 0) != 0) return {};
  std::string value = line.substr(prefix.size());
  const auto begin = value.find_first_not_of(' ');
  const auto end = value.find_last_not_of(" \r");
  return begin == std::string::npos ? std::string() : value.substr(begin, end - begin + 1);
}

Expectation read_expectation(const fs::path& file) {
  Expectation e;
  e.file = file;
  e.error_file = file;
  std::ifstream in(file);
  std::string line;
  for (int n = 0; n < 5 && std::getline(in, line); ++n) {
    if (auto v = header_value(line, "expect"); !v.empty()) e.message = v;
    if (auto v = header_value(line, "file"); !v.empty()) e.error_file = file.parent_path() / v;
    if (auto v = header_value(line, "at"); !v.empty()) {
      const auto colon = v.find(':');
      e.line = std::stoi(v.substr(0, colon));
      if (colon != std::string::npos) e.column = std::stoi(v.substr(colon + 1));
    }
  }
  return e;
}

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCorpus))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("yaml errors: the broken-file corpus is large and every file says what it expects",
          "[yaml][errors]") {
  const auto files = corpus_files();
  CHECK(files.size() >= 32);
  for (const auto& file : files) {
    INFO(file.filename().string());
    const Expectation e = read_expectation(file);
    CHECK(!e.message.empty());
    CHECK(e.line > 0);
    CHECK(fs::exists(e.error_file));
  }
}

TEST_CASE("yaml errors: each broken file gives its message at its location", "[yaml][errors]") {
  h2sim::LoadOptions options;
  options.strict_units = true;  // a unit string that does not parse is an error then
  for (const auto& file : corpus_files()) {
    const Expectation e = read_expectation(file);
    DYNAMIC_SECTION(file.filename().string()) {
      bool threw = false;
      try {
        (void)h2sim::load_scenario(file.string(), options);
      } catch (const h2sim::Error& error) {
        threw = true;
        const std::string what = error.what();
        INFO("what(): " << what);
        CHECK(what.find(e.message) != std::string::npos);
        const std::string name = e.error_file.filename().string();
        CHECK(what.find(name + ":" + std::to_string(e.line)) != std::string::npos);
        CHECK(fs::path(error.where().file).filename() == e.error_file.filename());
        CHECK(error.where().line == e.line);
        if (e.column > 0) {
          CHECK(error.where().column == e.column);
          // A column in the file is printed after the line; one in an equation is shown
          // with a caret under the equation instead.
          if (error.where().equation.empty())
            CHECK(what.find(name + ":" + std::to_string(e.line) + ":" + std::to_string(e.column)) !=
                  std::string::npos);
          else
            CHECK(what.find("\n    " + std::string(static_cast<std::size_t>(e.column - 1), ' ') +
                            "^") != std::string::npos);
        }
      } catch (const std::exception& error) {
        FAIL("threw something other than h2sim::Error: " << error.what());
      } catch (...) {
        FAIL("threw something that is not a std::exception");
      }
      if (!threw) FAIL("loaded without an error");
    }
  }
}

TEST_CASE("yaml errors: the same files parsed from text fail the same way", "[yaml][errors]") {
  // parse_scenario labels errors with the name it is given and resolves paths from it.
  for (const auto& file : corpus_files()) {
    const Expectation e = read_expectation(file);
    if (e.error_file != file) continue;  // the error is in another file
    DYNAMIC_SECTION(file.filename().string()) {
      std::ifstream in(file);
      const std::string text((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
      h2sim::LoadOptions options;
      options.strict_units = true;
      const std::string what = h2test::message_of<h2sim::Error>(
          [&] { (void)h2sim::parse_scenario(text, file.string(), options); });
      CHECK(what.find(e.message) != std::string::npos);
    }
  }
}

TEST_CASE("yaml errors: a unit string that does not parse is a warning unless units are strict",
          "[yaml][errors][units]") {
  const auto file = kCorpus / "27_bad_unit_string.yaml";
  const h2sim::Scenario s = h2sim::load_scenario(file.string());
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0].find("vehicles//year") != std::string::npos);
  CHECK(s.warnings[0].find("27_bad_unit_string.yaml:7") != std::string::npos);
  CHECK(s.warnings[0].find("variable 'sales'") != std::string::npos);
}
