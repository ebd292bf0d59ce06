#include "lab/experiment.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "core/error.h"
#include "core/json_field.h"
#include "core/text_format.h"
#include "lab/run_report.h"
#include "model/model.h"
#include "model/presets.h"
#include "model/summary.h"

namespace cnnlab {

namespace {
using Clock = std::chrono::steady_clock;

int parse_int_value(const std::string& vary, const std::string& v) {
  try {
    size_t used = 0;
    int x = std::stoi(v, &used);
    if (used == v.size()) return x;
  } catch (const std::logic_error&) {
  }
  throw Error("experiment " + vary, "'" + v + "' is not a whole number");
}


void mean_std(const std::vector<double>& xs, double& mean, double& sd) {
  mean = sd = 0;
  if (xs.empty()) return;
  for (double x : xs) mean += x;
  mean /= static_cast<double>(xs.size());
  if (xs.size() < 2) return;
  for (double x : xs) sd += (x - mean) * (x - mean);
  sd = std::sqrt(sd / static_cast<double>(xs.size() - 1));  // sample standard deviation
}
}  // namespace

// The tested epoch of each run of a configuration: "4", or "4, 6, unfinished" with repeats
// ("-": not tested yet, or failed).
std::string tested_epochs_text(const std::vector<int>& epochs) {
  std::string out;
  for (int e : epochs)
    out += (out.empty() ? "" : ", ") +
           (e > 0 ? std::to_string(e) : e < 0 ? std::string("unfinished") : std::string("-"));
  return out.empty() ? "-" : out;
}

// ---- ExperimentConfig ---------------------------------------------------------------------------

const std::vector<std::string>& ExperimentConfig::variables() {
  static const std::vector<std::string> v{"kernel", "filters", "depth", "pooling", "stride", "model"};
  return v;
}

std::vector<std::string> ExperimentConfig::default_values(const std::string& vary) {
  if (vary == "kernel") return {"3", "5", "7"};
  if (vary == "filters") return {"16", "32", "64"};
  if (vary == "depth") return {"1", "2", "3"};
  if (vary == "pooling") return {"max", "avg", "none"};
  if (vary == "stride") return {"1", "2"};
  if (vary == "model") return {"mlp", "cnn", "vgg"};
  throw Error("experiment", "unknown variable '" + vary + "'");
}

std::string ExperimentConfig::label(size_t i) const { return vary + "=" + values.at(i); }

std::string ExperimentConfig::model_name(size_t i) const {
  return vary == "model" ? values.at(i) : model;
}

PresetOptions ExperimentConfig::preset_options(size_t i, const Shape& input, int classes) const {
  const std::string& v = values.at(i);
  PresetOptions options = base;
  if (vary == "kernel")
    options.kernel = parse_int_value(vary, v);
  else if (vary == "filters")
    options.filters = parse_int_value(vary, v);
  else if (vary == "depth")
    options.blocks = parse_int_value(vary, v);
  else if (vary == "pooling")
    options.pooling = v;
  else if (vary == "stride")
    options.stride = parse_int_value(vary, v);
  else if (vary != "model")
    throw Error("experiment", "unknown variable '" + vary + "' (kernel, filters, depth, pooling, "
                              "stride or model)");
  if (match_params && is_mlp_preset(model_name(i))) {
    const auto reference = std::find_if(values.begin(), values.end(),
                                        [](const std::string& m) { return !is_mlp_preset(m); });
    require(vary == "model" && reference != values.end(), "experiment matchParams",
            "sizes an MLP to a convolutional model's parameter count: sweep the model over an "
            "MLP and a CNN (vary model, values mlp,cnn)");
    const size_t target = preset(*reference, input, classes, options).parameter_count();
    options.dense = mlp_dense_matching(model_name(i), input, classes, options, target);
  }
  return options;
}

namespace {

// A custom base with the swept kernel or stride set in every conv layer (validated again: a
// larger kernel may no longer fit a small feature map).
ModelSpec swept_custom_spec(const std::string& spec_text, const std::string& vary,
                            const std::string& value, const Shape& input, int classes) {
  require(vary == "kernel" || vary == "stride", "experiment " + vary,
          "a custom model's layers are its own: sweep its kernel or stride, or choose a preset "
          "to sweep " + vary);
  ModelSpec spec = parse_model_spec(spec_text, input, classes);
  const int v = parse_int_value(vary, value);
  bool has_conv = false;
  for (LayerSpec& layer : spec.layers) {
    if (layer.kind != LayerKind::kConv2D) continue;
    has_conv = true;
    (vary == "kernel" ? layer.kernel : layer.stride) = v;
  }
  require(has_conv, "experiment " + vary,
          "the custom model has no conv2d layer, so nothing in it depends on " + vary);
  validate_model_spec(spec, classes);
  return spec;
}

}  // namespace

ModelSpec ExperimentConfig::spec(size_t i, const Shape& input, int classes) const {
  try {
    if (model == kCustomModel && vary != "model")
      return swept_custom_spec(spec_text, vary, values.at(i), input, classes);
    const PresetOptions options = preset_options(i, input, classes);
    return preset(model_name(i), input, classes, options);
  } catch (const Error& e) {
    throw Error("experiment configuration " + label(i), e.what());
  }
}

void ExperimentConfig::validate(const Shape& input, int classes, size_t memory_limit_bytes) const {
  const auto& vars = variables();
  require(std::find(vars.begin(), vars.end(), vary) != vars.end(), "experiment",
          "unknown variable '" + vary + "' (kernel, filters, depth, pooling, stride or model)");
  require(!values.empty(), "experiment " + vary, "the list of values is empty");
  require(values.size() <= kMaxConfigurations, "experiment " + vary,
          std::to_string(values.size()) + " configurations; at most " +
              std::to_string(kMaxConfigurations) + " can be compared at once");
  std::set<std::string> seen;
  for (const std::string& v : values)
    require(seen.insert(v).second, "experiment " + vary, "'" + v + "' is listed twice");
  require(repeats >= 1 && repeats <= kMaxRepeats, "experiment repeats",
          "must be between 1 and " + std::to_string(kMaxRepeats));
  if (vary == "depth")
    require(model == "cnn", "experiment depth", "only the cnn preset has a variable depth");
  if (match_params)
    require(vary == "model" && std::any_of(values.begin(), values.end(), is_mlp_preset) &&
                !std::all_of(values.begin(), values.end(), is_mlp_preset),
            "experiment matchParams",
            "sizes an MLP to a convolutional model's parameter count: sweep the model over an "
            "MLP and a CNN (vary model, values mlp,cnn)");
  train.validate();
  // A variable the model has no use for (the kernel of the mlp, which has no convolution) builds
  // the same network for every value: such a comparison would only measure seed noise.
  std::map<std::string, size_t> built;
  uint64_t bytes = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const ModelSpec s = spec(i, input, classes);
    const auto [at, fresh] = built.emplace(s.text(), i);
    require(fresh, "experiment " + vary,
            label(at->second) + " and " + label(i) + " build the same network on the " +
                model_name(i) + " model (nothing in it depends on " + vary +
                "); choose a model it changes, such as cnn");
    bytes += estimate_training_bytes(s, std::max(train.batch_size, train.eval_batch_size)) *
             static_cast<uint64_t>(repeats);
  }
  require(bytes <= memory_limit_bytes, "experiment",
          "the " + std::to_string(values.size() * static_cast<size_t>(repeats)) +
              " runs would need about " + std::to_string(bytes >> 20) + " MB, more than the " +
              std::to_string(memory_limit_bytes >> 20) +
              " MB available; use fewer configurations, repeats or a smaller batch");
}

