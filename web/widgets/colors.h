// Colours shared by the widgets, as Dear ImGui draws them: the series palette and colour maps of
// palette.h, and the current style's text colours.
#pragma once

#include "imgui.h"
#include "widgets/palette.h"

namespace cnnlab::widgets {

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
