#include "common.h"

#include <unistd.h>

#ifdef __EMSCRIPTEN__
#include <emscripten/em_asm.h>
#endif

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>
#include <algorithm>

#include "core/error.h"
#include "core/io.h"
#include "data/loaders.h"
#include "model/presets.h"

namespace cnnlab::cli {

void SessionFlags::add_to(CLI::App& cmd, bool training, OptionScope scope) {
  scope_ = scope;
  const SessionOptions defaults;
  for (const OptionRow& row : option_table()) {
    if ((row.group == OptionGroup::kTraining && !training) ||
        (row.scope == OptionScope::kCommandLine && scope == OptionScope::kLab))
      continue;
    Flag& f = flags_.emplace_back();
    f.row = &row;
    const char* group = row.group == OptionGroup::kModel ? "Model" : "Training";
    if (row.type == OptionType::kSwitch) {
      f.option = cmd.add_flag(row.flag, f.on, row.help)->group(group);
      continue;
    }
    f.option = cmd.add_option(row.flag, f.text, row.help)->group(group);
    f.option->type_name(row.type == OptionType::kText ? "TEXT"
                        : row.type == OptionType::kNumber ? "FLOAT"
                                                          : "INT");
    if (row.show_default) {
      const nlohmann::json value = row.read(defaults);
      char number[32];
      std::snprintf(number, sizeof number, "%g", value.is_number() ? value.get<double>() : 0.0);
      f.option->default_str(value.is_string() ? value.get<std::string>() : number);
    }
  }
}

nlohmann::json SessionFlags::given() const {
  nlohmann::json out = nlohmann::json::object();
  for (const Flag& f : flags_) {
    if (f.option->count() == 0) continue;
    const OptionType type = f.row->type;
    if (type == OptionType::kSwitch) {
      out[f.row->key] = f.on;
    } else if (type == OptionType::kText) {
      out[f.row->key] = f.text;
    } else {
      // A number's text as a number; anything else as given, so merge refuses it by name
      // ("option lr: must be a number > 0, got \"fast\"").
      char* end = nullptr;
      const double d = std::strtod(f.text.c_str(), &end);
      const bool number = !f.text.empty() && *end == '\0' && std::isfinite(d);
      out[f.row->key] = number ? nlohmann::json(d) : nlohmann::json(f.text);
    }
  }
  return out;
}

SessionOptions SessionFlags::options() const {
  SessionOptions options;
  options.merge(given(), scope_);
  return options;
}

ModelSpec SessionFlags::build(const SessionOptions& options, const Shape& input,
                              int classes) const {
  return options.spec(input, classes);
}

std::string SessionFlags::describe(const SessionOptions& options) const {
  if (options.is_custom()) return "custom spec";
  return options.model +
         (is_mlp_preset(options.model) ? "" : " k=" + std::to_string(options.preset.kernel));
}

Shape input_shape_named(const std::string& input) {
  if (input == "cifar10" || input == "cifar-10") return Shape{3, 32, 32};
  if (input == "fashion-mnist" || input == "mnist") return Shape{1, 28, 28};
  throw Error("--input", "unknown input '" + input + "' (use cifar10 or fashion-mnist)");
}

int default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(std::min(n, 8u));
}

CLI::Validator whole_number(long long min, long long max) {
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        long long value = 0;
        size_t used = 0;
        try {
          value = std::stoll(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size() || value < min || value > max)
          return "must be a whole number " + range + ", got " + text;
        return "";
      },
      range);
}

void add_threads_option(CLI::App& cmd, int* threads) {
  cmd.add_option("--threads", *threads, "Threads, 1..64 (not given: all cores, at most 8)")
      ->check(whole_number(1, 64));
}

int threads_to_use(int threads_given) {
  return threads_given > 0 ? threads_given : default_threads();
}

void add_per_class_options(CLI::App& cmd, int* train_per_class, int* test_per_class) {
  cmd.add_option("--train-per-class", *train_per_class,
                 "Use a class-balanced subset of N training images per class (0 = all)")
      ->check(whole_number(0, 1000000000));
  cmd.add_option("--test-per-class", *test_per_class,
                 "Use a class-balanced subset of N test images per class (0 = all)")
      ->check(whole_number(0, 1000000000));
}

bool stderr_is_terminal() {
#ifdef __EMSCRIPTEN__
  // Under node, Emscripten's isatty() says yes for every standard stream, even a file.
  return EM_ASM_INT({
    return (typeof process !== 'undefined' && process.stderr && process.stderr.isTTY) ? 1 : 0;
  }) != 0;
#else
  return isatty(fileno(stderr)) != 0;
#endif
}

DataSource load_data_reporting(const std::string& path, bool quiet) {
  if (!quiet) std::fprintf(stderr, "Loading %s ...\n", path.c_str());
  DataSource d = load_data(path);
  if (!quiet)
    std::fprintf(stderr, "Loaded %s: %zu training and %zu test images of %dx%dx%d, %zu classes\n",
                 d.origin.c_str(), d.train.size(), d.test.size(), d.train.channels,
                 d.train.height, d.train.width, d.train.class_names.size());
  return d;
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0)) return "?";
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh %02ldm", s / 3600, (s / 60) % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm %02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

void write_text_file_atomic(const std::string& path, const std::string& text) {
  write_file_atomic(path, {{reinterpret_cast<const uint8_t*>(text.data()), text.size()}});
}

std::vector<int> parse_int_list(const std::string& text, const std::string& option) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      int v = std::stoi(item, &used);
      require(used == item.size(), option, "'" + item + "' is not a whole number");
      out.push_back(v);
    } catch (const std::logic_error&) {
      throw Error(option, "'" + item + "' is not a whole number");
    }
  }
  require(!out.empty(), option, "the list is empty");
  return out;
}

}  // namespace cnnlab::cli
