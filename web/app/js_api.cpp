// The JavaScript API's C side: the functions web/page's scripts call with Module.ccall on this
// wasm instance (window.cnnlab / the lab API, and the relay of the training worker's messages).
// Each forwards to the one App of this instance; strings returned stay valid until the next
// call. Browser only: the desktop has no JavaScript.
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/experiment_actions.h"
#include "app/inside_view.h"
#include "app/js_api.h"
#include "app/time_travel.h"
#include "app/training_backend.h"

namespace cnnlab {

namespace {
// The app behind the JavaScript API. One per wasm instance; set by main, read by the exported
// C functions below (JavaScript cannot hold a C++ reference any other way).
App* js_app = nullptr;
std::string js_result;  // the last string returned to JavaScript (valid until the next call)
}  // namespace

void attach_js_api(App* app) { js_app = app; }

}  // namespace cnnlab

// ---- C functions behind window.cnnlab (called with Module.ccall from web/page/app-instance.js) --------
extern "C" {

// The app's state as a JSON object (see App::state_json); the string lives until the next call.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_state_json() {
  using cnnlab::js_app;
  if (!js_app) return "{\"phase\":\"loading\",\"error\":null}";
  return js_app->state_json().c_str();
}

// Bytes of the app's heap allocated and not yet freed (state().memory.appHeapInUseBytes; the
// wasm memory's size only grows, a high-water mark).
EMSCRIPTEN_KEEPALIVE double cnnlab_heap_in_use() { return static_cast<double>(mallinfo().uordblks); }

// Of that, the bytes the two per-epoch snapshot stores hold (the runs' and the experiment's; each
// thinned to its budget, so a soak's heap rises by up to their sum without leaking).
EMSCRIPTEN_KEEPALIVE double cnnlab_snapshot_bytes() {
  using cnnlab::js_app;
  if (!js_app) return 0;
  const cnnlab::AppState& s = js_app->state();
  return static_cast<double>(s.time_travel.store.bytes() + s.experiments.snapshots.bytes());
}

// Opens a tab ("data", "model", "inside", "eval"); 0 for an unknown name.
EMSCRIPTEN_KEEPALIVE int cnnlab_select_tab(const char* name) {
  using cnnlab::js_app;
  return js_app && name && js_app->select_tab(name) ? 1 : 0;
}

// The subsets the site offers: data/packs.json's text. Returns "" or the error message.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_set_subsets(const char* manifest_json) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  js_result = js_app->set_subsets_json(manifest_json ? manifest_json : "");
  return js_result.c_str();
}

// The files notice (the page's outcome of a file action: your own dataset); error: red.
EMSCRIPTEN_KEEPALIVE void cnnlab_files_notice(const char* text, int error) {
  if (cnnlab::js_app && text) cnnlab::js_app->show_files_notice(text, error != 0);
}

// The File menu's input size for your own datasets: "32x32" or "28x28-grey".
EMSCRIPTEN_KEEPALIVE const char* cnnlab_dataset_input() {
  using cnnlab::js_result;
  js_result = cnnlab::js_app ? cnnlab::js_app->dataset_input() : "32x32";
  return js_result.c_str();
}

// What the Data panel says while no dataset is loaded (e.g. "Downloading ... 40 %").
EMSCRIPTEN_KEEPALIVE void cnnlab_set_data_status(const char* status) {
  if (cnnlab::js_app && status) cnnlab::js_app->set_data_status(status);
}

// Embedding options and messages (JSON: theme, panels, hide, readOnly, notice, linkStatus; see
// app/embed_options.h). Returns "" or why they were refused (then nothing changed).
EMSCRIPTEN_KEEPALIVE const char* cnnlab_set_ui(const char* options_json) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  js_result = js_app->set_ui_json(options_json ? options_json : "");
  return js_result.c_str();
}

// ---- Training (the JavaScript API's configure/train/... and the worker's deliveries) ----------

// Applies options (JSON object text, the JS API's names). Returns "" or why they were refused.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_configure(const char* options_json) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  js_result = js_app->configure_json(options_json ? options_json : "");
  return js_result.c_str();
}

// train, pause, step, reset, clearHistory, stopExperiment. Returns "" or why it was refused.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_command(const char* name) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  js_result = js_app->command_named(name ? name : "");
  return js_result.c_str();
}

// Starts an experiment (options as JSON text). Returns "" or why it was refused.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_experiment(const char* options_json) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  js_result = js_app->experiment_json(options_json ? options_json : "");
  return js_result.c_str();
}

// The experiment's results in a format (csv, markdown, json; png: the plots as a download after
// the next frame) as JSON text {"error": "" or why, "text": ...}.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_experiment_export(const char* format) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  std::string text, error = "the app is not running";
  if (js_app) error = js_app->experiment_export(format ? format : "", &text);
  js_result = nlohmann::json{{"error", error}, {"text", text}}.dump();
  return js_result.c_str();
}

