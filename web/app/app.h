// App: the lab app as one object, independent of desktop or browser. main.cpp owns one, calls
// set_ui_scale when the pixel density changes and frame() once per frame between
// ImGui::NewFrame and ImGui::Render; the JavaScript API reads state_json().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app_state.h"
#include "lab/trainer_command.h"

namespace cnnlab {

class TrainingBackend;

class App {
 public:
  App();
  ~App();

  // Rebuilds the font atlas (DejaVu Sans at 16 logical px x scale) and the style for a new
  // pixel density. Returns true when the atlas changed (the renderer must re-upload it).
  bool set_ui_scale(float scale);
  float ui_scale() const { return state_.ui.scale; }

  // Draws every panel for this frame.
  void frame();
  // A run or an experiment is training (the API's phase 'training'): the browser paces frames.
  bool training() const { return api_phase(nullptr) == "training"; }

  // Has the trainer load a dataset from disk (desktop; in the page the pack goes from the page to
  // the training worker, which reports it). Returns "" on success, else the error message; on
  // failure the app and the trainer keep the dataset they had.
  std::string load_dataset_path(const std::string& path);
  // The subsets the site offers, from data/packs.json ({"default", "packs": [{"id", "file",
  // "trainPerClass", "testPerClass"}]}). Returns "" or what is wrong with the manifest.
  std::string set_subsets_json(const std::string& manifest);
  // Opens a tab: "guide", "data", "model", "inside", "explain" (Inside the network's "Explain one
  // pixel"), "where" (its "Where it looks"), "eval", "runs", or "experiment" (the three Experiment
  // tabs);
  // false for another name.
  bool select_tab(const std::string& name);
  // What the Data panel says while no dataset is loaded ("Downloading ...").
  void set_data_status(const std::string& status);
  // Embedding options and messages from the page: theme, panels, hide, readOnly, notice,
  // linkStatus (embed_options.h, defined in embed_options.cpp). "" or why (nothing changed).
  std::string set_ui_json(const std::string& options_json);

