// ExperimentsState: what the Experiments panel (panel_experiments.cpp) edits and shows —
// the sweep being set up, the live validation of it, the curves and feature maps derived from the
// trainer's experiment reports (TrainingState::experiment) and weights (LabView::experiment), and
// export requests. Plain data owned by AppState; no statics in the panel.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lab/inside_maps.h"
#include "lab/snapshot_store.h"
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
  widgets::ImageGrid where;                // the image blended with its attribution map
  std::string where_note;                  // why there is none (Grad-CAM of an MLP, ...)
  // With an epoch chosen on the experiment's time slider: the network after the epoch shown
  // (the chosen one, or the last kept before it when this configuration stopped earlier or the
  // epoch was thinned away), built from the experiment's snapshots.
  std::unique_ptr<Model> epoch_model;
  int epoch = -1;                          // the epoch epoch_model holds; -1: latest weights
  std::optional<EpochRecord> epoch_record; // that epoch's figures (none for epoch 0)
};

// The experiment's snapshots take at most this much memory beside the runs' (TimeTravelState):
// every configuration's weights at its start and after each epoch, thinned beyond it.
constexpr size_t kExperimentSnapshotBudgetBytes = size_t{32} << 20;

struct ExperimentsState {
  // ---- The sweep being set up (the model and training settings are the lab's own) -------------
  int vary = 0;                  // index into ExperimentConfig::variables()
  char values[160] = "3, 5, 7";  // comma-separated values of the swept variable
  // Seeds per configuration (1..5). 3 by default: one seed cannot tell a difference of a few
  // points from the luck of the initial weights and batch order on a small subset.
  int repeats = 3;
  // A model sweep over an MLP and a CNN: size the MLP to the CNN's parameter count (matchParams).
  bool match_params = false;
  std::string draft_key;         // the draft the check below was made for
  std::string check_error;       // why the draft would be refused (the engine's message), or ""
  int check_configurations = 0;  // configurations x repeats of a valid draft
  bool start_requested = false;  // the Start button (the App starts it after the panels drew)
  // How long the draft would take (experiment_actions.h), remade when the draft or the speed
  // changed (estimate_key: what it was made for).
  double estimate_seconds = -1;  // < 0: none
  bool estimate_measured = false;  // from this computer's speed (else the reference speed)
  std::string estimate_basis;
  std::string estimate_key;
  double measured_macs_per_second = 0;  // note_training_speed; 0: nothing trained here yet
  std::string measured_on;              // "540 images/s while cnn trained here"
  std::string message;           // the last refusal or export note ("Saved: ...")
  bool message_is_error = false;

  // ---- Derived from the reports --------------------------------------------------------------
  std::vector<ExperimentCurve> curves;
  uint64_t curves_from = 0;      // TrainingState::version the curves were made from
  bool show_steps = true;
  bool line_styles_open = false;  // narrow pages: "Which line is which?" opened (a tap toggles it)
  float smoothing = 0.8f;

  // ---- Time travel: every configuration after any kept epoch ----------------------------------
  SnapshotStore snapshots{kExperimentSnapshotBudgetBytes};  // run = configuration + 1
  int snapshots_id = 0;              // the experiment they are of (0: none yet)
  int shown_epoch = -1;              // -1: the latest weights; else every configuration after it
  bool playing = false;              // Play: the next kept epoch every 0.8 s
  double next_play_step = 0;

  // ---- Feature maps side by side -------------------------------------------------------------
  std::vector<ExperimentMaps> maps;  // per configuration
  uint64_t maps_version = 0;         // LabView::experiment.version drawn
  int maps_image = -1;               // test image drawn
  int maps_id = -1;                  // experiment id drawn
  int maps_shown = 8;                // maps per layer
  std::string maps_where_key;        // the "Where it looks" choices the attribution column shows
  int maps_epoch = -1;               // ExperimentsState::shown_epoch drawn
  uint64_t maps_snapshots = 0;       // snapshots.version() drawn
  // The dataset the experiment trained on (DataState::origin when it first reported), so its
  // results are not shown as if of another dataset loaded since.
  int dataset_noted_id = 0;
  std::string dataset_origin;
  std::string dataset_name;

  // ---- Export --------------------------------------------------------------------------------
  bool capture_plots = false;        // the PNG export: capture the plots' rectangle after render
  float plots_min[2] = {0, 0}, plots_max[2] = {0, 0};  // that rectangle, in display pixels
  int plots_frame = -1;              // ImGui frame in which the plots were last drawn
  int curves_tab_request = -1;       // open this tab of the Curves window next frame (1: Experiment)
  bool debug_exported = false;       // CNNLAB_DEBUG_EXPORT was acted on (desktop checks)
  int draft_synced_id = 0;           // experiment whose sweep the draft shows (one started through
                                     // the API is shown as it was started)
  // The status line shows the experiment while the lab's single run is the one it was when the
  // experiment last ran (a new run since: the run's phase). TrainingState::run; -1: none yet.
  int status_run = -1;
  int status_id = 0;                 // the experiment status_run belongs to
};

}  // namespace cnnlab
