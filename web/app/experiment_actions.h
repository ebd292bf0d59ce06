// Experiment actions: what the Experiments panel and the JavaScript API do besides
// drawing — checking a sweep with the engine's own rules before anything is sent to the trainer,
// deriving the overlaid curves and the side-by-side feature maps from the trainer's reports, and
// the exports (CSV, Markdown, JSON, and the plots as PNG).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "app/app_state.h"
#include "app/training_backend.h"

namespace cnnlab {

// The panel's draft as Session::start_experiment options: {vary, values: [...], repeats}.
nlohmann::json experiment_draft_options(const ExperimentsState& experiments);
// Values typed by the student ("3, 5 7") as a list; empty tokens are dropped.
std::vector<std::string> split_experiment_values(const std::string& text);

// Checks experiment options against the loaded data and the lab's applied settings exactly as
// the trainer will (ExperimentConfig::validate: empty list, > 8 configurations, a kernel larger
// than a feature map, memory). Returns "" or the engine's explanation; *runs gets the number of
// runs of a valid sweep.
std::string check_experiment(const AppState& state, const nlohmann::json& options, int* runs);
// Re-checks the panel's draft when it (or the settings, or the data) changed, and estimates how
// long it would take (ExperimentsState::estimate_*).
void refresh_experiment_check(AppState& state);

// The training speed of this computer as forward multiply-accumulates per second of training
// (images/s x the model's MACs per image): from the single run that trains now, else from the
// experiment's runs. Kept in ExperimentsState (measured_*) for the estimate; called every frame.
void note_training_speed(AppState& state);

// How long a sweep would take: every run's epochs of training images plus its validation and
// test passes (inference costs about a third of a training image), each configuration's cost
// scaled by its MACs per image, at the measured speed or, before anything trained here, at the
// reference speed (the page's measured cnn 3x3 throughput, README). < 0 when it cannot be
// estimated (no data, invalid sweep). *basis says which speed and how much.
double estimate_experiment_seconds(const AppState& state, const nlohmann::json& options,
                                   bool* measured, std::string* basis);
// "about 40 s", "about 4 min", "about 1 h 10 min".
std::string duration_text(double seconds);

// Remakes the overlaid curves when a new experiment report arrived.
void refresh_experiment_curves(AppState& state);
// Remakes the per-configuration feature maps of the chosen test image when the experiment's
// weights or the image changed.
void refresh_experiment_maps(AppState& state);

// ---- Time travel through an experiment ----------------------------------------------------------
// Keeps the configurations' epoch weights the trainer noted (a new experiment's first ones let go
// of the last experiment's) and steps Play. Once per frame.
void keep_experiment_epochs(AppState& state, std::vector<NotedExperimentEpoch> noted,
                            int experiment_offset, double now_seconds);
// "kernel=5": configuration `config` of the latest experiment report ("configuration 2" without).
std::string experiment_config_label(const AppState& state, size_t config);
// Every epoch some configuration has kept, ascending.
std::vector<int> experiment_kept_epochs(const ExperimentsState& experiments);
// Shows every configuration's network after `epoch` in the side-by-side maps (a configuration that
// stopped earlier, or whose epoch was thinned away, shows its last kept epoch before it);
// epoch < 0: back to the latest weights. Returns "" or why it is refused (no experiment's
// snapshots, an epoch no configuration kept: naming those kept).
std::string show_experiment_epoch(AppState& state, int epoch);
// The JavaScript API: experimentSnapshots() -> [{config, label, epochs: [...]}], and
// state().experimentEpoch: {shown, configurations: [{label, epoch, valAcc}], bytes, budgetBytes,
// thinned, note, playing}.
nlohmann::json experiment_snapshots_json(const AppState& state);
nlohmann::json experiment_epoch_json(const AppState& state);

// The latest experiment report as "csv", "markdown" (the engine's tables) or "json" (config,
// summary, interpretation and every run's history). Throws Error for another format or when no
// experiment exists yet.
std::string experiment_export_text(const AppState& state, const std::string& format);
// The export's file name: "experiment-kernel.csv", ..., "experiment-kernel-curves.png".
std::string experiment_export_name(const AppState& state, const std::string& format);
// Saves an export as a file (desktop: the working directory; browser: a download) and says
// where in ExperimentsState::message. "png" asks the App to capture the plots after this frame
// is rendered (App::after_render).
void export_experiment(AppState& state, const std::string& format);

}  // namespace cnnlab