  // ---- Training: the JavaScript API and the panels' buttons take these same paths -------------
  // Applies options (SessionOptions' JSON keys) over the current ones: validated here with the
  // engine's own rules (an Error's message is returned, nothing changes), then sent to the
  // trainer. Returns "" on success.
  std::string configure(const nlohmann::json& options);
  std::string configure_json(const std::string& options_json);
  // train, pause, step, reset, clearHistory, stopExperiment, resumeExperiment (the trainer's);
  // "" or why it was refused. command_named takes the JavaScript API's name of one, or of the
  // app's own run-log commands clearRuns and undoClearRuns.
  std::string command(CommandType type);
  std::string command_named(const std::string& name);
  // Starts an experiment (Session::start_experiment's options); "" or why not (an
  // invalid sweep is refused here with the engine's explanation, before anything starts).
  std::string experiment_json(const std::string& options_json);
  std::string start_experiment(const nlohmann::json& options);
  // The experiment's results as text: format "csv", "markdown" or "json" -> *text; "png" asks
  // for the plots to be captured after the next frame (a download / a file). "" or why not.
  std::string experiment_export(const std::string& format, std::string* text);
  // Called by main after the frame is rendered, before the swap (reads back the plots for the
  // PNG export when one was asked for).
  void after_render(int framebuffer_width, int framebuffer_height);
  // Whether after_render will read this frame's pixels back (main then paints it even when it
  // is identical to the frame on screen: a canvas not drawn to has nothing to read).
  bool reads_back_after_render() const;
  // Every run's per-epoch records (Session::history()) as JSON text.
  std::string history_json() const;
  // ---- Files: save/load model, exports, your own photo (files_actions.cpp) -------------------
  // Each returns "" or why not (also shown in the app); on failure nothing trained changes.
  // The model as a model file (with the lab's settings), the weights as .npz (PyTorch layout),
  // every run's curves as "csv" or "json"; *name is the suggested file name.
  // with_epochs: the current run's kept epochs go in the file too (its time-travel snapshots).
  std::string save_model(std::vector<uint8_t>* bytes, std::string* name, bool with_epochs = false);
  std::string export_npz(std::vector<uint8_t>* bytes, std::string* name);
  std::string export_curves(const std::string& format, std::string* text, std::string* name);
  // The run log (lab/run_log.h): "csv" (a row per run) or "json" ({format, version, runs}).
  std::string export_runs(const std::string& format, std::string* text, std::string* name);
  // Makes a saved model the lab's (settings from the file, the current run archived, test
  // evaluation follows); refused when it does not fit the data, is corrupt or from another
  // version.
  std::string load_model(const uint8_t* bytes, size_t size, const std::string& name);
  // Classifies a PNG/JPEG with the current model (centre crop + resize to its input) and shows
  // it in the Inside-the-network panel; the result is state().files.photo.
  // live: a camera frame of the Webcam classes panel (several a second): no notice, and the
  // Results tab the student chose stays in front.
  std::string classify_photo(const uint8_t* bytes, size_t size, const std::string& name,
                             bool live = false);
  // A file the student picked or dropped: kind "model", "photo" or "auto" (by its first bytes);
  // "frame": a camera frame (classify_photo, live).
  std::string open_user_file(const std::string& kind, const uint8_t* bytes, size_t size,
                             const std::string& name);
  // The files notice, set by the page for what it does with files (your own dataset: reading,
  // loaded, refused with the file and the reason; Download dataset).
  void show_files_notice(const std::string& text, bool error);
  // The input your own datasets are fitted to, as the File menu shows it: "32x32" (colour) or
  // "28x28-grey".
  std::string dataset_input() const;
  // ---- Guide: lessons (guide_actions.cpp) -----------------------------------------------------
  // Each returns "" or why not (also shown in the Guide tab); a refused lesson leaves the open
  // one as it was. open_lesson: a built-in lesson by id ("assignment"); open_lesson_text: a
  // lesson file's text (a teacher's, fetched by the page), `name` naming it in messages.
  std::string open_lesson(const std::string& id);
  std::string open_lesson_text(const std::string& text, const std::string& name);
  // Shows step `step` (1-based) of the open lesson.
  std::string guide_go_to(int step);
  // The shown step's "Set it up for me": its action through configure / train / experiment.
  std::string guide_set_up();
  // Deliveries from the training worker (browser; see training_backend.h).
  void receive_trainer_report(const std::string& report_json);
  // A dataset the training worker loaded (its DatasetReport's bytes): shown at once, so that
  // options applied right after (checked against the data's shape) see it.
  void receive_trainer_dataset(const uint8_t* bytes, size_t size);
  // The page replaced a training worker that died with a fresh one and is loading the dataset
  // again: everything shown stays (curves, run log, the last weights), the new worker's runs
  // are numbered on, and it gets the last weights and settings once it has the data.
  void trainer_restarted();
  void receive_trainer_test(const std::string& results_json, const float* probs, size_t count);
  TrainingBackend& backend() { return *backend_; }

  // The state the page's window.cnnlab.state() returns, as a JSON object; the reference stays
  // valid until the next call.
  const std::string& state_json();

  AppState& state() { return state_; }
  const AppState& state() const { return state_; }

 private:
  // The API's phase (loading/ready/training/paused/done/error) and, for 'error', why.
  std::string api_phase(std::string* error) const;
  void update_training();
  void rebuild_curves();
  void update_run_log();
  void apply_panel_requests();
  void apply_file_requests();  // the File menu's items (files_actions.cpp)
  void apply_guide_requests();  // the Guide tab's buttons (guide_actions.cpp)
  // The trainer's report of a newly loaded dataset, if one came (training_backend.h).
  void take_dataset_report();

  AppState state_;
  std::unique_ptr<TrainingBackend> backend_;
  std::map<int, int64_t> steps_per_epoch_of_run_;  // seen while each run was current (curves' x)
  std::map<int, std::string> run_labels_;          // each run's label while it was current
  std::string state_json_;
  bool fonts_built_ = false;
};

}  // namespace cnnlab
