// ExperimentsState: what the Experiments panel (panel_experiments.cpp; issue 5) edits and shows —
// the sweep being set up, the live validation of it, the curves and feature maps derived from the
// trainer's experiment reports (TrainingState::experiment) and weights (LabView::experiment), and
// export requests. Plain data owned by AppState; no statics in the panel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lab/inside_maps.h"
#include "widgets/image_grid.h"

namespace cnnlab {

// One configuration's curves (repeats averaged point by point), x in epochs.
struct ExperimentCurve {
  std::string label;                               // "kernel=5"
  std::vector<float> step_x, step_loss, step_acc;  // training per step (its first repeat)
  std::vector<float> epoch_x;                      // 1, 2, ...
  std::vector<float> train_loss, train_acc, val_loss, val_acc;  // per epoch, mean over repeats
};

// One configuration's feature maps of the shared test image (its first repeat's weights).
struct ExperimentMaps {
  InsideModelCopy copy;                    // private copy: never disturbs training
  std::vector<LayerMaps> layers;           // the first conv layers' maps (after ReLU)
  std::vector<widgets::ImageGrid> grids;   // (layers)
  std::string note;                        // "no conv layers (MLP)", or why maps failed
};

struct ExperimentsState {
  // ---- The sweep being set up (the model and training settings are the lab's own) -------------
  int vary = 0;                  // index into ExperimentConfig::variables()
  char values[160] = "3, 5, 7";  // comma-separated values of the swept variable
  int repeats = 1;               // seeds per configuration (1..5)
  std::string draft_key;         // the draft the check below was made for
  std::string check_error;       // why the draft would be refused (the engine's message), or ""
  int check_configurations = 0;  // configurations x repeats of a valid draft
  bool start_requested = false;  // the Start button (the App starts it after the panels drew)
  std::string message;           // the last refusal or export note ("Saved: ...")
  bool message_is_error = false;

  // ---- Derived from the reports --------------------------------------------------------------
  std::vector<ExperimentCurve> curves;
  uint64_t curves_from = 0;      // TrainingState::version the curves were made from
  bool show_steps = true;
  float smoothing = 0.8f;

  // ---- Feature maps side by side -------------------------------------------------------------
  std::vector<ExperimentMaps> maps;  // per configuration
  uint64_t maps_version = 0;         // LabView::experiment.version drawn
  int maps_image = -1;               // test image drawn
  int maps_id = -1;                  // experiment id drawn
  int maps_shown = 8;                // maps per layer

  // ---- Export --------------------------------------------------------------------------------
  bool capture_plots = false;        // the PNG export: capture the plots' rectangle after render
  float plots_min[2] = {0, 0}, plots_max[2] = {0, 0};  // that rectangle, in display pixels
  int plots_frame = -1;              // ImGui frame in which the plots were last drawn
  int curves_tab_request = -1;       // open this tab of the Curves window next frame (1: Experiment)
  bool debug_exported = false;       // CNNLAB_DEBUG_EXPORT was acted on (desktop checks)
  int draft_synced_id = 0;           // experiment whose sweep the draft shows (one started through
                                     // the API is shown as it was started)
};

}  // namespace cnnlab
