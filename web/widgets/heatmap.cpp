// Heatmap and colour scale (see heatmap.h).
#include "widgets/heatmap.h"

#include <algorithm>
#include <cfloat>
#include <cstdio>

#include "imgui_internal.h"  // ImRect

namespace cnnlab::widgets {

void colour_scale(const char* id, float v_min, float v_max, Colormap map, ImVec2 size,
                  const char* format, float ui_scale) {
  ImGui::PushID(id);
  ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float line_h = ImGui::GetTextLineHeight();
  const float bar_w = std::min(14.0f * ui_scale, size.x * 0.4f);
  const float y0 = origin.y + line_h * 0.5f;
  const float y1 = origin.y + size.y - line_h * 0.5f;
  const int steps = 32;
  for (int i = 0; i < steps; ++i) {
    float a = y1 - (y1 - y0) * i / steps;
    float b = y1 - (y1 - y0) * (i + 1) / steps;
    draw->AddRectFilled(ImVec2(origin.x, b), ImVec2(origin.x + bar_w, a),
                        colormap_color((i + 0.5f) / steps, map));
  }
  draw->AddRect(ImVec2(origin.x, y0), ImVec2(origin.x + bar_w, y1),
                ImGui::GetColorU32(ImGuiCol_Border));
  char text[48];
  const float values[3] = {v_max, 0.5f * (v_min + v_max), v_min};
  const float ys[3] = {y0, 0.5f * (y0 + y1), y1};
  for (int i = 0; i < 3; ++i) {
    std::snprintf(text, sizeof text, format, static_cast<double>(values[i]));
    draw->AddText(ImVec2(origin.x + bar_w + 4.0f * ui_scale, ys[i] - line_h * 0.5f),
                  muted_text_color(), text);
  }
  ImGui::PopID();
}

HeatmapResult heatmap(const char* id, const float* values, int rows, int cols, ImVec2 size,
                      const HeatmapOptions& options) {
  HeatmapResult result;
  const float scale = options.ui_scale;
  const float line_h = ImGui::GetTextLineHeight();
  const float pad = 4.0f * scale;
  ImVec2 avail = ImGui::GetContentRegionAvail();
  if (size.x <= 0) size.x = std::max(avail.x, 60.0f * scale);
  if (size.y <= 0) size.y = std::min(size.x, std::max(avail.y, 60.0f * scale));
  if (rows <= 0 || cols <= 0) {
    ImGui::TextDisabled("(empty matrix)");
    return result;
  }

  float lo = options.v_min, hi = options.v_max;
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    float data_lo = FLT_MAX, data_hi = -FLT_MAX;
    for (int i = 0; i < rows * cols; ++i) {
      if (!std::isfinite(values[i])) continue;
      data_lo = std::min(data_lo, values[i]);
      data_hi = std::max(data_hi, values[i]);
    }
    if (data_lo > data_hi) data_lo = data_hi = 0.0f;
    if (!std::isfinite(lo)) lo = data_lo;
    if (!std::isfinite(hi)) hi = data_hi;
  }
  if (hi <= lo) hi = lo + 1.0f;

  ImGui::PushID(id);
  ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##heatmap", size);
  bool hovered = ImGui::IsItemHovered();
  bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  ImDrawList* draw = ImGui::GetWindowDrawList();

  // Row labels on the left, column labels on top, titles outside them, the scale on the right.
  float row_label_w = 0.0f;
  char text[64];
  for (int r = 0; r < rows; ++r) {
    const char* label = options.row_labels ? options.row_labels[r] : nullptr;
    if (!label) { std::snprintf(text, sizeof text, "%d", r); label = text; }
    row_label_w = std::max(row_label_w, ImGui::CalcTextSize(label).x);
  }
  const bool row_title_drawn = options.row_title && options.draw_row_title;
  float left = origin.x + row_label_w + pad * 2 + (row_title_drawn ? line_h + pad : 0.0f);
  float top = origin.y + line_h + pad + (options.col_title ? line_h + pad : 0.0f);
  float scale_w = options.colour_scale ? 60.0f * scale : 0.0f;
  float grid_w = origin.x + size.x - scale_w - pad - left;
  float grid_h = origin.y + size.y - pad - top;
  float cell = std::max(2.0f, std::min(grid_w / cols, grid_h / rows));
  ImRect grid(ImVec2(left, top), ImVec2(left + cell * cols, top + cell * rows));
  result.cells_min = grid.Min;
  result.cells_max = grid.Max;

