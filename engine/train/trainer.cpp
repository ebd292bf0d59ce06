#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/json_field.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/model.h"
#include "model/model_file.h"

namespace cnnlab {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

// ---- TrainConfig ---------------------------------------------------------------------------------

void TrainConfig::validate() const {
  // Each field is named by its key (SessionOptions' and to_json's), so the lab, links and cnnlab
  // report a bad value under the one name the user gave it.
  require(epochs >= 1 && epochs <= 10000, "epochs",
          "must be between 1 and 10000, got " + std::to_string(epochs));
  require(batch_size >= 1 && batch_size <= 4096, "batch",
          "the batch size must be between 1 and 4096, got " + std::to_string(batch_size));
  require(eval_batch_size >= 1 && eval_batch_size <= 4096, "evalBatch",
          "the evaluation batch size must be between 1 and 4096, got " +
              std::to_string(eval_batch_size));
  require(std::isfinite(val_fraction) && val_fraction >= 0.0f && val_fraction < 1.0f,
          "valFraction",
          "the validation fraction must be in [0, 1), got " + std::to_string(val_fraction));
  require(patience >= 0, "patience", "must be >= 0 (0 turns early stopping off)");
  require(augment.max_shift >= 0 && augment.max_shift <= 8, "shift",
          "the shift must be between 0 and 8 pixels, got " + std::to_string(augment.max_shift));
  optimizer.validate();
  lr_schedule.validate(optimizer.lr);
}

// Keys: SessionOptions' where it has the field (batch, valFraction, ...), camelCase otherwise
// (evalBatch, maxShift). Files written before that spelling (batch_size, val_fraction,
// eval_batch_size, max_shift) still load.
nlohmann::json TrainConfig::to_json() const {
  return {{"epochs", epochs},
          {"batch", batch_size},
          {"optimizer", optimizer_config_to_json(optimizer)},
          {"lrSchedule",
           {{"kind", lr_schedule_name(lr_schedule.kind)},
            {"stepEpochs", lr_schedule.step_epochs},
            {"gamma", lr_schedule.gamma},
            {"min", lr_schedule.min_lr}}},
          {"augment", {{"flip", augment.flip}, {"maxShift", augment.max_shift}}},
          {"seed", seed},
          {"valFraction", val_fraction},
          {"patience", patience},
          {"standardize", standardize},
          {"evalBatch", eval_batch_size}};
}

TrainConfig TrainConfig::from_json(const nlohmann::json& j) {
  TrainConfig c;
  try {
    const std::string where = "training settings";
    c.epochs = json_field_or(j, "epochs", c.epochs, where);
    c.batch_size = json_field_or(j, renamed_key(j, "batch", "batch_size"), c.batch_size, where);
    if (j.contains("optimizer"))
      c.optimizer = optimizer_config_from_json(j.at("optimizer"), "training settings");
    if (j.contains("lrSchedule")) {
      const nlohmann::json& l = j.at("lrSchedule");
      const std::string name =
          json_field_or<std::string>(l, "kind", lr_schedule_name(c.lr_schedule.kind), where);
      require(lr_schedule_from_name(name, &c.lr_schedule.kind), where,
              "field 'lrSchedule' kind must be constant, step or cosine, got '" + name + "'");
      c.lr_schedule.step_epochs = json_field_or(l, "stepEpochs", c.lr_schedule.step_epochs, where);
      c.lr_schedule.gamma = json_field_or(l, "gamma", c.lr_schedule.gamma, where);
      c.lr_schedule.min_lr = json_field_or(l, "min", c.lr_schedule.min_lr, where);
    }
    if (j.contains("augment")) {
      const nlohmann::json& a = j.at("augment");
      c.augment.flip = json_field_or(a, "flip", c.augment.flip, where);
      c.augment.max_shift =
          json_field_or(a, renamed_key(a, "maxShift", "max_shift"), c.augment.max_shift, where);
    }
    c.seed = json_field_or(j, "seed", c.seed, where);
    c.val_fraction =
        json_field_or(j, renamed_key(j, "valFraction", "val_fraction"), c.val_fraction, where);
    c.patience = json_field_or(j, "patience", c.patience, where);
    c.standardize = json_field_or(j, "standardize", c.standardize, where);
    c.eval_batch_size = json_field_or(j, renamed_key(j, "evalBatch", "eval_batch_size"),
                                      c.eval_batch_size, where);
  } catch (const nlohmann::json::exception& e) {
    throw Error("training settings", std::string("malformed: ") + e.what());
  }
  return c;
}

// ---- EpochRecord ---------------------------------------------------------------------------------
nlohmann::json EpochRecord::to_json() const {
  return {{"epoch", epoch},
          {"train_loss", train_loss},
          {"train_accuracy", train_accuracy},
          {"val_loss", std::isfinite(val_loss) ? nlohmann::json(val_loss) : nullptr},
          {"val_accuracy", std::isfinite(val_accuracy) ? nlohmann::json(val_accuracy) : nullptr},
          {"train_seconds", train_seconds},
          {"images_per_second", images_per_second}};
}

EpochRecord EpochRecord::from_json(const nlohmann::json& j, const std::string& where) {
  require(j.is_object(), where, "must be a JSON object");
  EpochRecord r;
  r.epoch = json_field<int>(j, "epoch", where);
  require(r.epoch >= 1, where, "field 'epoch' must be at least 1, got " + std::to_string(r.epoch));
  r.train_loss = json_number_or_nan(j, "train_loss", where);
  r.train_accuracy = json_number_or_nan(j, "train_accuracy", where);
  r.val_loss = json_number_or_nan(j, "val_loss", where);
  r.val_accuracy = json_number_or_nan(j, "val_accuracy", where);
  r.train_seconds = json_field<double>(j, "train_seconds", where);
  r.images_per_second = json_field<double>(j, "images_per_second", where);
  return r;
}

// ---- Trainer -------------------------------------------------------------------------------------

Trainer::Trainer(Model& model, const Dataset& train_data, const TrainConfig& config,
                 ThreadPool* pool)
    : model_(model),
      config_(config),
      pool_(pool),
      dropout_rng_(Rng::stream(config.seed, RngStream::kDropout)),
      val_metrics_(model.num_classes()) {
  config_.validate();
  require(train_data.size() > 0, "training data", "is empty");
  const Shape in = model.input_shape();
  require(in[0] == train_data.channels && in[1] == train_data.height && in[2] == train_data.width,
          "training data",
          "images are " + std::to_string(train_data.channels) + "x" +
              std::to_string(train_data.height) + "x" + std::to_string(train_data.width) +
              " (CxHxW) but the model expects " + std::to_string(in[0]) + "x" +
              std::to_string(in[1]) + "x" + std::to_string(in[2]));
  require(static_cast<int>(train_data.class_names.size()) <= model.num_classes(), "training data",
          "has " + std::to_string(train_data.class_names.size()) + " classes but the model outputs " +
              std::to_string(model.num_classes()));

  split_ = stratified_split(train_data, config_.val_fraction, config_.seed);
  require(!split_.train.empty(), "training data", "no images left after the validation split");
  preprocess_ = config_.standardize ? standardization_of(train_data, split_.train) : Preprocess{};
  train_batches_ = std::make_unique<Batcher>(train_data, split_.train, config_.batch_size,
                                             preprocess_, /*shuffle=*/true, config_.augment,
                                             config_.seed);
  if (!split_.val.empty())
    val_batches_ = std::make_unique<Batcher>(train_data, split_.val, config_.eval_batch_size,
                                             preprocess_, /*shuffle=*/false, Augment{},
                                             config_.seed);
  optimizer_ = make_optimizer(config_.optimizer);
}

Trainer::~Trainer() = default;

size_t Trainer::batches_per_epoch() const { return train_batches_->batches_per_epoch(); }

float Trainer::current_lr() const {
  return scheduled_lr(config_.lr_schedule, config_.optimizer.lr, global_step_,
                      static_cast<int64_t>(batches_per_epoch()), config_.epochs);
}

double Trainer::progress() const {
  if (done()) return 1.0;
  const double total = static_cast<double>(batches_per_epoch()) * config_.epochs;
  const size_t batches_done = phase_ == TrainPhase::kValidating ? batches_per_epoch() : batch_;
  return (static_cast<double>(epoch_) * batches_per_epoch() + batches_done) / total;
}

double Trainer::images_per_second() const {
  return run_seconds_ > 0 ? run_images_ / run_seconds_ : 0.0;
}

double Trainer::eta_seconds() const {
  const double ips = images_per_second();
  if (done() || ips <= 0) return 0.0;
  return (1.0 - progress()) * static_cast<double>(config_.epochs) *
         static_cast<double>(split_.train.size()) / ips;
}

float Trainer::epoch_loss() const {
  return epoch_seen_ > 0 ? static_cast<float>(epoch_loss_sum_ / epoch_seen_) : 0.0f;
}
float Trainer::epoch_accuracy() const {
  return epoch_seen_ > 0 ? static_cast<float>(epoch_correct_ / epoch_seen_) : 0.0f;
}

bool Trainer::step() {
  switch (phase_) {
    case TrainPhase::kTraining:
      train_batch();
      break;
    case TrainPhase::kValidating:
      validate_batch();
      break;
    case TrainPhase::kDone:
      break;
  }
  return !done();
}

void Trainer::run_for(double seconds) {
  const auto t0 = Clock::now();
  do {
    step();
  } while (!done() && seconds_since(t0) < seconds);
}

bool Trainer::gradients_finite() {
  double sum = 0.0;
  for (Param* p : model_.params()) sum += kernels::sum_squares(p->grad.data(), p->grad.size());
  return std::isfinite(sum);
}

void Trainer::train_batch() {
  const auto t0 = Clock::now();
  train_batches_->batch(x_, labels_, epoch_, batch_);
  const int b = static_cast<int>(labels_.size());
  model_.forward(x_, /*training=*/true, pool_, &dropout_rng_);
  const LossResult r = model_.loss_and_backward(labels_.data(), pool_);
  if (!std::isfinite(r.loss) || !gradients_finite()) {
    // The update is not applied: the weights stay those of the last good step.
    const std::string what = !std::isfinite(r.loss)
                                 ? std::string("the loss became ") + (std::isnan(r.loss) ? "NaN" : "infinite")
                                 : std::string("a gradient became NaN or infinite");
    finish(what + " at epoch " + std::to_string(epoch_ + 1) + ", step " +
               std::to_string(global_step_ + 1) +
               "; training stopped and the last good weights were kept (try a smaller learning rate)",
           /*failed=*/true);
    return;
  }
  optimizer_->set_lr(current_lr());
  optimizer_->step(model_.params());
  ++global_step_;
  const double dt = seconds_since(t0);
  epoch_seconds_ += dt;
  run_seconds_ += dt;
  run_images_ += b;
  epoch_loss_sum_ += static_cast<double>(r.loss) * b;
  epoch_correct_ += r.correct;
  epoch_seen_ += b;
  steps_.push_back({global_step_, epoch_ + 1, static_cast<float>(r.loss),
                    static_cast<float>(r.correct) / static_cast<float>(b)});

  if (++batch_ >= batches_per_epoch()) {
    batch_ = 0;
    if (val_batches_) {
      phase_ = TrainPhase::kValidating;
      val_metrics_ = ConfusionMatrix(model_.num_classes());
    } else {
      finish_epoch();
    }
  }
}

void Trainer::validate_batch() {
  val_batches_->batch(x_, labels_, 0, batch_);
  const int b = static_cast<int>(labels_.size());
  const int k = model_.num_classes();
  const Tensor& logits = model_.forward(x_, /*training=*/false, pool_, nullptr);
  val_probs_.resize(Shape{b, k});
  val_losses_.resize(Shape{b});
  kernels::softmax_xent_forward(val_probs_.data(), val_losses_.data(), logits.data(),
                                labels_.data(), b, k);
  val_metrics_.add_batch(val_probs_.data(), labels_.data(), val_losses_.data(), b);
  // Batch b of the unshuffled validation Batcher holds split_.val[b * eval batch ...].
  val_predicted_.resize(split_.val.size());
  const size_t first = batch_ * static_cast<size_t>(config_.eval_batch_size);
  for (int i = 0; i < b; ++i) {
    // The same argmax the confusion matrix counts with (ties to the lower class).
    val_predicted_[first + static_cast<size_t>(i)] = static_cast<int16_t>(
        argmax(val_probs_.data() + static_cast<size_t>(i) * static_cast<size_t>(k), k));
  }
  if (++batch_ >= val_batches_->batches_per_epoch()) {
    batch_ = 0;
    finish_epoch();
  }
}

void Trainer::finish_epoch() {
  EpochRecord rec;
  rec.epoch = epoch_ + 1;
  rec.train_loss = epoch_seen_ > 0 ? epoch_loss_sum_ / epoch_seen_ : kNaN;
  rec.train_accuracy = epoch_seen_ > 0 ? epoch_correct_ / epoch_seen_ : kNaN;
  rec.val_loss = val_batches_ ? val_metrics_.mean_loss() : kNaN;
  rec.val_accuracy = val_batches_ ? val_metrics_.accuracy() : kNaN;
  rec.train_seconds = epoch_seconds_;
  rec.images_per_second = epoch_seconds_ > 0 ? epoch_seen_ / epoch_seconds_ : 0.0;
  history_.push_back(rec);
  epoch_loss_sum_ = epoch_correct_ = epoch_seen_ = epoch_seconds_ = 0;
  ++epoch_;
  phase_ = TrainPhase::kTraining;

  // Early stopping on validation loss (only with a validation split).
  if (val_batches_) {
    if (!std::isfinite(rec.val_loss)) {
      finish("the validation loss became " + std::to_string(rec.val_loss) + " at epoch " +
                 std::to_string(rec.epoch) + "; training stopped",
             /*failed=*/true);
      return;
    }
    if (!has_best_ || rec.val_loss < best_val_loss_) {
      best_val_loss_ = rec.val_loss;
      has_best_ = true;
      best_epoch_ = rec.epoch;
      bad_epochs_ = 0;
      if (early_stopping()) snapshot_best();
    } else if (config_.patience > 0 && ++bad_epochs_ >= config_.patience) {
      const std::string reason = "early stopping: validation loss did not improve for " +
                                 std::to_string(bad_epochs_) + " epochs";
      finish(reason + apply_scoring_rule(), false);
      return;
    }
  }
  if (epoch_ >= config_.epochs) {
    const std::string reason = "completed " + std::to_string(config_.epochs) +
                               (config_.epochs == 1 ? " epoch" : " epochs");
    finish(reason + apply_scoring_rule(), false);
  }
}

bool Trainer::early_stopping() const { return config_.patience > 0 && val_batches_ != nullptr; }

std::string Trainer::apply_scoring_rule() {
  const int last = static_cast<int>(history_.size());
  scoring_epoch_ = last;
  if (!early_stopping() || !has_best_) return "";
  if (best_epoch_ == last)
    return "; tested on epoch " + std::to_string(last) + ", which had the lowest validation loss";
  if (best_weights_.empty())  // the best epoch came before a resume, whose file holds no copy
    return "; the best epoch (" + std::to_string(best_epoch_) +
           ") came before the resume and its weights were not kept: scored on the last epoch";
  restore_best();
  scoring_epoch_ = best_epoch_;
  return "; restored the weights of epoch " + std::to_string(best_epoch_) +
         ", the lowest validation loss";
}

void Trainer::snapshot_best() {
  std::vector<Param*> ps = model_.params();
  best_weights_.resize(ps.size());
  for (size_t i = 0; i < ps.size(); ++i) best_weights_[i] = ps[i]->value;
}

void Trainer::restore_best() {
  std::vector<Param*> ps = model_.params();
  for (size_t i = 0; i < ps.size() && i < best_weights_.size(); ++i)
    ps[i]->value = best_weights_[i];
}

void Trainer::finish(const std::string& reason, bool failed) {
  phase_ = TrainPhase::kDone;
  failed_ = failed;
  if (failed) scoring_epoch_ = 0;
  stop_reason_ = reason;
}

uint64_t Trainer::data_order_fingerprint() const {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint64_t v) {
    for (int i = 0; i < 4; ++i) {
      h ^= (v >> (16 * i)) & 0xFFFF;
      h *= 1099511628211ull;
    }
  };
  for (uint32_t i : split_.val) mix(i);
  for (int e = 0; e < config_.epochs; ++e)
    for (uint32_t i : train_batches_->epoch_order(e)) mix(i);
  return h;
}