nlohmann::json ExperimentConfig::to_json() const {
  nlohmann::json out = {{"model", model},
          {"base",
           {{"kernel", base.kernel},
            {"filters", base.filters},
            {"dense", base.dense},
            {"dropout", base.dropout},
            {"blocks", base.blocks},
            {"pooling", base.pooling},
            {"stride", base.stride}}},
          {"vary", vary},
          {"values", values},
          {"repeats", repeats},
          {"matchParams", match_params},
          {"train", train.to_json()}};
  if (model == kCustomModel) out["spec"] = spec_text;
  return out;
}

ExperimentConfig ExperimentConfig::from_json(const nlohmann::json& j, const std::string& where) {
  require(j.is_object(), where, "must be a JSON object");
  ExperimentConfig c;
  c.model = json_field<std::string>(j, "model", where);
  const nlohmann::json base = json_field<nlohmann::json>(j, "base", where);
  const std::string b = where + " base";
  require(base.is_object(), where, "field 'base' must be an object");
  c.base.kernel = json_field<int>(base, "kernel", b);
  c.base.filters = json_field<int>(base, "filters", b);
  c.base.dense = json_field<int>(base, "dense", b);
  c.base.dropout = json_field<float>(base, "dropout", b);
  c.base.blocks = json_field<int>(base, "blocks", b);
  c.base.pooling = json_field<std::string>(base, "pooling", b);
  c.base.stride = json_field<int>(base, "stride", b);
  c.vary = json_field<std::string>(j, "vary", where);
  c.values = json_field<std::vector<std::string>>(j, "values", where);
  c.repeats = json_field<int>(j, "repeats", where);
  if (j.contains("matchParams")) c.match_params = json_field<bool>(j, "matchParams", where);
  if (j.contains("spec")) c.spec_text = json_field<std::string>(j, "spec", where);
  require(c.model != kCustomModel || !c.spec_text.empty(), where,
          "a custom model needs its layers in field 'spec'");
  const nlohmann::json train = json_field<nlohmann::json>(j, "train", where);
  require(train.is_object(), where, "field 'train' must be an object");
  try {
    c.train = TrainConfig::from_json(train);
  } catch (const Error& e) {
    throw Error(where, std::string("train: ") + e.what());
  }
  return c;
}

