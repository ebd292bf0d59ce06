// SessionStatus: where a lab session is — what the trainer reports to the app several times a
// second and the app keeps (as this struct, never as JSON). One encoding: to_json / from_json
// below, the only place that reads its keys. Session::status() fills the session's part; the
// trainer host adds the per-layer statistics, its threads and a loaded model's file name.
//
// JSON: {phase, experiment (bool), dataset {name, train, val, test, classes} | null,
//        model {name, kernel (null for an MLP), params, spec} | null, options, run, epoch, epochs,
//        step, stepsPerEpoch, progress, trainLoss, trainAcc, valLoss, valAcc, testAcc, testLoss,
//        testEpoch,
//        imagesPerSecond, etaSeconds, stopReason, failed,
//        layers [{layer, actMin, actMax, gradMin, gradMax, forwardMs, backwardMs}], threads,
//        threadsNote, modelFile}
// Accuracies are fractions; unknown values are null.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lab/session_options.h"
#include "model/model.h"

namespace cnnlab {

struct DatasetStatus {
  std::string name;
  size_t train = 0, val = 0, test = 0;   // images in the current settings' split
  std::vector<std::string> classes;
};

struct ModelStatus {
  std::string name;         // the preset: "cnn", "mlp", ...
  std::optional<int> kernel;  // none for an MLP
  int64_t params = 0;
  std::string spec;         // the spec's canonical text

  // "cnn 3x3", "mlp": how the lab names a run's model.
  std::string label() const;
};

// One row of the per-layer statistics table.
struct LayerStatsRow {
  std::string layer;        // "conv 32 3x3 same"
  LayerStats stats;
};

struct SessionStatus {
  std::string phase = "loading";   // Session::phase_name: loading, ready, training, paused, done
  // The run has trained its last step and its network is being tested on the test split (the
  // phase is still "training" until that ends). JSON "testing" (absent in older reports: false).
  bool testing = false;
  // While testing: the 1-based epoch whose weights are being tested and the fraction of the test
  // images done (0..1). JSON "testingEpoch", "testProgress" (null or absent: none).
  std::optional<int> testing_epoch;
  std::optional<double> test_progress;
  bool experiment_running = false;
  std::optional<DatasetStatus> dataset;
  std::optional<ModelStatus> model;
  SessionOptions options;
  int run = 0, epoch = 0, epochs = 0;
  int64_t step = 0, steps_per_epoch = 0;
  double progress = 0, images_per_second = 0, eta_seconds = 0;
  std::optional<double> train_loss, train_acc, val_loss, val_acc, test_acc, test_loss;
  // The learning rate of the run's next step (the schedule's, Trainer::current_lr); none
  // without a run or once it has ended. JSON "lr" (null: none; absent in reports from before
  // it: none).
  std::optional<double> lr;
  // The 1-based epoch whose weights were tested (Trainer::scoring_epoch: the best by validation
  // loss with early stopping on, else the last); none before the test.
  std::optional<int> test_epoch;
  std::string stop_reason;
  bool failed = false;
  // Filled by the trainer host:
  std::vector<LayerStatsRow> layers;
  int threads = 1;
  std::string threads_note;
  std::string model_file;          // a loaded model's file name until it is superseded ("": none)

  nlohmann::json to_json() const;
  // Throws Error(where, "<field>: why") for a missing or mistyped field.
  static SessionStatus from_json(const nlohmann::json& j, const std::string& where);
};

// The line under the Training panel's progress bar once training has ended ("" before): the stop
// reason, except that while the test runs it says the test is under way (and how far), since the
// reason's "tested on epoch N" is only true once the test results are in.
std::string run_end_line(const SessionStatus& s);

// New per-step records of one run: the loss and accuracy of its mini-batches from..from+n-1, as
// the trainer sends them (only what the app has not had yet; from 0 again for a new run).
// JSON: {"type": "steps", run, from, loss: [...], acc: [...]} (NaN travels as null).
struct StepRecords {
  int run = 0;
  size_t from = 0;
  std::vector<float> loss, acc;

  nlohmann::json to_json() const;
  // Throws Error(where, "<field>: why"); the two lists must have the same length.
  static StepRecords from_json(const nlohmann::json& j, const std::string& where);
};

}  // namespace cnnlab
