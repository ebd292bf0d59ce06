// AppState: everything the lab app knows and shows, as plain structs owned by the App (no
// function-local statics anywhere in the panels). Panels read and edit it; the JavaScript API
// reports it (App::state_json). Settings structs hold what the student chose; the *State structs
// hold what the engine produced (empty until it has produced something: panels show an empty
// state, never made-up numbers).
//
// [SECTION] Phase
// [SECTION] Data
// [SECTION] Model
// [SECTION] Training
// [SECTION] Curves (run histories)
// [SECTION] Inside the network, Evaluation
// [SECTION] UI
// [SECTION] AppState
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/split.h"
#include "model/summary.h"
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
  bool loaded = false;
  DataSource source;                // the engine's train and test splits, uint8 (N, C, H, W)
  std::string origin;               // where it came from: URL or path
  // The stratified validation split of source.train for the current training settings.
  Split split;
  float split_fraction = -1.0f;     // settings the split was made with (-1: none yet)
  uint32_t split_seed = 0;
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

// ---- [SECTION] Model ---------------------------------------------------------------------------

struct ModelSettings {
  std::string preset = "cnn";  // mlp, cnn1, cnn, vgg, mlp-small
  int kernel = 3;              // conv kernel size, 1..11
  int filters = 32;            // filters of the first conv block (later blocks double it)
  int dense = 128;             // width of the first hidden dense layer
  float dropout = -1.0f;       // < 0: the preset's own dropout; >= 0: every dropout layer's rate
};

struct ModelState {
  ModelSettings settings;
  bool built = false;            // a valid spec and summary exist for the current settings
  std::string error;             // why the settings are invalid (shown inline)
  std::string input_note;        // which input the summary assumes ("3x32x32, 10 classes")
  ModelSummary summary;          // the engine's per-layer table
  std::string summary_key;       // settings + input the summary was made for
};

// ---- [SECTION] Training ------------------------------------------------------------------------

struct TrainingSettings {
  std::string optimizer = "adam";  // adam, adamw, sgd
  float learning_rate = 1e-3f;
  int batch = 64;
  int epochs = 10;
  bool early_stopping = true;
  int patience = 3;
  bool augment_flip = false;
  bool augment_shift = false;
  uint32_t seed = 42;
  float val_fraction = 0.1f;
};

// Per-layer statistics like ConvNetJS's (filled by the trainer).
struct LayerStats {
  std::string layer;
  float act_min = 0, act_max = 0, grad_min = 0, grad_max = 0;
  float forward_ms = 0, backward_ms = 0;
};

struct TrainingState {
  TrainingSettings settings;
  bool available = false;       // a trainer is wired into the app
  int epoch = 0;                // completed epochs
  int64_t step = 0;             // mini-batches done
  int64_t steps_per_epoch = 0;
  double images_per_second = 0;
  double eta_seconds = -1;      // < 0: unknown
  std::vector<LayerStats> layers;
};

// ---- [SECTION] Curves (run histories) ----------------------------------------------------------

// One epoch's record of a run (window.cnnlab.history()).
struct EpochRecord {
  int epoch = 0;
  float train_loss = NAN, train_acc = NAN, val_loss = NAN, val_acc = NAN;  // NaN: not measured
  double seconds = 0;
};

struct RunHistory {
  std::string label;               // "cnn k=3, adam 1e-3 (run 1)"
  int color_index = 0;
  std::vector<float> step_x, step_loss, step_acc;   // per mini-batch (training)
  std::vector<float> epoch_x;                       // 1, 2, ...
  std::vector<float> epoch_train_loss, epoch_train_acc, epoch_val_loss, epoch_val_acc;
};

struct CurvesState {
  std::vector<RunHistory> runs;  // earlier runs stay until cleared
  float smoothing = 0.9f;        // exponential moving average of the per-step curves
  bool show_steps = true;
};

// ---- [SECTION] Inside the network, Evaluation --------------------------------------------------

struct InsideState {
  int test_image = 0;          // index into the test split
  int layer = 0;               // layer whose maps are shown
  widgets::ImageGrid input_tile;
  widgets::ImageGrid maps;
  widgets::ImageGrid filters;
};

struct EvalState {
  bool evaluated = false;
  float test_loss = 0, test_acc = 0;
  std::vector<float> confusion;      // (classes, classes): true row, predicted column
  int selected_true = -1, selected_pred = -1;
  std::vector<float> precision, recall, f1;  // (classes)
};

// ---- [SECTION] UI ------------------------------------------------------------------------------

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
};

// ---- [SECTION] AppState ------------------------------------------------------------------------

struct AppState {
  Phase phase = Phase::Ready;
  std::string error;             // set when phase == Error
  DataState data;
  ModelState model;
  TrainingState training;
  CurvesState curves;
  InsideState inside;
  EvalState eval;
  UiState ui;
};

}  // namespace cnnlab
