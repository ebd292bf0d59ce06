// Experiment: a controlled comparison. One variable of a base model is swept (kernel size,
// filters, depth, pooling, stride, or the model family) and everything else is held identical
// across the runs: the same training subset, the same validation split, the same mini-batch
// order, the same augmentation draws and the same initialisation seed (where shapes allow the
// same draws). With repeats, each configuration trains once per seed (seed, seed+1, ...).
//
// The runs advance interleaved — step() gives one unit of work (a training mini-batch, a
// validation batch or a test batch) to each unfinished run in turn — so their curves grow
// together in the lab and stopping anywhere keeps every result so far.
//
// [SECTION] ExperimentConfig   [SECTION] results   [SECTION] Experiment   [SECTION] reports
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "lab/snapshot_store.h"
#include "model/presets.h"
#include "model/spec.h"
#include "train/trainer.h"

namespace cnnlab {

class Model;
class ThreadPool;

// [SECTION] ExperimentConfig -------------------------------------------------------------------
struct ExperimentConfig {
  std::string model = "cnn";   // base preset, or "custom" (kCustomModel) with spec_text
  PresetOptions base;          // the base model's settings (the swept one is overridden)
  std::string spec_text;       // a custom base's layers; kernel and stride sweeps set them in
                               // every conv layer
  std::string vary = "kernel"; // kernel | filters | depth | pooling | stride | model
  std::vector<std::string> values{"3", "5", "7"};
  int repeats = 1;             // seeds per configuration (1..5)
  TrainConfig train;           // identical for every run
  // With vary == "model": every MLP configuration's hidden widths are sized so its parameter
  // count is within 2 % of the first convolutional configuration's (mlp_dense_matching), so an
  // MLP and a CNN are compared at the same budget and what differs is weight sharing.
  bool match_params = false;

  static constexpr int kMaxConfigurations = 8;
  static constexpr int kMaxRepeats = 5;

  // The variables that can be swept, for menus: {"kernel", "filters", ...}.
  static const std::vector<std::string>& variables();
  // Default values for a variable ("3,5,7" for kernel, "mlp,cnn,vgg" for model, ...).
  static std::vector<std::string> default_values(const std::string& vary);

  // "kernel=7" style label of configuration i.
  std::string label(size_t i) const;
  // The preset name and options of configuration i (the base with the swept variable set, and
  // with match_params an MLP's width sized for this input); throws Error for a value that is not
  // valid for the variable.
  std::string model_name(size_t i) const;
  PresetOptions preset_options(size_t i, const Shape& input, int classes) const;
  // Model spec of configuration i for the given input; throws Error naming the configuration.
  ModelSpec spec(size_t i, const Shape& input, int classes) const;
  // Everything checked before anything starts: a known variable, 1..8 values without
  // duplicates, every configuration's model valid for this input (a kernel larger than a
  // feature map is caught here), the training settings, and the estimated memory of all runs
  // under memory_limit_bytes. Throws Error with the explanation.
  void validate(const Shape& input, int classes, size_t memory_limit_bytes) const;
  // {model, base {kernel, filters, dense, dropout, blocks, pooling, stride}, vary, values,
  //  repeats, matchParams, train (TrainConfig::to_json)}; a missing matchParams is false. from_json throws Error(where, "<field>: why").
  nlohmann::json to_json() const;
  static ExperimentConfig from_json(const nlohmann::json& j, const std::string& where);
};

// Bytes one training run of this model needs at this batch size (weights, gradients, optimiser
// moments, activations and their gradients, im2col scratch): an estimate for refusing sweeps.
uint64_t estimate_training_bytes(const ModelSpec& spec, int batch_size);

// [SECTION] results ------------------------------------------------------------------------------
// Where one run of an experiment is.
enum class ExperimentRunStatus { kRunning, kFinished, kFailed, kUnfinished };
// "running", "finished", "failed", "unfinished" (stopped before its end: never tested).
const char* experiment_run_status_name(ExperimentRunStatus status);

struct RunResult {
  size_t config = 0;     // index into values
  int repeat = 0;
  uint64_t seed = 0;
  std::string label;     // "kernel=5"
  size_t parameters = 0;
  uint64_t macs = 0;     // multiply-accumulates per image, forward
  bool finished = false, failed = false;
  bool stopped = false;  // ended by stop() before its end: unfinished, never tested
  std::string stop_reason;
  double images_per_second = 0;  // training throughput (its own steps only)
  double seconds = 0;            // its own compute time: training, validation and test
  double best_val_accuracy = 0, final_val_loss = 0;
  double test_accuracy = -1, test_loss = -1;  // -1 until evaluated (or no test split)
  // The 1-based epoch whose weights were tested (Trainer::scoring_epoch); 0 until tested.
  int test_epoch = 0;
  std::vector<std::vector<size_t>> test_confusion;  // K rows [true] of K counts [predicted]
  std::vector<EpochRecord> history;