uint64_t estimate_training_bytes(const ModelSpec& spec, int batch_size) {
  // 64-bit throughout: in wasm32 size_t would wrap around for exactly the sweeps to refuse.
  const uint64_t params = spec.parameter_count();
  uint64_t activations = spec.input.count(), largest = spec.input.count();
  for (const Shape& s : spec.output_shapes()) {
    activations += s.count();
    largest = std::max<uint64_t>(largest, s.count());
  }
  const uint64_t floats = params * 5                                 // value, grad, m, v, best
                          + static_cast<uint64_t>(batch_size) * (activations + 2 * largest);
  const uint64_t im2col_scratch = uint64_t(16) << 20;                // col + dcol chunks
  return floats * sizeof(float) + im2col_scratch;
}

// ---- Experiment ---------------------------------------------------------------------------------

struct Experiment::Run {
  size_t config = 0;
  int repeat = 0;
  uint64_t seed = 0;
  std::unique_ptr<Model> model;
  std::unique_ptr<Trainer> trainer;
  std::unique_ptr<Evaluator> test;
  double seconds = 0;
  bool stopped = false;
  int noted_epochs = -1;  // epochs whose weights were noted (note_epoch_weights); -1: none yet

  bool finished(const Dataset& test_data) const {
    if (stopped) return true;
    if (!trainer->done()) return false;
    if (trainer->failed() || test_data.size() == 0) return true;
    return test && test->done();
  }
};

Experiment::Experiment(const ExperimentConfig& config, const Dataset& train, const Dataset& test,
                       ThreadPool* pool, size_t memory_limit_bytes)
    : config_(config), train_(train), test_(test), pool_(pool) {
  require(train.size() > 0, "experiment", "the training data is empty");
  const Shape input{train.channels, train.height, train.width};
  const int classes = static_cast<int>(train.class_names.size());
  config_.validate(input, classes, memory_limit_bytes);
  for (size_t c = 0; c < config_.values.size(); ++c)
    for (int r = 0; r < config_.repeats; ++r) {
      auto run = std::make_unique<Run>();
      run->config = c;
      run->repeat = r;
      run->seed = config_.train.seed + static_cast<uint64_t>(r);
      TrainConfig tc = config_.train;
      tc.seed = run->seed;  // same seed for every configuration of a repeat: identical conditions
      run->model = std::make_unique<Model>(config_.spec(c, input, classes), run->seed);
      run->trainer = std::make_unique<Trainer>(*run->model, train_, tc, pool_);
      runs_.push_back(std::move(run));
    }
}

Experiment::~Experiment() = default;

bool Experiment::done() const {
  for (const auto& r : runs_)
    if (!r->finished(test_)) return false;
  return true;
}

bool Experiment::step() {
  for (size_t tried = 0; tried < runs_.size(); ++tried) {
    Run& run = *runs_[next_];
    next_ = (next_ + 1) % runs_.size();
    if (run.finished(test_)) continue;
    const auto t0 = Clock::now();
    if (!run.trainer->done()) {
      run.trainer->step();
      if (noting_ && run.repeat == 0) note_epoch_end(run);
    } else {
      if (!run.test)
        run.test = std::make_unique<Evaluator>(*run.model, test_, run.trainer->preprocess(),
                                               config_.train.eval_batch_size, pool_);
      run.test->step();
    }
    run.seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    return !done();
  }
  return false;
}

