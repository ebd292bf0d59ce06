// Fonts and style (see theme.h).
#include "app/theme.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <vector>

#include "imgui.h"
#include "platform/platform.h"

namespace cnnlab {

namespace {
// Latin-1, Greek (alpha, sigma), general punctuation (dashes, ellipsis), arrows, maths operators
// (<=, >=, approx), geometric shapes (triangles for play / pause). Must outlive the atlas.
constexpr ImWchar kGlyphRanges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2000, 0x206F, 0x2190,
                                    0x21FF, 0x2200, 0x22FF, 0x25A0, 0x25FF, 0};
}  // namespace

bool load_fonts(float scale, std::string* message) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  const std::string path = platform::font_path();
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes;
  if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (bytes.size() < 1024) {
    if (message) *message = "font " + path + " not found or empty; using the built-in font";
    ImFontConfig config;
    config.SizePixels = 13.0f * scale;
    io.Fonts->AddFontDefault(&config);
    return false;
  }
  // The atlas takes ownership of the buffer (ImGui frees it with IM_FREE).
  void* data = IM_ALLOC(bytes.size());
  std::copy(bytes.begin(), bytes.end(), static_cast<char*>(data));
  ImFontConfig config;
  config.OversampleH = 2;
  config.OversampleV = 1;
  config.PixelSnapH = false;
  ImFont* font = io.Fonts->AddFontFromMemoryTTF(data, static_cast<int>(bytes.size()),
                                                kBaseFontSize * scale, &config, kGlyphRanges);
  if (!font) {
    if (message) *message = "font " + path + " is not a TrueType font; using the built-in font";
    io.Fonts->Clear();
    ImFontConfig fallback;
    fallback.SizePixels = 13.0f * scale;
    io.Fonts->AddFontDefault(&fallback);
    return false;
  }
  if (message) message->clear();
  return true;
}

void apply_style(float scale, bool dark, bool touch) {
  ImGuiStyle style;  // fresh defaults, so repeated scaling does not compound
  if (dark) ImGui::StyleColorsDark(&style);
  else ImGui::StyleColorsLight(&style);
  style.WindowRounding = 4.0f;
  style.ChildRounding = 3.0f;
  style.FrameRounding = 3.0f;
  style.GrabRounding = 3.0f;
  style.TabRounding = 3.0f;
  style.WindowBorderSize = 1.0f;
  style.FrameBorderSize = 1.0f;
  style.WindowPadding = ImVec2(10, 8);
  style.FramePadding = ImVec2(6, 4);
  style.ItemSpacing = ImVec2(8, 6);
  style.WindowTitleAlign = ImVec2(0.0f, 0.5f);
  if (touch) {
    // A control is the font's height plus twice the vertical frame padding.
    style.FramePadding = ImVec2(10, (kTouchTargetSize - kBaseFontSize) / 2.0f);
    style.ItemSpacing = ImVec2(10, 8);
    style.GrabMinSize = 24.0f;
    style.ScrollbarSize = 18.0f;
  }
  ImVec4* c = style.Colors;
  if (dark) {
    // Dark grey rather than black panels, so the plots' and maps' colours keep their contrast
    // (a slide projected in a dark room).
    c[ImGuiCol_WindowBg] = ImVec4(0.12f, 0.13f, 0.15f, 1.0f);
    c[ImGuiCol_ChildBg] = ImVec4(0.0f, 0.0f, 0.0f, 0.0f);
    c[ImGuiCol_PopupBg] = ImVec4(0.10f, 0.11f, 0.13f, 0.97f);
    c[ImGuiCol_MenuBarBg] = ImVec4(0.16f, 0.17f, 0.20f, 1.0f);
    c[ImGuiCol_TitleBg] = ImVec4(0.16f, 0.18f, 0.22f, 1.0f);
    c[ImGuiCol_TitleBgActive] = ImVec4(0.20f, 0.25f, 0.34f, 1.0f);
    c[ImGuiCol_FrameBg] = ImVec4(0.18f, 0.19f, 0.22f, 1.0f);
    c[ImGuiCol_Border] = ImVec4(1.0f, 1.0f, 1.0f, 0.14f);
    c[ImGuiCol_Text] = ImVec4(0.92f, 0.93f, 0.95f, 1.0f);
    c[ImGuiCol_TextDisabled] = ImVec4(0.62f, 0.64f, 0.68f, 1.0f);
  } else {
    c[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.98f, 1.0f);
    c[ImGuiCol_TitleBg] = ImVec4(0.86f, 0.89f, 0.94f, 1.0f);
    c[ImGuiCol_TitleBgActive] = ImVec4(0.80f, 0.86f, 0.95f, 1.0f);
    c[ImGuiCol_FrameBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
    c[ImGuiCol_Border] = ImVec4(0.0f, 0.0f, 0.0f, 0.18f);
    c[ImGuiCol_TextDisabled] = ImVec4(0.42f, 0.44f, 0.48f, 1.0f);
  }
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

void clear_color(float rgba[4]) {
  const ImVec4 c = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  rgba[0] = c.x, rgba[1] = c.y, rgba[2] = c.z, rgba[3] = 1.0f;
}

}  // namespace cnnlab
