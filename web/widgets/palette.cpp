// Series palette and colour maps (see palette.h). The maps are piecewise-linear through a few
// control colours: smooth enough for reading values, cheap enough for per-pixel textures.
#include "widgets/palette.h"

#include <cmath>

namespace cnnlab::widgets {

namespace {

// The first six are Okabe and Ito's palette for colour-blind readers (blue, orange, bluish green,
// vermillion, sky blue, reddish purple): the splits and the runs of a usual experiment. Its
// yellow and black are left out (yellow vanishes on the light theme, black on the dark one);
// four more follow, chosen for the largest smallest distance to the others under the simulated
// deficiencies (purple, brown, red, rose). Tableau's palette, used before, put orange and green
// second and third (validation and test), a pair protanopia makes nearly alike
// (test_colors.cpp prints the current palette's figures).
constexpr Rgb kSeries[kSeriesColors] = {
    {0.000f, 0.447f, 0.698f}, {0.902f, 0.624f, 0.000f}, {0.000f, 0.620f, 0.451f},
    {0.835f, 0.369f, 0.000f}, {0.337f, 0.706f, 0.914f}, {0.800f, 0.475f, 0.655f},
    {0.667f, 0.200f, 0.467f}, {0.550f, 0.340f, 0.290f}, {0.840f, 0.150f, 0.160f},
    {0.933f, 0.400f, 0.467f}};

// Control points of a perceptually ordered dark-blue -> green -> yellow ramp.
constexpr Rgb kViridis[6] = {{0.267f, 0.005f, 0.329f}, {0.255f, 0.267f, 0.529f},
                             {0.165f, 0.471f, 0.557f}, {0.133f, 0.659f, 0.518f},
                             {0.478f, 0.820f, 0.318f}, {0.993f, 0.906f, 0.144f}};
constexpr Rgb kDiverging[5] = {{0.13f, 0.40f, 0.67f}, {0.57f, 0.77f, 0.87f}, {0.97f, 0.97f, 0.97f},
                               {0.96f, 0.65f, 0.51f}, {0.70f, 0.09f, 0.17f}};

Rgb ramp(const Rgb* points, int count, float t) {
  float x = t * static_cast<float>(count - 1);
  int i = static_cast<int>(std::floor(x));
  if (i < 0) return points[0];
  if (i >= count - 1) return points[count - 1];
  float f = x - static_cast<float>(i);
  const Rgb& a = points[i];
  const Rgb& b = points[i + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

}  // namespace

int run_series_index(int run_index) {
  // blue, orange, sky blue, purple, red, rose, reddish purple, bluish green, vermillion, brown:
  // the first six at least 20 apart (CIE76) under every simulated vision, neighbours 17.
  constexpr int kRunOrder[kSeriesColors] = {0, 1, 4, 6, 8, 9, 5, 2, 3, 7};
  return kRunOrder[((run_index % kSeriesColors) + kSeriesColors) % kSeriesColors];
}

Rgb series_rgb(int i) { return kSeries[((i % kSeriesColors) + kSeriesColors) % kSeriesColors]; }

Rgb colormap_rgbf(float t, Colormap map) {
  if (std::isnan(t)) return {0.5f, 0.5f, 0.5f};
  t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
  switch (map) {
    case Colormap::Viridis: return ramp(kViridis, 6, t);
    case Colormap::Diverging: return ramp(kDiverging, 5, t);
    case Colormap::Grey: return {t, t, t};
  }
  return {t, t, t};
}

}  // namespace cnnlab::widgets
