// The lab's colours as plain RGB, without Dear ImGui (colors.h wraps them for drawing): a
// qualitative palette for series (runs, the train / validation / test splits) and colour maps
// for heatmaps, feature maps and filters. Chosen to stay distinguishable for the common
// colour-vision deficiencies: tests/test_colors.cpp simulates protanopia, deuteranopia and
// tritanopia and checks the distances between the colours that appear together.
#pragma once

namespace cnnlab::widgets {

struct Rgb {
  float r, g, b;  // each in [0, 1], sRGB
};

enum class Colormap {
  Viridis,    // sequential, dark blue -> yellow: counts, activations >= 0
  Diverging,  // blue -> white -> red, centred on 0: weights, signed activations
  Grey,       // black -> white
};

constexpr int kSeriesColors = 10;
// Colour of series i (cycles through the kSeriesColors).
Rgb series_rgb(int i);
// The series colour of run `run_index` (0-based; cycles): the runs take the palette in an order
// that keeps consecutive runs and the first six far apart under the simulated deficiencies
// (in palette order runs 2 and 4 got orange and vermillion, runs 1 and 3 blue and bluish green).
int run_series_index(int run_index);
// Colour of t in [0, 1] (clamped; NaN -> grey) under the map.
Rgb colormap_rgbf(float t, Colormap map);

}  // namespace cnnlab::widgets
