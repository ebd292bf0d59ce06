// The two training backends (see training_backend.h) and the report messages both apply.
//
// [SECTION] Report messages   [SECTION] InProcessBackend   [SECTION] WorkerBackend
#include "app/training_backend.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.h"
#include "model/model_file.h"
#include "platform/platform.h"
#include "lab/trainer_host.h"

namespace cnnlab {

using json = nlohmann::json;

// ---- [SECTION] Report messages -----------------------------------------------------------------

void apply_trainer_report(TrainerReport report, TrainingState& training) {
  if (!report.has_messages()) return;
  if (report.state) {
    SessionStatus& s = *report.state;
    s.run += training.run_offset;
    training.phase = s.phase;
    training.run = s.run;
    training.epoch = s.epoch;
    training.epochs = s.epochs;
    training.step = s.step;
    training.steps_per_epoch = s.steps_per_epoch;
    training.progress = s.progress;
    training.images_per_second = s.images_per_second;
    training.eta_seconds =
        s.phase == "training" && s.images_per_second > 0 ? s.eta_seconds : -1;
    training.failed = s.failed;
    training.stop_reason = s.stop_reason;
    training.layers = s.layers;
    training.status = std::move(s);
    training.reported = true;
  }
  for (StepRecords& r : report.steps) {
    r.run += training.run_offset;
    if (r.run != training.steps_run || r.from == 0) {
      training.step_loss.clear();
      training.step_acc.clear();
      training.steps_run = r.run;
    }
    // Records arrive in order; a gap (a lost report) keeps what is known.
    if (r.from > training.step_loss.size()) continue;
    training.step_loss.resize(r.from);
    training.step_acc.resize(r.from);
    training.step_loss.insert(training.step_loss.end(), r.loss.begin(), r.loss.end());
    training.step_acc.insert(training.step_acc.end(), r.acc.begin(), r.acc.end());
  }
  if (report.history) {
    // After a restart the dead trainer's runs come first and the new one's are numbered on.
    training.history = training.earlier_runs;
    for (RunRecord& r : *report.history) {
      r.run += training.run_offset;
      const size_t colon = r.label.find(':');
      if (training.run_offset > 0 && r.label.rfind("run ", 0) == 0 && colon != std::string::npos)
        r.label = "run " + std::to_string(r.run) + r.label.substr(colon);
      training.history.push_back(std::move(r));
    }
  }
  if (report.validation) {
    training.validation = std::move(report.validation);
    training.validation->results.run += training.run_offset;
  }
  if (report.validation_cell) {
    training.validation_cell = std::move(report.validation_cell);
    training.validation_cell->run += training.run_offset;
  }
  if (report.experiment) {
    training.experiment = std::move(report.experiment);
    training.experiment->id += training.experiment_offset;
  }
  ++training.version;
}

namespace {

// ---- [SECTION] InProcessBackend ----------------------------------------------------------------

class InProcessBackend : public TrainingBackend {
 public:
  InProcessBackend()
      : host_(static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u))) {}

  const char* where() const override { return "in this process"; }

  void load_data_path(const std::string& path) override {
    host_.load_path(path);
    force_ = true;
  }

  std::unique_ptr<DatasetReport> take_dataset_report() override { return std::move(dataset_); }

  void send(const TrainerCommand& command) override {
    force_ = true;
    host_.handle(command);
  }

  std::vector<uint8_t> model_file_bytes() const override { return host_.snapshot(); }

  void load_model(const uint8_t* bytes, size_t size, const std::string& name) override {
    force_ = true;
    host_.load_model(bytes, size, name);
  }

  void update(double budget_seconds, TrainingState& training, LabView& lab) override {
    // After a command, its report comes before any training (as the worker posts one after
    // every command): a new run's untrained weights are noted before its first step.
    if (force_) apply(host_.poll(platform::now_seconds(), true), training, lab);
    force_ = false;
    if (host_.busy()) host_.tick(budget_seconds);
    apply(host_.poll(platform::now_seconds(), false), training, lab);
  }

