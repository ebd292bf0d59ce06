#include "common.h"

#include <unistd.h>

#ifdef __EMSCRIPTEN__
#include <emscripten/em_asm.h>
#endif

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>
#include <algorithm>

#include "core/error.h"
#include "core/io.h"
#include "data/loaders.h"

namespace cnnlab::cli {

void ModelOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--model", name, "Preset: mlp, cnn1, cnn, vgg, mlp-small")->capture_default_str();
  cmd.add_option("--kernel", preset.kernel, "Convolution kernel size (1-11)")->capture_default_str();
  cmd.add_option("--filters", preset.filters, "Filters of the first conv block (0 = preset's)");
  cmd.add_option("--dense", preset.dense, "Width of the first hidden dense layer (0 = preset's)");
  cmd.add_option("--dropout", preset.dropout, "Dropout rate of every dropout layer (default: preset's)");
  cmd.add_option("--blocks", preset.blocks, "Conv blocks of the cnn preset (0 = preset's)");
  cmd.add_option("--pooling", preset.pooling, "max, avg or none (stride-2 conv instead)")
      ->capture_default_str();
  cmd.add_option("--stride", preset.stride, "Stride of every conv layer")->capture_default_str();
  cmd.add_option("--spec", spec_text,
                 "Model spec text instead of a preset, e.g. \"conv2d 16 k=3 pad=same; relu; "
                 "maxpool2d 2; flatten; dense 10\"");
}

ModelSpec ModelOptions::build(const Shape& input, int classes) const {
  if (!spec_text.empty()) return parse_model_spec(spec_text, input, classes);
  return cnnlab::preset(name, input, classes, preset);
}

std::string ModelOptions::describe() const {
  if (!spec_text.empty()) return "custom spec";
  return name + (name.rfind("mlp", 0) == 0 ? "" : " k=" + std::to_string(preset.kernel));
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