void Experiment::note_epoch_weights() {
  if (noting_) return;
  noting_ = true;
  for (auto& r : runs_) {
    if (r->repeat != 0) continue;
    r->noted_epochs = static_cast<int>(r->trainer->history().size());
    if (r->trainer->global_step() == 0)
      noted_.push_back({r->config, 0, std::nullopt, EpochWeights::of(*r->model)});
  }
}

// After a training step: the weights are an epoch's when the step ended that epoch and the trainer
// did not then put back an earlier epoch's best weights (early stopping's restore).
void Experiment::note_epoch_end(Run& run) {
  const Trainer& t = *run.trainer;
  const int finished = static_cast<int>(t.history().size());
  if (finished <= run.noted_epochs) return;
  run.noted_epochs = finished;
  const int64_t at_epoch_end =
      static_cast<int64_t>(finished) * static_cast<int64_t>(t.batches_per_epoch());
  const bool restored = t.scoring_epoch() != 0 && t.scoring_epoch() != finished;
  if (t.global_step() != at_epoch_end || restored || finished == 0) return;
  noted_.push_back({run.config, finished, t.history().back(), EpochWeights::of(*run.model)});
}

std::vector<ExperimentEpochWeights> Experiment::take_epoch_weights() {
  return std::exchange(noted_, {});
}

void Experiment::run_for(double seconds) {
  const auto t0 = Clock::now();
  do {
    step();
  } while (!done() && std::chrono::duration<double>(Clock::now() - t0).count() < seconds);
}

void Experiment::stop(const std::string& reason) {
  for (auto& r : runs_) {
    if (r->finished(test_)) continue;
    r->trainer->stop(reason);
    r->stopped = true;
  }
}

double Experiment::progress() const {
  if (runs_.empty()) return 1.0;
  double sum = 0;
  for (const auto& r : runs_) sum += r->finished(test_) ? 1.0 : r->trainer->progress() * 0.98;
  return sum / static_cast<double>(runs_.size());
}

const Trainer& Experiment::trainer(size_t r) const { return *runs_.at(r)->trainer; }
Model& Experiment::model(size_t r) { return *runs_.at(r)->model; }

RunResult Experiment::result(size_t r) const {
  const Run& run = *runs_.at(r);
  RunResult out;
  out.config = run.config;
  out.repeat = run.repeat;
  out.seed = run.seed;
  out.label = config_.label(run.config);
  out.parameters = run.model->parameter_count();
  for (int i = 0; i < run.model->num_layers(); ++i) out.macs += run.model->layer(i).macs();
  out.finished = run.finished(test_);
  out.failed = run.trainer->failed();
  out.stopped = run.stopped;
  out.stop_reason = run.trainer->stop_reason();
  out.images_per_second = run.trainer->images_per_second();
  out.seconds = run.seconds;
  out.history = run.trainer->history();
  for (const EpochRecord& e : out.history)
    if (std::isfinite(e.val_accuracy)) out.best_val_accuracy = std::max(out.best_val_accuracy, e.val_accuracy);
  if (!out.history.empty()) out.final_val_loss = out.history.back().val_loss;
  if (run.test && run.test->done()) {
    out.test_accuracy = run.test->metrics().accuracy();
    out.test_loss = run.test->metrics().mean_loss();
    out.test_epoch = run.trainer->scoring_epoch();
    const ConfusionMatrix& m = run.test->metrics();
    out.test_confusion.assign(static_cast<size_t>(m.classes()), {});
    for (int t = 0; t < m.classes(); ++t)
      for (int p = 0; p < m.classes(); ++p)
        out.test_confusion[static_cast<size_t>(t)].push_back(m.count(t, p));
  }
  return out;
}

const char* experiment_run_status_name(ExperimentRunStatus status) {
  switch (status) {
    case ExperimentRunStatus::kRunning: return "running";
    case ExperimentRunStatus::kFinished: return "finished";
    case ExperimentRunStatus::kFailed: return "failed";
    case ExperimentRunStatus::kUnfinished: return "unfinished";
  }
  return "running";
}

ExperimentRunStatus RunResult::status() const {
  if (failed) return ExperimentRunStatus::kFailed;
  if (stopped) return ExperimentRunStatus::kUnfinished;
  return finished ? ExperimentRunStatus::kFinished : ExperimentRunStatus::kRunning;
}

