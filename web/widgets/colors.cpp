// The palette.h colours as Dear ImGui colours (see colors.h).
#include "widgets/colors.h"

namespace cnnlab::widgets {

ImU32 series_color(int i, float alpha) {
  const Rgb c = series_rgb(i);
  return ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, alpha));
}

ImU32 colormap_color(float t, Colormap map) {
  const Rgb c = colormap_rgbf(t, map);
  return ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, 1.0f));
}

void colormap_rgb(float t, Colormap map, unsigned char rgb[3]) {
  const Rgb c = colormap_rgbf(t, map);
  rgb[0] = static_cast<unsigned char>(c.r * 255.0f + 0.5f);
  rgb[1] = static_cast<unsigned char>(c.g * 255.0f + 0.5f);
  rgb[2] = static_cast<unsigned char>(c.b * 255.0f + 0.5f);
}

ImU32 text_color() { return ImGui::GetColorU32(ImGuiCol_Text); }
ImU32 muted_text_color() { return ImGui::GetColorU32(ImGuiCol_TextDisabled); }

}  // namespace cnnlab::widgets
