// Actions: what changes AppState besides widget edits. They call the engine and derive what the
// panels draw (split counts, sample grids, the model summary), so panels stay drawing-only.
#pragma once

#include <cstdint>
#include <string>

#include "app/app_state.h"

namespace cnnlab {

// Takes the trainer's report of a newly loaded dataset (the previous one is dropped) and derives
// the Data panel's views. The trainer loads datasets (TrainingBackend); the app only shows them.
void set_dataset(AppState& state, DatasetReport report);

// How a subset's images divide, with the validation fraction of the current settings (the
// engine's stratified_split rounding): "1k: 900 train + 100 validation + 2,000 test". The loaded
// subset says its actual numbers; another says per_class x the loaded dataset's classes, or per
// class before any dataset is loaded ("1k: 90 train + 10 validation + 200 test per class").
std::string subset_label(const DataState& data, const SubsetOption& subset, float val_fraction);
// True when the dataset loaded now is that subset's pack (its origin ends with the pack's file).
bool is_loaded_subset(const DataState& data, const SubsetOption& subset);
// The loaded dataset's split as the Data panel and state().dataset.split say it:
// "900 train + 100 validation + 2,000 test" (empty without data).
std::string split_text(const DataState& data);
// The loaded dataset as run records name theirs (run_dataset_identity, lab/run_report.h): a run
// whose RunRecord::dataset equals it trained on this dataset ("" without data).
std::string loaded_dataset_identity(const DataState& data);

// Once per frame before the panels: remakes derived views whose inputs changed (validation split
// after a new fraction or seed, the sample grid after another class, the model summary after
// new model settings or a new dataset shape).
void refresh_derived_state(AppState& state);
// The model summary alone (model_actions.cpp); part of refresh_derived_state.
void refresh_model_summary(AppState& state);

}  // namespace cnnlab
