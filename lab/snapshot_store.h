// SnapshotStore: a run's weights at the start of training (epoch 0) and after every epoch, with
// that epoch's record, kept in memory so the lab can show the network as it was after any epoch
// ("time travel": filters, feature maps, accuracy). The app side owns the one store; the trainer
// says which weights are an epoch's (TrainerReport::epoch_weights) and the weights themselves
// arrive as usual (model-file bytes in the browser, the Session's model on the desktop).
//
// Memory: every snapshot is the model's parameters as floats (4 bytes each; about 2.2 MB for the
// seed CNN). The store keeps all of them within a budget (64 MB by default) shared by every run;
// beyond it, it thins the run with the most snapshots to its first, its last and every 2nd epoch
// (then every 4th, 8th, ...: evenly spaced) until the rest fits, and says so (thinning_note()).
// When every run is down to its first and last, the oldest run's go.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <memory>

#include "model/model.h"
#include "model/spec.h"
#include "train/trainer.h"

namespace cnnlab {

// A model's weights taken for the store (EpochWeights::of): what makes the same network again.
struct EpochWeights {
  ModelSpec spec;
  std::vector<size_t> param_sizes;     // each parameter's value count, Model::params() order
  std::vector<float> values;           // every parameter's values, in that order
  static EpochWeights of(const Model& model);
  // A new model of `spec` holding these values (no statistics collected). Throws Error when the
  // values do not fit the spec's parameters.
  std::unique_ptr<Model> build() const;
};

struct EpochSnapshot {
  int epoch = 0;                       // 0: before training; e: after e epochs (1-based)
  std::optional<EpochRecord> record;   // that epoch's figures (none for epoch 0)
  std::vector<float> weights;          // every parameter's values, in Model::params() order
};

class SnapshotStore {
 public:
  static constexpr size_t kDefaultBudgetBytes = size_t{64} << 20;

  explicit SnapshotStore(size_t budget_bytes = kDefaultBudgetBytes) : budget_(budget_bytes) {}

  // Keeps `model`'s weights as `run`'s snapshot after `epoch` (replacing one kept for that epoch;
  // epoch 0, or a model of another shape, starts the run over), then thins to the budget. A snapshot larger
  // than the whole budget is not kept (thinning_note says why). Throws Error for run < 1 or
  // epoch < 0.
  void add(int run, int epoch, std::optional<EpochRecord> record, EpochWeights weights);
  void add(int run, int epoch, std::optional<EpochRecord> record, const Model& model) {
    add(run, epoch, std::move(record), EpochWeights::of(model));
  }

  // Copies the kept weights of (run, epoch) into `model`. Throws Error(where, why) when the run
  // is unknown, the epoch was not kept (naming the kept ones) or the model has other parameters.
  void restore(int run, int epoch, Model& model) const;
  // The kept snapshot; throws as restore.
  const EpochSnapshot& get(int run, int epoch) const;
  // A new model of the run's network holding the kept weights of (run, epoch); throws as get.
  std::unique_ptr<Model> model_at(int run, int epoch) const;
  const ModelSpec& spec(int run) const;  // the run's network; throws as get

  std::vector<int> runs() const;             // ascending
  std::vector<int> epochs(int run) const;    // kept, ascending; empty for an unknown run
  bool has(int run, int epoch) const;

  size_t bytes() const;                      // weights held, all runs
  size_t budget() const { return budget_; }
  void set_budget(size_t budget_bytes);      // thins at once when over it
  // Whether any epoch was dropped to stay within the budget, and a sentence saying so
  // ("" when nothing was dropped).
  bool thinned() const { return dropped_ > 0 || !refused_.empty(); }
  std::string thinning_note() const;
  // The same for the one run on screen (the time slider's): how many of that run's epochs were
  // dropped and which it keeps, then what other runs lost ("" when nothing was dropped).
  std::string thinning_note(int run) const;

  void drop_run(int run);
  void clear();
  uint64_t version() const { return version_; }  // increases with every change

 private:
  struct RunSnapshots {
    ModelSpec spec;
    std::vector<size_t> param_sizes;     // the model's parameters' sizes (shape check)
    std::vector<EpochSnapshot> kept;     // ascending by epoch
    int stride = 1;                      // inner epochs kept: multiples of this (see thin())
    size_t thinned = 0;                  // its epochs dropped to stay within the budget
  };
  const RunSnapshots& run_of(int run, const char* where) const;
  void thin();

  size_t budget_;
  std::map<int, RunSnapshots> runs_;
  size_t dropped_ = 0;   // snapshots dropped by thinning (all runs, since the last clear)
  size_t dropped_runs_ = 0;  // runs whose snapshots all went (the oldest first), since the last clear
  std::string refused_;  // why a snapshot was not kept at all ("" if none was refused)
  uint64_t version_ = 0;
};

// A list of epochs (or runs) for messages: "0, 1, 2 and 5"; "none" when empty.
std::string epoch_list_text(const std::vector<int>& epochs);

}  // namespace cnnlab
