// Shared pieces of the cnnlab subcommands: data loading with a status line, the terminal progress
// bar, the model and training flags (from the lab's option table), small output helpers.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "data/dataset.h"
#include "lab/session_options.h"
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
void add_saliency_command(CLI::App& app);

// The model and training options of lab/session_options.h's option table as flags
// (--weight-decay for weightDecay, ...), declared from the table. The flags given become a JSON
// object under the table's keys and go through SessionOptions::merge: the same checks, defaults
// and messages ("option weightDecay: ...") as the lab's links and JavaScript API.
class SessionFlags {
 public:
  // Declares a flag for every row of the model group (and with `training` the training group)
  // within `scope` (kLab: what the lab offers; kCommandLine: also the engine settings only
  // cnnlab offers); --spec (a spec text instead of a preset) is the table's `spec` row.
  void add_to(CLI::App& cmd, bool training, OptionScope scope);
  // The flags given, under their keys (a number's text as a number, else as given).
  nlohmann::json given() const;
  // SessionOptions' defaults with the flags given applied; Error("option <key>", why).
  SessionOptions options() const;
  // The validated spec for images of shape (C, H, W) and `classes` outputs: --spec's layers, else
  // the options' preset.
  ModelSpec build(const SessionOptions& options, const Shape& input, int classes) const;
  std::string describe(const SessionOptions& options) const;  // "cnn k=3", "custom spec"

 private:
  struct Flag {
    const OptionRow* row = nullptr;
    CLI::Option* option = nullptr;
    std::string text;  // what followed the flag (CLI11 writes it here)
    bool on = false;   // a switch's value
  };
  std::deque<Flag> flags_;  // a deque: CLI11 keeps pointers to text and on
  OptionScope scope_ = OptionScope::kLab;
};

// Per-sample input shape of the named input kind: cifar10 (3, 32, 32), fashion-mnist (1, 28, 28).
Shape input_shape_named(const std::string& input);

// Loads SRC (any supported format), printing one status line to stderr unless quiet.
DataSource load_data_reporting(const std::string& path, bool quiet);

// All cores, at most 8 (a default for --threads).
int default_threads();

// Every whole-number flag outside the option table is checked by one of these, so each refuses a
// value out of range the same way: "--threads: must be a whole number 1..64, got 0" (CLI11
// prefixes the flag; exit code 105, nothing run). A flag whose 0 means something (0 = all
// images) says so in its help and takes 0 within its range.
CLI::Validator whole_number(long long min, long long max);
// --threads N, 1..64; not given: default_threads(). Declared the same way by train, eval and
// experiment.
void add_threads_option(CLI::App& cmd, int* threads);
// The threads to use: the --threads given, else default_threads().
int threads_to_use(int threads_given);
// --train-per-class / --test-per-class: a class-balanced subset of N images per class; 0 (the
// default) keeps every image.
void add_per_class_options(CLI::App& cmd, int* train_per_class, int* test_per_class);

// True when stderr is a terminal (progress bars redraw in place only then).
bool stderr_is_terminal();

// "3m 05s", "42s"
std::string format_duration(double seconds);

// Writes text to path atomically (engine's write_file_atomic): never a half-written file.
void write_text_file_atomic(const std::string& path, const std::string& text);

// Parses "3,5,7" into integers; Error naming the option on anything else.
std::vector<int> parse_int_list(const std::string& text, const std::string& option);

}  // namespace cnnlab::cli
