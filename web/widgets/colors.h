// Colours shared by the widgets: a qualitative palette for series (runs, splits, classes) and
// colour maps for heatmaps, feature maps and filters.
#pragma once

#include "imgui.h"

namespace cnnlab::widgets {

enum class Colormap {
  Viridis,    // sequential, dark blue -> yellow: counts, activations >= 0
  Diverging,  // blue -> white -> red, centred on 0: weights, signed activations
  Grey,       // black -> white
};

// Colour of series i (cycles through 10 distinguishable colours); alpha in [0, 1].
ImU32 series_color(int i, float alpha = 1.0f);
// Colour of t in [0, 1] (clamped; NaN -> grey) under the map.
ImU32 colormap_color(float t, Colormap map);
// The same as RGB bytes (for textures).
void colormap_rgb(float t, Colormap map, unsigned char rgb[3]);

// Text colours for light/dark backgrounds in the current style.
ImU32 text_color();
ImU32 muted_text_color();

}  // namespace cnnlab::widgets
