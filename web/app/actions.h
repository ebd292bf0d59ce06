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

// Once per frame before the panels: remakes derived views whose inputs changed (validation split
// after a new fraction or seed, the sample grid after another class, the model summary after
// new model settings or a new dataset shape).
void refresh_derived_state(AppState& state);
// The model summary alone (model_actions.cpp); part of refresh_derived_state.
void refresh_model_summary(AppState& state);

}  // namespace cnnlab
