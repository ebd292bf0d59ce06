// The two training backends (see training_backend.h) and the report messages both apply.
//
// [SECTION] Report messages   [SECTION] InProcessBackend   [SECTION] WorkerBackend
#include "app/training_backend.h"

#include <algorithm>
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

namespace {

double number(const json& j, const char* key, double fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

float stat(const json& row, const char* key) {
  return static_cast<float>(number(row, key, 0.0));
}

}  // namespace

void apply_trainer_message(const json& message, TrainingState& training) {
  const std::string type = message.value("type", "");
  if (type == "state") {
    const json& s = message.at("state");
    training.session_state = s;
    training.phase = s.value("phase", "ready");
    training.run = static_cast<int>(number(s, "run", 0));
    training.epoch = static_cast<int>(number(s, "epoch", 0));
    training.epochs = static_cast<int>(number(s, "epochs", 0));
    training.step = static_cast<int64_t>(number(s, "step", 0));
    training.steps_per_epoch = static_cast<int64_t>(number(s, "stepsPerEpoch", 0));
    training.progress = number(s, "progress", 0);
    training.images_per_second = number(s, "imagesPerSecond", 0);
    training.eta_seconds = training.phase == "training" && training.images_per_second > 0
                               ? number(s, "etaSeconds", -1)
                               : -1;
    training.failed = s.value("failed", false);
    training.stop_reason = s.value("stopReason", "");
    training.layers.clear();
    if (s.contains("layers")) {
      for (const json& row : s["layers"]) {
        LayerStatsRow r;
        r.layer = row.value("layer", "");
        r.stats.act_min = stat(row, "actMin");
        r.stats.act_max = stat(row, "actMax");
        r.stats.grad_min = stat(row, "gradMin");
        r.stats.grad_max = stat(row, "gradMax");
        r.stats.forward_ms = number(row, "forwardMs", 0);
        r.stats.backward_ms = number(row, "backwardMs", 0);
        training.layers.push_back(std::move(r));
      }
    }
  } else if (type == "steps") {
    const int run = static_cast<int>(number(message, "run", 0));
    const size_t from = static_cast<size_t>(number(message, "from", 0));
    if (run != training.steps_run || from == 0) {
      training.step_loss.clear();
      training.step_acc.clear();
      training.steps_run = run;
    }
    // Records arrive in order; a gap (a lost report) keeps what is known.
    if (from > training.step_loss.size()) return;
    training.step_loss.resize(from);
    training.step_acc.resize(from);
    for (const json& v : message.at("loss"))
      training.step_loss.push_back(v.is_number() ? v.get<float>() : NAN);
    for (const json& v : message.at("acc"))
      training.step_acc.push_back(v.is_number() ? v.get<float>() : NAN);
  } else if (type == "history") {
    training.history = message.at("history");
  } else if (type == "experiment") {
    training.experiment = message.at("state");
  } else {
    return;
  }
  ++training.version;
}

namespace {

void apply_report(const json& report, TrainingState& training) {
  if (!report.contains("messages")) return;
  for (const json& m : report["messages"]) apply_trainer_message(m, training);
}

// ---- [SECTION] InProcessBackend ----------------------------------------------------------------

class InProcessBackend : public TrainingBackend {
 public:
  InProcessBackend()
      : host_(static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u))) {}

  const char* where() const override { return "in this process"; }

  void set_data(const DataSource& source, const uint8_t*, size_t, const std::string&) override {
    host_.set_data(source);  // the Session keeps its own copy
    force_ = true;
  }

  void send(const json& command) override {
    force_ = true;
    host_.handle(command);
  }

  std::vector<uint8_t> model_file_bytes() const override { return host_.snapshot(); }

  void load_model(const uint8_t* bytes, size_t size, const std::string& name) override {
    force_ = true;
    host_.load_model(bytes, size, name);
  }

  void update(double budget_seconds, TrainingState& training, LabView& lab) override {
    if (host_.busy()) host_.tick(budget_seconds);
    const json report = host_.poll(platform::now_seconds(), force_);
    force_ = false;
    apply_report(report, training);
    Session& session = host_.session();
    // The view points into the Session (refreshed every frame: a new model replaces the old).
    if (lab.model != session.model()) ++lab.weights_version;
    lab.model = session.model();
    lab.preprocess = host_.preprocess();  // a loaded model's own before it trains
    if (report.value("snapshot", false)) ++lab.weights_version;
    lab.test_metrics = host_.test_metrics();
    lab.test_probabilities = host_.test_probabilities();
    if (report.value("test", false)) ++lab.test_version;
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
    if (report.value("experimentSnapshot", false)) ++ew.version;
  }

  const std::string& fatal_error() const override { return no_error_; }

 private:
  TrainerHost host_;
  bool force_ = true;
  std::string no_error_;
};

