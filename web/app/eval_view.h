// Evaluation views derived from the lab's test results (LabView::test_metrics and
// test_probabilities): the Evaluation panel's numbers, the confusion cell's images, top-k lists.
// No drawing here.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app_state.h"

namespace cnnlab {

// Re-derives state.eval from state.lab when its test results changed (test_version or the
// metrics object); clears it when there are none (evaluated = false: the panel shows an empty
// state). Cheap when nothing changed: call it once per frame (both result tabs do, so the JS
// API's testAcc stays right whichever tab is open).
// When state.runs.shown names a run of the log with confusion counts, the view is that run's
// (no per-image predictions: those are kept for the current run only).
void refresh_eval_state(AppState& state);
// While the live matrix shows the validation split: the options of a validationCell command for
// the selected cell when its images have not been asked for this run and epoch yet (noted as
// asked); nullopt otherwise. Once per frame.
std::optional<nlohmann::json> validation_cell_request(AppState& state);

// The run of the log the Evaluation panel shows (null: the current run's results).
const RunLogEntry* shown_run(const AppState& state);

// Test indices whose true class is `truth` and predicted class `predicted` ((N) argmax per image).
std::vector<int> images_in_cell(const std::vector<int>& predicted,
                                const std::vector<uint8_t>& labels, int truth, int predicted_class);

// The k largest of n probabilities, largest first (ties: lower index first).
std::vector<int> top_k(const float* probabilities, int n, int k);

}  // namespace cnnlab
