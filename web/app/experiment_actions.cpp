// Experiment actions (see experiment_actions.h): checking sweeps, deriving curves and feature
// maps from the trainer's experiment reports, exports.
//
// [SECTION] Draft and check   [SECTION] Curves   [SECTION] Time travel   [SECTION] Feature maps
// [SECTION] Export
#include "app/experiment_actions.h"
#include "app/inside_view.h"
#include "app/time_travel.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "core/error.h"
#include "lab/session.h"
#include "model/summary.h"
#include "platform/platform.h"

namespace cnnlab {

using json = nlohmann::json;

// ---- [SECTION] Draft and check -----------------------------------------------------------------

std::vector<std::string> split_experiment_values(const std::string& text) {
  std::vector<std::string> out;
  std::string token;
  auto flush = [&] {
    if (!token.empty()) out.push_back(token);
    token.clear();
  };
  for (char c : text) {
    if (c == ',' || c == ';' || std::isspace(static_cast<unsigned char>(c))) flush();
    else token += c;
  }
  flush();
  return out;
}

json experiment_draft_options(const ExperimentsState& x) {
  const auto& vars = ExperimentConfig::variables();
  const std::string vary = vars.at(static_cast<size_t>(std::clamp<int>(x.vary, 0, static_cast<int>(vars.size()) - 1)));
  json options = {{"vary", vary}, {"values", split_experiment_values(x.values)}, {"repeats", x.repeats}};
  if (vary == "model" && x.match_params) options["matchParams"] = true;
  return options;
}

std::string check_experiment(const AppState& state, const json& options, int* runs) {
  try {
    if (!state.data.loaded) return "experiment: no dataset is loaded yet";
    const ExperimentConfig config = experiment_config_from_json(options, state.settings.applied);
    const Dataset& d = state.data.dataset.train;
    config.validate(Shape{d.channels, d.height, d.width}, static_cast<int>(d.class_names.size()),
                    experiment_memory_limit());
    if (runs) *runs = static_cast<int>(config.values.size()) * config.repeats;
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

void refresh_experiment_check(AppState& state) {
  ExperimentsState& x = state.experiments;
  const json options = experiment_draft_options(x);
  const std::string key = options.dump() + state.settings.applied.to_json().dump() +
                          (state.data.loaded ? state.data.origin : "-");
  if (key != x.draft_key) {
    x.draft_key = key;
    x.check_configurations = 0;
    x.check_error = check_experiment(state, options, &x.check_configurations);
    x.estimate_key.clear();
  }
  // Estimated again when the draft or the measured speed changed (note_training_speed).
  if (x.estimate_key.empty()) {
    x.estimate_seconds = x.check_error.empty()
                             ? estimate_experiment_seconds(state, options, &x.estimate_measured,
                                                           &x.estimate_basis)
                             : -1;
    x.estimate_key = "made";
  }
}

// ---- [SECTION] Time estimate -------------------------------------------------------------------

namespace {

// The reference speed before anything trained on this computer: the page's training worker
// trained `cnn` 3x3 at a median of 553 images/s on the project's 2-core machine (README,
// "bash bench/browser_speed.sh", commit a17e741; batch 16). Rounded down: a first guess.
constexpr double kReferenceImagesPerSecond = 550.0;

uint64_t reference_model_macs() {
  SessionOptions o;
  o.model = "cnn";
  o.preset.kernel = 3;
  return summarize(o.spec(Shape{3, 32, 32}, 10)).total_macs_computed;
}

}  // namespace

void note_training_speed(AppState& state) {
  ExperimentsState& x = state.experiments;
  const TrainingState& t = state.training;
  // A new figure only when it differs by more than 10 % (the estimate is remade then).
  auto note = [&x](double macs_per_second, const std::string& on) {
    if (std::fabs(macs_per_second - x.measured_macs_per_second) <= 0.1 * x.measured_macs_per_second)
      return;
    x.measured_macs_per_second = macs_per_second;
    x.measured_on = on;
    x.estimate_key.clear();
  };
  const std::optional<ExperimentReport>& report = t.experiment;
  const bool experiment_running = report && report->running;
  if (!experiment_running && t.phase == "training" && t.images_per_second > 0 &&
      state.model.built && state.model.summary.total_macs_computed > 0) {
    char text[96];
    std::snprintf(text, sizeof text, "%.0f images/s while %s trained here", t.images_per_second,
                  state.settings.applied.model.c_str());
    note(t.images_per_second * static_cast<double>(state.model.summary.total_macs_computed),
         text);
  } else if (experiment_running && state.data.loaded) {
    // Rates in the multiply-adds the kernels do (Winograd layers do fewer than the direct
    // form's MACs), so that one rate fits every kernel size.
    const Dataset& d = state.data.dataset.train;
    const Shape input{d.channels, d.height, d.width};
    const int classes = static_cast<int>(d.class_names.size());
    double sum = 0;
    int n = 0;
    for (const ExperimentRunReport& run : report->runs) {
      double macs = 0;
      try {
        macs = static_cast<double>(summarize(run.options.spec(input, classes)).total_macs_computed);
      } catch (const std::exception&) {
        continue;  // a run whose settings no longer make a model here: no figure from it
      }
      const double ips = run.images_per_second;
      if (ips > 0 && macs > 0) sum += ips * macs, ++n;
    }
    if (n > 0) note(sum / n, "the speed of the last experiment's runs here");
  }
}

double estimate_experiment_seconds(const AppState& state, const json& options, bool* measured,
                                   std::string* basis) {
  if (!state.data.loaded) return -1;
  try {
    const ExperimentConfig config = experiment_config_from_json(options, state.settings.applied);
    const Dataset& d = state.data.dataset.train;
    const Shape input{d.channels, d.height, d.width};
    const int classes = static_cast<int>(d.class_names.size());
    const double train_all = static_cast<double>(d.size());
    const double val = std::floor(train_all * config.train.val_fraction);
    const double test = static_cast<double>(state.data.dataset.test.size());
    // Training images' worth of work per run: forward + backward on the training images every
    // epoch, a forward pass (~1/3 of that) on the validation images every epoch and on the
    // test images once.
    const double epochs = config.train.epochs;
    const double images = epochs * ((train_all - val) + val / 3.0) + test / 3.0;
    double rate = state.experiments.measured_macs_per_second;
    const bool from_here = rate > 0;
    if (!from_here) rate = kReferenceImagesPerSecond * static_cast<double>(reference_model_macs());
    double seconds = 0;
    for (size_t i = 0; i < config.values.size(); ++i) {
      const double macs =
          static_cast<double>(summarize(config.spec(i, input, classes)).total_macs_computed);
      seconds += config.repeats * images * macs / rate;
    }
    if (measured) *measured = from_here;
    if (basis) {
      char text[200];
      if (from_here)
        std::snprintf(text, sizeof text, "at this computer's speed (%s)",
                      state.experiments.measured_on.c_str());
      else
        std::snprintf(text, sizeof text,
                      "a guess: nothing has trained here yet, so it assumes %.0f images/s for "
                      "cnn 3x3, as measured in a browser on a 2-core machine",
                      kReferenceImagesPerSecond);
      *basis = text;
    }
    return seconds;
  } catch (const std::exception&) {
    return -1;
  }
}

std::string duration_text(double seconds) {
  char text[48];
  if (seconds < 0) return "unknown";
  if (seconds < 60) {
    std::snprintf(text, sizeof text, "about %.0f s", std::max(1.0, std::round(seconds / 5) * 5));
  } else if (seconds < 3600) {
    std::snprintf(text, sizeof text, "about %.0f min", std::round(seconds / 60));
  } else {
    const double minutes = std::round(seconds / 60);
    std::snprintf(text, sizeof text, "about %.0f h %.0f min", std::floor(minutes / 60),
                  std::fmod(minutes, 60.0));
  }
  return text;
}

// ---- [SECTION] Curves --------------------------------------------------------------------------

namespace {

// Mean of the finite values (NaN when none).
float mean_of(const std::vector<float>& xs) {
  double sum = 0;
  int n = 0;
  for (float v : xs)
    if (std::isfinite(v)) sum += v, ++n;
  return n ? static_cast<float>(sum / n) : NAN;
}

}  // namespace

void refresh_experiment_curves(AppState& state) {
  ExperimentsState& x = state.experiments;
  const TrainingState& t = state.training;
  if (x.curves_from == t.version && !x.curves.empty()) return;
  x.curves_from = t.version;
  x.curves.clear();
  if (!t.experiment) return;
  const ExperimentReport& report = *t.experiment;
  const std::vector<std::string>& values = report.config.values;
  x.curves.resize(values.size());
  // Per configuration, per epoch: the values of every repeat (averaged below).
  std::vector<std::map<int, std::vector<float>>> tl(values.size()), ta(values.size()),
      vl(values.size()), va(values.size());
  for (size_t c = 0; c < values.size(); ++c)
    x.curves[c].label = report.config.vary + "=" + values[c];
  for (const ExperimentRunReport& run : report.runs) {
    // Runs are listed configuration by configuration: repeats consecutive.
    size_t c = 0;
    while (c < x.curves.size() && x.curves[c].label != run.configuration) ++c;
    if (c == x.curves.size()) continue;
    for (const EpochRecord& e : run.epochs) {
      tl[c][e.epoch].push_back(static_cast<float>(e.train_loss));
      ta[c][e.epoch].push_back(static_cast<float>(e.train_accuracy));
      vl[c][e.epoch].push_back(static_cast<float>(e.val_loss));
      va[c][e.epoch].push_back(static_cast<float>(e.val_accuracy));
    }
    if (run.repeat != 0) continue;
    // The first repeat's per-step curve (thinned by the trainer: every stride-th step).
    const StepCurve& steps = run.step_loss;
    const double per_epoch = std::max<double>(1.0, static_cast<double>(run.steps_per_epoch));
    ExperimentCurve& curve = x.curves[c];
    for (size_t i = 0; i < steps.loss.size(); ++i)
      curve.step_x.push_back(
          static_cast<float>((static_cast<double>(i * steps.stride) + 1) / per_epoch));
    curve.step_loss = steps.loss;
    curve.step_acc = steps.acc;
  }
  for (size_t c = 0; c < x.curves.size(); ++c) {
    ExperimentCurve& curve = x.curves[c];
    for (const auto& [epoch, losses] : tl[c]) {
      curve.epoch_x.push_back(static_cast<float>(epoch));
      curve.train_loss.push_back(mean_of(losses));
      curve.train_acc.push_back(mean_of(ta[c][epoch]));
      curve.val_loss.push_back(mean_of(vl[c][epoch]));
      curve.val_acc.push_back(mean_of(va[c][epoch]));
    }
  }
}

// ---- [SECTION] Time travel ---------------------------------------------------------------------

namespace {

constexpr double kExperimentPlayStepSeconds = 0.8;

// The last epoch <= `epoch` that configuration `config` kept (-1: none).
int experiment_epoch_at_or_before(const ExperimentsState& x, size_t config, int epoch) {
  int best = -1;
  for (int e : x.snapshots.epochs(static_cast<int>(config) + 1))
    if (e <= epoch) best = e;
  return best;
}

}  // namespace

std::string experiment_config_label(const AppState& state, size_t config) {
  const std::optional<ExperimentReport>& report = state.training.experiment;
  if (report && config < report->config.values.size())
    return report->config.vary + "=" + report->config.values[config];
  return "configuration " + std::to_string(config + 1);
}

void keep_experiment_epochs(AppState& state, std::vector<NotedExperimentEpoch> noted,
                            int experiment_offset, double now_seconds) {
  ExperimentsState& x = state.experiments;
  for (NotedExperimentEpoch& n : noted) {
    const int id = n.note.experiment + experiment_offset;
    if (id != x.snapshots_id) {
      // A new experiment: the last one's snapshots go, and its shown epoch with them.
      x.snapshots.clear();
      x.snapshots_id = id;
      x.shown_epoch = -1;
      x.playing = false;
    }
    try {
      x.snapshots.add(n.note.config + 1, n.note.epoch, std::move(n.note.record),
                      std::move(n.weights));
    } catch (const std::exception& e) {
      x.message = e.what();
      x.message_is_error = true;
    }
  }
  // Play: the next kept epoch every 0.8 s; it stops on the last one.
  if (state.ui.embedding.reduced_motion) x.playing = false;
  if (x.playing && now_seconds >= x.next_play_step) {
    const std::vector<int> kept = experiment_kept_epochs(x);
    const auto next = std::upper_bound(kept.begin(), kept.end(), x.shown_epoch);
    if (next == kept.end()) {
      x.playing = false;
    } else {
      x.shown_epoch = *next;
      x.next_play_step = now_seconds + kExperimentPlayStepSeconds;
      if (std::next(next) == kept.end()) x.playing = false;
    }
  }
}

std::vector<int> experiment_kept_epochs(const ExperimentsState& x) {
  std::vector<int> all;
  for (int run : x.snapshots.runs())
    for (int e : x.snapshots.epochs(run)) all.push_back(e);
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

std::string show_experiment_epoch(AppState& state, int epoch) {
  ExperimentsState& x = state.experiments;
  x.playing = false;
  if (epoch < 0) {
    x.shown_epoch = -1;
    return "";
  }
  const std::vector<int> kept = experiment_kept_epochs(x);
  if (kept.empty()) return "the experiment has kept no epochs yet (they are kept as it trains)";
  if (std::find(kept.begin(), kept.end(), epoch) == kept.end())
    return "epoch " + std::to_string(epoch) + " was not kept; kept: " + epoch_list_text(kept);
  x.shown_epoch = epoch;
  return "";
}

json experiment_snapshots_json(const AppState& state) {
  const ExperimentsState& x = state.experiments;
  json list = json::array();
  for (int run : x.snapshots.runs()) {
    const size_t config = static_cast<size_t>(run - 1);
    list.push_back({{"config", config},
                    {"label", experiment_config_label(state, config)},
                    {"epochs", x.snapshots.epochs(run)}});
  }
  return list;
}

json experiment_epoch_json(const AppState& state) {
  const ExperimentsState& x = state.experiments;
  json configs = json::array();
  for (size_t c = 0; c < x.maps.size(); ++c) {
    const ExperimentMaps& m = x.maps[c];
    json item = {{"label", experiment_config_label(state, c)},
                 {"epoch", m.epoch >= 0 ? json(m.epoch) : json(nullptr)},
                 {"valAcc", nullptr}};
    if (m.epoch_record && std::isfinite(m.epoch_record->val_accuracy))
      item["valAcc"] = m.epoch_record->val_accuracy;
    const Model* shown = m.epoch_model ? m.epoch_model.get() : m.copy.model();
    item["conv1WeightSum"] = shown ? first_conv_weight_sum(*shown) : json(nullptr);
    configs.push_back(std::move(item));
  }
  return {{"shown", x.shown_epoch >= 0 ? json(x.shown_epoch) : json(nullptr)},
          {"kept", experiment_kept_epochs(x)},
          {"configurations", std::move(configs)},
          {"bytes", x.snapshots.bytes()},
          {"budgetBytes", x.snapshots.budget()},
          {"thinned", x.snapshots.thinned()},
          {"note", x.snapshots.thinning_note()},
          {"playing", x.playing}};
}

// ---- [SECTION] Feature maps --------------------------------------------------------------------

void refresh_experiment_maps(AppState& state) {
  ExperimentsState& x = state.experiments;
  const ExperimentWeights& ew = state.lab.experiment;
  const Dataset& test = state.data.dataset.test;
  if (!state.data.loaded || test.size() == 0 || ew.models.empty()) {
    x.maps.clear();
    x.maps_id = -1;
    return;
  }
  const int image = std::clamp(state.inside.test_image, 0, static_cast<int>(test.size()) - 1);
  const AttributionView& where = state.inside.where;
  const std::string where_key = std::to_string(where.method) + "/" + std::to_string(where.target) +
                                "/" + std::to_string(where.patch) + "/" + std::to_string(where.stride);
  // An epoch chosen on the time slider shows the experiment's snapshots (of this experiment only).
  const bool past = x.shown_epoch >= 0 && x.snapshots_id == ew.id;
  // The latest weights change every 2 s while the experiment trains; a past epoch's do not.
  const uint64_t weights_version = past ? 0 : ew.version;
  if (weights_version == x.maps_version && image == x.maps_image && ew.id == x.maps_id &&
      x.maps.size() == ew.models.size() && where_key == x.maps_where_key &&
      x.maps_epoch == (past ? x.shown_epoch : -1) &&
      (!past || x.maps_snapshots == x.snapshots.version()))
    return;
  x.maps_where_key = where_key;
  x.maps_version = weights_version;
  x.maps_image = image;
  x.maps_id = ew.id;
  x.maps_epoch = past ? x.shown_epoch : -1;
  x.maps_snapshots = x.snapshots.version();
  x.maps.resize(ew.models.size());
  for (size_t c = 0; c < ew.models.size(); ++c) {
    ExperimentMaps& m = x.maps[c];
    m.layers.clear();
    m.note.clear();
    Model* model = nullptr;
    if (past) {
      const int epoch = experiment_epoch_at_or_before(x, c, x.shown_epoch);
      if (epoch < 0) {
        m.epoch_model.reset();
        m.epoch = -1;
        m.epoch_record.reset();
        m.note = "no epoch kept up to " + std::to_string(x.shown_epoch);
        continue;
      }
      try {
        if (m.epoch != epoch || !m.epoch_model) {
          m.epoch_model = x.snapshots.model_at(static_cast<int>(c) + 1, epoch);
          m.epoch = epoch;
          m.epoch_record = x.snapshots.get(static_cast<int>(c) + 1, epoch).record;
        }
        model = m.epoch_model.get();
      } catch (const std::exception& e) {
        m.note = e.what();
        continue;
      }
    } else {
      m.epoch_model.reset();
      m.epoch = -1;
      m.epoch_record.reset();
      if (!ew.models[c]) {
        m.note = "waiting for its weights";
        continue;
      }
      m.copy.sync(*ew.models[c], ew.version);
      model = m.copy.model();
    }
    try {
      InsideMaps maps = compute_inside_maps(*model, ew.preprocess,
                                            test.image(static_cast<size_t>(image)), test.channels,
                                            test.height, test.width);
      // The first two conv layers (conv1 and conv2): where kernel size shows most.
      for (LayerMaps& l : maps.layers)
        if (l.kind == LayerKind::kConv2D && m.layers.size() < 2) m.layers.push_back(std::move(l));
      if (m.layers.empty()) m.note = "no convolutional layers (a fully connected model)";
    } catch (const std::exception& e) {
      m.note = e.what();
    }
    // Where each configuration looks in the same image (the Inside tab's "Where it looks"
    // choices), after the maps: the attribution methods overwrite the copy's activations.
    m.where.clear();
    m.where_note.clear();
    try {
      const Shape shape{test.channels, test.height, test.width};
      const uint8_t* pixels = test.image(static_cast<size_t>(image));
      const AttributionMap map =
          attribution_with_choices(*model, ew.preprocess, pixels, shape, where);
      const std::vector<uint8_t> blend =
          attribution_blend(pixels, test.channels, test.height, test.width, map);
      m.where.set_images_chw(blend.data(), 1, 3, test.height, test.width);
    } catch (const std::exception& e) {
      m.where_note = e.what();
    }
    m.grids.resize(m.layers.size());
    for (size_t i = 0; i < m.layers.size(); ++i) {
      const LayerMaps& l = m.layers[i];
      const int shown = std::min(l.channels, x.maps_shown);
      // Each map stretched to its own min..max: a map's pattern (edges, blobs — what kernel size
      // changes) stays visible next to a much stronger map of the same layer.
      const size_t plane = static_cast<size_t>(l.height) * static_cast<size_t>(l.width);
      std::vector<float> stretched(plane * static_cast<size_t>(shown));
      for (int k = 0; k < shown; ++k) {
        const float* src = l.maps.data() + static_cast<size_t>(k) * plane;
        float lo = 0, hi = 0;
        finite_range(src, plane, &lo, &hi);
        const float span = hi > lo ? hi - lo : 1.0f;
        for (size_t j = 0; j < plane; ++j) stretched[static_cast<size_t>(k) * plane + j] = (src[j] - lo) / span;
      }
      m.grids[i].set_maps(stretched.data(), shown, l.height, l.width, widgets::Colormap::Viridis,
                          0.0f, 1.0f);
    }
  }
}

// ---- [SECTION] Export --------------------------------------------------------------------------

std::string experiment_export_text(const AppState& state, const std::string& format) {
  require(state.training.experiment.has_value(), "experiment export",
          "there is no experiment yet");
  const ExperimentReport& report = *state.training.experiment;
  if (format == "csv") return report.csv;
  if (format == "markdown" || format == "md") {
    return report.table + "\n" + report.interpretation + "\n";
  }
  if (format == "json") {
    // The report's own JSON without what only the live lab shows (its id and progress) and the
    // tables the other formats export.
    json out = report.to_json();
    for (const char* live : {"id", "running", "done", "progress", "table", "csv"}) out.erase(live);
    return out.dump(1);
  }
  throw Error("experiment export", "unknown format '" + format + "' (csv, markdown, json or png)");
}

std::string experiment_export_name(const AppState& state, const std::string& format) {
  const std::string vary =
      state.training.experiment ? state.training.experiment->config.vary : std::string("sweep");
  if (format == "png") return "experiment-" + vary + "-curves.png";
  return "experiment-" + vary + (format == "csv" ? ".csv" : format == "json" ? ".json" : ".md");
}

void export_experiment(AppState& state, const std::string& format) {
  ExperimentsState& x = state.experiments;
  try {
    if (format == "png") {
      require(state.training.experiment.has_value(), "experiment export",
              "there is no experiment yet");
      x.capture_plots = true;  // App::after_render, once the plots were drawn this frame
      x.curves_tab_request = 1;
      return;
    }
    const std::string text = experiment_export_text(state, format);
    const std::string name = experiment_export_name(state, format);
    const char* mime = format == "csv" ? "text/csv" : format == "json" ? "application/json"
                                                                       : "text/markdown";
    std::string where;
    const bool ok = platform::save_user_file(name, mime, reinterpret_cast<const uint8_t*>(text.data()),
                                             text.size(), &where);
    x.message = ok ? "Saved: " + where : where;
    x.message_is_error = !ok;
  } catch (const std::exception& e) {
    x.message = e.what();
    x.message_is_error = true;
  }
}

}  // namespace cnnlab
