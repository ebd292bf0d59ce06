// Horizontal grouped bar chart on ImDrawList: one row per category (class names stay readable at
// any width), one bar per series in each row (for example train / validation / test counts).
// Hovering a row shows every series' value.
#pragma once

#include "imgui.h"

namespace cnnlab::widgets {

struct BarSeries {
  const char* label = "";
  const float* values = nullptr;  // (category_count)
  ImU32 color = 0;
};

struct BarChartOptions {
  const char* value_format = "%.0f";
  const char* empty_text = "No data yet";
  bool legend = true;
  bool values_at_bar_end = true;
  float ui_scale = 1.0f;
};

// Draws the chart (size <= 0: available width; the height follows the row count when size.y <= 0).
// Returns the category under the mouse or -1.
int bar_chart(const char* id, const char* const* categories, int category_count,
              const BarSeries* series, int series_count, ImVec2 size,
              const BarChartOptions& options);

}  // namespace cnnlab::widgets