  const std::string& fatal_error() const override { return no_error_; }

 private:
  void apply(TrainerReport report, TrainingState& training, LabView& lab) {
    if (report.dataset_due) dataset_ = std::make_unique<DatasetReport>(host_.dataset_report());
    const bool snapshot_due = report.snapshot_due, test_due = report.test_due;
    const bool experiment_snapshot_due = report.experiment_snapshot_due;
    Session& session = host_.session();
    if (report.epoch_weights && session.model())
      epoch_weights_.push_back({*report.epoch_weights, EpochWeights::of(*session.model())});
    int experiment_id = 0;
    for (ExperimentEpochWeights& w : host_.take_experiment_epoch_weights(&experiment_id)) {
      ExperimentEpochNote note{experiment_id, static_cast<int>(w.config), w.epoch,
                               std::move(w.record)};
      experiment_epochs_.push_back({std::move(note), std::move(w.weights)});
    }
    apply_trainer_report(std::move(report), training);
    // The view points into the Session (refreshed every frame: a new model replaces the old).
    if (lab.model != session.model()) ++lab.weights_version;
    lab.model = session.model();
    lab.preprocess = host_.preprocess();  // a loaded model's own before it trains
    if (snapshot_due) ++lab.weights_version;
    lab.test_metrics = host_.test_metrics();
    lab.test_probabilities = host_.test_probabilities();
    if (test_due) ++lab.test_version;
    // The experiment's models, pointed at every frame (a new experiment replaces them).
    ExperimentWeights& ew = lab.experiment;
    Experiment* e = session.experiment();
    const int id = e ? session.experiment_id() : 0;
    const size_t configs = e ? e->config().values.size() : 0;
    if (ew.id != id || ew.models.size() != configs) {
      ew.id = id;
      ew.models.assign(configs, nullptr);
      ++ew.version;
    }
    for (size_t c = 0; c < configs; ++c)
      ew.models[c] = &e->model(c * static_cast<size_t>(e->config().repeats));
    if (e) ew.preprocess = e->trainer(0).preprocess();
    if (experiment_snapshot_due) ++ew.version;
  }

  TrainerHost host_;
  std::unique_ptr<DatasetReport> dataset_;  // reported, not yet taken by the App
  bool force_ = true;
  std::string no_error_;
};

// ---- [SECTION] WorkerBackend -------------------------------------------------------------------

class WorkerBackend : public TrainingBackend {
 public:
  const char* where() const override { return "in a Web Worker"; }

  void load_data_path(const std::string& path) override {
    throw Error(path, "the page's training worker cannot read files by path: the page hands it "
                      "downloaded datasets");
  }

  std::unique_ptr<DatasetReport> take_dataset_report() override { return std::move(dataset_); }

  void receive_dataset(const uint8_t* bytes, size_t size) override {
    try {
      dataset_ = std::make_unique<DatasetReport>(
          decode_dataset_report(bytes, size, "the training worker's dataset report"));
    } catch (const std::exception& e) {
      error_ = e.what();
      return;
    }
    if (restore_) {
      // A restarted worker has the data again: it gets the last weights with their settings
      // (the lab model file carries both), or at least the settings.
      restore_ = false;
      if (!model_bytes_.empty()) {
        const std::vector<uint8_t> bytes_before = model_bytes_;
        load_model(bytes_before.data(), bytes_before.size(),
                   "the weights from before the trainer restarted");
      } else {
        send(TrainerCommand{CommandType::kConfigure, restore_options_.to_json()});
      }
    }
  }

  // The page replaced a worker that died with a fresh one and is loading the dataset again:
  // the failure is over, and once the data is back the new worker gets the last weights and
  // settings (receive_dataset).
  void restarted(const SessionOptions& settings) override {
    fatal_.clear();
    error_.clear();
    restore_ = true;
    restore_options_ = settings;
  }

  void send(const TrainerCommand& command) override { post(command.to_json(), nullptr, 0); }