// ---- [SECTION] WorkerBackend -------------------------------------------------------------------

class WorkerBackend : public TrainingBackend {
 public:
  const char* where() const override { return "in a Web Worker"; }

  void set_data(const DataSource&, const uint8_t* bytes, size_t size,
                const std::string& origin) override {
    require(bytes != nullptr && size > 0, "training worker", "datasets reach it as bytes only");
    post({{"type", "pack"}, {"origin", origin}}, bytes, size);
  }

  void send(const json& command) override { post(command, nullptr, 0); }

  std::vector<uint8_t> model_file_bytes() const override { return model_bytes_; }

  void load_model(const uint8_t* bytes, size_t size, const std::string& name) override {
    post({{"type", "loadModel"}, {"name", name}}, bytes, size);
  }

  void update(double, TrainingState& training, LabView& lab) override {
    for (const json& report : inbox_) apply_report(report, training);
    inbox_.clear();
    if (!error_.empty()) {
      training.message = error_;
      error_.clear();
      ++training.version;
    }
    if (snapshot_) {
      // Panels see the new weights from this frame on; the previous copy goes now.
      model_ = std::move(snapshot_);
      model_bytes_ = std::move(snapshot_bytes_);
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
    if (lab.test_metrics && training.session_state.is_object() &&
        training.session_state.value("testAcc", json()).is_null()) {
      lab.test_metrics = nullptr;
      lab.test_probabilities = nullptr;
      ++lab.test_version;
    }
  }

  void receive_report(const json& report) override { inbox_.push_back(report); }

  void receive_snapshot(const uint8_t* bytes, size_t size) override {
    try {
      LoadedModel loaded = deserialize_model(bytes, size, "training worker snapshot");
      snapshot_ = std::move(loaded.model);
      snapshot_bytes_.assign(bytes, bytes + size);  // what Save model downloads
      preprocess_ = loaded.info.preprocess;
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  void receive_experiment_snapshot(int config, const uint8_t* bytes, size_t size) override {
    try {
      require(config >= 0 && config < 64, "training worker experiment weights",
              "configuration " + std::to_string(config) + " is out of range");
      LoadedModel loaded = deserialize_model(bytes, size, "training worker experiment weights");
      if (pending_experiment_.size() <= static_cast<size_t>(config))
        pending_experiment_.resize(static_cast<size_t>(config) + 1);
      pending_experiment_[static_cast<size_t>(config)] = std::move(loaded.model);
      experiment_preprocess_ = loaded.info.preprocess;
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  void receive_test(const json& results, const float* probs, size_t count) override {
    try {
      const int classes = results.at("classes").get<int>();
      const json& counts = results.at("counts");
      require(classes > 0 && counts.size() == static_cast<size_t>(classes) * classes,
              "training worker test results", "counts do not match the classes");
      ConfusionMatrix m(classes);
      const double loss = results.value("loss", 0.0);
      for (int t = 0; t < classes; ++t)
        for (int p = 0; p < classes; ++p) {
          const size_t n = counts[static_cast<size_t>(t * classes + p)].get<size_t>();
          for (size_t i = 0; i < n; ++i) m.add(t, p, loss);  // mean loss preserved
        }
      pending_metrics_ = std::move(m);
      pending_probabilities_.assign(probs, probs + (probs ? count : 0));
      test_ready_ = true;
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  void receive_error(const std::string& message, bool fatal) override {
    if (fatal) fatal_ = message;
    error_ = message;
  }

  const std::string& fatal_error() const override { return fatal_; }

 private:
  // The experiment's weights as the worker sent them; the reports (applied first) say which
  // experiment is current: another one drops the models of the last.
  void update_experiment_weights(const TrainingState& training, ExperimentWeights& ew) {
    const json& x = training.experiment;
    const int id = x.is_object() ? x.value("id", 0) : 0;
    const size_t configs =
        x.is_object() && x.contains("config") ? x["config"].value("values", json::array()).size() : 0;
    if (ew.id != id || experiment_models_.size() != configs) {
      experiment_models_.clear();
      experiment_models_.resize(configs);
      ew.id = id;
      ew.models.assign(configs, nullptr);
      ++ew.version;
    }
    bool changed = false;
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

  std::vector<json> inbox_;
  std::unique_ptr<Model> model_, snapshot_;
  std::vector<uint8_t> model_bytes_, snapshot_bytes_;  // model-file bytes of model_, snapshot_
  std::vector<std::unique_ptr<Model>> experiment_models_, pending_experiment_;
  Preprocess experiment_preprocess_;
  Preprocess preprocess_;
  ConfusionMatrix metrics_, pending_metrics_;
  std::vector<float> probabilities_, pending_probabilities_;
  bool test_ready_ = false;
  std::string error_, fatal_;
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