// An experiment configuration's weights from the worker (model-file bytes; the caller frees them).
EMSCRIPTEN_KEEPALIVE void cnnlab_trainer_experiment_snapshot(int config, const uint8_t* bytes,
                                                             size_t size) {
  if (cnnlab::js_app)
    cnnlab::js_app->backend().receive_experiment_snapshot(config, bytes, size);
}

// An experiment configuration's weights at its start or after an epoch: the note's JSON text
// (ExperimentEpochNote) and model-file bytes (the caller frees them).
EMSCRIPTEN_KEEPALIVE void cnnlab_trainer_experiment_epoch(const char* note_json,
                                                          const uint8_t* bytes, size_t size) {
  if (cnnlab::js_app)
    cnnlab::js_app->backend().receive_experiment_epoch(note_json ? note_json : "", bytes, size);
}

// Session::history() of the trainer (every run) as JSON text.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_history_json() {
  using cnnlab::js_app;
  using cnnlab::js_result;
  js_result = js_app ? js_app->history_json() : "[]";
  return js_result.c_str();
}

// A report of the training worker (TrainerReport's JSON text, lab/trainer_report.h).
EMSCRIPTEN_KEEPALIVE void cnnlab_trainer_report(const char* report_json) {
  if (cnnlab::js_app && report_json)
    cnnlab::js_app->receive_trainer_report(report_json);
}

// A dataset the worker loaded: its DatasetReport's bytes (lab/dataset_report.h; in this
// instance's heap, the caller frees them). The only way a dataset reaches the app in the page.
EMSCRIPTEN_KEEPALIVE void cnnlab_trainer_dataset(const uint8_t* bytes, size_t size) {
  if (cnnlab::js_app) cnnlab::js_app->receive_trainer_dataset(bytes, size);
}

// The worker's model as model-file bytes (in this instance's heap; the caller frees them).
EMSCRIPTEN_KEEPALIVE void cnnlab_trainer_snapshot(const uint8_t* bytes, size_t size) {
  if (cnnlab::js_app) cnnlab::js_app->backend().receive_snapshot(bytes, size);
}

// The worker's test results (JSON text) and probabilities (count floats; the caller frees them).
EMSCRIPTEN_KEEPALIVE void cnnlab_trainer_test(const char* results_json, const float* probs,
                                              size_t count) {
  if (cnnlab::js_app && results_json)
    cnnlab::js_app->receive_trainer_test(results_json, probs, count);
}

// A command the worker refused (fatal 0) or the worker failed (fatal 1).
EMSCRIPTEN_KEEPALIVE void cnnlab_trainer_error(const char* message, int fatal) {
  if (cnnlab::js_app && message)
    cnnlab::js_app->backend().receive_error(message, fatal != 0);
}

// The page started a fresh training worker after the last one died (App::trainer_restarted).
EMSCRIPTEN_KEEPALIVE void cnnlab_trainer_restarted() {
  if (cnnlab::js_app) cnnlab::js_app->trainer_restarted();
}

}  // extern "C"

// ---- Files: save/load model, exports, your own photo (App, files_actions.cpp) -----------------
namespace {
std::vector<uint8_t> js_file;  // the file cnnlab_export_file prepared (valid until the next one)
std::string js_file_name;
}  // namespace

extern "C" {

// Prepares a file for the page: what = "model" (model file; "model-epochs" with the current
// run's kept epochs), "npz" (weights), "csv" or "json"
// (every run's curves), "runs-csv" or "runs-json" (the run log). Returns "" (then
// cnnlab_file_data/size/name) or why not.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_export_file(const char* what) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  js_file.clear();
  js_file_name.clear();
  if (!js_app) return "the app is not running";
  const std::string kind = what ? what : "";
  if (kind == "model" || kind == "model-epochs") {
    js_result = js_app->save_model(&js_file, &js_file_name, kind == "model-epochs");
  } else if (kind == "npz") {
    js_result = js_app->export_npz(&js_file, &js_file_name);
  } else if (kind == "csv" || kind == "json") {
    std::string text;
    js_result = js_app->export_curves(kind, &text, &js_file_name);
    js_file.assign(text.begin(), text.end());
  } else if (kind == "runs-csv" || kind == "runs-json") {
    std::string text;
    js_result = js_app->export_runs(kind.substr(5), &text, &js_file_name);
    js_file.assign(text.begin(), text.end());
  } else {
    js_result = "unknown export '" + kind +
                "' (model, model-epochs, npz, csv, json, runs-csv or runs-json)";
  }
  return js_result.c_str();
}

EMSCRIPTEN_KEEPALIVE const uint8_t* cnnlab_file_data() { return js_file.data(); }
EMSCRIPTEN_KEEPALIVE size_t cnnlab_file_size() { return js_file.size(); }
EMSCRIPTEN_KEEPALIVE const char* cnnlab_file_name() { return js_file_name.c_str(); }