  std::vector<uint8_t> model_file_bytes() const override { return model_bytes_; }

  void load_model(const uint8_t* bytes, size_t size, const std::string& name) override {
    post({{"type", "loadModel"}, {"name", name}}, bytes, size);
  }

  void update(double, TrainingState& training, LabView& lab) override {
    for (TrainerReport& report : inbox_) apply_trainer_report(std::move(report), training);
    inbox_.clear();
    if (!error_.empty()) {
      training.message = error_;
      error_.clear();
      ++training.version;
    }
    if (snapshot_) {
      // Another architecture: panels see the new mirror from this frame on; the previous goes.
      model_ = std::move(snapshot_);
      weights_changed_ = true;
    }
    if (weights_changed_) {
      weights_changed_ = false;
      lab.model = model_.get();
      lab.preprocess = preprocess_;
      ++lab.weights_version;
    }
    update_experiment_weights(training, lab.experiment);
    if (test_ready_) {
      test_ready_ = false;
      metrics_ = std::move(pending_metrics_);
      probabilities_ = std::move(pending_probabilities_);
      lab.test_metrics = &metrics_;
      lab.test_probabilities = probabilities_.empty() ? nullptr : &probabilities_;
      ++lab.test_version;
    }
    // A new run's results are not the old run's: the Session reports testAcc null again.
    if (lab.test_metrics && training.reported && !training.status.test_acc) {
      lab.test_metrics = nullptr;
      lab.test_probabilities = nullptr;
      ++lab.test_version;
    }
  }

  void receive_report(const TrainerReport& report) override {
    inbox_.push_back(report);
    // Its weights follow it (the worker posts the report, then the snapshot).
    if (report.epoch_weights) awaiting_weights_ = report.epoch_weights;
  }

