// AppState: everything the lab app knows and shows, as plain structs owned by the App (no
// function-local statics anywhere in the panels). Panels read and edit it; the JavaScript API
// reports it (App::state_json). Settings are the engine's SessionOptions; the *State structs
// hold what the engine produced (empty until it has produced something: panels show an empty
// state, never made-up numbers).
//
// [SECTION] Phase
// [SECTION] Data
// [SECTION] Settings
// [SECTION] Model
// [SECTION] Training
// [SECTION] Curves (run histories)
// [SECTION] Inside the network, Evaluation
// [SECTION] Run log
// [SECTION] Files (save/load model, exports, your own photo)
// [SECTION] UI
// [SECTION] AppState
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data/dataset.h"
#include "data/split.h"
#include "app/experiments_state.h"
#include "app/guide_state.h"
#include "lab/attribution.h"
#include "lab/dataset_report.h"
#include "lab/embed_settings.h"
#include "lab/inside_maps.h"
#include "lab/trainer_command.h"
#include "lab/trainer_report.h"
#include "app/lab_view.h"
#include "model/summary.h"
#include "lab/run_log.h"
#include "lab/run_report.h"
#include "lab/session.h"
#include "lab/snapshot_store.h"
#include "widgets/image_grid.h"

namespace cnnlab {

// ---- [SECTION] Phase ---------------------------------------------------------------------------

// The phases the JavaScript API reports (window.cnnlab.state().phase).
enum class Phase { Loading, Ready, Training, Paused, Done, Error };
const char* phase_name(Phase phase);  // "loading", "ready", ...

// ---- [SECTION] Data ----------------------------------------------------------------------------

// One split as the Data panel shows it.
struct SplitView {
  std::string name;                 // "train", "validation", "test"
  size_t size = 0;
  std::vector<float> class_counts;  // (classes), floats for the bar chart
};

// A packed subset the site offers (data/packs.json, made at build time).
struct SubsetOption {
  std::string id;            // "1k"
  std::string file;          // "data/subset-1k.pack", relative to the site
  int train_per_class = 0;   // 0: all
  int test_per_class = 0;
};

struct DataState {
  std::vector<SubsetOption> subsets;  // empty: the site offers none (or the desktop)
  int chosen_subset = 0;
  bool subset_picked = false;  // the student picked one in the menu (with another dataset loaded)
  bool loaded = false;
  // What the trainer reported of its dataset (lab/dataset_report.h): shape, class names, the
  // training labels, sample images, class means, pixel histogram and the whole test split. The
  // training pixels stay with the trainer.
  DatasetReport dataset;
  std::string origin;               // where it came from: URL or path
  // The stratified validation split of the training labels for the current training settings.
  Split split;
  float split_fraction = -1.0f;     // settings the split was made with (-1: none yet)
  uint64_t split_seed = 0;
  std::vector<SplitView> splits;    // train (without validation), validation, test

