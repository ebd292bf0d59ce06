// Horizontal grouped bar chart (see bar_chart.h).
#include "widgets/bar_chart.h"

#include <algorithm>
#include <cstdio>

#include "imgui_internal.h"  // ImRect
#include "widgets/colors.h"

namespace cnnlab::widgets {

int bar_chart(const char* id, const char* const* categories, int category_count,
              const BarSeries* series, int series_count, ImVec2 size,
              const BarChartOptions& options) {
  const float scale = options.ui_scale;
  const float line_h = ImGui::GetTextLineHeight();
  const float pad = 4.0f * scale;
  const float row_h = std::max(line_h, series_count * 7.0f * scale) + pad;
  const float legend_h = (options.legend && series_count > 0) ? line_h + pad : 0.0f;
  ImVec2 avail = ImGui::GetContentRegionAvail();
  if (size.x <= 0) size.x = std::max(avail.x, 80.0f * scale);
  if (size.y <= 0) size.y = legend_h + std::max(1, category_count) * row_h + 2 * pad;

  ImGui::PushID(id);
  ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##bars", size);
  bool hovered = ImGui::IsItemHovered();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  ImRect frame(origin, ImVec2(origin.x + size.x, origin.y + size.y));

  if (category_count <= 0 || series_count <= 0) {
    draw->AddText(ImVec2(frame.Min.x + pad, frame.Min.y + pad), muted_text_color(),
                  options.empty_text);
    ImGui::PopID();
    return -1;
  }

  // Legend: swatch + label per series, left to right.
  float x = frame.Min.x + pad;
  if (legend_h > 0) {
    for (int s = 0; s < series_count; ++s) {
      draw->AddRectFilled(ImVec2(x, frame.Min.y + pad + line_h * 0.2f),
                          ImVec2(x + line_h * 0.6f, frame.Min.y + pad + line_h * 0.8f),
                          series[s].color);
      x += line_h * 0.6f + pad;
      draw->AddText(ImVec2(x, frame.Min.y + pad), text_color(), series[s].label);
      x += ImGui::CalcTextSize(series[s].label).x + 3 * pad;
    }
  }

  float max_value = 0.0f;
  float label_w = 0.0f;
  for (int c = 0; c < category_count; ++c) {
    label_w = std::max(label_w, ImGui::CalcTextSize(categories[c]).x);
    for (int s = 0; s < series_count; ++s) max_value = std::max(max_value, series[s].values[c]);
  }
  char value_text[64];
  std::snprintf(value_text, sizeof value_text, options.value_format,
                static_cast<double>(max_value));
  float value_w = options.values_at_bar_end ? ImGui::CalcTextSize(value_text).x + pad : 0.0f;
  float bars_left = frame.Min.x + pad + label_w + 2 * pad;
  float bars_width = std::max(10.0f, frame.Max.x - pad - value_w - bars_left);
  float top = frame.Min.y + pad + legend_h;

  int hovered_row = -1;
  ImVec2 mouse = ImGui::GetIO().MousePos;
  for (int c = 0; c < category_count; ++c) {
    float y0 = top + c * row_h;
    ImRect row(ImVec2(frame.Min.x, y0), ImVec2(frame.Max.x, y0 + row_h));
    if (hovered && row.Contains(mouse)) {
      hovered_row = c;
      draw->AddRectFilled(row.Min, row.Max, ImGui::GetColorU32(ImGuiCol_HeaderHovered, 0.5f));
    }
    ImVec2 ts = ImGui::CalcTextSize(categories[c]);
    draw->AddText(ImVec2(bars_left - 2 * pad - ts.x, y0 + (row_h - ts.y) * 0.5f), text_color(),
                  categories[c]);
    float bar_h = (row_h - pad) / series_count;
    for (int s = 0; s < series_count; ++s) {
      float v = series[s].values[c];
      float w = max_value > 0 ? bars_width * (v / max_value) : 0.0f;
      float by = y0 + pad * 0.5f + s * bar_h;
      draw->AddRectFilled(ImVec2(bars_left, by), ImVec2(bars_left + w, by + bar_h - 1.0f),
                          series[s].color);
      if (options.values_at_bar_end && series_count == 1) {
        std::snprintf(value_text, sizeof value_text, options.value_format, static_cast<double>(v));
        draw->AddText(ImVec2(bars_left + w + pad, y0 + (row_h - ts.y) * 0.5f), muted_text_color(),
                      value_text);
      }
    }
  }
  draw->AddLine(ImVec2(bars_left, top), ImVec2(bars_left, top + category_count * row_h),
                ImGui::GetColorU32(ImGuiCol_Border));

  if (hovered_row >= 0) {
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(categories[hovered_row]);
    for (int s = 0; s < series_count; ++s) {
      std::snprintf(value_text, sizeof value_text, options.value_format,
                    static_cast<double>(series[s].values[hovered_row]));
      ImGui::Text("%s: %s", series[s].label, value_text);
    }
    ImGui::EndTooltip();
  }
  ImGui::PopID();
  return hovered_row;
}

}  // namespace cnnlab::widgets
