// build_native: generate the C source of a Program, build it with the system's C compiler
// into a shared library in the cache folder (once per source, compiler, flags and processor),
// load it and hand back a Program that runs it.
//
// The cache is safe between processes: each build writes temporary files of its own and
// renames the finished library into place (atomic on one file system), so a process sees
// either no library or a whole one, and two processes building the same model at once both
// succeed (the second rename replaces an identical file).
#include "h2sim/native.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#include "native/codegen.hpp"
#include "native/sha256.hpp"
#include "program/access.hpp"
#include "program/transcendental.hpp"

extern char** environ;  // NOLINT: POSIX declares it only here

namespace h2sim {

namespace {

namespace fs = std::filesystem;

// How the model is built: C with the compiler's vector extension; no contraction into FMA
// and no fast-math, as the library itself (so the results are the interpreter's); no
// built-in folding of the C library's functions (sin of a constant would be computed by the
// compiler, which may round differently from the C library at run time); for this processor.
// No auto-vectorizers: the block code is vector code already, and GCC 12.2's SLP vectorizer
// with AVX-512 gathered divisors from the wrong slots in a long run of single-lane code
// (test_native.cpp, "aging chains cut between parts"); without them the runs take as long.
const std::vector<std::string> kFlags = {"-std=gnu11",
                                         "-O2",
                                         "-march=native",
                                         "-ffp-contract=off",
                                         "-fno-tree-vectorize",
                                         "-fno-tree-slp-vectorize",
                                         "-fno-fast-math",
                                         "-fno-builtin",
                                         "-fno-math-errno",
                                         "-fPIC",
                                         "-shared",
                                         "-fvisibility=hidden",
                                         "-w"};

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

bool executable(const std::string& path) {
  std::error_code error;
  return fs::is_regular_file(path, error) && ::access(path.c_str(), X_OK) == 0;
}

// A program named by path, or looked up on PATH; "" when there is none.
std::string find_program(const std::string& name) {
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return executable(name) ? name : "";
  std::stringstream path(environment("PATH"));
  std::string folder;
  while (std::getline(path, folder, ':')) {
    const std::string candidate = (folder.empty() ? "." : folder) + "/" + name;
    if (executable(candidate)) return candidate;
  }
  return "";
}

// Runs a program (no shell) with its output in `log`; its exit status, or -1.
int run_program(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string last_lines(std::string text, std::size_t count) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  std::size_t start = text.size();
  for (std::size_t n = 0; n < count && start > 0; ++n) {
    const std::size_t newline = text.rfind('\n', start - 1);
    start = newline == std::string::npos ? 0 : newline;
  }
  return start == 0 ? text : text.substr(start + 1);
}

// What the processor can do, as -march=native reads it: a library built for one processor
// must not be loaded on another (a shared home folder).
std::string processor() {
  static const std::string identity = [] {
    std::ifstream in("/proc/cpuinfo");
    std::string line, model, flags;
    while (std::getline(in, line) && (model.empty() || flags.empty())) {
      if (model.empty() && line.rfind("model name", 0) == 0) model = line;
      if (flags.empty() && line.rfind("flags", 0) == 0) flags = line;
    }
    return model + "\n" + flags;
  }();
  return identity;
}

struct Compiler {
  std::string path;
  std::string version;  // the first line of `compiler --version`
};

std::mutex& build_mutex() {
  static std::mutex m;
  return m;
}

// The compiler to use, with its version (asked once per compiler and process); empty path
// when there is none.
Compiler find_compiler(const NativeOptions& options, const std::string& scratch) {
  std::vector<std::string> names;
  if (!options.compiler.empty()) {
    names = {options.compiler};
  } else if (!environment("H2SIM_CC").empty()) {
    names = {environment("H2SIM_CC")};
  } else {
    if (!environment("CC").empty()) names.push_back(environment("CC"));
    names.insert(names.end(), {"cc", "gcc", "clang"});
  }
  static std::map<std::string, std::string> versions;  // guarded by build_mutex()
  for (const std::string& name : names) {
    const std::string path = find_program(name);
    if (path.empty()) continue;
    auto known = versions.find(path);
    if (known == versions.end()) {
      const std::string log = scratch + ".version";
      const int status = run_program({path, "--version"}, log);
      std::string text = read_file(log);
      std::error_code ignored;
      fs::remove(log, ignored);
      if (status != 0) continue;
      known = versions.emplace(path, text.substr(0, text.find('\n'))).first;
    }
    return {path, known->second};
  }
  return {};
}

std::string cache_folder(const NativeOptions& options) {
  if (!options.cache_dir.empty()) return options.cache_dir;
  if (const std::string dir = environment("H2SIM_CACHE_DIR"); !dir.empty()) return dir;
  if (const std::string xdg = environment("XDG_CACHE_HOME"); !xdg.empty()) return xdg + "/h2sim";
  if (const std::string home = environment("HOME"); !home.empty()) return home + "/.cache/h2sim";
  return (fs::temp_directory_path() / "h2sim-cache").string();
}

// A name no other build (in this process or another) uses at the same time.
std::string scratch_name(const std::string& folder, const std::string& key) {
  static std::atomic<unsigned long> counter{0};
  return folder + "/" + key + ".tmp" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1));
}