  int sample_class = 0;             // class whose samples the grid shows
  int samples_per_class = 24;
  widgets::ImageGrid sample_grid;   // first samples_per_class training images of sample_class
  int sample_grid_class = -1;       // class the grid currently holds
  widgets::ImageGrid mean_grid;     // mean training image per class, (classes, C, H, W)
  std::vector<float> histogram_x;   // 0..255
  std::vector<float> histogram;     // (C, 256): fraction of training pixel values per channel
  std::string status = "No dataset loaded yet.";  // what is happening, or why nothing is loaded
};

// ---- [SECTION] Settings ------------------------------------------------------------------------
// The engine's SessionOptions (train/session.h) are the one source of truth for model and
// training settings: in the panels, the JavaScript API and the trainer alike.

struct SettingsState {
  SessionOptions applied;     // what the trainer runs with (after a successful configure)
  SessionOptions draft;       // what the panels show and edit; applied once no widget is active
  std::string error;          // why the draft was refused (the Session's own message)
  std::string refused;        // the refused draft (JSON), not retried until it changes
};

// ---- [SECTION] Model ---------------------------------------------------------------------------

struct ModelState {
  bool built = false;            // a valid spec and summary exist for the draft settings
  std::string error;             // why the settings are invalid (shown inline)
  std::string input_note;        // which input the summary assumes ("3x32x32, 10 classes")
  ModelSummary summary;          // the engine's per-layer table
  ModelSpec spec;                // the draft's layers for that input (what the layer editor edits)
  Shape input{3, 32, 32};        // the input and classes the summary assumes
  int classes = 10;
  std::string summary_key;       // settings + input the summary was made for
  // "Model as text": the field as the student types it, why it is not a model for this data
  // ("" when it is: it then becomes the draft's spec), and the draft text it last showed (when
  // the draft changes elsewhere, a preset chosen or a layer edited, the field shows the new one).
  std::string spec_edit;
  std::string spec_edit_error;
  std::string spec_edit_source;
  bool spec_edit_active = false;
};

// ---- [SECTION] Training ------------------------------------------------------------------------

// What the trainer last reported (the same from the in-process Session and the Web Worker).
struct TrainingState {
  bool available = false;        // a training backend is connected
  std::string phase = "ready";   // the Session's phase: loading (no data), ready, training, ...
  int run = 0;                   // current run number (1-based)
  int epoch = 0;                 // completed epochs of the current run
  int epochs = 0;                // planned
  int64_t step = 0;              // mini-batches done in the current run
  int64_t steps_per_epoch = 0;
  double progress = 0;           // 0..1
  double images_per_second = 0;
  double eta_seconds = -1;       // < 0: unknown
  bool failed = false;           // the run stopped on a failure (NaN loss, ...)
  std::string stop_reason;
  std::vector<LayerStatsRow> layers;
  SessionStatus status;          // the latest status as reported (lab/session_status.h)
  bool reported = false;         // a status has been reported
  std::vector<RunRecord> history;  // Session::history(): every run (lab/run_report.h)
  std::vector<float> step_loss, step_acc;  // the current run's per-step curve
  int steps_run = 0;             // the run step_loss/step_acc belong to
  // The validation split's confusion matrix after the latest finished epoch (the Evaluation
  // view's live matrix while a run trains); its results.run says which run.
  std::optional<EpochValidation> validation;
  // The validation images of the live matrix's selected cell, as the trainer last answered.
  std::optional<ValidationCell> validation_cell;
  // Session::experiment_state(): the latest experiment's report, once one has been reported.
  std::optional<ExperimentReport> experiment;
  // After the trainer was restarted (App::trainer_restarted): the runs the dead one had
  // reported stay first in history, and the new one's runs and experiments are numbered on
  // from them (apply_trainer_report adds these offsets).
  std::vector<RunRecord> earlier_runs;
  int run_offset = 0, experiment_offset = 0;
  std::string trainer_failure;   // the worker stopped ("" while it runs): the panel offers Restart
  bool restart_requested = false;  // the panel's Restart button was clicked this frame
  uint64_t version = 0;          // increases with every report
  std::string message;           // the last refused command or trainer error (shown in the panel)
  std::vector<CommandType> pending;  // commands the panels' buttons asked for this frame
  int tab_request = -1;          // open this Training tab next frame (0 Settings, 1 statistics)
  // The student clicked (or keyboard-chose) one of the Training tabs: Start then leaves the one
  // they chose open (it shows the statistics only while they never chose).
  bool view_chosen = false;
  bool area_request = false;     // Start or Step: a phone's layout brings the Training area forward
};

// ---- [SECTION] Curves (run histories) ----------------------------------------------------------

// One run's curves for the plots, derived from TrainingState::history and the step curves. x is
// in epochs (fractional for steps), so runs with different batch sizes line up.
struct RunHistory {
  int run = 0;
  std::string label;               // "run 1: cnn 3x3"
  std::string dataset;             // RunRecord::dataset: what it trained on
  int color_index = 0;
  // An earlier run whose per-epoch curves are the same, value for value (a re-run with the same
  // seed and settings): its lines lie exactly under this run's, so the legend says so (0: none).
  int same_curves_as = 0;
  std::vector<float> step_x, step_loss, step_acc;   // per mini-batch (training)
  std::vector<float> epoch_x;                       // 1, 2, ... (end of each epoch)
  std::vector<float> epoch_train_loss, epoch_train_acc, epoch_val_loss, epoch_val_acc;
};

struct CurvesState {
  std::vector<RunHistory> runs;  // earlier runs stay until cleared
  uint64_t built_from = 0;       // the training update (App) the runs were derived from
  bool clear_requested = false;  // the Clear button (handled by the App)
  float smoothing = 0.9f;        // exponential moving average of the per-step curves
  bool show_steps = true;
  // When the runs trained on different datasets: plot only those on the dataset loaded now.
  bool only_current_dataset = false;
  float legend_height = 0.0f;    // the legend's rows as last drawn (pixels; 0: not drawn yet)
};

// ---- [SECTION] Inside the network, Evaluation --------------------------------------------------

// How much of the window the "Explain one pixel" sub-tab takes while open (wide layout only; the
// narrow layout gives every area the whole window anyway): the Results area as always, the whole
// right column (the Curves area steps aside), or the whole window.
enum class ExplainRoom { kShared, kColumn, kWindow };

// Inside the network (panel_inside.cpp; the data functions are in inside_maps.h). Feature maps
// are recomputed only when the weights (LabView::weights_version), the model or the image change.
// "Where it looks" (panel_attribution.cpp): an attribution map of the image Inside the network
// shows, for the network it shows (lab/attribution.h).
struct AttributionView {
  int method = 0;               // index into the view's methods: gradient, SmoothGrad, Grad-CAM, occlusion
  int target = -1;              // the class explained; -1: the one the network predicts
  int patch = 8, stride = 4;    // occlusion's square and its step, in pixels
  std::string key;              // what the map was computed for (image, weights, choices)
  AttributionMap map;
  std::string error;            // why there is no map (an MLP has no Grad-CAM, ...)
  double seconds = 0;           // how long the map took to compute
  std::vector<float> shown;     // (H, W) the map as drawn: in [0, 1], 1 = matters most
  widgets::ImageGrid tiles;     // the image, the map and the two blended
  InsideModelCopy model_copy;   // its own copy: the methods overwrite the activations the pixel
                                // explainer reads from InsideState::model_copy
};

struct InsideState {
  int test_image = 0;          // index into the test split
  int class_filter = -1;       // -1: any class; else Prev/Next/Random stay within this true class
  uint32_t random_draws = 0;   // how many Random picks so far (seeds the next one, reproducibly)
  bool per_map_scale = false;  // false: one colour range per layer (maps comparable); true: each
                               // map stretched to its own min..max
  float map_zoom = 1.0f;       // the feature maps' size, x their default (0.5 .. 4): the
                               // Size buttons' steps, or any size between by pinching
  // An uploaded photo: uint8 (C, H, W) already resized to the model's
  // input; shown instead of the test image while use_upload is set (see inside_view.h).
  bool use_upload = false;
  std::vector<uint8_t> upload_image;
  std::string upload_name;

