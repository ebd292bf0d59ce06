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

#include "widgets/image_grid.h"

namespace cnnlab {

// ---- [SECTION] Phase ---------------------------------------------------------------------------

// The phases the JavaScript API reports (window.cnnlab.state().phase).
enum class Phase { Loading, Ready, Training, Paused, Done, Error };
const char* phase_name(Phase phase);  // "loading", "ready", ...

// ---- [SECTION] Data ----------------------------------------------------------------------------

// One split as the Data panel shows it (filled from the engine's Dataset once one is loaded).
struct SplitView {
  std::string name;        // "train", "validation", "test"
  size_t size = 0;
  std::vector<float> class_counts;  // (classes), floats for the bar chart
};

struct DataState {
  bool loaded = false;
  std::string name;          // "cifar10", "fashion-mnist"
  std::string origin;        // where it came from: URL or path
  std::vector<std::string> class_names;
  int channels = 0, height = 0, width = 0;
  std::vector<SplitView> splits;
  int sample_class = 0;                 // class whose samples the grid shows
  int samples_per_class = 16;
  widgets::ImageGrid sample_grid;       // (samples, C, H, W) of sample_class
  int sample_grid_class = -1;           // class the grid currently holds
  std::string status;                   // what is happening ("Downloading ...") or why not loaded
};

// ---- [SECTION] Model ---------------------------------------------------------------------------

struct ModelSettings {
  std::string preset = "cnn";  // mlp, cnn1, cnn, vgg, mlp-small
  int kernel = 3;              // conv kernel size, 1..11
  int filters = 32;            // filters of the first conv layer (later blocks double it)
  int dense = 128;             // width of the hidden dense layer
  float dropout = 0.0f;        // extra dropout before the last dense layer
};

// One row of the summary table (from the engine's model summary).
struct SummaryRow {
  std::string layer;        // "conv2d 3x3 32"
  std::string output_shape; // "32x32x32"
  int64_t params = 0;
  int64_t macs = 0;
};

struct ModelState {
  ModelSettings settings;
  bool built = false;            // a model exists for the current settings
  std::string error;             // why the settings are invalid (shown inline)
  std::vector<SummaryRow> summary;
  int64_t total_params = 0, total_macs = 0;
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
  int left_tab = 0;              // Data / Model
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
