// Line plot drawn on ImDrawList (ImPlot is in neither Debian nor npm): several series, axes with
// round tick values, a legend, and a hover readout of every series at the x under the mouse.
// Used by the Curves panel (loss / accuracy per step and per epoch, several runs overlaid).
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "imgui.h"

namespace cnnlab::widgets {

// A view of one series; the plot copies nothing. x must be ascending (steps, epochs); a NaN y
// breaks the line (a value not measured).
struct PlotSeries {
  const char* label = "";
  const float* x = nullptr;  // (count)
  const float* y = nullptr;  // (count)
  int count = 0;
  ImU32 color = 0;
  float thickness = 1.5f;   // logical pixels (scaled by the UI scale)
  bool markers = false;     // a dot on every point (per-epoch values)
  bool in_legend = true;
};

struct PlotOptions {
  const char* title = nullptr;
  const char* x_label = nullptr;
  const char* y_label = nullptr;
  float y_min = NAN, y_max = NAN;  // fixed y range when finite, else fitted to the data
  float x_min = NAN, x_max = NAN;  // fixed x range when finite
  const char* empty_text = "No data yet";
  const char* y_format = "%.3g";   // tick and readout format
  bool legend = true;
  float ui_scale = 1.0f;
  float x_cursor = NAN;            // a marked x (the epoch shown elsewhere) when finite
  const char* cursor_label = nullptr;  // written beside the cursor ("epoch 2")
};

// Draws the plot in a box of `size` (<= 0: the available width / height). Returns true while the
// mouse hovers the plot area.
bool line_plot(const char* id, const PlotSeries* series, int series_count, ImVec2 size,
               const PlotOptions& options);

// Round tick positions between lo and hi, about target_count of them: writes at most max_ticks
// values to ticks and returns how many.
int nice_ticks(double lo, double hi, int target_count, double* ticks, int max_ticks);

// How tick labels are printed: with `format` (a printf format for one double) while that tells
// every two neighbouring ticks apart, else with a fixed number of decimals (decimals >= 0) the
// ticks' step needs, so a small range never repeats a label.
struct TickFormat {
  const char* format = "%.3g";
  int decimals = -1;  // < 0: use format
  void print(char* out, size_t size, double value) const;
};
TickFormat tick_format(const char* format, const double* ticks, int count);

// Exponential moving average with bias correction (as TensorBoard's smoothing), so the first
// points are not pulled towards zero. out [n] <- in [n]; weight in [0, 1) (0: no smoothing);
// NaN and infinity stay NaN and do not enter the average.
void smooth_curve(std::vector<float>& out, const std::vector<float>& in, float weight);

}  // namespace cnnlab::widgets
