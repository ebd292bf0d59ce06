// Run reports: what the trainer says about its runs — Session::history() (one RunRecord per run)
// and Session::experiment_state() (an ExperimentReport) — as the app keeps them (these structs,
// never JSON). One encoding each: to_json / from_json below, the only place that reads their
// keys. The trainer host sends them as {"type": "history", "history": [RunRecord...]} and
// {"type": "experiment", "state": ExperimentReport}, and a run's test evaluation as TestResults
// beside its (N, K) probabilities; the JavaScript API's history() and
// state().experiment are the same JSON.
//
// Every from_json throws Error(where, "<field>: why") for a missing or mistyped field. Unknown
// numbers (NaN: no validation split, a failed step) travel as null. Accuracies are fractions.
//
// [SECTION] Shared pieces (epochs, step curves, confusion counts)
// [SECTION] RunRecord (Session::history)
// [SECTION] ExperimentReport (Session::experiment_state)
// [SECTION] TestResults (TrainerHost::test_results)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lab/experiment.h"
#include "lab/session_options.h"
#include "train/metrics.h"
#include "train/trainer.h"

namespace cnnlab {

// [SECTION] Shared pieces ---------------------------------------------------------------------

// Test confusion counts: K rows [true class] of K counts [predicted class].
using ConfusionCounts = std::vector<std::vector<size_t>>;

// A run's per-step training curve thinned to every stride-th mini-batch: loss[i] and acc[i] are
// those of step i * stride + 1 (1-based). JSON: {stride, loss: [...], acc: [...]}; the two lists
// have the same length.
struct StepCurve {
  size_t stride = 1;
  std::vector<float> loss, acc;

  nlohmann::json to_json() const;
  static StepCurve from_json(const nlohmann::json& j, const std::string& where);
};

// The lab's encoding of one epoch (the engine's EpochRecord) in run reports:
// {epoch, trainLoss, trainAcc, valLoss, valAcc, imagesPerSecond, seconds}. (The engine's own
// EpochRecord::to_json, snake_case, is what the CLI and saved training states write.)
nlohmann::json epoch_report_json(const EpochRecord& e);
EpochRecord epoch_report_from_json(const nlohmann::json& j, const std::string& where);

// [SECTION] RunRecord ------------------------------------------------------------------------

// One run of Session::history(): its settings, every finished epoch and, once evaluated, its
// test results. A record keeps them whatever changes afterwards (until clear_history()).
// JSON: {run, label, dataset, options, epochs: [...], testAcc, testLoss, testEpoch (null before
// the test), testConfusion (only once tested), stopReason, steps {stride, loss, acc} (past runs
// only: their step curve thinned to at most 2,000 points)}.
struct RunRecord {
  int run = 0;                      // 1-based
  std::string label;                // "run 2: cnn 5x5"
  // The data it trained on (run_dataset_identity): runs whose identities differ were trained and
  // validated on different images, so their accuracies are not comparable.
  std::string dataset;              // "cifar10: 1,000 train + 2,000 test images"
  SessionOptions options;           // the settings it ran with
  std::vector<EpochRecord> epochs;  // finished epochs
  std::optional<double> test_accuracy, test_loss;  // none before the test
  // The 1-based epoch whose weights were tested (Trainer::scoring_epoch); none before the test.
  std::optional<int> test_epoch;
  ConfusionCounts test_confusion;   // empty before the test
  std::string stop_reason;          // "" while it runs
  std::optional<StepCurve> steps;   // past runs only (the current run's come as StepRecords)

