// RunLog: every finished run's settings and test results, kept until the user clears them —
// whatever is changed afterwards (another preset, another dataset, the curves cleared). Fed from
// the Session's reports: history() records (single runs) and experiment_state() runs; each is
// logged once, when it has its test results (or, for an experiment's run stopped before its end,
// as unfinished). Clearing can be undone until the next run starts.
//
// Per run it keeps the test confusion counts, so the Evaluation panel can show any listed run's
// matrix and per-class metrics; per-image probabilities are the current run's only (LabView).
//
// [SECTION] RunLogEntry   [SECTION] RunLog
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "lab/run_report.h"
#include "lab/session_options.h"

namespace cnnlab {

// [SECTION] RunLogEntry -------------------------------------------------------------------------
struct RunLogEntry {
  enum class Status { kFinished, kUnfinished };

  int number = 0;            // 1, 2, ... in the order runs were logged (kept after a clear)
  std::string source;        // "run 3", or "experiment 2: kernel=5, seed 43"
  int run = 0;               // a single run's number in the lab (its snapshots'); 0: an experiment's
  std::string dataset;       // "CIFAR-10 1k: 900 train + 100 validation + 2,000 test"
  SessionOptions options;    // the run's settings
  int epochs_run = 0;        // epochs completed
  int test_epoch = 0;        // the epoch the test figures come from (0: not tested)
  Status status = Status::kFinished;
  double test_accuracy = -1, test_loss = -1;  // -1: not tested
  ConfusionCounts confusion;  // K rows [true] of K counts [predicted]
  std::string stop_reason;

  // Where the run came from as the table shows it: "training run 3" (the lab's own run numbers,
  // as the Training panel counts them) or "experiment 2: kernel=5, seed 43". The entry's own
  // number is another count (the log's order), so the word tells the two apart.
  std::string source_text() const;
  // "cnn 5x5", "mlp": the model as the table shows it.
  std::string model_text() const;
  // "adam lr 0.001, batch 64, patience 3, seed 42": the other key settings.
  std::string settings_text() const;
  const char* status_name() const;  // "finished" or "unfinished"

  nlohmann::json to_json() const;   // the JS API's runs() entry and the JSON export
};

// [SECTION] RunLog ------------------------------------------------------------------------------
class RunLog {
 public:
  // Logs the records of Session::history() that finished with test results and are not logged
  // yet. dataset: how the data the runs trained on is described. Returns how many were added.
  size_t add_history(const std::vector<RunRecord>& history, const std::string& dataset);
  // Logs the runs of Session::experiment_state() that have test results, and (once the
  // experiment is no longer running) its runs stopped before their end as unfinished.
  size_t add_experiment(const ExperimentReport& experiment, const std::string& dataset);

  const std::vector<RunLogEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

  // Clears the log; undo() brings it back until forget_undo() (called when the next run starts).
  void clear();
  bool can_undo() const { return !undo_.empty(); }
  void undo();
  void forget_undo() { undo_.clear(); }

  // Exports: one row per run (CSV, with a header) and {format, version, runs: [...]} (JSON).
  std::string csv() const;
  nlohmann::json to_json() const;

 private:
  void add(RunLogEntry entry, const std::string& key);

  std::vector<RunLogEntry> entries_;
  std::vector<RunLogEntry> undo_;
  std::set<std::string> logged_;  // keys of the records already logged (cleared ones too)
  int next_number_ = 1;
};

}  // namespace cnnlab
