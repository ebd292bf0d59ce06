// Heatmap of a (rows, cols) matrix with a colour scale beside it, on ImDrawList: confusion
// matrices (counts in the cells, click a cell to pick it), small weight matrices. Large maps
// (feature maps of 32x32 and up) go through ImageGrid's textures instead.
#pragma once

#include <cmath>

#include "imgui.h"
#include "widgets/colors.h"

namespace cnnlab::widgets {

struct HeatmapOptions {
  float v_min = NAN, v_max = NAN;       // colour range; NaN: the data's min / max
  Colormap colormap = Colormap::Viridis;
  const char* value_format = "%.0f";    // text drawn in cells (when they are big enough)
  bool show_values = true;
  const char* const* row_labels = nullptr;  // (rows)
  const char* const* col_labels = nullptr;  // (cols), drawn as numbers 0..cols-1 when too wide
  const char* row_title = nullptr;      // e.g. "true class"
  const char* col_title = nullptr;      // e.g. "predicted class"
  bool draw_row_title = true;           // false: the row title is named in the hover readout only
  // The hover readout's names of a row and a column where the drawn labels are numbers (nullptr:
  // the labels drawn), and of the value ("value" when nullptr), e.g. "images".
  const char* const* hover_row_labels = nullptr;
  const char* const* hover_col_labels = nullptr;
  const char* value_title = nullptr;
  bool colour_scale = true;
  int selected_row = -1, selected_col = -1;  // outlined
  float ui_scale = 1.0f;
};

struct HeatmapResult {
  int hovered_row = -1, hovered_col = -1;
  int clicked_row = -1, clicked_col = -1;
  ImVec2 cells_min, cells_max;  // the cells' rectangle in screen pixels (rows x cols equal squares)
};

// values: (rows, cols), row-major. size <= 0: the available width / a square of it.
HeatmapResult heatmap(const char* id, const float* values, int rows, int cols, ImVec2 size,
                      const HeatmapOptions& options);

// A vertical colour bar for [v_min, v_max] with min / mid / max labels.
void colour_scale(const char* id, float v_min, float v_max, Colormap map, ImVec2 size,
                  const char* format, float ui_scale);

}  // namespace cnnlab::widgets