  if (options.col_title) {
    ImVec2 ts = ImGui::CalcTextSize(options.col_title);
    draw->AddText(ImVec2(grid.GetCenter().x - ts.x * 0.5f, origin.y), muted_text_color(),
                  options.col_title);
  }
  if (row_title_drawn) {
    // No rotated text in ImGui: the title's letters stacked would be unreadable, so it sits
    // above the row labels instead.
    draw->AddText(ImVec2(origin.x, top - line_h - pad), muted_text_color(), options.row_title);
  }
  for (int c = 0; c < cols; ++c) {
    const char* label = nullptr;
    if (options.col_labels && ImGui::CalcTextSize(options.col_labels[c]).x < cell) {
      label = options.col_labels[c];
    } else {
      std::snprintf(text, sizeof text, "%d", c);
      label = text;
    }
    ImVec2 ts = ImGui::CalcTextSize(label);
    draw->AddText(ImVec2(left + cell * (c + 0.5f) - ts.x * 0.5f, top - line_h - pad * 0.5f),
                  muted_text_color(), label);
  }
  for (int r = 0; r < rows; ++r) {
    const char* label = options.row_labels ? options.row_labels[r] : nullptr;
    if (!label) { std::snprintf(text, sizeof text, "%d", r); label = text; }
    ImVec2 ts = ImGui::CalcTextSize(label);
    draw->AddText(ImVec2(left - pad - ts.x, top + cell * (r + 0.5f) - ts.y * 0.5f),
                  text_color(), label);
  }

  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      float v = values[r * cols + c];
      float t = (v - lo) / (hi - lo);
      ImVec2 a(left + cell * c, top + cell * r);
      ImVec2 b(a.x + cell, a.y + cell);
      draw->AddRectFilled(a, ImVec2(b.x - 1.0f, b.y - 1.0f), colormap_color(t, options.colormap));
      if (options.show_values) {
        std::snprintf(text, sizeof text, options.value_format, static_cast<double>(v));
        // A value wider than its cell (the large counts on the diagonal, the cells that matter
        // most) is drawn smaller to fit, down to half the font; below that it is left out (its
        // tooltip still says it).
        ImVec2 ts = ImGui::CalcTextSize(text);
        const float fit = std::min(1.0f, std::min((cell - 3.0f) / ts.x, cell / ts.y));
        if (fit >= 0.5f) {
          ImFont* font = ImGui::GetFont();
          const float size = ImGui::GetFontSize() * fit;
          ts = ImVec2(ts.x * fit, ts.y * fit);
          // Dark text on the bright end of the map, light text on the dark end.
          bool bright = options.colormap == Colormap::Diverging ? std::fabs(t - 0.5f) < 0.3f
                                                                 : t > 0.6f;
          draw->AddText(font, size, ImVec2(a.x + (cell - ts.x) * 0.5f, a.y + (cell - ts.y) * 0.5f),
                        bright ? IM_COL32(20, 20, 20, 255) : IM_COL32(245, 245, 245, 255), text);
        }
      }
    }
  }
  if (options.selected_row >= 0 && options.selected_col >= 0 && options.selected_row < rows &&
      options.selected_col < cols) {
    ImVec2 a(left + cell * options.selected_col, top + cell * options.selected_row);
    draw->AddRect(a, ImVec2(a.x + cell, a.y + cell), IM_COL32(255, 80, 40, 255), 0.0f, 0,
                  2.5f * scale);
  }

  ImVec2 mouse = ImGui::GetIO().MousePos;
  if (hovered && grid.Contains(mouse)) {
    result.hovered_col = std::min(cols - 1, static_cast<int>((mouse.x - left) / cell));
    result.hovered_row = std::min(rows - 1, static_cast<int>((mouse.y - top) / cell));
    ImVec2 a(left + cell * result.hovered_col, top + cell * result.hovered_row);
    draw->AddRect(a, ImVec2(a.x + cell, a.y + cell), ImGui::GetColorU32(ImGuiCol_Text), 0.0f, 0,
                  1.5f * scale);
    ImGui::BeginTooltip();
    const char* const* row_names = options.hover_row_labels ? options.hover_row_labels : options.row_labels;
    const char* const* col_names = options.hover_col_labels ? options.hover_col_labels : options.col_labels;
    const char* rl = row_names ? row_names[result.hovered_row] : nullptr;
    const char* cl = col_names ? col_names[result.hovered_col] : nullptr;
    if (rl) ImGui::Text("%s: %s", options.row_title ? options.row_title : "row", rl);
    else ImGui::Text("%s %d", options.row_title ? options.row_title : "row", result.hovered_row);
    if (cl) ImGui::Text("%s: %s", options.col_title ? options.col_title : "column", cl);
    else ImGui::Text("%s %d", options.col_title ? options.col_title : "column", result.hovered_col);
    std::snprintf(text, sizeof text, options.value_format,
                  static_cast<double>(values[result.hovered_row * cols + result.hovered_col]));
    ImGui::Text("%s: %s", options.value_title ? options.value_title : "value", text);
    ImGui::EndTooltip();
    if (clicked) {
      result.clicked_row = result.hovered_row;
      result.clicked_col = result.hovered_col;
    }
  }

  if (options.colour_scale) {
    ImVec2 saved = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(ImVec2(grid.Max.x + pad * 2, grid.Min.y));
    colour_scale("##scale", lo, hi, options.colormap,
                 ImVec2(scale_w - pad, std::max(grid.GetHeight(), 3 * line_h)), options.value_format,
                 scale);
    ImGui::SetCursorScreenPos(saved);
  }
  ImGui::PopID();
  return result;
}

}  // namespace cnnlab::widgets
