// What other parts of the app call to steer the Inside-the-network panel (its drawing is in
// panel_inside.cpp and panel_explain.cpp, its data functions in lab/inside_maps.h and
// lab/conv_explainer.h).
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

// Recomputes state.inside.maps (on the panel's private model copy, which keeps the image's
// activations for the pixel explainer) when the weights, the model or the image changed since
// the last time; else does nothing. Errors land in state.inside.error.
void refresh_inside_maps(AppState& state);

// The image Inside the network shows: the uploaded photo or the chosen test image, uint8
// (C, H, W), with its id (the test index, or a negative number for the photo). Null when none.
const uint8_t* inside_image(const AppState& state, int* id, int* channels, int* height, int* width);

// An attribution map of `image` uint8 (C, H, W) on `model` with the "Where it looks" sub-tab's
// choices (method, class, occlusion's square), as the sub-tab computes it; throws Error why not.
AttributionMap attribution_with_choices(Model& model, const Preprocess& preprocess,
                                        const uint8_t* image, const Shape& shape,
                                        const AttributionView& choices);
// The method's name as the sub-tab shows it ("Grad-CAM").
const char* attribution_choice_label(const AttributionView& choices);
// The image blended with its map, (3, H, W) uint8: dark where the map is low (what the sub-tab's
// third tile and the experiment's side-by-side show).
std::vector<uint8_t> attribution_blend(const uint8_t* image, int channels, int height, int width,
                                       const AttributionMap& map);

// The "Where it looks" sub-tab's contents (panel_attribution.cpp).
void draw_attribution_view(AppState& state);

// The JavaScript API's saliency: request is JSON text {method ('gradient', 'smoothgrad', 'gradcam'
// or 'occlusion'), class (optional; default the predicted one), patch, stride (occlusion)}. On
// success *result is {method, class, predictedClass, probability, shape, values} as JSON text
// for the image and network Inside the network shows, and the sub-tab shows it; returns "" or
// why not.
std::string attribution_json(AppState& state, const std::string& request, std::string* result);

// The "Explain one pixel" sub-tab's contents (panel_explain.cpp).
void draw_explain_pixel_view(AppState& state);

// The JavaScript API's explainPixel: request is JSON text {layer (1-based, as the Inside tab's
// headers), channel, y, x} (0-based). On success *result is the explanation as JSON text (see
// web/README.md) and the pixel is shown in the "Explain one pixel" sub-tab; returns "" or why not.
std::string explain_pixel_json(AppState& state, const std::string& request, std::string* result);

}  // namespace cnnlab