  nlohmann::json to_json() const;
  static RunRecord from_json(const nlohmann::json& j, const std::string& where);
};

// What tells one dataset from another in run records: its name and image counts (the site's 1k
// and 5k subsets share a name). "cifar10: 1,000 train + 2,000 test images"; train_images counts
// the whole training split, validation included, so the validation fraction does not change it.
std::string run_dataset_identity(const std::string& name, size_t train_images, size_t test_images);

// The whole history as a JSON list of records, and back.
nlohmann::json run_history_json(const std::vector<RunRecord>& history);
std::vector<RunRecord> run_history_from_json(const nlohmann::json& j, const std::string& where);

// [SECTION] ExperimentReport -------------------------------------------------------------------

// One run of an experiment (configuration x repeat). JSON keys, in order of the fields:
// {configuration, options, repeat, seed, parameters, macs, step, epoch, progress, finished,
//  failed, stopReason, imagesPerSecond, seconds, bestValAcc, testAcc, testLoss, testEpoch,
//  status, testConfusion (null before the test), dataOrder, epochs: [...], stepsPerEpoch,
//  stepLoss {stride, loss, acc}}.
struct ExperimentRunReport {
  std::string configuration;   // "kernel=5"
  SessionOptions options;      // the run's settings as configure() keys (the run log lists them)
  int repeat = 0;              // 0-based; seed = the base seed + repeat
  uint64_t seed = 0;
  size_t parameters = 0;
  uint64_t macs = 0;           // multiply-accumulates per image, forward
  int64_t step = 0;            // mini-batches trained
  int epoch = 0;               // epochs finished
  double progress = 0;         // 0..1
  bool finished = false, failed = false;
  std::string stop_reason;
  double images_per_second = 0;  // its own training throughput
  double seconds = 0;            // its own compute time
  double best_val_accuracy = 0;
  std::optional<double> test_accuracy, test_loss;  // none until tested
  std::optional<int> test_epoch;                   // the epoch tested; none until tested
  ExperimentRunStatus status = ExperimentRunStatus::kRunning;  // lab/experiment.h
  ConfusionCounts test_confusion;  // empty until tested
  std::string data_order;          // fingerprint of its mini-batch order (16 hex digits)
  std::vector<EpochRecord> epochs;
  size_t steps_per_epoch = 0;
  StepCurve step_loss;             // per-step curve, thinned to at most ~1,000 points

  nlohmann::json to_json() const;
  static ExperimentRunReport from_json(const nlohmann::json& j, const std::string& where);
};

// One configuration's row of the results table (the engine's ConfigSummary as reported; the
// keys are the engine's experiment export's: {configuration, parameters, macs, runs,
// test_accuracy_mean, test_accuracy_std, test_loss_mean, best_val_accuracy_mean,
// images_per_second, seconds, tested_epochs, winner}).
struct ExperimentSummaryRow {
  std::string configuration;
  size_t parameters = 0;
  uint64_t macs = 0;
  int runs = 0;                    // finished runs aggregated (0: no figures yet)
  double test_accuracy_mean = 0, test_accuracy_std = 0, test_loss_mean = 0;
  double best_val_accuracy_mean = 0, images_per_second = 0;
  double seconds = 0;              // mean per tested run (0: none tested yet)
  std::string tested_epochs;       // "3, 2, unfinished" (tested_epochs_text)
  bool winner = false;

  static ExperimentSummaryRow of(const ConfigSummary& s);
  nlohmann::json to_json() const;
  static ExperimentSummaryRow from_json(const nlohmann::json& j, const std::string& where);
};

// Session::experiment_state(): the whole experiment as the app shows it.
// JSON: {id, running, done, progress, config (ExperimentConfig), runs: [...], summary: [...],
//        table (Markdown), csv, interpretation, identicalDataOrder}.
struct ExperimentReport {
  int id = 0;                      // Session::experiment_id: tells one experiment from the next
  bool running = false, done = false;
  double progress = 0;             // 0..1
  ExperimentConfig config;
  std::vector<ExperimentRunReport> runs;  // configuration by configuration, repeats consecutive
  std::vector<ExperimentSummaryRow> summary;
  std::string table, csv, interpretation;
  // Every configuration of one repeat saw the same images in the same order.
  bool identical_data_order = false;

  nlohmann::json to_json() const;
  static ExperimentReport from_json(const nlohmann::json& j, const std::string& where);
};

// [SECTION] TestResults ------------------------------------------------------------------------

// The current run's test evaluation as the trainer sends it to the app (the (N, K) probabilities
// travel beside it as floats, not in JSON). JSON: {run, confusion: K rows [true] of K counts
// [predicted], loss (mean), accuracy, total}; accuracy and total are for readers of the JSON and
// must agree with the counts.
struct TestResults {
  int run = 0;                // 1-based run that was tested
  ConfusionMatrix metrics;    // counts and mean loss

  nlohmann::json to_json() const;
  static TestResults from_json(const nlohmann::json& j, const std::string& where);
};

}  // namespace cnnlab
