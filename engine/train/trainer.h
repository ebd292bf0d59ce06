// Trainer: advances training one unit of work at a time — one training mini-batch or one
// validation batch per step() — so the browser can run a few steps per frame and the CLI can
// run them in a loop. It never blocks and never prints.
//
// An epoch: every training batch (seeded order, optional augmentation), then the validation
// split in eval batches; then the epoch's record, early stopping and best-weights bookkeeping.
//
// The scoring rule (one for every front end: the lab, `cnnlab train`, `cnnlab experiment`): with
// early stopping on (patience > 0 and a validation split), a run that ends — stopped early or
// after its last epoch — goes back to the weights of its best epoch by validation loss; with it
// off, it keeps the last epoch's. scoring_epoch() says which epoch the model then holds, so the
// test figures computed afterwards can say which epoch they come from.
// A NaN or infinite loss (or gradient) stops training before the bad update is applied, so the
// model keeps its last good weights.
//
// [SECTION] TrainConfig   [SECTION] records   [SECTION] Trainer   [SECTION] Evaluator
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"
#include "data/batcher.h"
#include "data/dataset.h"
#include "data/preprocess.h"
#include "data/split.h"
#include "optim/lr_schedule.h"
#include "optim/optimizer.h"
#include "train/metrics.h"

namespace cnnlab {

class Model;
class ThreadPool;

// [SECTION] TrainConfig ----------------------------------------------------------------------------
struct TrainConfig {
  int epochs = 10;
  int batch_size = 64;
  OptimizerConfig optimizer;  // Adam 1e-3 by default (the seeds' recipe)
  LrSchedule lr_schedule;     // constant by default: optimizer.lr at every step
  Augment augment;            // off by default
  uint64_t seed = 42;         // init, split, batch order, dropout, augmentation
  float val_fraction = 0.1f;  // stratified, taken from the training set
  int patience = 3;           // early stopping: epochs without a better val loss; 0 = off
                              // (on: a finished run is scored on its best epoch, see above)
  bool standardize = false;   // per-channel standardisation from the training split
  // Validation/test batch. Every layer's output is kept per image, so a larger eval batch than
  // the training batch grows all activation buffers (256 images: ~113 MB more for `cnn`, which
  // pushed the browser's heap past 256 MB); 64 keeps them at the training size.
  int eval_batch_size = 64;

  // Throws Error naming the field by its JSON key: epochs >= 1, batch 1..4096,
  // 0 <= valFraction < 1, shift 0..8, ... (the optimizer's as OptimizerConfig::validate, the
  // schedule's as LrSchedule::validate).
  void validate() const;
  // {"epochs", "batch", "optimizer" (optimizer_config_to_json), "lrSchedule": {"kind",
  // "stepEpochs", "gamma", "min"}, "augment": {"flip", "maxShift"}, "seed", "valFraction",
  // "patience", "standardize", "evalBatch"}: SessionOptions' keys where it has the field.
  // from_json also reads the snake_case keys of files written before (batch_size, val_fraction,
  // eval_batch_size, max_shift); missing fields keep defaults (a file from before schedules
  // trains at a constant rate, as it did).
  nlohmann::json to_json() const;
  static TrainConfig from_json(const nlohmann::json& j);
};

// [SECTION] records -------------------------------------------------------------------------------
struct EpochRecord {
  int epoch = 0;  // 1-based
  double train_loss = 0, train_accuracy = 0;  // running means over the epoch (dropout on)
  double val_loss = 0, val_accuracy = 0;      // NaN when there is no validation split
  double train_seconds = 0;                   // time spent in training steps this epoch
  double images_per_second = 0;

  // {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy" (null when NaN),
  // "train_seconds", "images_per_second"}: the trainer's saved state and experiment reports.
  nlohmann::json to_json() const;
  // Throws Error(where, ...) naming the field: a missing one, a number out of its type's range,
  // an epoch below 1; the losses and accuracies are null or numbers.
  static EpochRecord from_json(const nlohmann::json& j, const std::string& where = "epoch record");
};

struct StepRecord {
  int64_t step = 0;  // 1-based global step
  int epoch = 0;     // 1-based
  float loss = 0, accuracy = 0;
};

enum class TrainPhase { kTraining, kValidating, kDone };

// [SECTION] Trainer -------------------------------------------------------------------------------
class Trainer {
 public:
  // train_data is the full training set; the trainer splits off the validation set. The model
  // and data must outlive the trainer. pool may be null (one thread).
  Trainer(Model& model, const Dataset& train_data, const TrainConfig& config, ThreadPool* pool);
  ~Trainer();

  // One unit of work; returns false once training is done (finished, stopped early or failed).
  bool step();
  // Runs at least one step, then more until `seconds` of wall time have passed or training is
  // done (the browser's slice).
  void run_for(double seconds);

  TrainPhase phase() const { return phase_; }
  bool done() const { return phase_ == TrainPhase::kDone; }
  bool failed() const { return failed_; }
  const std::string& stop_reason() const { return stop_reason_; }
  // Early stopping (and with it best-epoch scoring) applies: patience > 0 and a validation split.
  bool early_stopping() const;
  // The 1-based epoch whose weights the model holds once training has ended (the epoch its test
  // figures come from); 0 while training, after a failure, or after stop() (the user's Stop
  // keeps the weights where training stood, which may be mid-epoch).
  int scoring_epoch() const { return scoring_epoch_; }
  // The 1-based epoch with the lowest validation loss so far (0 without a validation split).
  int best_epoch() const { return has_best_ ? best_epoch_ : 0; }

