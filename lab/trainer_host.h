// TrainerHost: one cnnlab::Session plus the bookkeeping of what to report and when — the part of
// the lab's training that is the same wherever it runs. The browser's training worker
// (worker_main.cpp) hosts one and posts what poll() returns to the page; the desktop app's
// InProcessBackend hosts one in-process. Both feed the App through the same reports
// (apply_trainer_report in app/training_backend.h).
//
// Commands: TrainerCommand (lab/trainer_command.h; in the page they arrive as its JSON). Data
// arrives separately (load_pack / load_path / set_data), and so does a saved model (load_model:
// model-file bytes).
//
// Reports: poll() says what changed as a TrainerReport (lab/trainer_report.h): the state ~10
// times a second, new per-step records, the run history at epoch ends and new runs, the
// experiment's report while it runs (every 0.5 s and at its start, pause and end), and which
// deliveries are due — the dataset's report (dataset_report()), the weights (snapshot()), the
// test results (test_results(), test_probabilities()) and the experiment's weights
// (experiment_snapshot per configuration: the Experiments panel's side-by-side feature maps).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/loaders.h"
#include "data/pack.h"
#include "lab/dataset_report.h"
#include "lab/run_report.h"
#include "lab/session.h"
#include "lab/trainer_command.h"
#include "lab/trainer_report.h"
#include "optim/optimizer.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "train/trainer.h"

namespace cnnlab {

class TrainerHost {
 public:
  // threads: the Session's (the caller included; fewer where the platform cannot start them);
  // threads_note: why this many, for the Training panel ("cross-origin isolated page"; may be "").
  // The state reports both as threads and threadsNote.
  explicit TrainerHost(int threads = 1, std::string threads_note = "");

  // A dataset pack (or any source load_data_bytes reads) from memory, or a file or folder by
  // path. Throws Error and keeps the dataset it had when refused. A dataset report is due after
  // either (poll's dataset_due).
  void load_pack(const uint8_t* bytes, size_t size, const std::string& origin);
  void load_path(const std::string& path);
  // The same bytes arriving in pieces (the page hands a download over piece by piece): a pack
  // is read as it arrives, straight into its dataset (data/pack.h's PackReader), so the trainer
  // never holds the file and its dataset at once; any other format is gathered and read at the
  // end. begin_data starts over (an unfinished load is dropped); feed_data throws Error as soon
  // as the bytes are known to be bad (the load is then dropped); finish_data sets the data, or
  // throws Error and keeps the dataset it had.
  void begin_data(uint64_t total_size, const std::string& origin);
  void feed_data(const uint8_t* bytes, size_t size);
  void finish_data();
  void abort_data() { incoming_.reset(); }  // a download failed part-way: drop what came
  // A dataset the student brought (the page's Load dataset; data/loaders.h, load_upload_bytes):
  // an image-folder archive decoded and fitted to `input`, or a pack. Everything is checked
  // before the current dataset is replaced: a refusal (Error naming the file and why) changes
  // nothing, runs and weights included. On success the dataset is also kept as a raw pack
  // (upload_pack(): what the page caches for a reload and offers as "Download dataset").
  // progress hears how many images are decoded (the page's progress bar; data/loaders.h).
  void load_upload(const uint8_t* bytes, size_t size, const std::string& name,
                   const UploadInput& input, const UploadProgress& progress = nullptr);
  // The last upload's pack bytes (empty before one, and after release_upload_pack()).
  const std::vector<uint8_t>& upload_pack() const { return upload_pack_; }
  void release_upload_pack() { std::vector<uint8_t>().swap(upload_pack_); }
  void set_data(DataSource data);
  // What the app is told about the current dataset (lab/dataset_report.h).
  DatasetReport dataset_report() const;
  // Replaces the current model with a saved one (model-file bytes, as snapshot() makes them):
  // the settings become the file's (lab/lab_model_file.h checks it fits the data), the current
  // run is archived (its curves stay), the weights are the file's, and the model is evaluated on
  // the test split in the next ticks (state's testAcc, test results); Train then continues from
  // these weights (with a new optimiser). Throws Error(where, why) and changes nothing if refused.
  void load_model(const uint8_t* bytes, size_t size, const std::string& where);
  // Runs one command. Throws Error with the Session's message when refused.
  void handle(const TrainerCommand& command);
  // Advances training / evaluation / an experiment for up to budget seconds; true while busy.
  bool tick(double budget_seconds);
  bool busy() const;

