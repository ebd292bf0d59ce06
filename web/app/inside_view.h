// What other parts of the app call to steer the Inside-the-network panel (its drawing is in
// panel_inside.cpp, its data functions in inside_maps.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/app_state.h"

namespace cnnlab {

// Shows an uploaded photo's feature maps instead of a test image: `image` is uint8 (C, H, W)
// already centre-cropped and resized to the current model's input shape. Returns "" or why it
// cannot be shown (no model yet, wrong size); on failure nothing changes. Opens the tab.
std::string show_photo_inside(AppState& state, std::vector<uint8_t> image, const std::string& name);

}  // namespace cnnlab
