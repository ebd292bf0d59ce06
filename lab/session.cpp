#include "lab/session.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "core/error.h"
#include "data/split.h"
#include "model/model.h"
#include "model/presets.h"

namespace cnnlab {

namespace {

using json = nlohmann::json;

// counts[true][predicted]: K rows of K.
ConfusionCounts confusion_counts(const ConfusionMatrix& m) {
  ConfusionCounts rows(static_cast<size_t>(m.classes()));
  for (int t = 0; t < m.classes(); ++t)
    for (int p = 0; p < m.classes(); ++p) rows[static_cast<size_t>(t)].push_back(m.count(t, p));
  return rows;
}

std::string hex(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

// ---- Session -------------------------------------------------------------------------------------

Session::Session(int threads) : pool_(threads) {}
Session::~Session() = default;

const char* Session::phase_name(Phase p) {
  switch (p) {
    case Phase::kNoData: return "loading";
    case Phase::kReady: return "ready";
    case Phase::kTraining: return "training";
    case Phase::kPaused: return "paused";
    case Phase::kDone: return "done";
  }
  return "ready";
}

const Preprocess& Session::preprocess() const {
  static const Preprocess kDefault{};
  return trainer_ ? trainer_->preprocess() : kDefault;
}

void Session::new_model() {
  test_.reset();
  test_done_ = false;
  trainer_.reset();
  model_.reset();
  const Dataset& d = data_.train;
  model_ = std::make_unique<Model>(
      options_.spec(Shape{d.channels, d.height, d.width}, static_cast<int>(d.class_names.size())),
      options_.train.seed);
  // The lab shows per-layer statistics; tick() turns them off between refreshes.
  model_->set_collect_stats(true);
  last_stats_ = {};
  const Split split = stratified_split(d, options_.train.val_fraction, options_.train.seed);
  train_count_ = split.train.size();
  val_count_ = split.val.size();
  phase_ = Phase::kReady;
}

void Session::set_data(DataSource data) {
  require(data.train.size() > 0, "dataset", "has no training images");
  archive_current_run();
  experiment_.reset();
  experiment_running_ = false;
  data_ = std::move(data);
  phase_ = Phase::kReady;
  new_model();
}

void Session::configure(const json& options) {
  SessionOptions merged = options_;
  merged.merge(options);
  if (has_data()) {
    const Dataset& d = data_.train;
    merged.spec(Shape{d.channels, d.height, d.width}, static_cast<int>(d.class_names.size()));
  }
  if (merged.to_json() == options_.to_json()) return;
  // The finished run is archived under the options it ran with, before the new ones apply.
  if (has_data()) archive_current_run();
  options_ = merged;
  if (has_data()) new_model();
}

void Session::train() {
  require(has_data(), "train", "no dataset is loaded yet");
  require(!experiment_running_, "train", "an experiment is running; stop it first");
  if (phase_ == Phase::kDone) reset();  // Start after a finished run begins a new one
  if (!model_) new_model();
  if (!trainer_) trainer_ = std::make_unique<Trainer>(*model_, data_.train, options_.train, &pool_);
  phase_ = Phase::kTraining;
}

void Session::pause() {
  if (phase_ == Phase::kTraining) phase_ = Phase::kPaused;
  if (experiment_running_) experiment_running_ = false;
}

void Session::step() {
  require(has_data(), "step", "no dataset is loaded yet");
  require(!experiment_running_, "step", "an experiment is running; stop it first");
  if (phase_ == Phase::kDone) reset();
  if (!model_) new_model();
  if (!trainer_) trainer_ = std::make_unique<Trainer>(*model_, data_.train, options_.train, &pool_);
  const int64_t before = trainer_->global_step();
  while (!trainer_->done() && trainer_->global_step() == before) trainer_->step();
  phase_ = trainer_->done() ? Phase::kTraining : Phase::kPaused;  // kTraining: test eval follows
  if (trainer_->done()) tick(0);
}

void Session::reset() {
  if (!has_data()) return;
  archive_current_run();
  new_model();
}

void Session::clear_history() { past_.clear(); }

bool Session::tick(double budget_seconds) {
  if (experiment_ && experiment_running_) {
    experiment_->run_for(budget_seconds);
    if (experiment_->done()) experiment_running_ = false;
    return experiment_running_;
  }
  if (phase_ != Phase::kTraining || !trainer_) return false;
  const auto t0 = std::chrono::steady_clock::now();
  auto left = [&] {
    return budget_seconds -
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  if (!trainer_->done()) {
    // Per-layer statistics (ranges of every activation, gradient and weight) cost extra passes
    // over all of them on each step, and the lab refreshes them only a few times a second: one
    // step per kStatsSeconds collects them, the others train without. step() always collects.
    constexpr double kStatsSeconds = 0.2;
    // A tick ends with an epoch, so the host's poll right after it sees that epoch's weights
    // exactly (TrainerHost's epoch weights: the app's per-epoch snapshots).
    const size_t epochs_before = trainer_->history().size();
    const auto in_epoch = [&] { return trainer_->history().size() == epochs_before; };
    bool stepped = false;
    if (t0 - last_stats_ >= std::chrono::duration<double>(kStatsSeconds)) {
      model_->set_collect_stats(true);
      trainer_->step();
      last_stats_ = t0;
      stepped = true;
    }
    model_->set_collect_stats(false);
    // At least one step: a tick always advances.
    if (!trainer_->done() && in_epoch() && (!stepped || left() > 0)) {
      do {
        trainer_->step();
      } while (!trainer_->done() && in_epoch() && left() > 0);
    }
    model_->set_collect_stats(true);
  }
  if (trainer_->done()) {
    // Test evaluation of the finished run (skipped after a failure or without a test split).
    if (!trainer_->failed() && data_.test.size() > 0 && !test_done_) {
      if (!test_)
        test_ = std::make_unique<Evaluator>(*model_, data_.test, trainer_->preprocess(),
                                            options_.train.eval_batch_size, &pool_);
      do {
        test_->step();
      } while (!test_->done() && left() > 0);
      test_done_ = test_->done();
      if (!test_done_) return true;
    }
    phase_ = Phase::kDone;
    return false;
  }
  return true;
}

std::string Session::run_label() const {
  // What tells runs apart in a legend: a CNN's kernel; an MLP's width when it is not the
  // preset's (the baseline and an MLP sized to a CNN's parameter count are both "mlp").
  return "run " + std::to_string(run_index_ + 1) + ": " + options_.model_label();
}

RunRecord Session::current_run_record() const {
  RunRecord r;
  r.run = run_index_ + 1;
  r.label = run_label();
  r.dataset = run_dataset_identity(data_.train.name, data_.train.size(), data_.test.size());
  r.options = options_;
  if (trainer_) {
    r.epochs = trainer_->history();
    r.stop_reason = trainer_->stop_reason();
  }
  if (test_done_) {
    r.test_accuracy = test_->metrics().accuracy();
    r.test_loss = test_->metrics().mean_loss();
    r.test_epoch = trainer_->scoring_epoch();
    r.test_confusion = confusion_counts(test_->metrics());
  }
  return r;
}

void Session::archive_current_run() {
  if (trainer_ && trainer_->global_step() > 0) {
    RunRecord record = current_run_record();
    // Past runs keep their step curve too, thinned to at most 2,000 points for the plots.
    const auto& steps = trainer_->steps();
    StepCurve curve;
    curve.stride = std::max<size_t>(1, steps.size() / 2000);
    for (size_t i = 0; i < steps.size(); i += curve.stride) {
      curve.loss.push_back(steps[i].loss);
      curve.acc.push_back(steps[i].accuracy);
    }
    record.steps = std::move(curve);
    past_.push_back(std::move(record));
    ++run_index_;
  }
}

SessionStatus Session::status() const {
  SessionStatus s;
  s.phase = phase_name(phase_);
  s.experiment_running = experiment_ != nullptr && experiment_running_;
  if (has_data())
    s.dataset = DatasetStatus{data_.train.name, train_count_, val_count_, data_.test.size(),
                              data_.train.class_names};
  if (model_) {
    ModelStatus m;
    m.name = options_.model;
    m.kernel = options_.named_kernel();
    m.params = static_cast<int64_t>(model_->parameter_count());
    m.spec = model_->spec().text();
    s.model = m;
  }
  s.options = options_;
  s.run = run_index_ + 1;
  s.epochs = options_.train.epochs;
  const Trainer* t = trainer_.get();
  if (t) {
    // As tick() does next: a finished run without a failure is tested on the test split.
    s.testing = phase_ == Phase::kTraining && t->done() && !t->failed() && !test_done_ &&
                data_.test.size() > 0;
    if (s.testing) {
      s.testing_epoch = t->scoring_epoch();
      s.test_progress = test_ ? test_->progress() : 0.0;
    }
    s.epoch = static_cast<int>(t->history().size());
    s.step = t->global_step();
    s.steps_per_epoch = t->batches_per_epoch();
    s.progress = t->progress();
    s.images_per_second = t->images_per_second();
    s.eta_seconds = t->eta_seconds();
    if (!t->done()) s.lr = t->current_lr();  // a finished run has no next step
    if (t->epoch_loss() > 0 && t->phase() == TrainPhase::kTraining && !t->done()) {
      s.train_loss = t->epoch_loss();
      s.train_acc = t->epoch_accuracy();
    } else if (!t->history().empty()) {
      s.train_loss = t->history().back().train_loss;
      s.train_acc = t->history().back().train_accuracy;
    }
    if (!t->history().empty()) {
      s.val_loss = t->history().back().val_loss;
      s.val_acc = t->history().back().val_accuracy;
    }
    s.stop_reason = t->stop_reason();
    s.failed = t->failed();
  }
  if (test_done_) {
    s.test_acc = test_->metrics().accuracy();
    s.test_loss = test_->metrics().mean_loss();
    if (t) s.test_epoch = t->scoring_epoch();
  }
  s.threads = threads();
  return s;
}

std::vector<RunRecord> Session::history() const {
  std::vector<RunRecord> out = past_;
  if (trainer_ && trainer_->global_step() > 0) out.push_back(current_run_record());
  return out;
}

StepRecords Session::steps_since(size_t from) const {
  StepRecords r;
  r.run = run_index_ + 1;
  r.from = from;
  if (trainer_) {
    const auto& steps = trainer_->steps();
    for (size_t i = from; i < steps.size(); ++i) {
      r.loss.push_back(steps[i].loss);
      r.acc.push_back(steps[i].accuracy);
    }
  }
  return r;
}

ExperimentConfig experiment_config_from_json(const json& options, const SessionOptions& current) {
  require(options.is_object(), "experiment options", "must be an object, got " + options.dump());
  ExperimentConfig config;
  json base = json::object();
  for (const auto& item : options.items()) {
    const std::string& k = item.key();
    if (k == "vary") {
      config.vary = checked_option(options, k, OptionType::kText, "the name of a variable")
                        .get<std::string>();
    } else if (k == "values") {
      require(item.value().is_array(), "experiment values", "must be a list");
      config.values.clear();
      for (const json& v : item.value())
        config.values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    } else if (k == "repeats") {
      config.repeats = checked_option(options, k, OptionType::kInteger, "a whole number 1..5")
                         .get<int>();
    } else if (k == "matchParams") {
      config.match_params = checked_option(options, k, OptionType::kSwitch, "true or false")
                                .get<bool>();
    } else {
      base[k] = item.value();  // every other key is a base setting (validated below)
    }
  }
  if (!options.contains("values")) config.values = ExperimentConfig::default_values(config.vary);
  SessionOptions merged = current;
  merged.merge(base);
  config.model = merged.model;
  config.spec_text = merged.spec_text;
  config.base = merged.preset;
  config.train = merged.train;
  return config;
}

size_t experiment_memory_limit() {
#ifdef __EMSCRIPTEN__
  return size_t(1536) << 20;  // of the 2 GB the wasm heap may grow to
#else
  return size_t(8) << 30;
#endif
}

void Session::start_experiment(const json& options) {
  require(has_data(), "experiment", "no dataset is loaded yet");
  const ExperimentConfig config = experiment_config_from_json(options, options_);
  // Built (and validated) before anything changes: a refused sweep leaves the lab as it was.
  auto experiment = std::make_unique<Experiment>(config, data_.train, data_.test, &pool_,
                                                 experiment_memory_limit());
  // The lab shows every configuration's network after any epoch: the trainer host passes the
  // noted weights on as they come (TrainerHost::take_experiment_epoch_weights).
  experiment->note_epoch_weights();
  if (phase_ == Phase::kTraining) phase_ = Phase::kPaused;
  experiment_ = std::move(experiment);
  experiment_running_ = true;
  ++experiment_id_;
}

void Session::resume_experiment() {
  require(experiment_ != nullptr, "experiment", "there is no experiment to continue");
  require(!experiment_->done(), "experiment", "the experiment has finished; start a new one");
  if (phase_ == Phase::kTraining) phase_ = Phase::kPaused;
  experiment_running_ = true;
}

void Session::stop_experiment() {
  if (experiment_) experiment_->stop("stopped by the user");
  experiment_running_ = false;
}

std::optional<ExperimentReport> Session::experiment_state() const {
  if (!experiment_) return std::nullopt;
  const Experiment& e = *experiment_;
  ExperimentReport x;
  x.id = experiment_id_;
  x.running = experiment_running_;
  x.done = e.done();
  x.progress = e.progress();
  x.config = e.config();
  std::vector<uint64_t> fingerprints;
  for (size_t r = 0; r < e.num_runs(); ++r) {
    const RunResult res = e.result(r);
    const Trainer& t = e.trainer(r);
    fingerprints.push_back(t.data_order_fingerprint());
    ExperimentRunReport run;
    run.configuration = res.label;
    // The run's settings as configure() keys (the run log lists them like a single run's).
    const Shape input{data_.train.channels, data_.train.height, data_.train.width};
    const int classes = static_cast<int>(data_.train.class_names.size());
    run.options.model = e.config().model_name(res.config);
    if (run.options.is_custom()) {
      // The swept layers (kernel or stride set in every conv layer), as that run trained them.
      run.options.spec_text = e.config().spec(res.config, input, classes).text();
    } else {
      run.options.preset = e.config().preset_options(res.config, input, classes);
    }
    run.options.train = e.config().train;
    run.options.train.seed = res.seed;
    run.repeat = res.repeat;
    run.seed = res.seed;
    run.parameters = res.parameters;
    run.macs = res.macs;
    run.step = t.global_step();
    run.epoch = static_cast<int>(res.history.size());
    run.progress = t.progress();
    run.finished = res.finished;
    run.failed = res.failed;
    run.stop_reason = res.stop_reason;
    run.images_per_second = res.images_per_second;
    run.seconds = res.seconds;
    run.best_val_accuracy = res.best_val_accuracy;
    if (res.test_accuracy >= 0) run.test_accuracy = res.test_accuracy;
    if (res.test_loss >= 0) run.test_loss = res.test_loss;
    if (res.test_epoch > 0) run.test_epoch = res.test_epoch;
    run.status = res.status();
    run.test_confusion = res.test_confusion;
    run.data_order = hex(fingerprints.back());
    run.epochs = res.history;
    run.steps_per_epoch = t.batches_per_epoch();
    const auto& steps = t.steps();
    run.step_loss.stride = std::max<size_t>(1, steps.size() / 1000);
    for (size_t i = 0; i < steps.size(); i += run.step_loss.stride) {
      run.step_loss.loss.push_back(steps[i].loss);
      run.step_loss.acc.push_back(steps[i].accuracy);
    }
    x.runs.push_back(std::move(run));
  }
  for (const ConfigSummary& s : e.summary()) x.summary.push_back(ExperimentSummaryRow::of(s));
  x.table = e.markdown_table();
  x.csv = e.csv();
  x.interpretation = e.interpretation();
  // Identical conditions: every configuration of one repeat saw the same images in the same order.
  bool identical = true;
  const size_t repeats = static_cast<size_t>(e.config().repeats);
  for (size_t r = 0; r < fingerprints.size(); ++r)
    identical = identical && fingerprints[r] == fingerprints[r % repeats];
  x.identical_data_order = identical;
  return x;
}

}  // namespace cnnlab