  // What is drawn, and what it was made from.
  InsideModelCopy model_copy;        // private copy of the lab's model (never disturbs training)
  InsideMaps maps;                   // the image's maps at every conv and pool layer
  std::vector<LayerFilters> filters;  // every conv layer's weights
  uint64_t drawn_version = 0;
  uint64_t drawn_shown_serial = 0;   // TimeTravelState::shown_serial drawn
  const void* drawn_model = nullptr;
  int drawn_image = -1;              // test index, or -2 for the upload
  size_t drawn_test_size = 0;
  bool drawn_per_map = false;
  bool have_drawn = false;
  std::string error;                 // why the maps could not be made (shown instead)
  widgets::ImageGrid input_tile;     // the image as the model sees it (1 tile)
  std::vector<widgets::ImageGrid> map_grids;     // (maps.layers)
  std::vector<widgets::ImageGrid> filter_grids;  // (filters)
  // The clicked feature-map cell: index into maps.layers, the map (channel) and the cell.
  int selected_layer = -1, selected_map = -1, selected_row = -1, selected_col = -1;
  // The cell under the mouse last frame (its field is previewed on the input; -1: none).
  int hover_layer = -1, hover_row = -1, hover_col = -1;

  // The "Explain one pixel" sub-tab (panel_explain.cpp): one output pixel of a conv or pool
  // layer worked out by hand (lab/conv_explainer.h).
  bool explain_shown = false;         // the sub-tab drew this frame (read by the next frame's layout)
  ExplainRoom explain_room = ExplainRoom::kColumn;  // how much of the window it takes (wide layout)
  bool explain_request = false;       // open that sub-tab next frame (the JavaScript API)
  int explain_layer = -1;             // model layer index (conv or pool); -1: the first conv, on
                                      // its liveliest map and brightest pixel (lively_pixel)
  int explain_channel = 0;            // output channel
  int explain_y = 0, explain_x = 0;   // output pixel (row, column)
  int explain_input_channel = 0;      // the input channel whose grids are drawn
  AttributionView where;              // the "Where it looks" sub-tab
  bool where_request = false;         // open that sub-tab next frame (the JavaScript API)
  bool maps_request = false;          // open the Feature maps sub-tab next frame (a lesson step)
  bool explain_playing = false;       // Play: the kernel steps on by itself
  double explain_next_step = 0;       // ImGui time of the next step while playing
  std::string explain_error;          // why the pixel cannot be explained (shown instead)
  widgets::ImageGrid explain_input_tile;   // one input map of a deeper layer (layer 1: input_tile)
  widgets::ImageGrid explain_output_tile;  // the explained output map
  // What the two tiles were made from (remade when any differs).
  uint64_t explain_tiles_serial = 0;
  int explain_tiles_layer = -1, explain_tiles_channel = -1, explain_tiles_input = -1;
  uint64_t maps_serial = 0;           // counts recomputations of `maps` (refresh_inside_maps)
};

// Evaluation (panel_eval.cpp): derived from LabView's test results when test_version changes.
struct EvalState {
  bool evaluated = false;
  float test_loss = 0, test_acc = 0;
  size_t test_count = 0;
  std::vector<float> confusion;      // (classes, classes): true row, predicted column
  int selected_true = -1, selected_pred = -1;
  std::vector<float> precision, recall, f1;  // (classes)
  std::vector<size_t> support;               // (classes) true test images per class
  std::vector<int> predicted;        // (N) argmax class per test image; empty without probabilities
  uint64_t seen_version = 0;
  const void* seen_metrics = nullptr;
  // The images of the selected confusion cell.
  std::vector<int> cell_images;      // test indices
  widgets::ImageGrid cell_grid;
  int cell_grid_true = -1, cell_grid_pred = -1;
  uint64_t cell_grid_version = 0;
  // The prediction gallery (paged).
  int gallery_filter = 0;            // 0 all, 1 wrong only, 2 correct only, 3 wrong only, the
                                     // most confident first
  int gallery_page = 0;
  std::vector<widgets::ImageGrid> gallery_tiles;  // one 1-image grid per card on the page
  std::vector<int> gallery_indices;  // test indices on the page
  int gallery_drawn_page = -1, gallery_drawn_filter = -1;
  int seen_shown = 0;                // RunsState::shown the view was derived for (-1: an epoch
                                     // the time slider shows)
  uint64_t seen_epoch_serial = 0;    // TimeTravelState::shown_serial derived (0: not yet tested)
  // > 0: the view is the validation split's after this epoch of the current run (no test
  // results yet); 0: test results.
  int validation_epoch = 0;
  int seen_validation_run = 0;
  // The live matrix's selected cell: its validation images are asked of the trainer (a
  // validationCell command) once per run, epoch and cell, and shown once the answer is in.
  int cell_asked_run = 0, cell_asked_epoch = 0, cell_asked_true = -1, cell_asked_pred = -1;
  widgets::ImageGrid validation_grid;
  int validation_grid_epoch = 0, validation_grid_true = -1, validation_grid_pred = -1;
  uint64_t gallery_version = 0;
};

// ---- [SECTION] Time travel (per-epoch snapshots) ----------------------------------------------

// A kept epoch's test evaluation (time_travel.h), made once and kept while the epoch is.
struct EpochEvaluation {
  ConfusionMatrix metrics;
  std::vector<float> probabilities;  // (N, K) over data.dataset.test
};

// Every run's weights at its start and after each epoch (lab/snapshot_store.h; the App fills it
// from the trainer's epoch weights), and the epoch the Inside and Evaluation views show instead
// of the latest weights (time_travel.h keeps its model and test evaluation).
struct TimeTravelState {
  SnapshotStore store;
  int shown_run = 0;            // 0: the latest weights are shown (shown_epoch unused)
  int shown_epoch = 0;
  uint64_t shown_serial = 0;    // increases whenever the shown weights change
  std::unique_ptr<Model> model;  // the shown epoch's network (null while the latest is shown)
  // The shown epoch's test evaluation, run a slice per frame; finished ones by (run, epoch).
  std::unique_ptr<Evaluator> evaluator;
  std::map<std::pair<int, int>, EpochEvaluation> evaluations;
  bool playing = false;         // Play: steps through the kept epochs by itself
  double next_play_step = 0;    // ImGui time of the next step while playing
  int training_run_seen = 0;    // the run that last trained (a new one brings the latest back)
};

// ---- [SECTION] Run log -------------------------------------------------------------------------

// The Runs tab (panel_runs.cpp): every finished run's settings and test results until the user
// clears them (lab/run_log.h), logged by App::update_training from the trainer's reports.
struct RunsState {
  RunLog log;
  uint64_t seen_version = 0;  // TrainingState::version last logged from
  bool was_running = false;   // a run or experiment was running then (a new start ends the undo)
  int experiment_id = 0;      // the experiment reported then (0: none)
  int shown = 0;              // the log number the Evaluation panel shows (0: the current run)
  bool clear_requested = false, undo_requested = false;  // the Runs tab's buttons, this frame
};

// ---- [SECTION] Files (save/load model, exports, your own photo) --------------------------------

// What a File menu item (or a panel's button) asks for; App::apply_file_requests acts on it.
enum class FileRequest {
  kSaveModel,        // the model file with the lab's settings
  kSaveModelEpochs,  // the same with the run's kept epochs (its time-travel snapshots)
  kLoadModel,        // pick (browser) or read (desktop) a model file
  kExportNpz,        // the weights as .npz, PyTorch layout
  kExportCurvesCsv,  // every run's per-epoch curves
  kExportCurvesJson,
  kExportRunsCsv,    // the run log
  kExportRunsJson,
  kClassifyPhoto,    // pick or read a photo and classify it
  kLoadDataset,      // browser: pick your own dataset (.zip, .tar, .tar.gz, .pack)
  kDownloadDataset,  // browser: save the current dataset as a pack
  kWebcamClasses,    // browser: open the page's Webcam classes panel (web/page/webcam-panel.js)
};

// The last photo classified: what state().files.photo reports.
struct PhotoResult {
  struct Guess {
    std::string label;
    int class_index = 0;
    float probability = 0;
  };
  std::string name;
  int width = 0, height = 0;     // the photo as decoded
  int input[3] = {0, 0, 0};      // (C, H, W) it was fitted to
  std::vector<Guess> top3;       // most probable first
  std::vector<float> probabilities;  // (K)