  // Failed, unfinished (stopped before its end: no test figures), finished or still running.
  ExperimentRunStatus status() const;
};

// Each run's tested epoch as the results table shows it: "3, 2" ("-": not tested yet or failed,
// "unfinished": stopped before its end; "-" for none at all). See ConfigSummary::test_epochs.
std::string tested_epochs_text(const std::vector<int>& epochs);

struct ConfigSummary {
  std::string label;
  size_t parameters = 0;
  uint64_t macs = 0;
  int runs = 0;                               // finished runs aggregated
  double test_accuracy_mean = 0, test_accuracy_std = 0;
  double test_loss_mean = 0;
  double best_val_accuracy_mean = 0;
  double images_per_second = 0;
  double seconds = 0;                         // mean per tested run (0: none tested yet)
  std::vector<int> test_epochs;               // each run's tested epoch (0: not tested yet or
                                              // failed, -1: unfinished, stopped before its end)
  bool winner = false;                        // best mean test accuracy (val if no test split)
};

// A configuration's weights before training (epoch 0) or after an epoch of its first repeat, as
// step() noted them (Experiment::note_epoch_weights): the lab keeps them as the experiment's
// snapshots, to show every configuration's network as it was after any epoch.
struct ExperimentEpochWeights {
  size_t config = 0;
  int epoch = 0;                       // 0: before training; e: after e epochs
  std::optional<EpochRecord> record;   // that epoch's figures (none for epoch 0)
  EpochWeights weights;
};

// [SECTION] Experiment ---------------------------------------------------------------------------
class Experiment {
 public:
  // train/test must outlive the experiment. Validates (see ExperimentConfig::validate).
  Experiment(const ExperimentConfig& config, const Dataset& train, const Dataset& test,
             ThreadPool* pool, size_t memory_limit_bytes = size_t(3) << 30);
  ~Experiment();

  // One unit of work for the next unfinished run (round-robin). False when every run is done.
  bool step();
  void run_for(double seconds);  // at least one unit of work, then more until `seconds` pass
  bool done() const;
  void stop(const std::string& reason);  // ends every run now, keeping results so far
  double progress() const;

  // From now on, note every configuration's weights (its first repeat) at its start and after each
  // epoch, for take_epoch_weights(). Off by default: a caller that never takes them (the command-
  // line tool) keeps no copies. Turning it on notes the epochs already finished as of now only
  // from the next epoch end (and epoch 0 if no step was made yet).
  void note_epoch_weights();
  // The weights noted since the last call, in the order they were noted.
  std::vector<ExperimentEpochWeights> take_epoch_weights();

  const ExperimentConfig& config() const { return config_; }
  size_t num_runs() const { return runs_.size(); }
  // Run r = config (r / repeats), repeat (r % repeats).
  const Trainer& trainer(size_t r) const;
  Model& model(size_t r);
  RunResult result(size_t r) const;
  std::vector<RunResult> results() const;
  std::vector<ConfigSummary> summary() const;
  // A one-sentence reading of whether the best configuration's lead exceeds the seed-to-seed
  // spread (needs repeats >= 2), or what the single-seed comparison can and cannot say.
  std::string interpretation() const;

  // [SECTION] reports
  std::string markdown_table() const;
  std::string csv() const;
  nlohmann::json to_json() const;  // config, summary and every run's history

 private:
  struct Run;
  ExperimentConfig config_;
  const Dataset& train_;
  const Dataset& test_;
  ThreadPool* pool_;
  std::vector<std::unique_ptr<Run>> runs_;
  size_t next_ = 0;
  bool noting_ = false;                          // note_epoch_weights() was called
  std::vector<ExperimentEpochWeights> noted_;    // not yet taken
  void note_epoch_end(Run& run);
};

}  // namespace cnnlab
