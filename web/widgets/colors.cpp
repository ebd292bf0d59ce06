// Series palette and colour maps (see colors.h). The maps are piecewise-linear through a few
// control colours: smooth enough for reading values, cheap enough for per-pixel textures.
#include "widgets/colors.h"

#include <cmath>

namespace cnnlab::widgets {

namespace {

struct Rgb {
  float r, g, b;
};

// Ten distinguishable hues (blue, orange, green, red, purple, brown, pink, grey, olive, cyan).
constexpr Rgb kSeries[10] = {
    {0.12f, 0.47f, 0.71f}, {1.00f, 0.50f, 0.05f}, {0.17f, 0.63f, 0.17f}, {0.84f, 0.15f, 0.16f},
    {0.58f, 0.40f, 0.74f}, {0.55f, 0.34f, 0.29f}, {0.89f, 0.47f, 0.76f}, {0.50f, 0.50f, 0.50f},
    {0.74f, 0.74f, 0.13f}, {0.09f, 0.75f, 0.81f}};

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

Rgb map_rgb(float t, Colormap map) {
  if (std::isnan(t)) return {0.5f, 0.5f, 0.5f};
  t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
  switch (map) {
    case Colormap::Viridis: return ramp(kViridis, 6, t);
    case Colormap::Diverging: return ramp(kDiverging, 5, t);
    case Colormap::Grey: return {t, t, t};
  }
  return {t, t, t};
}

}  // namespace

ImU32 series_color(int i, float alpha) {
  const Rgb& c = kSeries[((i % 10) + 10) % 10];
  return ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, alpha));
}

ImU32 colormap_color(float t, Colormap map) {
  Rgb c = map_rgb(t, map);
  return ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, 1.0f));
}

void colormap_rgb(float t, Colormap map, unsigned char rgb[3]) {
  Rgb c = map_rgb(t, map);
  rgb[0] = static_cast<unsigned char>(c.r * 255.0f + 0.5f);
  rgb[1] = static_cast<unsigned char>(c.g * 255.0f + 0.5f);
  rgb[2] = static_cast<unsigned char>(c.b * 255.0f + 0.5f);
}

ImU32 text_color() { return ImGui::GetColorU32(ImGuiCol_Text); }
ImU32 muted_text_color() { return ImGui::GetColorU32(ImGuiCol_TextDisabled); }

}  // namespace cnnlab::widgets