  // The worker's weights update the one mirror model in place while its architecture stays the
  // same (no allocation; between frames, so no panel is drawing from it); another architecture
  // becomes a new mirror at the next update().
  void receive_snapshot(const uint8_t* bytes, size_t size) override {
    try {
      Model* mirror = snapshot_ ? snapshot_.get() : model_.get();
      LoadedModel loaded = deserialize_model(bytes, size, "training worker snapshot", mirror);
      if (loaded.model) snapshot_ = std::move(loaded.model);
      if (awaiting_weights_) {
        const Model* weights = snapshot_ ? snapshot_.get() : mirror;
        if (weights) epoch_weights_.push_back({*awaiting_weights_, EpochWeights::of(*weights)});
        awaiting_weights_.reset();
      }
      model_bytes_.assign(bytes, bytes + size);  // what Save model downloads
      preprocess_ = loaded.info.preprocess;
      weights_changed_ = true;
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  void receive_experiment_snapshot(int config, const uint8_t* bytes, size_t size) override {
    try {
      require(config >= 0 && config < 64, "training worker experiment weights",
              "configuration " + std::to_string(config) + " is out of range");
      const size_t c = static_cast<size_t>(config);
      if (pending_experiment_.size() <= c) pending_experiment_.resize(c + 1);
      if (experiment_in_place_.size() <= c) experiment_in_place_.resize(c + 1, false);
      // In place into this configuration's mirror when it has the same architecture.
      Model* mirror = pending_experiment_[c]          ? pending_experiment_[c].get()
                      : c < experiment_models_.size() ? experiment_models_[c].get()
                                                      : nullptr;
      LoadedModel loaded =
          deserialize_model(bytes, size, "training worker experiment weights", mirror);
      if (loaded.model) pending_experiment_[c] = std::move(loaded.model);
      else experiment_in_place_[c] = true;
      experiment_preprocess_ = loaded.info.preprocess;
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  void receive_experiment_epoch(const std::string& note_json, const uint8_t* bytes,
                                size_t size) override {
    const char* where = "training worker experiment epoch weights";
    try {
      const json j = json::parse(note_json, nullptr, false);
      require(!j.is_discarded(), where, "the note is not JSON");
      ExperimentEpochNote note = ExperimentEpochNote::from_json(j, where);
      LoadedModel loaded = deserialize_model(bytes, size, where, nullptr);
      require(loaded.model != nullptr, where, "no model in the bytes");
      experiment_epochs_.push_back({std::move(note), EpochWeights::of(*loaded.model)});
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  void receive_test(const TestResults& results, const float* probs, size_t count) override {
    const size_t expected = results.metrics.total() * static_cast<size_t>(results.metrics.classes());
    if (probs && count != expected) {
      error_ = "training worker test results: " + std::to_string(count) +
               " probabilities for " + std::to_string(results.metrics.total()) + " images of " +
               std::to_string(results.metrics.classes()) + " classes";
      return;
    }
    pending_metrics_ = results.metrics;
    pending_probabilities_.assign(probs, probs + (probs ? count : 0));
    test_ready_ = true;
  }

  void receive_error(const std::string& message, bool fatal) override {
    // A fatal one is shown once, as the failure the Training panel offers Restart for.
    if (fatal) fatal_ = message;
    else error_ = message;
  }

  const std::string& fatal_error() const override { return fatal_; }

 private:
  // The experiment's weights as the worker sent them; the reports (applied first) say which
  // experiment is current: another one drops the models of the last.
  void update_experiment_weights(const TrainingState& training, ExperimentWeights& ew) {
    const std::optional<ExperimentReport>& x = training.experiment;
    const int id = x ? x->id : 0;
    const size_t configs = x ? x->config.values.size() : 0;
    if (ew.id != id || experiment_models_.size() != configs) {
      experiment_models_.clear();
      experiment_models_.resize(configs);
      ew.id = id;
      ew.models.assign(configs, nullptr);
      ++ew.version;
    }
    bool changed = false;
    for (size_t c = 0; c < experiment_in_place_.size() && c < configs; ++c)
      changed = changed || (experiment_in_place_[c] && experiment_models_[c]);
    experiment_in_place_.clear();
    for (size_t c = 0; c < pending_experiment_.size() && c < configs; ++c) {
      if (!pending_experiment_[c]) continue;
      experiment_models_[c] = std::move(pending_experiment_[c]);
      ew.models[c] = experiment_models_[c].get();
      changed = true;
    }
    pending_experiment_.clear();
    if (changed) {
      ew.preprocess = experiment_preprocess_;
      ++ew.version;
    }
  }

  void post(const json& command, const uint8_t* bytes, size_t size) {
    if (!platform::post_to_trainer(command.dump(), bytes, size)) {
      throw Error("training worker", "is not available on this page");
    }
  }

  std::vector<TrainerReport> inbox_;  // received, applied at the next update()
  std::optional<EpochWeightsNote> awaiting_weights_;  // a note whose weights come next
  std::unique_ptr<DatasetReport> dataset_;  // received, not yet taken by the App
  std::unique_ptr<Model> model_;     // the mirror of the worker's model the panels read
  std::unique_ptr<Model> snapshot_;  // a mirror of another architecture, swapped in by update()
  bool weights_changed_ = false;     // a snapshot arrived since the last update()
  std::vector<uint8_t> model_bytes_;  // model-file bytes of the latest snapshot (Save model)
  std::vector<std::unique_ptr<Model>> experiment_models_, pending_experiment_;
  std::vector<bool> experiment_in_place_;  // configuration c's mirror got new weights in place
  Preprocess experiment_preprocess_;
  Preprocess preprocess_;
  ConfusionMatrix metrics_, pending_metrics_;
  std::vector<float> probabilities_, pending_probabilities_;
  bool test_ready_ = false;
  std::string error_, fatal_;
  // After a restart (restarted()): what the new worker is handed once it has the data.
  bool restore_ = false;
  SessionOptions restore_options_;
};

}  // namespace

std::unique_ptr<TrainingBackend> make_training_backend() {
#ifdef __EMSCRIPTEN__
  return std::make_unique<WorkerBackend>();
#else
  return std::make_unique<InProcessBackend>();
#endif
}

}  // namespace cnnlab
