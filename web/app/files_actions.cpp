// Files a student keeps or brings (see files_actions.h): the App's save/load model, .npz and
// curve exports, photo classification, and the File menu's requests.
//
// [SECTION] Helpers   [SECTION] Exports   [SECTION] Load model   [SECTION] Your own photo
// [SECTION] Picked and dropped files, the File menu
#include "app/files_actions.h"
#include "app/time_travel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/eval_view.h"
#include "lab/inside_maps.h"
#include "app/inside_view.h"
#include "app/training_backend.h"
#include "core/error.h"
#include "core/io.h"
#include "core/text_format.h"
#include "data/image.h"
#include "imgui.h"
#include "model/model_file.h"
#include "model/npz.h"
#include "model/presets.h"
#include "platform/platform.h"
#include "train/history_csv.h"
#include "lab/lab_model_file.h"

namespace cnnlab {

using json = nlohmann::json;

// ---- [SECTION] Helpers -------------------------------------------------------------------------

namespace {

bool is_image(const uint8_t* b, size_t n) {
  static const uint8_t png[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  return (n >= 8 && std::memcmp(b, png, 8) == 0) ||
         (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF);
}

bool is_model_file(const uint8_t* b, size_t n) { return n >= 8 && std::memcmp(b, "CNNLABMF", 8) == 0; }

// "cnn-3x3" / "mlp": names the downloads after the model they hold.
std::string model_tag(const SessionOptions& o) {
  std::string tag = o.model_label();
  std::replace(tag.begin(), tag.end(), ' ', '-');
  return tag;
}

}  // namespace

json PhotoResult::to_json() const {
  json guesses = json::array();
  for (const Guess& g : top3)
    guesses.push_back({{"label", g.label}, {"class", g.class_index}, {"probability", g.probability}});
  return {{"name", name},
          {"width", width},
          {"height", height},
          {"input", {input[0], input[1], input[2]}},
          {"top3", guesses},
          {"probabilities", probabilities}};
}

json files_state_json(const AppState& state) {
  const FilesState& f = state.files;
  const std::string& file = state.training.status.model_file;
  const json model_file = file.empty() ? json(nullptr) : json(file);
  return {{"notice", f.notice.empty() ? json(nullptr) : json(f.notice)},
          {"noticeError", f.notice_error},
          {"noticeLines", f.notice_lines},
          {"noticeTop", f.notice_lines.empty() ? json(nullptr) : json(f.notice_top)},
          {"photo", f.photo ? f.photo->to_json() : json(nullptr)},
          {"datasetInput", f.dataset_grey ? "28x28-grey" : "32x32"},
          {"modelFile", model_file}};
}

void set_files_notice(AppState& state, const std::string& text, bool error) {
  state.files.notice = text;
  state.files.notice_error = error;
  state.files.notice_time = ImGui::GetCurrentContext() ? ImGui::GetTime() : 0.0;
}

std::string curves_csv(const std::vector<RunRecord>& history) {
  constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();  // an empty CSV field
  std::vector<HistoryCsvRun> runs;
  for (const RunRecord& run : history) {
    HistoryCsvRun r;
    r.run = run.run;
    r.label = run.label;
    r.epochs = run.epochs;
    r.test_accuracy = run.test_accuracy.value_or(kUnknown);
    r.test_loss = run.test_loss.value_or(kUnknown);
    r.test_epoch = run.test_epoch.value_or(0);
    runs.push_back(std::move(r));
  }
  return history_csv(runs);
}

// ---- [SECTION] Exports -------------------------------------------------------------------------

std::string App::save_model(std::vector<uint8_t>* bytes, std::string* name, bool with_epochs) {
  *bytes = backend_->model_file_bytes();
  if (bytes->empty()) {
    return "There is no model to save yet: load a dataset (and train) first.";
  }
  const TrainingState& t = state_.training;
  // The epoch whose weights these are: once tested, the tested (restored) epoch, not the last.
  const int epoch = t.status.test_epoch.value_or(t.epoch);
  *name = "cnnlab-" + model_tag(state_.settings.applied) + "-run" + std::to_string(t.run) +
          "-epoch" + std::to_string(epoch) + (with_epochs ? "-with-epochs" : "") + ".cnnlab";
  if (!with_epochs) return {};
  // The run's kept epochs after the latest weights (docs/model-format.md, "snapshots").
  try {
    const SnapshotStore& store = state_.time_travel.store;
    const std::vector<int> kept = store.epochs(t.run);
    require(!kept.empty(), "save model with its epochs",
            "run " + std::to_string(t.run) + " has no kept epochs yet (they are kept as it trains)");
    LoadedModel latest = deserialize_model(bytes->data(), bytes->size(), "the latest weights");
    require(store.spec(t.run).text() == latest.model->spec().text(), "save model with its epochs",
            "run " + std::to_string(t.run) + "'s kept epochs are of another network");
    for (int e : kept) {
      const EpochSnapshot& s = store.get(t.run, e);
      WeightSnapshot w;
      w.epoch = e;
      w.record = s.record ? epoch_report_json(*s.record) : nlohmann::json(nullptr);
      w.values = s.weights;
      latest.info.snapshots.push_back(std::move(w));
    }
    *bytes = serialize_model(*latest.model, latest.info, latest.optimizer.get());
  } catch (const std::exception& e) {
    bytes->clear();
    return e.what();
  }
  return {};
}

std::string App::export_npz(std::vector<uint8_t>* bytes, std::string* name) {
  if (!state_.lab.model) return "There are no weights to export yet: load a dataset first.";
  // The network on screen: the latest weights, or the epoch the time slider shows (one .npz per
  // epoch, as a student scrubs through a run).
  const TimeTravelState& tt = state_.time_travel;
  const Model* model = shown_model(state_);
  try {
    *bytes = npz_bytes(*model);
  } catch (const std::exception& e) {
    return e.what();
  }
  *name = "cnnlab-" + model_tag(state_.settings.applied) +
          (tt.shown_run > 0 ? "-run" + std::to_string(tt.shown_run) + "-epoch" +
                                  std::to_string(tt.shown_epoch)
                            : std::string()) +
          "-weights.npz";
  return {};
}

std::string App::export_curves(const std::string& format, std::string* text, std::string* name) {
  const std::vector<RunRecord>& history = state_.training.history;
  if (format == "csv") {
    *text = curves_csv(history);
  } else if (format == "json") {
    const std::string dataset = state_.data.loaded ? state_.data.dataset.train.name : "";
    *text = json{{"format", "cnnlab-curves"}, {"version", 1}, {"dataset", dataset},
                 {"runs", run_history_json(history)}}
                .dump(1);
  } else {
    return "curves: unknown format '" + format + "' (csv or json)";
  }
  *name = "cnnlab-curves." + format;
  return {};
}

std::string App::export_runs(const std::string& format, std::string* text, std::string* name) {
  if (format == "csv") {
    *text = state_.runs.log.csv();
  } else if (format == "json") {
    *text = state_.runs.log.to_json().dump(1);
  } else {
    return "runs: unknown format '" + format + "' (csv or json)";
  }
  *name = "cnnlab-runs." + format;
  return {};
}

// ---- [SECTION] Load model ----------------------------------------------------------------------

std::string App::load_model(const uint8_t* bytes, size_t size, const std::string& name) {
  const std::string where = "model file " + name;
  try {
    require(state_.data.loaded, where,
            "cannot be loaded before a dataset: load the data it was trained on first");
    const std::optional<ExperimentReport>& x = state_.training.experiment;
    require(!(x && x->running), where,
            "cannot be loaded while an experiment runs: stop it first");
    // Checked here at once (the same checks the trainer makes), so a bad file is refused before
    // anything is sent and the current run stays as it is.
    LoadedModel loaded = deserialize_model(bytes, size, where);
    const SessionOptions options =
        options_for_model_file(state_.settings.applied, loaded, state_.data.dataset.train, where);
    backend_->load_model(bytes, size, where);
    state_.settings.applied = options;
    state_.settings.draft = options;
    state_.settings.error.clear();
    state_.settings.refused.clear();
    state_.training.message.clear();
    std::string text = "Loaded " + name + ": " + model_tag(options) + ", " +
                       std::to_string(loaded.model->parameter_count()) + " parameters";
    if (const auto lab = LabModelState::from_training_state(loaded.info.training_state)) {
      text += ", " + std::to_string(lab->epoch) + " epoch(s) trained";
      if (lab->test_accuracy) text += ", test accuracy " + percent(*lab->test_accuracy) + " when saved";
    }
    text += ". Evaluating it on the test split; Start continues training from these weights.";
    set_files_notice(state_, text, false);
    state_.ui.right_tab_request = 1;  // Evaluation: the test accuracy appears there
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

// ---- [SECTION] Your own photo ------------------------------------------------------------------

std::string App::classify_photo(const uint8_t* bytes, size_t size, const std::string& name,
                                bool live) {
  try {
    Model* model = state_.lab.model;
    require(model != nullptr, name,
            "cannot be classified yet: there is no model (load a dataset first)");
    const Image photo = decode_image(bytes, size, name);
    const Shape& in = model->input_shape();  // (C, H, W)
    Image fitted = fit_image_to_input(photo, in[0], in[1], in[2]);
    FilesState& f = state_.files;
    f.photo_model.sync(*model, state_.lab.weights_version);
    const InsideMaps maps = compute_inside_maps(*f.photo_model.model(), state_.lab.preprocess,
                                                fitted.pixels.data(), in[0], in[1], in[2]);
    const std::vector<std::string>& names = state_.data.dataset.train.class_names;
    const int classes = static_cast<int>(maps.probabilities.size());
    PhotoResult result;
    for (int c : top_k(maps.probabilities.data(), classes, 3)) {
      result.top3.push_back({c < static_cast<int>(names.size()) ? names[static_cast<size_t>(c)]
                                                                : std::to_string(c),
                             c, maps.probabilities[static_cast<size_t>(c)]});
    }
    const std::string label = name + " (" + std::to_string(photo.width) + "x" +
                              std::to_string(photo.height) + ")";
    const int tab_before = state_.ui.right_tab_request;
    const std::string shown = show_photo_inside(state_, std::move(fitted.pixels), label);
    require(shown.empty(), name, shown);
    if (live) state_.ui.right_tab_request = tab_before;
    result.name = name;
    result.width = photo.width;
    result.height = photo.height;
    for (int i = 0; i < 3; ++i) result.input[i] = in[static_cast<size_t>(i)];
    result.probabilities = maps.probabilities;
    const PhotoResult::Guess best = result.top3.front();
    f.photo = std::move(result);
    if (live) return {};
    set_files_notice(state_, "Classified " + label + ": " + best.label + " " +
                                 percent(best.probability) +
                                 ". Its feature maps are in Inside the network.",
                     false);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

// ---- [SECTION] Picked and dropped files, the File menu -----------------------------------------

void App::show_files_notice(const std::string& text, bool error) { set_files_notice(state_, text, error); }

std::string App::dataset_input() const { return state_.files.dataset_grey ? "28x28-grey" : "32x32"; }

std::string App::open_user_file(const std::string& kind, const uint8_t* bytes, size_t size,
                                const std::string& name) {
  std::string what = kind;
  std::string error;
  if (what == "auto") {
    if (size == 0) error = name + ": empty file (0 bytes)";
    else if (is_image(bytes, size)) what = "photo";
    else if (is_model_file(bytes, size)) what = "model";
    else error = name + ": neither a PNG/JPEG photo nor a CNN Lab model file (.cnnlab)";
  }
  // A model file dropped onto the lab would replace its settings, which an instructor's read-only
  // page has fixed (File > Load model is disabled there too; the page's own JavaScript can still
  // call api.loadModel, which arrives with kind "model").
  if (error.empty() && kind == "auto" && what == "model" && state_.ui.embedding.read_only)
    error = name + ": this page fixes the lab's settings (read-only), so loading a model is off";
  if (error.empty()) {
    if (what == "model") error = load_model(bytes, size, name);
    else if (what == "photo") error = classify_photo(bytes, size, name);
    else if (what == "frame") error = classify_photo(bytes, size, name, true);
    else if (what != "auto") error = "unknown kind of file '" + kind + "' (model, photo, frame or auto)";
  }
  // A camera frame's refusal (no model yet) is the Webcam panel's to show, not a notice a second.
  if (!error.empty() && what != "frame") set_files_notice(state_, error, true);
  return error;
}

void App::apply_file_requests() {
  FilesState& f = state_.files;
  std::vector<FileRequest> requests;
  requests.swap(f.requests);
  for (const FileRequest request : requests) {
    std::vector<uint8_t> bytes;
    std::string name, error, where;
    using R = FileRequest;
    if (request == R::kSaveModel || request == R::kSaveModelEpochs || request == R::kExportNpz) {
      error = request == R::kExportNpz ? export_npz(&bytes, &name)
                                       : save_model(&bytes, &name, request == R::kSaveModelEpochs);
      if (request == R::kSaveModel && !kFilesInBrowser) name = f.model_path;
      if (error.empty() &&
          !platform::save_user_file(name, "application/octet-stream", bytes.data(), bytes.size(),
                                    &where)) {
        error = where;
      }
    } else if (request == R::kExportCurvesCsv || request == R::kExportCurvesJson ||
               request == R::kExportRunsCsv || request == R::kExportRunsJson) {
      std::string text;
      const bool csv = request == R::kExportCurvesCsv || request == R::kExportRunsCsv;
      error = request == R::kExportCurvesCsv || request == R::kExportCurvesJson
                  ? export_curves(csv ? "csv" : "json", &text, &name)
                  : export_runs(csv ? "csv" : "json", &text, &name);
      if (error.empty() &&
          !platform::save_user_file(name, csv ? "text/csv" : "application/json",
                                    reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                    &where)) {
        error = where;
      }
    } else if (request == R::kLoadDataset && !kFilesInBrowser) {
      // The desktop: the trainer reads the path itself; its report replaces the dataset.
      const std::string path = f.dataset_path;
      error = load_dataset_path(path);
      if (error.empty())
        set_files_notice(state_, "Loaded " + path + ": " + state_.data.dataset.train.name, false);
      else set_files_notice(state_, error, true);
      continue;
    } else if (request == R::kLoadDataset || request == R::kDownloadDataset) {
      // The page reads, checks and hands the file to the training worker (web/page/mount.js) and
      // reports the outcome in this notice.
      const bool picked = request == R::kLoadDataset
                              ? platform::pick_user_file("dataset", kDatasetFileTypes)
                              : platform::download_dataset();
      if (!picked) set_files_notice(state_, "this page cannot open or save datasets", true);
      continue;
    } else if (request == R::kWebcamClasses) {
      if (!platform::open_webcam_panel())
        set_files_notice(state_, "this page has no Webcam classes panel", true);
      continue;
    } else if (request == R::kLoadModel || request == R::kClassifyPhoto) {
      const bool model = request == R::kLoadModel;
      if (kFilesInBrowser) {
        if (!platform::pick_user_file(model ? "model" : "photo",
                                      model ? ".cnnlab" : "image/png,image/jpeg")) {
          error = "this page cannot open files";
        }
        if (!error.empty()) set_files_notice(state_, error, true);
        continue;  // the file arrives later through open_user_file
      }
      const std::string path = model ? f.model_path : f.photo_path;
      try {
        require(!path.empty(), model ? "Load model" : "Classify photo", "type a file path first");
        bytes = read_file_bytes(path);
      } catch (const std::exception& e) {
        set_files_notice(state_, e.what(), true);
        continue;
      }
      open_user_file(model ? "model" : "photo", bytes.data(), bytes.size(), path);
      continue;
    } else {
      continue;
    }
    if (!error.empty()) {
      set_files_notice(state_, error, true);
    } else {
      // The browser downloads ("downloaded as NAME"); the desktop writes a path.
      std::string text = where.rfind("downloaded", 0) == 0
                             ? "Saved: " + where
                             : "Saved " + (where.empty() ? name : where);
      // A model saved before its run trained at all: say so, and where the trained one went.
      const TrainingState& t = state_.training;
      if ((request == R::kSaveModel || request == R::kSaveModelEpochs) && t.step == 0 &&
          t.run > 1)
        text += ". Note: run " + std::to_string(t.run) + " has not trained yet (a changed setting "
                "started it), so these are its untrained weights; the trained run " +
                std::to_string(t.run - 1) + " is in the Runs tab.";
      set_files_notice(state_, text, false);
    }
  }
}

}  // namespace cnnlab