// A file the student picked or dropped, or the API passed: kind "model", "photo" or "auto".
// `size` bytes at `bytes` (the caller frees them). Returns "" or why it was refused.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_open_file(const char* kind, const uint8_t* bytes,
                                                  size_t size, const char* name) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  js_result = js_app->open_user_file(kind ? kind : "auto", bytes, size, name ? name : "file");
  return js_result.c_str();
}

// Lessons (the Guide tab): a built-in lesson by id; a lesson file's bytes (UTF-8 text, a
// teacher's, fetched by the page) named `name` in messages; a step (1-based) of the open lesson.
// Each returns "" or why not.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_open_lesson(const char* id) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  js_result = js_app->open_lesson(id ? id : "");
  return js_result.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* cnnlab_open_lesson_text(const uint8_t* bytes, size_t size,
                                                         const char* name) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  js_result = js_app->open_lesson_text(std::string(reinterpret_cast<const char*>(bytes), size),
                                       name ? name : "lesson");
  return js_result.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* cnnlab_guide_set_up() {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  js_result = js_app->guide_set_up();
  return js_result.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* cnnlab_guide_go_to(int step) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  js_result = js_app->guide_go_to(step);
  return js_result.c_str();
}

// One output pixel worked out by hand (the Inside tab's "Explain one pixel"): request is JSON text
// {layer (1-based), channel, y, x}. Returns JSON text {"error": "" or why, "explanation": ...}
// and shows that pixel in the view.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_explain_pixel(const char* request_json) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  std::string explanation, error = "the app is not running";
  if (js_app) {
    error = cnnlab::explain_pixel_json(js_app->state(), request_json ? request_json : "",
                                       &explanation);
  }
  js_result = error.empty() ? "{\"error\":\"\",\"explanation\":" + explanation + "}"
                            : nlohmann::json{{"error", error}}.dump();
  return js_result.c_str();
}

// An attribution map of the image Inside the network shows (its "Where it looks" sub-tab):
// request is JSON text {method, class, patch, stride}. Returns JSON text {"error": "" or why,
// "map": {method, class, predictedClass, probability, shape, values}} and shows it there.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_saliency(const char* request_json) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  std::string map, error = "the app is not running";
  if (js_app) {
    error = cnnlab::attribution_json(js_app->state(), request_json ? request_json : "", &map);
  }
  js_result = error.empty() ? "{\"error\":\"\",\"map\":" + map + "}"
                            : nlohmann::json{{"error", error}}.dump();
  return js_result.c_str();
}

// Time travel (app/time_travel.h): shows run `run`'s weights after `epoch` in Inside the network
// and Evaluation (run 0: back to the latest weights). Returns "" or why it was refused.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_show_epoch(int run, int epoch) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  if (run == 0) {
    cnnlab::show_latest(js_app->state());
    js_result.clear();
  } else {
    js_result = cnnlab::show_epoch(js_app->state(), run, epoch);
    if (js_result.empty()) js_app->state().time_travel.playing = false;
  }
  return js_result.c_str();
}

// The kept epoch snapshots, JSON text [{run, epochs: [0, 1, ...]}].
EMSCRIPTEN_KEEPALIVE const char* cnnlab_snapshots_json() {
  using cnnlab::js_app;
  using cnnlab::js_result;
  js_result = js_app ? cnnlab::snapshots_json(js_app->state()).dump() : "[]";
  return js_result.c_str();
}

// The experiment's time slider (app/experiment_actions.h): every configuration's network after
// `epoch` in the side-by-side maps (epoch < 0: the latest). Returns "" or why it was refused.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_show_experiment_epoch(int epoch) {
  using cnnlab::js_app;
  using cnnlab::js_result;
  if (!js_app) return "the app is not running";
  js_result = cnnlab::show_experiment_epoch(js_app->state(), epoch);
  return js_result.c_str();
}

// The experiment's kept epochs, JSON text [{config, label, epochs: [0, 1, ...]}].
EMSCRIPTEN_KEEPALIVE const char* cnnlab_experiment_snapshots_json() {
  using cnnlab::js_app;
  using cnnlab::js_result;
  js_result = js_app ? cnnlab::experiment_snapshots_json(js_app->state()).dump() : "[]";
  return js_result.c_str();
}

// The last classified photo (state().files.photo), JSON text.
EMSCRIPTEN_KEEPALIVE const char* cnnlab_photo_json() {
  using cnnlab::js_app;
  using cnnlab::js_result;
  js_result = js_app && js_app->state().files.photo
                  ? js_app->state().files.photo->to_json().dump()
                  : "null";
  return js_result.c_str();
}

}  // extern "C"

#endif  // __EMSCRIPTEN__
