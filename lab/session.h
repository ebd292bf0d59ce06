// Session: one lab's training state machine, shared by every front end — the browser's training
// worker, the desktop app and (through them) the JavaScript API. It owns the data, the options,
// the model and the current run; it is configured with JSON options (the JS API's names), driven
// by train/pause/step/reset and tick(budget), and reports status(), history() and
// experiment_state() as structs (lab/session_status.h, lab/run_report.h).
//
// Runs: every Start after a Reset (or a change of settings) is a new run; finished runs keep
// their curves until clear_history(), so a student can overlay them. When a run's training ends
// (not by failure) the session evaluates it on the test split, in ticks as well.
//
// Experiments (kernel-size sweeps etc.) are a second mode: start_experiment(options) builds an
// Experiment over the same data; tick() then advances it; experiment_state() reports it.
//
// [SECTION] Experiment options   [SECTION] Session
// (SessionOptions: lab/session_options.h; SessionStatus, what state() reports:
// lab/session_status.h; RunRecord and ExperimentReport, what history() and experiment_state()
// report: lab/run_report.h)
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "data/dataset.h"
#include "model/presets.h"
#include "lab/experiment.h"
#include "lab/run_report.h"
#include "lab/session_options.h"
#include "lab/session_status.h"
#include "train/metrics.h"
#include "train/trainer.h"

namespace cnnlab {

class Model;

// Experiment options (Session::start_experiment's JSON: vary, values, repeats, and any configure()
// key as a base setting over `current`) -> the engine's ExperimentConfig. Throws Error naming the
// key. The front end calls it (with validate() and experiment_memory_limit()) to refuse an invalid
// sweep at once, before anything is sent to the trainer.
ExperimentConfig experiment_config_from_json(const nlohmann::json& options,
                                             const SessionOptions& current);
// The memory all runs of an experiment may use (less in the browser's 32-bit wasm heap).
size_t experiment_memory_limit();

// [SECTION] Session --------------------------------------------------------------------------------
class Session {
 public:
  enum class Phase { kNoData, kReady, kTraining, kPaused, kDone };

  explicit Session(int threads = 1);
  ~Session();

  // New data (a new dataset or subset): ends any run and experiment, keeps earlier curves.
  void set_data(DataSource data);
  bool has_data() const { return phase_ != Phase::kNoData; }
  const DataSource& data() const { return data_; }

  // Validates every key first (a bad option changes nothing), then applies. Settings that shape
  // the run (model, training) end the current run: the next Start begins a new one.
  void configure(const nlohmann::json& options);
  const SessionOptions& options() const { return options_; }

  void train();   // start or continue (creates the run when there is none)
  void pause();
  void step();    // exactly one training mini-batch, then paused
  void reset();   // a fresh model from the seed; the current run's curves are kept as a past run
  void clear_history();  // forget past runs' curves

  // Advances whatever is running (training, test evaluation, experiment) for up to budget
  // seconds. Returns true while there is more work.
  bool tick(double budget_seconds);

  Phase phase() const { return phase_; }
  static const char* phase_name(Phase p);

  // The model of the current run (built on configure/reset/set_data; null without data).
  Model* model() { return model_.get(); }
  const Trainer* trainer() const { return trainer_.get(); }
  // Test results of the current run once evaluated (null before): confusion matrix and every
  // test image's class probabilities (N, K).
  const ConfusionMatrix* test_metrics() const { return test_done_ ? &test_->metrics() : nullptr; }
  const std::vector<float>* test_probabilities() const {
    return test_done_ ? &test_->probabilities() : nullptr;
  }
  const Preprocess& preprocess() const;

  // Where the session is (lab/session_status.h); state() is its JSON encoding.
  SessionStatus status() const;
  nlohmann::json state() const { return status().to_json(); }
  // Every run, past and current (lab/run_report.h; its JSON is the JS API's history()). A
  // record keeps its test results whatever changes afterwards (until clear_history()).
  std::vector<RunRecord> history() const;
  // Per-step (loss, accuracy) of the current run from index `from` on.
  StepRecords steps_since(size_t from) const;

  // Experiments. Validates before anything starts (Error with the explanation).
  void start_experiment(const nlohmann::json& options);
  void stop_experiment();
  // Continues a paused experiment (pause() pauses it with everything else); Error when there is
  // none or it is finished.
  void resume_experiment();
  Experiment* experiment() { return experiment_.get(); }
  // Counts start_experiment calls: tells one experiment's reports and weights from the next.
  int experiment_id() const { return experiment_id_; }
  // Threads that train (the caller included): what the constructor asked for, or fewer where the
  // platform could not start them (ThreadPool::threads).
  int threads() const { return pool_.threads(); }
  // The experiment as the app shows it (lab/run_report.h); none without an experiment.
  std::optional<ExperimentReport> experiment_state() const;

 private:
  void new_model();
  void archive_current_run();
  RunRecord current_run_record() const;
  std::string run_label() const;

  ThreadPool pool_;
  DataSource data_;
  SessionOptions options_;
  Phase phase_ = Phase::kNoData;
  std::unique_ptr<Model> model_;
  std::unique_ptr<Trainer> trainer_;
  std::unique_ptr<Evaluator> test_;
  bool test_done_ = false;
  // When tick() last trained a step with per-layer statistics on (see tick()).
  std::chrono::steady_clock::time_point last_stats_{};
  int run_index_ = 0;
  size_t train_count_ = 0, val_count_ = 0;  // the split of the current settings
  std::vector<RunRecord> past_;  // finished runs, oldest first (with their step curves)
  std::unique_ptr<Experiment> experiment_;
  bool experiment_running_ = false;
  int experiment_id_ = 0;
};

}  // namespace cnnlab