void Trainer::stop(const std::string& reason) {
  if (!done()) {
    scoring_epoch_ = 0;
    finish(reason, false);
  }
}

nlohmann::json Trainer::state() const {
  nlohmann::json hist = nlohmann::json::array();
  for (const EpochRecord& e : history_) hist.push_back(e.to_json());
  // Steps are kept compactly as parallel arrays.
  nlohmann::json step_loss = nlohmann::json::array(), step_acc = nlohmann::json::array();
  for (const StepRecord& s : steps_) {
    step_loss.push_back(s.loss);
    step_acc.push_back(s.accuracy);
  }
  return {{"config", config_.to_json()},
          {"phase", phase_ == TrainPhase::kDone ? "done" : "training"},
          {"epoch", epoch_},
          {"batch", batch_},
          {"global_step", global_step_},
          {"optimizer_steps", optimizer_->step_count()},
          {"epoch_sums", {epoch_loss_sum_, epoch_correct_, epoch_seen_, epoch_seconds_}},
          {"best_val_loss", has_best_ ? nlohmann::json(best_val_loss_) : nullptr},
          {"best_epoch", best_epoch_},
          {"scoring_epoch", scoring_epoch_},
          {"bad_epochs", bad_epochs_},
          {"dropout_rng", {dropout_rng_.state(), dropout_rng_.increment()}},
          {"stop_reason", stop_reason_},
          {"failed", failed_},
          {"history", hist},
          {"steps", {{"loss", step_loss}, {"accuracy", step_acc}}}};
}