  // Warming up, for the browser's worker: after a dataset arrives and while nothing else runs,
  // a few training steps of the configured network on a throw-away model and zero images, up to
  // budget_seconds per call; true while steps remain. Why: the browser compiles each wasm
  // function twice, quickly at first and then optimised once it has run a while, and without
  // this the second compilation fell into the student's first epoch, which trained at about
  // half the speed of the next ones (bench/browser_speed.sh, epochImagesPerSecond). Nothing the
  // lab shows changes: the session, its model and its random streams are not touched.
  bool warm_up(double budget_seconds);
  static constexpr int kWarmUpSteps = 12;

  // What to report now (see above). now_seconds: a monotonic clock; force: report everything
  // that changed regardless of the rate limits (after a command, at the end of a slice).
  TrainerReport poll(double now_seconds, bool force);

  // The current model as model-file bytes (empty without a model).
  std::vector<uint8_t> snapshot() const;
  // Configurations of the current experiment (0 without one), and the model of configuration c's
  // first repeat as model-file bytes.
  size_t experiment_configs() const;
  std::vector<uint8_t> experiment_snapshot(size_t config) const;
  // The experiment's configurations' weights at their start and after each epoch, noted since
  // the last call (Experiment::take_epoch_weights; the app keeps them as the experiment's
  // snapshots), with the experiment's id in *experiment_id. Empty without an experiment.
  std::vector<ExperimentEpochWeights> take_experiment_epoch_weights(int* experiment_id);
  // An epoch's weights as model-file bytes (the worker posts them with an ExperimentEpochNote).
  std::vector<uint8_t> epoch_weights_file(const EpochWeights& weights) const;
  // The current run's test evaluation (none before it is done); the probabilities (N, K) are
  // test_probabilities().
  std::optional<TestResults> test_results() const;
  const std::vector<float>* test_probabilities() const;
  // The test results of the current run, or of a loaded model once it has been evaluated.
  const ConfusionMatrix* test_metrics() const;
  // How pixels become the model's inputs: the run's, or the loaded file's before training.
  const Preprocess& preprocess() const;

  Session& session() { return session_; }
  // The per-layer statistics, one row per layer (empty before a model exists).
  std::vector<LayerStatsRow> layer_stats() const;

 private:
  // A validationCell command: the images of that live-matrix cell, for the next poll.
  ValidationCell validation_cell(const nlohmann::json& options) const;
  std::optional<ValidationCell> pending_cell_;
  Session session_;
  std::string threads_note_;
  double last_state_ = -1e9, last_snapshot_ = -1e9, last_experiment_ = -1e9;
  double last_experiment_snapshot_ = -1e9;
  std::string experiment_snapshot_key_;  // id/running/done of the last experiment weights sent
  std::string experiment_report_key_;    // id/running/done of the last experiment report sent
  int sent_run_ = 0;               // run of the steps sent so far
  size_t sent_steps_ = 0;          // per-step records sent of that run
  std::string sent_history_key_;   // run/epochs/phase/test of the last history sent
  std::string snapshot_key_;       // run/epochs/phase of the last snapshot sent
  int64_t snapshot_step_ = -1;     // step of the last snapshot
  int noted_run_ = 0;              // run of the last epoch weights noted (poll's epoch_weights)
  int noted_epochs_ = -1;          // its epochs noted so far (-1: not even its start)
  int test_sent_run_ = 0;
  bool model_changed_ = true;      // a command made a new model: snapshot due
  bool dataset_due_ = false;       // a new dataset: its report is due
  // A loaded model (load_model) until a command makes or trains another: the file's name and
  // preprocessing, and its test evaluation (run in ticks).
  std::string loaded_name_;
  Preprocess loaded_preprocess_;
  std::unique_ptr<Evaluator> loaded_test_;
  // A dataset arriving in pieces (begin_data .. finish_data).
  struct IncomingData {
    std::string origin;
    uint64_t total = 0;
    std::unique_ptr<PackReader> pack;  // once its first bytes showed a pack
    std::vector<uint8_t> bytes;        // the first bytes, then all of any other format
  };
  std::unique_ptr<IncomingData> incoming_;
  std::vector<uint8_t> upload_pack_;  // load_upload's dataset as a pack, until released
  // Warming up (warm_up): steps left, and the throw-away model while they run.
  int warm_up_steps_left_ = 0;
  struct WarmUp {
    std::unique_ptr<Model> model;
    std::unique_ptr<Optimizer> optimizer;
    Tensor images;                 // (batch, C, H, W), zeros
    std::vector<int32_t> labels;   // (batch), zeros
    Rng dropout{1};
  };
  std::unique_ptr<WarmUp> warm_;
};

}  // namespace cnnlab