std::vector<RunResult> Experiment::results() const {
  std::vector<RunResult> out;
  for (size_t r = 0; r < runs_.size(); ++r) out.push_back(result(r));
  return out;
}

std::vector<ConfigSummary> Experiment::summary() const {
  const std::vector<RunResult> all = results();
  std::vector<ConfigSummary> out(config_.values.size());
  for (size_t c = 0; c < out.size(); ++c) {
    ConfigSummary& s = out[c];
    s.label = config_.label(c);
    std::vector<double> test_acc, test_loss, val_acc, ips, secs;
    for (const RunResult& r : all) {
      if (r.config != c) continue;
      s.parameters = r.parameters;
      s.macs = r.macs;
      s.test_epochs.push_back(r.stopped ? -1 : r.test_epoch);
      if (r.history.empty()) continue;
      val_acc.push_back(r.best_val_accuracy);
      ips.push_back(r.images_per_second);
      if (r.test_accuracy >= 0) {
        // A run still training would pull the mean time per run up as it goes.
        secs.push_back(r.seconds);
        test_acc.push_back(r.test_accuracy);
        test_loss.push_back(r.test_loss);
      }
    }
    double unused;
    s.runs = static_cast<int>(test_acc.empty() ? val_acc.size() : test_acc.size());
    mean_std(test_acc, s.test_accuracy_mean, s.test_accuracy_std);
    mean_std(test_loss, s.test_loss_mean, unused);
    mean_std(val_acc, s.best_val_accuracy_mean, unused);
    mean_std(ips, s.images_per_second, unused);
    mean_std(secs, s.seconds, unused);
  }
  // The winner: best mean test accuracy, or best validation accuracy before any test result.
  const bool by_test = std::any_of(out.begin(), out.end(), [](const ConfigSummary& s) {
    return s.test_accuracy_mean > 0;
  });
  int best = -1;
  for (size_t c = 0; c < out.size(); ++c) {
    if (out[c].runs == 0) continue;
    const double v = by_test ? out[c].test_accuracy_mean : out[c].best_val_accuracy_mean;
    const double bv = best < 0 ? -1 : by_test ? out[static_cast<size_t>(best)].test_accuracy_mean
                                              : out[static_cast<size_t>(best)].best_val_accuracy_mean;
    if (v > bv) best = static_cast<int>(c);
  }
  if (best >= 0) out[static_cast<size_t>(best)].winner = true;
  return out;
}

std::string Experiment::interpretation() const {
  std::vector<ConfigSummary> s = summary();
  std::vector<const ConfigSummary*> ranked;
  for (const ConfigSummary& c : s)
    if (c.runs > 0 && c.test_accuracy_mean > 0) ranked.push_back(&c);
  if (ranked.size() < 2) return "Not enough finished runs with test results to compare yet.";
  std::sort(ranked.begin(), ranked.end(), [](const ConfigSummary* a, const ConfigSummary* b) {
    return a->test_accuracy_mean > b->test_accuracy_mean;
  });
  const ConfigSummary& a = *ranked[0];
  const ConfigSummary& b = *ranked[1];
  // In points, from the accuracies as the table shows them (one decimal), so the sentence and the
  // table agree (36.3 - 35.6 is 0.7, whatever the unrounded means give).
  auto shown = [](double fraction) { return std::round(fraction * 1000.0) / 10.0; };
  const double lead = shown(a.test_accuracy_mean) - shown(b.test_accuracy_mean);
  char buf[512];
  if (config_.repeats < 2 || a.runs < 2 || b.runs < 2) {
    std::snprintf(buf, sizeof buf,
                  "%s leads %s by %.1f points, but with one seed per configuration the "
                  "seed-to-seed spread is unknown: run repeats to tell a real difference from noise.",
                  a.label.c_str(), b.label.c_str(), lead);
    return buf;
  }
  const double spread = shown(std::max(a.test_accuracy_std, b.test_accuracy_std));
  if (lead > 2 * spread)
    std::snprintf(buf, sizeof buf,
                  "%s leads %s by %.1f points, more than twice the seed-to-seed spread (the "
                  "larger standard deviation, the ± in the table: %.1f points, so twice is "
                  "%.1f): likely a real difference.",
                  a.label.c_str(), b.label.c_str(), lead, spread, 2 * spread);
  else
    std::snprintf(buf, sizeof buf,
                  "%s leads %s by %.1f points, less than twice the seed-to-seed spread (the "
                  "larger standard deviation, the ± in the table: %.1f points, so twice is "
                  "%.1f): these %d seeds cannot tell them apart.",
                  a.label.c_str(), b.label.c_str(), lead, spread, 2 * spread, a.runs);
  return buf;
}

