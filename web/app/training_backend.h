// TrainingBackend: where training runs, behind one small interface — the only place where the
// desktop program and the browser differ in how they train.
//   - InProcessBackend (desktop): a TrainerHost (lab/trainer_host.h) in this process,
//     ticked for a slice of every frame; LabView points into its Session.
//   - WorkerBackend (browser): the same TrainerHost runs in a Web Worker (web/trainer_worker/
//     worker_main.cpp, page/trainer-worker.js); commands are posted to it and its reports arrive
//     through the page (app/js_api.cpp's cnnlab_trainer_* functions); LabView points at a copy
//     of the worker's model rebuilt from its snapshots (model-file bytes).
// Both apply the same TrainerReport structs (apply_trainer_report), so everything above this
// interface (the App, the panels, the JavaScript API) has one code path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/app_state.h"
#include "lab/run_report.h"
#include "lab/snapshot_store.h"
#include "lab/trainer_command.h"
#include "lab/trainer_report.h"

namespace cnnlab {

// The weights of a run at its start or after an epoch, as the trainer noted them
// (TrainerReport::epoch_weights) with the weights that came with the note. The run is numbered
// as the trainer sent it (the App adds TrainingState::run_offset).
struct NotedEpochWeights {
  EpochWeightsNote note;
  EpochWeights weights;
};

// An experiment configuration's weights at its start or after an epoch, as the trainer noted
// them (Experiment::take_epoch_weights), with the note (experiment id as the trainer sent it: the
// App adds TrainingState::experiment_offset).
struct NotedExperimentEpoch {
  ExperimentEpochNote note;
  EpochWeights weights;
};

class TrainingBackend {
 public:
  virtual ~TrainingBackend() = default;
  // "in this process" or "in a Web Worker" (shown in the Training panel).
  virtual const char* where() const = 0;
  // A dataset file or folder by path for the trainer to load (desktop; in the page the pack goes
  // from the page straight to the worker). Throws Error when refused; the trainer keeps what it
  // had. The trainer's DatasetReport then arrives through take_dataset_report().
  virtual void load_data_path(const std::string& path) = 0;
  // The report of a dataset the trainer loaded since the last call (null if none).
  virtual std::unique_ptr<DatasetReport> take_dataset_report() = 0;
  // One command (lab/trainer_command.h). In-process refusals throw Error; the worker reports
  // them as an "error" delivery.
  virtual void send(const TrainerCommand& command) = 0;
  // Once per frame: trains for up to budget seconds (in-process) and applies what was reported
  // to the training state and the lab view.
  virtual void update(double budget_seconds, TrainingState& training, LabView& lab) = 0;
  // The epoch weights noted since the last call, oldest first (the App keeps them in its
  // SnapshotStore).
  virtual std::vector<NotedEpochWeights> take_epoch_weights() {
    return std::exchange(epoch_weights_, {});
  }
  // The experiment's epoch weights noted since the last call, oldest first (the App keeps them
  // as the experiment's snapshots).
  std::vector<NotedExperimentEpoch> take_experiment_epochs() {
    return std::exchange(experiment_epochs_, {});
  }
  // Save / load model (files_actions.cpp). The model as model-file bytes with the lab's settings
  // (in the browser: the worker's latest snapshot, at most ~1 s old while training); empty
  // without a model.
  virtual std::vector<uint8_t> model_file_bytes() const = 0;
  // Hands a checked model file to the trainer (TrainerHost::load_model). In-process refusals
  // throw Error; the worker reports them as an "error" delivery.
  virtual void load_model(const uint8_t* bytes, size_t size, const std::string& name) = 0;

  // Deliveries from the worker (through the page); the in-process backend has none.
  virtual void receive_report(const TrainerReport& /*report*/) {}
  virtual void receive_snapshot(const uint8_t* /*bytes*/, size_t /*size*/) {}
  // A dataset the worker loaded: its DatasetReport's bytes (lab/dataset_report.h).
  virtual void receive_dataset(const uint8_t* /*bytes*/, size_t /*size*/) {}
  // An experiment configuration's weights (model-file bytes; its first repeat).
  virtual void receive_experiment_snapshot(int /*config*/, const uint8_t* /*bytes*/,
                                           size_t /*size*/) {}
  // An experiment configuration's epoch weights: the note's JSON text (ExperimentEpochNote) and
  // model-file bytes.
  virtual void receive_experiment_epoch(const std::string& /*note_json*/,
                                        const uint8_t* /*bytes*/, size_t /*size*/) {}
  // The current run's test evaluation and its (N, K) probabilities (count = N * K floats).
  virtual void receive_test(const TestResults& /*results*/, const float* /*probs*/,
                            size_t /*count*/) {}
  // A command the worker refused (fatal = false) or the worker itself failed (fatal = true).
  virtual void receive_error(const std::string& /*message*/, bool /*fatal*/) {}
  // The page replaced a failed worker with a fresh one and is loading the dataset again; the
  // new worker is to get the last weights, or else these settings (WorkerBackend).
  virtual void restarted(const SessionOptions& /*settings*/) {}
  // A fatal failure of the backend ("" if none): the API's phase 'error'.
  virtual const std::string& fatal_error() const = 0;

 protected:
  std::vector<NotedEpochWeights> epoch_weights_;  // noted, not yet taken
  std::vector<NotedExperimentEpoch> experiment_epochs_;  // noted, not yet taken
};

// The backend of this build: in-process natively, a Web Worker under Emscripten.
std::unique_ptr<TrainingBackend> make_training_backend();

// Applies one report (TrainerHost::poll) to the training state, adding the run and experiment
// offsets a restarted trainer needs (TrainingState).
void apply_trainer_report(TrainerReport report, TrainingState& training);

}  // namespace cnnlab
