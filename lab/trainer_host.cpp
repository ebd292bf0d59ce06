// TrainerHost (see trainer_host.h): Session + what to report when.
#include "lab/trainer_host.h"

#include <chrono>
#include <cmath>
#include <new>
#include <utility>

#include "core/error.h"
#include "data/loaders.h"
#include "model/model.h"
#include "model/model_file.h"
#include "lab/lab_model_file.h"

namespace cnnlab {

using json = nlohmann::json;

namespace {

double clock_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The layer lines of a spec's canonical text ("conv 32 3x3 same; relu; ...").
std::vector<std::string> layer_names(const Model& model) {
  std::vector<std::string> names;
  const std::string text = model.spec().text();
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find("; ", start);
    if (end == std::string::npos) end = text.size();
    names.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return names;
}

}  // namespace

TrainerHost::TrainerHost(int threads, std::string threads_note)
    : session_(threads), threads_note_(std::move(threads_note)) {}

void TrainerHost::load_pack(const uint8_t* bytes, size_t size, const std::string& origin) {
  begin_data(size, origin);
  feed_data(bytes, size);
  finish_data();
}

void TrainerHost::begin_data(uint64_t total_size, const std::string& origin) {
  incoming_ = std::make_unique<IncomingData>();
  incoming_->origin = origin;
  incoming_->total = total_size;
}

void TrainerHost::feed_data(const uint8_t* bytes, size_t size) {
  require(incoming_ != nullptr, "dataset", "bytes arrived without a dataset being announced");
  IncomingData& in = *incoming_;
  try {
    if (in.pack) {
      in.pack->feed(bytes, size);
      return;
    }
    in.bytes.insert(in.bytes.end(), bytes, bytes + size);
    // The first 8 bytes tell a pack (read as it arrives) from any other format (gathered).
    if (in.bytes.size() >= 8 && is_pack(in.bytes.data(), in.bytes.size())) {
      in.pack = std::make_unique<PackReader>(in.origin, in.total);
      in.pack->feed(in.bytes.data(), in.bytes.size());
      in.bytes = std::vector<uint8_t>();
    }
  } catch (...) {
    incoming_.reset();
    throw;
  }
}

void TrainerHost::finish_data() {
  require(incoming_ != nullptr, "dataset", "no dataset is arriving");
  const std::unique_ptr<IncomingData> in = std::move(incoming_);
  DataSource data = in->pack ? in->pack->finish()
                             : load_data_bytes(in->bytes.data(), in->bytes.size(), in->origin);
  data.origin = in->origin;  // as the page named it (its URL: the subset menu matches it)
  set_data(std::move(data));
}

void TrainerHost::load_path(const std::string& path) { set_data(load_data(path)); }

void TrainerHost::load_upload(const uint8_t* bytes, size_t size, const std::string& name,
                              const UploadInput& input, const UploadProgress& progress) {
  // Decoded and checked in full first; the pack is written before anything is replaced, so a
  // failure there (memory) leaves the lab as it was too.
  DataSource data;
  std::vector<uint8_t> pack;
  try {
    data = load_upload_bytes(bytes, size, name, input, progress);
    pack = encode_pack(data);  // raw: what a reload reads back, bit for bit
  } catch (const std::bad_alloc&) {
    // The archive, its images and their pack side by side did not fit (the browser gives the
    // trainer at most 2 GB): say so, not "std::bad_alloc".
    throw Error(name, "too large to read in the memory this browser gives the lab: use fewer "
                      "images (or a smaller archive)");
  }
  incoming_.reset();
  set_data(std::move(data));
  upload_pack_ = std::move(pack);
}

void TrainerHost::set_data(DataSource data) {
  session_.set_data(std::move(data));
  warm_.reset();
  warm_up_steps_left_ = kWarmUpSteps;
  model_changed_ = true;
  dataset_due_ = true;
  loaded_test_.reset();
  loaded_name_.clear();
}

void TrainerHost::load_model(const uint8_t* bytes, size_t size, const std::string& where) {
  LoadedModel loaded = deserialize_model(bytes, size, where);
  require(session_.has_data(), where,
          "cannot be loaded before a dataset: load the data it was trained on first");
  require(!session_.status().experiment_running, where,
          "cannot be loaded while an experiment runs: stop it first");
  const SessionOptions options =
      options_for_model_file(session_.options(), loaded, session_.data().train, where);
  // Checked: from here on nothing refuses. The current run is archived by configure/reset.
  session_.configure(options.to_json());
  session_.reset();
  copy_weights(*loaded.model, *session_.model(), where);
  loaded_name_ = where;
  loaded_preprocess_ = loaded.info.preprocess;
  loaded_test_.reset();
  if (session_.data().test.size() > 0) {
    loaded_test_ = std::make_unique<Evaluator>(*session_.model(), session_.data().test,
                                               loaded_preprocess_,
                                               session_.options().train.eval_batch_size, nullptr);
  }
  model_changed_ = true;
  test_sent_run_ = 0;
}

void TrainerHost::handle(const TrainerCommand& command) {
  const json options_before = session_.options().to_json();
  switch (command.type) {
    case CommandType::kConfigure:
      session_.configure(command.options);
      model_changed_ = true;
      break;
    case CommandType::kTrain: session_.train(); break;
    case CommandType::kPause: session_.pause(); break;
    case CommandType::kStep: session_.step(); break;
    case CommandType::kReset:
      session_.reset();
      model_changed_ = true;
      break;
    case CommandType::kClearHistory:
      session_.clear_history();
      sent_history_key_.clear();
      break;
    case CommandType::kStartExperiment: session_.start_experiment(command.options); break;
    case CommandType::kStopExperiment: session_.stop_experiment(); break;
    case CommandType::kResumeExperiment: session_.resume_experiment(); break;
    case CommandType::kValidationCell: pending_cell_ = validation_cell(command.options); return;
  }
  // A command that made or trains another model (it did not throw) ends what a loaded model had:
  // its name, preprocessing and evaluation. A refused command keeps them.
  const CommandType t = command.type;
  const bool superseded = t == CommandType::kTrain || t == CommandType::kStep ||
                          t == CommandType::kReset || t == CommandType::kStartExperiment ||
                          t == CommandType::kResumeExperiment ||
                          (t == CommandType::kConfigure &&
                           session_.options().to_json() != options_before);
  if (!loaded_name_.empty() && superseded) {
    loaded_test_.reset();
    loaded_name_.clear();
  }
}

bool TrainerHost::tick(double budget_seconds) {
  if (loaded_test_ && !loaded_test_->done()) {
    // A loaded model's test evaluation, in slices like training's.
    const double start = clock_seconds();
    do {
      loaded_test_->step();
    } while (!loaded_test_->done() && clock_seconds() - start < budget_seconds);
    return !loaded_test_->done();
  }
  return session_.tick(budget_seconds);
}

bool TrainerHost::warm_up(double budget_seconds) {
  if (warm_up_steps_left_ <= 0 || busy() || !session_.has_data()) {
    warm_.reset();  // done, or the student started something: their run warms up instead
    return false;
  }
  if (!warm_) {
    const Dataset& d = session_.data().train;
    const SessionOptions& o = session_.options();
    const int batch = o.train.batch_size;
    warm_ = std::make_unique<WarmUp>();
    warm_->model = std::make_unique<Model>(
        o.spec(Shape{d.channels, d.height, d.width}, static_cast<int>(d.class_names.size())),
        o.train.seed);
    warm_->optimizer = make_optimizer(o.train.optimizer);
    warm_->images = Tensor(Shape{batch, d.channels, d.height, d.width});
    warm_->labels.assign(static_cast<size_t>(batch), 0);
  }
  const double start = clock_seconds();
  do {
    warm_->model->forward(warm_->images, true, nullptr, &warm_->dropout);
    warm_->model->loss_and_backward(warm_->labels.data(), nullptr);
    warm_->optimizer->step(warm_->model->params());
    --warm_up_steps_left_;
  } while (warm_up_steps_left_ > 0 && clock_seconds() - start < budget_seconds);
  if (warm_up_steps_left_ > 0) return true;
  warm_.reset();
  return false;
}

bool TrainerHost::busy() const {
  if (loaded_test_ && !loaded_test_->done()) return true;
  const SessionStatus s = session_.status();
  return s.phase == "training" || s.experiment_running;
}

const ConfusionMatrix* TrainerHost::test_metrics() const {
  if (const ConfusionMatrix* m = session_.test_metrics()) return m;
  return loaded_test_ && loaded_test_->done() ? &loaded_test_->metrics() : nullptr;
}

const Preprocess& TrainerHost::preprocess() const {
  return !loaded_name_.empty() && !session_.trainer() ? loaded_preprocess_ : session_.preprocess();
}

std::vector<LayerStatsRow> TrainerHost::layer_stats() const {
  std::vector<LayerStatsRow> rows;
  Model* model = const_cast<Session&>(session_).model();
  if (!model) return rows;
  const std::vector<std::string> names = layer_names(*model);
  const std::vector<LayerStats>& stats = model->stats();
  for (size_t i = 0; i < stats.size(); ++i)
    rows.push_back({i < names.size() ? names[i] : "layer " + std::to_string(i), stats[i]});
  return rows;
}

DatasetReport TrainerHost::dataset_report() const {
  return make_dataset_report(session_.data());
}

TrainerReport TrainerHost::poll(double now, bool force) {
  TrainerReport out;
  out.dataset_due = dataset_due_;
  dataset_due_ = false;
  SessionStatus state = session_.status();
  state.threads_note = threads_note_;
  if (!loaded_name_.empty()) {
    // A loaded model: where its weights came from, and its test results once evaluated.
    state.model_file = loaded_name_;
    if (!session_.test_metrics() && test_metrics()) {
      state.test_acc = test_metrics()->accuracy();
      state.test_loss = test_metrics()->mean_loss();
    }
  }
  const bool training = state.phase == "training";
  const int run = state.run;
  const int epoch = state.epoch;
  const int64_t step = state.step;

  // New test results go with the state that reports them (receivers match the two).
  if (test_metrics() && test_sent_run_ != run) {
    out.test_due = true;
    test_sent_run_ = run;
  } else if (!test_metrics() && test_sent_run_ == run) {
    test_sent_run_ = 0;  // the run was reset: its next evaluation is new again
  }
  const bool state_due = force || out.test_due || now - last_state_ >= 0.1;
  if (state_due) {
    out.state = state;
    out.state->layers = layer_stats();
    last_state_ = now;
  }

  // Per-step records: only what is new; from 0 again for a new run (or a reset one).
  const Trainer* trainer = session_.trainer();
  const size_t have = trainer ? trainer->steps().size() : 0;
  if (run != sent_run_ || have < sent_steps_) {
    sent_run_ = run;
    sent_steps_ = 0;
    out.steps.push_back(StepRecords{run, 0, {}, {}});
  }
  if (have > sent_steps_ && (state_due || !training)) {
    out.steps.push_back(session_.steps_since(sent_steps_));
    sent_steps_ = have;
  }

  const std::string history_key = std::to_string(run) + "/" + std::to_string(epoch) + "/" +
                                  state.phase + "/" + (state.test_acc ? "t" : "-");
  if (history_key != sent_history_key_) {
    out.history = session_.history();
    sent_history_key_ = history_key;
  }

  // The experiment: every 0.5 s while it runs, and at once when it starts, pauses, resumes or
  // ends (the desktop polls without force: its last report must not be the last running one).
  if (Experiment* e = session_.experiment()) {
    const std::string key = std::to_string(session_.experiment_id()) + "/" +
                            (state.experiment_running ? "r" : "-") + (e->done() ? "d" : "-");
    if (force || key != experiment_report_key_ ||
        (state.experiment_running && now - last_experiment_ >= 0.5)) {
      out.experiment = session_.experiment_state();
      last_experiment_ = now;
      experiment_report_key_ = key;
    }
  }

  // The experiment's weights: when it starts, pauses or ends; while it runs every 2 s.
  if (Experiment* e = session_.experiment()) {
    const bool running = state.experiment_running;
    const std::string key = std::to_string(session_.experiment_id()) + "/" +
                            (running ? "r" : "-") + (e->done() ? "d" : "-");
    if (key != experiment_snapshot_key_ || (running && now - last_experiment_snapshot_ >= 2.0)) {
      out.experiment_snapshot_due = true;
      experiment_snapshot_key_ = key;
      last_experiment_snapshot_ = now;
    }
  }

  // The weights at a run's start and after each of its epochs (the app keeps them as
  // snapshots): noted when the model holds exactly those, which Session::tick ensures by ending
  // a tick with an epoch. Weights a poll sees only later (a Stop mid-epoch, the best epoch's
  // weights restored at the end) are not noted.
  if (session_.model()) {
    const Trainer* t = session_.trainer();  // none before the first Train or Step
    const int finished = t ? static_cast<int>(t->history().size()) : 0;
    const int64_t steps = t ? t->global_step() : 0;
    if (run != noted_run_ || finished < noted_epochs_ || (model_changed_ && steps == 0)) {
      noted_run_ = run;  // a new run, a reset one or a new model: from its start again
      noted_epochs_ = -1;
    }
    const int64_t at_epoch_end =
        t ? static_cast<int64_t>(finished) * static_cast<int64_t>(t->batches_per_epoch()) : 0;
    const bool restored = t && t->scoring_epoch() != 0 && t->scoring_epoch() != finished;
    if (finished > noted_epochs_) {
      if (finished > 0 && t->val_metrics().total() > 0)
        out.validation = EpochValidation{finished, TestResults{run, t->val_metrics()}};
      if (steps == at_epoch_end && !restored) {
        out.epoch_weights = EpochWeightsNote{
            run, finished,
            finished > 0 ? std::optional<EpochRecord>(t->history().back()) : std::nullopt};
        model_changed_ = true;  // the weights go with this report
      }
      noted_epochs_ = finished;
    }
  }

  // Weights: at a new model, an epoch end, a phase change; while training at most every second.
  const std::string snapshot_key = std::to_string(run) + "/" + std::to_string(epoch) + "/" +
                                   state.phase;
  if (session_.model() &&
      (model_changed_ || snapshot_key != snapshot_key_ ||
       (training && step != snapshot_step_ && now - last_snapshot_ >= 1.0))) {
    out.snapshot_due = true;
    model_changed_ = false;
    snapshot_key_ = snapshot_key;
    snapshot_step_ = step;
    last_snapshot_ = now;
  }

  if (pending_cell_) {
    out.validation_cell = std::move(pending_cell_);
    pending_cell_.reset();
  }
  return out;
}

ValidationCell TrainerHost::validation_cell(const json& options) const {
  const char* where = "validationCell";
  const Trainer* t = session_.trainer();
  require(t != nullptr && !t->history().empty() && !t->val_predictions().empty(), where,
          "no epoch of this run has been validated yet");
  const Dataset& train = session_.data().train;
  const int classes = static_cast<int>(train.class_names.size());
  ValidationCell c;
  c.run = session_.status().run;
  c.epoch = static_cast<int>(t->history().size());
  c.true_class = json_field<int>(options, "trueClass", where);
  c.predicted = json_field<int>(options, "predicted", where);
  require(c.true_class >= 0 && c.true_class < classes && c.predicted >= 0 && c.predicted < classes,
          where, "trueClass and predicted must be classes 0.." + std::to_string(classes - 1));
  c.channels = train.channels;
  c.height = train.height;
  c.width = train.width;
  const std::vector<uint32_t>& val = t->split().val;
  const std::vector<int16_t>& predicted = t->val_predictions();
  const size_t image = train.image_bytes();
  for (size_t i = 0; i < val.size() && i < predicted.size(); ++i) {
    if (train.labels[val[i]] != c.true_class || predicted[i] != c.predicted) continue;
    if (c.count++ < ValidationCell::kMaxImages) {
      const uint8_t* px = train.image(val[i]);
      c.pixels.insert(c.pixels.end(), px, px + image);
    }
  }
  return c;
}

std::vector<uint8_t> TrainerHost::snapshot() const {
  Session& s = const_cast<Session&>(session_);
  if (!s.model()) return {};
  ModelFileInfo info;
  info.class_names = s.data().train.class_names;
  info.preprocess = preprocess();
  info.dataset = s.data().train.name;
  // The lab's settings go with the weights, so loading the file restores them (lab_model_file.h).
  SessionStatus state = s.status();
  if (const ConfusionMatrix* m = test_metrics()) state.test_acc = m->accuracy();
  info.training_state = LabModelState::of(s.options(), state).to_json();
  return serialize_model(*s.model(), info);
}

size_t TrainerHost::experiment_configs() const {
  Experiment* e = const_cast<Session&>(session_).experiment();
  return e ? e->config().values.size() : 0;
}

std::vector<uint8_t> TrainerHost::experiment_snapshot(size_t config) const {
  Session& s = const_cast<Session&>(session_);
  Experiment* e = s.experiment();
  if (!e || config >= e->config().values.size()) return {};
  const size_t run = config * static_cast<size_t>(e->config().repeats);  // its first repeat
  ModelFileInfo info;
  info.class_names = s.data().train.class_names;
  info.preprocess = e->trainer(run).preprocess();
  info.dataset = s.data().train.name;
  return serialize_model(e->model(run), info);
}

std::vector<ExperimentEpochWeights> TrainerHost::take_experiment_epoch_weights(int* experiment_id) {
  *experiment_id = session_.experiment_id();
  Experiment* e = session_.experiment();
  return e ? e->take_epoch_weights() : std::vector<ExperimentEpochWeights>{};
}

std::vector<uint8_t> TrainerHost::epoch_weights_file(const EpochWeights& weights) const {
  Session& s = const_cast<Session&>(session_);
  const std::unique_ptr<Model> model = weights.build();
  ModelFileInfo info;
  info.class_names = s.data().train.class_names;
  if (Experiment* e = s.experiment()) info.preprocess = e->trainer(0).preprocess();
  info.dataset = s.data().train.name;
  return serialize_model(*model, info);
}

std::optional<TestResults> TrainerHost::test_results() const {
  const ConfusionMatrix* m = test_metrics();
  if (!m) return std::nullopt;
  return TestResults{session_.status().run, *m};
}

const std::vector<float>* TrainerHost::test_probabilities() const {
  if (const std::vector<float>* p = session_.test_probabilities()) return p;
  return loaded_test_ && loaded_test_->done() ? &loaded_test_->probabilities() : nullptr;
}

}  // namespace cnnlab
