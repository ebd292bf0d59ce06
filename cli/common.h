// Shared pieces of the cnnlab subcommands: data loading with a status line, the terminal progress
// bar, model construction from command-line options, small output helpers.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "data/dataset.h"
#include "model/presets.h"
#include "model/spec.h"

namespace cnnlab::cli {

// Thrown by a subcommand that ran but must end with a non-zero exit code after saying why
// (for example training stopped by a NaN loss: the model was saved, the run still failed).
struct ExitStatus {
  int code;
};

// Each subcommand adds itself to the app; main() runs the one chosen.
void add_summary_command(CLI::App& app);
void add_pack_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_npz_commands(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_experiment_command(CLI::App& app);

// Options that choose a model: a preset with overrides, or a spec text.
struct ModelOptions {
  std::string name = "cnn";
  std::string spec_text;  // --spec: overrides name
  PresetOptions preset;
  void add_to(CLI::App& cmd);
  // The validated spec for images of shape (C, H, W) and `classes` outputs.
  ModelSpec build(const Shape& input, int classes) const;
  std::string describe() const;  // "cnn k=3"
};

// Per-sample input shape of the named input kind: cifar10 (3, 32, 32), fashion-mnist (1, 28, 28).
Shape input_shape_named(const std::string& input);

// Loads SRC (any supported format), printing one status line to stderr unless quiet.
DataSource load_data_reporting(const std::string& path, bool quiet);

// All cores, at most 8 (a default for --threads).
int default_threads();

// True when stderr is a terminal (progress bars redraw in place only then).
bool stderr_is_terminal();

// "3m 05s", "42s"
std::string format_duration(double seconds);

// Writes text to path atomically (engine's write_file_atomic): never a half-written file.
void write_text_file_atomic(const std::string& path, const std::string& text);

// Parses "3,5,7" into integers; Error naming the option on anything else.
std::vector<int> parse_int_list(const std::string& text, const std::string& option);

}  // namespace cnnlab::cli
