// TrainerReport: what the trainer reports at one poll (TrainerHost::poll) — the messages the app
// applies, and which binary deliveries are due beside them. The desktop's in-process backend
// applies the struct itself; the page's worker posts its JSON (to_json) and the app reads it back
// with from_json, the only place that reads its keys:
//
//   {"messages": [
//     {"type": "state", "state": SessionStatus (lab/session_status.h)}    ~10 per s
//     {"type": "steps", "run", "from", "loss": [...], "acc": [...]}      StepRecords, in order
//     {"type": "history", "history": [RunRecord...]}                     at epoch ends, new runs
//     {"type": "experiment", "state": ExperimentReport}                  while an experiment runs
//     {"type": "epochWeights", "run", "epoch", "record": epoch | null}   EpochWeightsNote
//     {"type": "validation", "epoch", "results": TestResults}           at every epoch's end
//   ]}
//
// (RunRecord, ExperimentReport: lab/run_report.h.) The due flags do not travel in the JSON: the
// worker reads them from the struct and posts what they name (weights as model-file bytes, test
// results with their probabilities, the experiment's weights, the dataset's report).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lab/run_report.h"
#include "lab/session_status.h"

namespace cnnlab {

// The weights delivered with this report (snapshot_due) are those of `run` after `epoch` epochs
// (0: before training), exactly: the app keeps them as that epoch's snapshot
// (lab/snapshot_store.h). record: that epoch's figures (epoch_report_json; none for epoch 0).
struct EpochWeightsNote {
  int run = 0;
  int epoch = 0;
  std::optional<EpochRecord> record;
};

// An experiment configuration's weights at its start or after an epoch (Experiment::
// take_epoch_weights), as the training worker posts them: this note, then the weights as
// model-file bytes. The app keeps them as the experiment's snapshots.
struct ExperimentEpochNote {
  int experiment = 0;                  // the trainer's experiment id (Session::experiment_id)
  int config = 0;                      // configuration index, 0-based
  int epoch = 0;                       // 0: before training
  std::optional<EpochRecord> record;   // none for epoch 0

  nlohmann::json to_json() const;
  // Throws Error(where, why) naming the field that is missing, of the wrong type or out of range.
  static ExperimentEpochNote from_json(const nlohmann::json& j, const std::string& where);
};

// The validation split's confusion matrix after `epoch` of results.run (the live confusion matrix
// the Evaluation view shows while a run trains). results: TestResults (lab/run_report.h), its one
// encoding of a run's confusion counts.
struct EpochValidation {
  int epoch = 0;  // 1-based
  TestResults results;
};

// The validation images behind one cell of the live confusion matrix, the answer to a
// validationCell command: of `run` after `epoch`, the images of true class `true_class` the
// network predicted as `predicted` (count in all; the first kMaxImages of them as pixels).
struct ValidationCell {
  static constexpr int kMaxImages = 24;
  int run = 0;
  int epoch = 0;                 // 1-based: the epoch whose validation counted them
  int true_class = 0, predicted = 0;
  int count = 0;                 // images in the cell
  int channels = 0, height = 0, width = 0;
  std::vector<uint8_t> pixels;   // (shown, C, H, W), shown = min(count, kMaxImages)
  int shown() const {
    const size_t image = static_cast<size_t>(channels) * static_cast<size_t>(height) *
                         static_cast<size_t>(width);
    return image > 0 ? static_cast<int>(pixels.size() / image) : 0;
  }
};

struct TrainerReport {
  std::optional<SessionStatus> state;
  std::vector<StepRecords> steps;                 // a new run's empty record first, then new ones
  std::optional<std::vector<RunRecord>> history;  // every run, when it changed
  std::optional<ExperimentReport> experiment;
  std::optional<EpochWeightsNote> epoch_weights;  // with snapshot_due set
  std::optional<EpochValidation> validation;      // an epoch with a validation split ended
  std::optional<ValidationCell> validation_cell;  // a validationCell command's answer

  // Deliveries due beside the messages.
  bool dataset_due = false;              // a new dataset: its DatasetReport (dataset_report())
  bool snapshot_due = false;             // the model's weights (epoch end, pause/done, new model,
                                         // at most every second while training)
  bool test_due = false;                 // the current run's test results are new
  bool experiment_snapshot_due = false;  // the experiment's weights (start, pause, end, every 2 s)

  bool has_messages() const {
    return state || !steps.empty() || history || experiment || epoch_weights || validation ||
           validation_cell;
  }

  nlohmann::json to_json() const;
  // Reads every message on its own: one that is malformed or of an unknown type is left out and
  // its Error text appended to *refused (the others still apply, so nothing shown is lost).
  // Throws Error(where, why) when j is not a report at all (not an object, no messages list).
  static TrainerReport from_json(const nlohmann::json& j, const std::string& where,
                                 std::vector<std::string>* refused);
};

}  // namespace cnnlab
