// Actions: what changes AppState besides widget edits. They call the engine and derive what the
// panels draw (split counts, sample grids, the model summary), so panels stay drawing-only.
#pragma once

#include <cstdint>
#include <string>

#include "app/app_state.h"

namespace cnnlab {

// Replaces the dataset (the previous one, if any, is dropped) and derives the Data panel's views.
void set_dataset(AppState& state, DataSource source, const std::string& origin);
// Loads a pack (or any source load_data_bytes reads) from memory. On failure the app keeps what
// it had and the Error propagates (the caller reports it).
void load_dataset_bytes(AppState& state, const uint8_t* bytes, size_t size,
                        const std::string& origin);
// Loads any supported source from disk (desktop: pack, CIFAR-10 binary, image folder, IDX).
void load_dataset_path(AppState& state, const std::string& path);

// Once per frame before the panels: remakes derived views whose inputs changed (validation split
// after a new fraction or seed, the sample grid after another class, the model summary after
// new model settings or a new dataset shape).
void refresh_derived_state(AppState& state);
// The model summary alone (model_actions.cpp); part of refresh_derived_state.
void refresh_model_summary(AppState& state);

}  // namespace cnnlab
