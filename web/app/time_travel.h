// Time travel: the network as it was after any kept epoch of a run (TimeTravelState in
// app_state.h; the weights are lab/snapshot_store.h's). Showing an epoch swaps the weights the
// Inside view draws (filters, feature maps, per-layer ranges) and the test results the Evaluation
// view shows (the epoch's model evaluated on the test split, a slice per frame, kept once made).
// The Curves panel marks the epoch. No drawing here but the shared slider (draw_time_slider).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app_state.h"
#include "app/training_backend.h"

namespace cnnlab {

// Shows `run`'s weights after `epoch` (0: before training). Returns "" or why it is refused:
// an unknown run or an epoch not kept (naming those kept), no test split.
std::string show_epoch(AppState& state, int run, int epoch);
void show_latest(AppState& state);  // back to the latest weights

// Once per frame: keeps the epoch weights the trainer noted (run numbers + run_offset), lets go
// of a shown epoch the store no longer keeps, steps Play, and evaluates the shown epoch on the
// test split for up to budget_seconds.
void update_time_travel(AppState& state, std::vector<NotedEpochWeights> noted, int run_offset,
                        double budget_seconds, double now_seconds);

// The model the Inside view draws: the shown epoch's, else the lab's latest (null: none).
Model* shown_model(AppState& state);
const Model* shown_model(const AppState& state);
// The shown epoch's finished test evaluation (null while it runs or with the latest shown), and
// how far the running one is (0..1).
const EpochEvaluation* shown_evaluation(const AppState& state);
double shown_evaluation_progress(const AppState& state);
// The run the slider scrubs: the shown run, else the current run if it has snapshots (0: none).
int slider_run(const AppState& state);

// The JavaScript API: snapshots() -> [{run, epochs: [...]}], and state().timeTravel.
nlohmann::json snapshots_json(const AppState& state);
nlohmann::json time_travel_json(const AppState& state);
// The kept epoch (ascending, not empty) nearest to `epoch`: a slider snaps to it, since thinning
// may have left gaps.
int nearest_kept_epoch(const std::vector<int>& kept, int epoch);
// A fingerprint of the filters on screen for the API: the first conv layer's weights summed
// (null for a model without one).
nlohmann::json first_conv_weight_sum(const Model& model);

// How far `model`'s layer `layer` weights moved since the start of the run whose weights the
// Inside view shows (the shown epoch's run, else the current run): relative_weight_change
// against that run's epoch-0 snapshot. NaN when the store does not keep that run's start or
// `model` is another network.
double weight_change_since_start(const AppState& state, const Model& model, int layer);

// "Show the network after epoch N of M" with Play and Latest: the Inside and Evaluation views'
// time slider (nothing when no run has snapshots).
void draw_time_slider(AppState& state, const char* id);

}  // namespace cnnlab