  int epoch() const { return epoch_; }  // 0-based epoch in progress (== epochs when done)
  size_t batches_per_epoch() const;
  int64_t global_step() const { return global_step_; }
  double progress() const;  // 0..1 over all training batches of all epochs
  double images_per_second() const;  // training throughput over this run so far
  double eta_seconds() const;        // remaining training time at the current speed
  float epoch_loss() const;          // running mean loss of the epoch in progress
  float epoch_accuracy() const;

  const std::vector<EpochRecord>& history() const { return history_; }
  // The validation split's confusion matrix of the last finished epoch (the one history().back()
  // reports; it starts over only when the next epoch's validation begins). Empty before.
  const ConfusionMatrix& val_metrics() const { return val_metrics_; }
  // Each validation image's predicted class (split().val order), counted in val_metrics(): the
  // images behind each cell of the live confusion matrix. Empty before the first validation.
  const std::vector<int16_t>& val_predictions() const { return val_predicted_; }
  const std::vector<StepRecord>& steps() const { return steps_; }
  const TrainConfig& config() const { return config_; }
  const Preprocess& preprocess() const { return preprocess_; }
  const Split& split() const { return split_; }
  Optimizer& optimizer() { return *optimizer_; }
  // The learning rate of the next training step (the schedule's, from the global step); the
  // optimiser is set to it before every update.
  float current_lr() const;
  Model& model() { return model_; }

  // A fingerprint (FNV-1a) of the validation split and of the batch order of every epoch
  // configured: equal fingerprints mean two runs saw the same images in the same order (the
  // experiment runner's "identical conditions", checked by tests and shown by the lab).
  uint64_t data_order_fingerprint() const;

  // Ends training now (the user's Stop): keeps the current weights, records why.
  void stop(const std::string& reason);

  // Pause/resume: everything needed to continue exactly where training stopped, except the
  // weights and optimiser tensors (saved in the model file beside it).
  // restore() throws Error(where, ...) naming the field (where: e.g. "run.cnnlab training
  // state"): every count a whole number >= 0 within its range (epoch within the run's epochs,
  // batch within an epoch's batches), sums finite; nothing NaN, infinite or out of range is taken.
  nlohmann::json state() const;
  void restore(const nlohmann::json& state, const std::string& where = "training state");

 private:
  void train_batch();
  void validate_batch();
  void finish_epoch();
  void finish(const std::string& reason, bool failed);
  bool gradients_finite();
  void snapshot_best();
  void restore_best();
  // The scoring rule, applied once when a run ends normally; returns what to add to the reason.
  std::string apply_scoring_rule();

  Model& model_;
  TrainConfig config_;
  ThreadPool* pool_;
  Split split_;
  Preprocess preprocess_;
  std::unique_ptr<Batcher> train_batches_, val_batches_;
  std::unique_ptr<Optimizer> optimizer_;
  Rng dropout_rng_;

  TrainPhase phase_ = TrainPhase::kTraining;
  int epoch_ = 0;
  size_t batch_ = 0;
  int64_t global_step_ = 0;
  bool failed_ = false;
  std::string stop_reason_;

  // Running sums of the epoch in progress.
  double epoch_loss_sum_ = 0, epoch_correct_ = 0, epoch_seen_ = 0, epoch_seconds_ = 0;
  ConfusionMatrix val_metrics_;
  std::vector<int16_t> val_predicted_;  // (split_.val.size()), see val_predictions()
  // Throughput over this session (not restored on resume: a new machine, a new speed).
  double run_seconds_ = 0, run_images_ = 0;

  double best_val_loss_ = 0;
  bool has_best_ = false;
  int best_epoch_ = 0;     // 1-based, with has_best_
  int scoring_epoch_ = 0;  // see scoring_epoch()
  int bad_epochs_ = 0;
  std::vector<Tensor> best_weights_;

  std::vector<EpochRecord> history_;
  std::vector<StepRecord> steps_;

  Tensor x_;  // (B, C, H, W) current batch
  std::vector<int32_t> labels_;
  Tensor val_probs_, val_losses_;  // (B, K), (B)
};

// [SECTION] Evaluator ----------------------------------------------------------------------------
// Evaluates a model on a dataset one batch per step(): loss, accuracy, confusion matrix, and
// every image's class probabilities (for galleries and the confusion-matrix drill-down).
class Evaluator {
 public:
  Evaluator(Model& model, const Dataset& data, const Preprocess& preprocess, int batch_size,
            ThreadPool* pool);
  bool step();  // false when done
  void run();   // all remaining batches
  bool done() const { return next_ >= data_.size(); }
  double progress() const;
  const ConfusionMatrix& metrics() const { return metrics_; }
  // (N, K) softmax outputs, filled up to the images evaluated so far.
  const std::vector<float>& probabilities() const { return probs_; }

 private:
  Model& model_;
  const Dataset& data_;
  std::unique_ptr<Batcher> batches_;
  ThreadPool* pool_;
  size_t next_ = 0, batch_index_ = 0;
  ConfusionMatrix metrics_;
  std::vector<float> probs_;
  Tensor x_, batch_probs_, batch_losses_;
  std::vector<int32_t> labels_;
};

// Evaluates in one call (CLI, tests).
ConfusionMatrix evaluate(Model& model, const Dataset& data, const Preprocess& preprocess,
                         ThreadPool* pool, int batch_size = 64);

}  // namespace cnnlab