std::string Experiment::markdown_table() const {
  const bool repeated = config_.repeats > 1;
  std::string out =
      "| configuration | parameters | MACs / image | train images/s | time / run | best val acc | "
      "test acc | test loss | tested epoch |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  char buf[512];
  for (const ConfigSummary& s : summary()) {
    std::string acc = s.runs && s.test_accuracy_mean > 0 ? percent(s.test_accuracy_mean) : "-";
    if (repeated && s.runs > 1 && s.test_accuracy_mean > 0) {
      char sd[32];
      std::snprintf(sd, sizeof sd, " ± %.1f", s.test_accuracy_std * 100);
      acc = percent(s.test_accuracy_mean).substr(0, percent(s.test_accuracy_mean).size() - 2) + sd + " %";
    }
    const std::string name = s.winner ? "**" + s.label + "**" : s.label;
    if (s.winner && acc != "-") acc = "**" + acc + "**";
    char loss[32] = "-";
    if (s.runs && s.test_loss_mean > 0) std::snprintf(loss, sizeof loss, "%.3f", s.test_loss_mean);
    std::snprintf(buf, sizeof buf, "| %s | %s | %s | %.0f | %.0f s | %s | %s | %s | %s |\n",
                  name.c_str(), with_thousands(s.parameters).c_str(),
                  with_thousands(s.macs).c_str(), s.images_per_second, s.seconds,
                  s.runs ? percent(s.best_val_accuracy_mean).c_str() : "-", acc.c_str(), loss,
                  tested_epochs_text(s.test_epochs).c_str());
    out += buf;
  }
  return out;
}

std::string Experiment::csv() const {
  std::string out =
      "configuration,repeat,seed,parameters,macs,epochs,images_per_second,seconds,best_val_accuracy,"
      "test_accuracy,test_loss,test_epoch,status,stop_reason\n";
  char buf[512];
  for (const RunResult& r : results()) {
    std::string reason = r.stop_reason;
    std::replace(reason.begin(), reason.end(), '"', '\'');
    std::snprintf(buf, sizeof buf,
                  "%s,%d,%llu,%zu,%llu,%zu,%.1f,%.2f,%.6f,%.6f,%.6f,%d,%s,\"%s\"\n",
                  r.label.c_str(), r.repeat, static_cast<unsigned long long>(r.seed), r.parameters,
                  static_cast<unsigned long long>(r.macs), r.history.size(), r.images_per_second,
                  r.seconds, r.best_val_accuracy, r.test_accuracy, r.test_loss, r.test_epoch,
                  experiment_run_status_name(r.status()), reason.c_str());
    out += buf;
  }
  return out;
}

nlohmann::json Experiment::to_json() const {
  nlohmann::json runs = nlohmann::json::array();
  for (const RunResult& r : results()) {
    nlohmann::json hist = nlohmann::json::array();
    for (const EpochRecord& e : r.history) hist.push_back(e.to_json());
    runs.push_back({{"configuration", r.label},
                    {"repeat", r.repeat},
                    {"seed", r.seed},
                    {"parameters", r.parameters},
                    {"macs", r.macs},
                    {"finished", r.finished},
                    {"failed", r.failed},
                    {"stop_reason", r.stop_reason},
                    {"images_per_second", r.images_per_second},
                    {"seconds", r.seconds},
                    {"best_val_accuracy", r.best_val_accuracy},
                    {"test_accuracy", r.test_accuracy >= 0 ? nlohmann::json(r.test_accuracy) : nullptr},
                    {"test_loss", r.test_loss >= 0 ? nlohmann::json(r.test_loss) : nullptr},
                    {"test_epoch", r.test_epoch > 0 ? nlohmann::json(r.test_epoch) : nullptr},
                    {"status", experiment_run_status_name(r.status())},
                    {"history", hist}});
  }
  // The summary rows as the lab reports them (lab/run_report.h: one writer for both).
  nlohmann::json summary_json = nlohmann::json::array();
  for (const ConfigSummary& s : summary())
    summary_json.push_back(ExperimentSummaryRow::of(s).to_json());
  return {{"config", config_.to_json()},
          {"summary", summary_json},
          {"interpretation", interpretation()},
          {"runs", runs}};
}

}  // namespace cnnlab