// Loads a built library and checks it is the program's; null with `reason` otherwise.
std::shared_ptr<const detail::NativeCode> load(const std::string& path,
                                               const detail::ProgramData& p, std::string& reason) {
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    reason = "cannot load " + path + ": " + (error != nullptr ? error : "unknown error");
    return nullptr;
  }
  std::shared_ptr<void> library(handle, [](void* h) { ::dlclose(h); });
  void* symbol = ::dlsym(handle, H2SIM_NATIVE_ENTRY);
  if (symbol == nullptr) {
    reason = path + " has no " H2SIM_NATIVE_ENTRY;
    return nullptr;
  }
  h2sim_native_entry_fn entry = nullptr;
  static_assert(sizeof entry == sizeof symbol);
  std::memcpy(&entry, &symbol, sizeof entry);  // object to function pointer, as POSIX allows
  const h2sim_native_kernel* kernel = entry(&detail::math_functions());
  if (kernel == nullptr || kernel->abi != H2SIM_NATIVE_ABI || kernel->slot_count != p.slot_count) {
    reason = path + " was built for another program or h2sim version";
    return nullptr;
  }
  auto code = std::make_shared<detail::NativeCode>();
  code->kernel = kernel;
  code->library = std::move(library);
  code->path = path;
  return code;
}

}  // namespace

NativeBuild build_native(const Program& program, const NativeOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  NativeBuild build(program);
  auto finish = [&]() -> NativeBuild {
    build.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return build;
  };
  if (detail::ProgramAccess::native(program) != nullptr) {
    build.compiled = build.from_cache = true;
    build.library = detail::ProgramAccess::native(program)->path;
    return finish();
  }
  const detail::ProgramData& data = detail::ProgramAccess::data(program);
  const std::string source = detail::backend_source(data);
  const std::string folder = cache_folder(options) + "/native";
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) {
    build.reason = "cannot make the cache folder " + folder + ": " + error.message();
    return finish();
  }

  std::lock_guard<std::mutex> lock(build_mutex());
  const Compiler compiler = find_compiler(options, scratch_name(folder, "compiler"));
  if (compiler.path.empty()) {
    build.reason =
        "no C compiler found (looked for " +
        (options.compiler.empty() ? std::string("$H2SIM_CC, $CC, cc, gcc and clang on PATH")
                                  : options.compiler) +
        "): the interpreter runs the model";
    return finish();
  }
  build.compiler = compiler.path + " (" + compiler.version + ")";
  std::string flags;
  for (const std::string& f : kFlags) flags += f + " ";
  const std::string key =
      detail::sha256_hex("h2sim native ABI " + std::to_string(H2SIM_NATIVE_ABI) + "\n" +
                         build.compiler + "\n" + flags + "\n" + processor() + "\n" + source)
          .substr(0, 32);
  const std::string library = folder + "/" + key + ".so";
  build.library = library;

  // Loaded already in this process, or built before by any process.
  static std::map<std::string, std::weak_ptr<const detail::NativeCode>> loaded;
  std::shared_ptr<const detail::NativeCode> code = loaded[key].lock();
  if (code == nullptr && fs::exists(library, error)) {
    std::string ignored;
    code = load(library, data, ignored);  // a bad file is built again below
  }
  if (code != nullptr) {
    build.from_cache = true;
  } else {
    const std::string scratch = scratch_name(folder, key);
    const std::string c_file = scratch + ".c", built = scratch + ".so", log = scratch + ".log";
    {
      std::ofstream out(c_file, std::ios::binary);
      out << source;
      if (!out) {
        build.reason = "cannot write " + c_file;
        return finish();
      }
    }
    std::vector<std::string> argv = {compiler.path};
    argv.insert(argv.end(), kFlags.begin(), kFlags.end());
    argv.insert(argv.end(), {"-o", built, c_file, "-lm"});
    const int status = run_program(argv, log);
    const std::string messages = read_file(log);
    fs::remove(log, error);
    if (status != 0) {
      build.reason = "the C compiler " + compiler.path + " failed (exit status " +
                     std::to_string(status) + "): " + last_lines(messages, 12);
      build.failed = true;
      fs::remove(c_file, error);
      fs::remove(built, error);
      return finish();
    }
    fs::rename(built, library, error);
    if (error) {
      build.reason = "cannot move the built model to " + library + ": " + error.message();
      build.failed = true;
      fs::remove(c_file, error);
      fs::remove(built, error);
      return finish();
    }
    fs::rename(c_file, folder + "/" + key + ".c", error);  // kept beside it, for reading
    code = load(library, data, build.reason);
    if (code == nullptr) {
      build.failed = true;
      return finish();
    }
  }
  loaded[key] = code;
  build.program = detail::ProgramAccess::make(detail::ProgramAccess::shared_data(program), code);
  build.compiled = true;
  return finish();
}

std::string native_source(const Program& program, bool standalone, const std::string& title) {
  const detail::ProgramData& data = detail::ProgramAccess::data(program);
  return standalone ? detail::standalone_source(data, title) : detail::backend_source(data);
}

std::string math_functions_in_use() { return detail::math_functions_name(); }

}  // namespace h2sim