void Trainer::restore(const nlohmann::json& s, const std::string& where) {
  require(s.is_object(), where, "must be a JSON object");
  try {
    const nlohmann::json saved_config = json_field<nlohmann::json>(s, "config", where);
    TrainConfig saved;
    try {
      saved = TrainConfig::from_json(saved_config);
    } catch (const Error& e) {
      throw Error(where, "config: " + std::string(e.what()));
    }
    // Changing how batches are formed would make "continue where it stopped" meaningless.
    require(saved.seed == config_.seed && saved.batch_size == config_.batch_size &&
                saved.val_fraction == config_.val_fraction,
            where,
            "was saved with seed " + std::to_string(saved.seed) + ", batch " +
                std::to_string(saved.batch_size) + ", validation fraction " +
                std::to_string(saved.val_fraction) + "; resume with the same values");
    // Every count is a whole number >= 0 of its type (checked before it is used), every sum a
    // finite number; a loss is null when it was NaN (a run that diverged resumes as it was).
    auto at_least_zero = [&](const char* key, int64_t v) {
      require(v >= 0, where, std::string("field '") + key + "' must be >= 0, got " +
                                 std::to_string(v));
    };
    epoch_ = json_field<int>(s, "epoch", where);
    require(epoch_ >= 0 && epoch_ <= config_.epochs, where,
            "field 'epoch' must be between 0 and the run's " + std::to_string(config_.epochs) +
                " epochs, got " + std::to_string(epoch_));
    batch_ = json_field<size_t>(s, "batch", where);
    require(batch_ < batches_per_epoch(), where,
            "field 'batch' must be below the " + std::to_string(batches_per_epoch()) +
                " batches of an epoch, got " + std::to_string(batch_));
    global_step_ = json_field<int64_t>(s, "global_step", where);
    at_least_zero("global_step", global_step_);
    const int64_t optimizer_steps = json_field_or(s, "optimizer_steps", global_step_, where);
    at_least_zero("optimizer_steps", optimizer_steps);
    optimizer_->set_step_count(optimizer_steps);
    const nlohmann::json sums = json_field<nlohmann::json>(s, "epoch_sums", where);
    require(sums.is_array() && sums.size() == 4, where,
            "field 'epoch_sums' must be [loss sum, correct, seen, seconds]");
    epoch_loss_sum_ = sums[0].is_null() ? kNaN
                                        : json_number<double>(sums[0], "field 'epoch_sums' item 0", where);
    epoch_correct_ = json_number<double>(sums[1], "field 'epoch_sums' item 1", where);
    epoch_seen_ = json_number<double>(sums[2], "field 'epoch_sums' item 2", where);
    epoch_seconds_ = json_number<double>(sums[3], "field 'epoch_sums' item 3", where);
    const double least = std::min({epoch_correct_, epoch_seen_, epoch_seconds_});
    require(least >= 0, where,
            "field 'epoch_sums' must hold counts and seconds >= 0, got " + sums.dump());
    require(epoch_correct_ <= epoch_seen_, where,
            "field 'epoch_sums' counts more correct images than seen");
    has_best_ = !json_field<nlohmann::json>(s, "best_val_loss", where).is_null();
    best_val_loss_ = has_best_ ? json_field<double>(s, "best_val_loss", where) : 0.0;
    best_epoch_ = json_field_or(s, "best_epoch", 0, where);
    require(best_epoch_ >= 0 && best_epoch_ <= epoch_, where,
            "field 'best_epoch' must be between 0 and 'epoch', got " + std::to_string(best_epoch_));
    bad_epochs_ = json_field<int>(s, "bad_epochs", where);
    at_least_zero("bad_epochs", bad_epochs_);
    const auto rng = json_field<std::vector<uint64_t>>(s, "dropout_rng", where);
    require(rng.size() == 2, where, "field 'dropout_rng' must be [state, increment]");
    dropout_rng_.set_state(rng[0], rng[1]);
    history_.clear();
    const nlohmann::json history = json_field<nlohmann::json>(s, "history", where);
    require(history.is_array(), where, "field 'history' must be a list");
    for (size_t i = 0; i < history.size(); ++i)
      history_.push_back(
          EpochRecord::from_json(history[i], where + " history[" + std::to_string(i) + "]"));
    steps_.clear();
    const nlohmann::json steps = json_field<nlohmann::json>(s, "steps", where);
    const nlohmann::json sl = json_field<nlohmann::json>(steps, "loss", where + " steps");
    const nlohmann::json sa = json_field<nlohmann::json>(steps, "accuracy", where + " steps");
    require(sl.is_array() && sa.is_array() && sl.size() == sa.size(), where,
            "steps: 'loss' and 'accuracy' must be lists of the same length");
    auto step_value = [&](const nlohmann::json& v, const char* key, size_t i) {
      return v.is_null() ? NAN
                         : json_number<float>(v, std::string("steps field '") + key + "' item " +
                                                     std::to_string(i), where);
    };
    for (size_t i = 0; i < sl.size(); ++i) {
      StepRecord r;
      r.step = static_cast<int64_t>(i + 1);
      r.loss = step_value(sl[i], "loss", i);
      r.accuracy = step_value(sa[i], "accuracy", i);
      steps_.push_back(r);
    }
    // Epoch numbers of steps follow from the batches per epoch.
    for (StepRecord& r : steps_)
      r.epoch = static_cast<int>((r.step - 1) / static_cast<int64_t>(batches_per_epoch())) + 1;
    phase_ = TrainPhase::kTraining;
    failed_ = false;
    stop_reason_.clear();
    // A run that had finished its epochs stays finished; one stopped by the user continues.
    if (json_field_or<std::string>(s, "phase", "training", where) == "done" &&
        epoch_ >= config_.epochs) {
      finish(json_field_or<std::string>(s, "stop_reason", "completed", where), false);
      scoring_epoch_ = json_field_or(s, "scoring_epoch", epoch_, where);
      require(scoring_epoch_ >= 0 && scoring_epoch_ <= epoch_, where,
              "field 'scoring_epoch' must be between 0 and 'epoch', got " +
                  std::to_string(scoring_epoch_));
    } else if (early_stopping() && has_best_ && best_epoch_ == epoch_ && batch_ == 0) {
      // Paused right after its best epoch: the loaded weights are that epoch's, so a later end of
      // the run can still go back to them (weights from before a resume are otherwise not kept).
      snapshot_best();
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(where, std::string("malformed: ") + e.what());
  }
}

// ---- Evaluator -----------------------------------------------------------------------------------

Evaluator::Evaluator(Model& model, const Dataset& data, const Preprocess& preprocess,
                     int batch_size, ThreadPool* pool)
    : model_(model), data_(data), pool_(pool), metrics_(model.num_classes()) {
  require(batch_size >= 1, "eval batch size", "must be >= 1");
  std::vector<uint32_t> all(data.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint32_t>(i);
  if (!all.empty())
    batches_ = std::make_unique<Batcher>(data, all, batch_size, preprocess, /*shuffle=*/false,
                                         Augment{}, 0);
  probs_.assign(data.size() * static_cast<size_t>(model.num_classes()), 0.0f);
}

double Evaluator::progress() const {
  return data_.size() ? static_cast<double>(next_) / static_cast<double>(data_.size()) : 1.0;
}

bool Evaluator::step() {
  if (done()) return false;
  batches_->batch(x_, labels_, 0, batch_index_++);
  const int b = static_cast<int>(labels_.size());
  const int k = model_.num_classes();
  const Tensor& logits = model_.forward(x_, /*training=*/false, pool_, nullptr);
  batch_probs_.resize(Shape{b, k});
  batch_losses_.resize(Shape{b});
  kernels::softmax_xent_forward(batch_probs_.data(), batch_losses_.data(), logits.data(),
                                labels_.data(), b, k);
  metrics_.add_batch(batch_probs_.data(), labels_.data(), batch_losses_.data(), b);
  std::copy(batch_probs_.data(), batch_probs_.data() + static_cast<size_t>(b) * k,
            probs_.begin() + static_cast<std::ptrdiff_t>(next_ * static_cast<size_t>(k)));
  next_ += static_cast<size_t>(b);
  return !done();
}

void Evaluator::run() {
  while (step()) {
  }
}

ConfusionMatrix evaluate(Model& model, const Dataset& data, const Preprocess& preprocess,
                         ThreadPool* pool, int batch_size) {
  Evaluator e(model, data, preprocess, batch_size, pool);
  e.run();
  return e.metrics();
}

}  // namespace cnnlab
