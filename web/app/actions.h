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

// How a subset's images divide, with the validation fraction of the current settings (the
// engine's stratified_split rounding): "1k: 900 train + 100 validation + 2,000 test". The loaded
// subset says its actual numbers; another says per_class x the loaded dataset's classes, or per
// class before any dataset is loaded ("1k: 90 train + 10 validation + 200 test per class").
std::string subset_label(const DataState& data, const SubsetOption& subset, float val_fraction);
// The loaded dataset's split as the Data panel and state().dataset.split say it:
// "900 train + 100 validation + 2,000 test" (empty without data).
std::string split_text(const DataState& data);

// Once per frame before the panels: remakes derived views whose inputs changed (validation split
// after a new fraction or seed, the sample grid after another class, the model summary after
// new model settings or a new dataset shape).
void refresh_derived_state(AppState& state);
// The model summary alone (model_actions.cpp); part of refresh_derived_state.
void refresh_model_summary(AppState& state);

}  // namespace cnnlab