  // {name, width, height, input: [C, H, W], top3: [{label, class, probability}], probabilities}
  nlohmann::json to_json() const;
};

// The File menu and what it produced (files_actions.cpp, panel_files.cpp).
struct FilesState {
  std::vector<FileRequest> requests;   // chosen this frame, in order
  char model_path[512] = "cnnlab-model.cnnlab";  // desktop: the file Save/Load model use
  char photo_path[512] = "";           // desktop: the photo Classify reads
  char dataset_path[512] = "";         // desktop: the dataset Load dataset reads (file or folder)
  std::string notice;                  // the last file action's outcome (shown for a while)
  bool notice_error = false;
  double notice_time = -1;             // ImGui time it was set (< 0: none)
  // The notice as this frame draws it (lay_out_files_notice): lines broken at spaces, a word too
  // long for a line (a file name) shortened in its middle, the full text then in a tooltip.
  std::vector<std::string> notice_lines;
  bool notice_shortened = false;
  float notice_top = 0;                // display pixels: where its strip starts
  InsideModelCopy photo_model;         // private copy of the lab's model to classify photos on
  std::optional<PhotoResult> photo;    // the last photo's result; none before
  bool dataset_grey = false;           // your own datasets fitted to 28x28 grey (else 32x32
                                       // colour): state().files.datasetInput
};

// ---- [SECTION] UI ------------------------------------------------------------------------------

// What the last frame drew, as state().ui reports it (tests click by position and check what
// happened; nothing here is read back by the panels). Rectangles in display pixels.
struct DrawnTab {
  std::string bar;   // "setup", "curves", "results", "training", "evaluation", "menu"
  std::string name;  // the tab's (or menu's) label
  float x = 0, y = 0, w = 0, h = 0;
  bool visible = true;  // not scrolled out of its panel's view (controls)
};
struct DrawnScroll {   // a scrolling panel: where it is and how far it can go
  std::string name;    // "data", "model", "experimentSetup", "inside", "eval", ...
  float y = 0, max_y = 0;
  float h = 0;         // its visible height (display pixels)
};
struct DrawnTable {
  std::string name;    // the table's ImGui id ("experiment_results", "per_class", ...)
  int rows = 0;        // data rows (the header not counted)
  // The table's own box shows its last row in full (false: partly behind the box's edge or its
  // horizontal scrollbar); scrolls_y: the box scrolls vertically, so any row can be reached.
  bool last_row_visible = true, scrolls_y = false;
};
struct DrawnCell {      // a table cell's text broken at spaces (wrapped_cell, panels.h)
  std::string table;   // the table's ImGui id
  std::string text;    // the whole text
  std::vector<std::string> lines;  // as drawn, one per line
};
struct DrawnUi {
  std::vector<DrawnTab> tabs;                      // every tab and top menu drawn
  std::vector<DrawnCell> cells;
  // The Training panel's settings (bar "training", name: the option key, "key-" / "key+" for
  // its step buttons, "groupX" for a group's heading), while the Settings tab is open.
  std::vector<DrawnTab> controls;
  std::map<std::string, std::string> open_tabs;    // per tab bar: the selected tab's label
  std::string open_menu;                           // the open top menu ("File", "View") or ""
  std::vector<DrawnScroll> scrolls;
  std::vector<DrawnTable> tables;
  float areas_bottom = 0;  // the lowest bottom edge of the four areas' windows as drawn
};

// Keyboard shortcuts (web/README.md lists their keys): main.cpp reads the keys, the App (start or
// pause, step, reset) and the Inside panel (next / previous test image) act on them.
enum class Shortcut { kStartOrPause, kStep, kReset, kNextImage, kPreviousImage };

struct UiState {
  float scale = 1.0f;            // pixels per logical pixel (HiDPI)
  bool font_loaded = false;      // false: ImGui's built-in font (the TrueType file was missing)
  std::string font_message;      // why not
  int left_tab_request = -1;     // open this Setup tab next frame (0 Data, 1 Model)
  int right_tab_request = -1;    // open this Results tab next frame (0 Inside, 1 Evaluation)
  bool show_widget_check = false;
  widgets::ImageGrid widget_check_images;  // the widget check's synthetic tiles
  widgets::ImageGrid widget_check_maps;
  bool show_imgui_metrics = false;
  double fps = 0;
  // The frame rate the status bar shows, refreshed once a second: a number that changed every
  // frame would make every frame differ from the one on screen (platform/repaint_check.h).
  int shown_fps = 0;
  double shown_fps_time = -1.0;  // ImGui::GetTime() when shown_fps was taken
  // Frames the app has drawn (App::frame calls): tests and benchmarks count these, not the
  // browser's animation frames, which go on whether or not the app draws.
  int64_t frames_drawn = 0;
  // Of those, the frames painted to the canvas: the browser skips painting a frame identical to
  // the one on screen (platform/repaint_check.h), so this grows slower while little changes.
  int64_t frames_painted = 0;
  DrawnUi drawn;                 // what the last frame drew (App::frame clears it first)
  int64_t clicks = 0;            // left-button presses the app has seen (one per click or tap)
  std::vector<Shortcut> shortcuts;  // pressed since the last frame; cleared when it ends
  bool narrow = false;           // the last frame used the narrow layout (one area at a time)
  bool rows = false;             // the last frame stacked the areas in rows (a tablet upright)
  // This frame's pinch on a touch screen (platform/input_queue.h PointerFrame::zoom: 1 none, 2
  // the two fingers twice as far apart as in the frame before); main.cpp sets it. The feature
  // maps under the pinch take it as their size (InsideState::map_zoom).
  float pinch_zoom = 1.0f;
  bool short_results = false;    // the Results area is short (a phone, a 1280x800 laptop): its
                                 // controls above the maps take as few lines as they can
  int narrow_area = 0;           // narrow windows: the area shown (0 Setup, 1 Training, 2 Curves,
                                 // 3 Results; app.cpp's narrow_layout)
  std::string status;            // the menu bar's status ("training", "experiment running 40 %")
  std::string status_shown;      // the status as drawn: short ("exp. 40 %") on a narrow menu bar
  // What the embedding page chose (lab/embed_settings.h, checked there; web/app/embed_options.h
  // applies and draws it: the page's panels/readOnly/theme options).
  using Embedding = EmbedSettings;
  Embedding embedding;
};

// ---- [SECTION] AppState ------------------------------------------------------------------------

struct AppState {
  Phase phase = Phase::Ready;
  std::string error;             // set when phase == Error
  DataState data;
  SettingsState settings;
  ModelState model;
  TrainingState training;
  CurvesState curves;
  InsideState inside;
  EvalState eval;
  RunsState runs;                // the run log (Runs tab; the Evaluation panel can show any)
  FilesState files;              // save/load model, exports, your own photo (files_actions.h)
  ExperimentsState experiments;  // the Experiments panel (experiments_state.h)
  GuideState guide;              // the Guide tab's lesson (guide_state.h)
  TimeTravelState time_travel;   // per-epoch snapshots and the epoch shown (time_travel.h)
  // The latest weights and test results wherever training runs (see lab_view.h); the App keeps
  // it current, the Inside-the-network and Evaluation panels read it.
  LabView lab;
  UiState ui;
};

}  // namespace cnnlab
