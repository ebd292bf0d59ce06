// Widget check: a window (View menu, or the desktop's --widget-check) that draws every widget on
// synthetic, clearly labelled input (sine curves, gradients), so a developer can see that plots,
// legends, hover readouts, heatmaps, colour scales, bar charts and image grids render correctly
// before real data flows through them. Never shown by default; never used for results.
#include <cmath>
#include <cstdint>
#include <vector>

#include "app/panels.h"
#include "imgui.h"
#include "widgets/bar_chart.h"
#include "widgets/colors.h"
#include "widgets/heatmap.h"
#include "widgets/image_grid.h"
#include "widgets/line_plot.h"

namespace cnnlab {

void draw_widget_check(AppState& state) {
  const float scale = state.ui.scale;
  ImGui::SetNextWindowSize(ImVec2(720 * scale, 560 * scale), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Widget check (synthetic input, not results)", &state.ui.show_widget_check,
                    ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return;
  }
  // Line plot: two decaying curves and one with a gap (NaN), 400 points.
  std::vector<float> x(400), a(400), b(400), c(400);
  for (int i = 0; i < 400; ++i) {
    x[i] = static_cast<float>(i);
    a[i] = 2.3f * std::exp(-i / 120.0f) + 0.1f * std::sin(i * 0.3f);
    b[i] = 2.0f * std::exp(-i / 90.0f) + 0.2f;
    c[i] = (i > 150 && i < 200) ? NAN : 1.2f + 0.4f * std::cos(i / 40.0f);
  }
  widgets::PlotSeries series[3];
  const char* labels[3] = {"curve a", "curve b", "curve c (gap)"};
  const float* ys[3] = {a.data(), b.data(), c.data()};
  for (int s = 0; s < 3; ++s) {
    series[s].label = labels[s];
    series[s].x = x.data();
    series[s].y = ys[s];
    series[s].count = 400;
    series[s].color = widgets::series_color(s);
  }
  widgets::PlotOptions plot_options;
  plot_options.title = "Line plot";
  plot_options.x_label = "x";
  plot_options.ui_scale = scale;
  float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
  widgets::line_plot("check_plot", series, 3, ImVec2(half, 220 * scale), plot_options);
  ImGui::SameLine();
  // Heatmap: a 10x10 matrix with a strong diagonal.
  float matrix[100];
  for (int r = 0; r < 10; ++r)
    for (int col = 0; col < 10; ++col) matrix[r * 10 + col] = r == col ? 80.0f + r : float((r * 7 + col * 3) % 11);
  widgets::HeatmapOptions heat_options;
  heat_options.ui_scale = scale;
  heat_options.row_title = "row";
  heat_options.col_title = "column";
  widgets::heatmap("check_heat", matrix, 10, 10, ImVec2(half, 220 * scale), heat_options);

  // Bar chart: three series over five categories.
  const char* categories[5] = {"first", "second", "third", "fourth", "fifth"};
  float v1[5] = {10, 20, 30, 40, 50}, v2[5] = {5, 4, 3, 2, 1}, v3[5] = {25, 25, 25, 25, 25};
  widgets::BarSeries bars[3] = {{"one", v1, widgets::series_color(0)},
                                {"two", v2, widgets::series_color(1)},
                                {"three", v3, widgets::series_color(2)}};
  widgets::BarChartOptions bar_options;
  bar_options.ui_scale = scale;
  ImGui::BeginGroup();
  widgets::bar_chart("check_bars", categories, 5, bars, 3, ImVec2(half, 0), bar_options);
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  // Image grid: 12 RGB gradients (12, 3, 8, 8) and 8 float maps (8, 6, 6) in the diverging map.
  if (state.ui.widget_check_images.count() == 0) {
    std::vector<uint8_t> images(12 * 3 * 8 * 8);
    for (int n = 0; n < 12; ++n)
      for (int ch = 0; ch < 3; ++ch)
        for (int i = 0; i < 64; ++i)
          images[((n * 3 + ch) * 64) + i] = static_cast<uint8_t>(
              ch == 0 ? (i % 8) * 32 : ch == 1 ? (i / 8) * 32 : n * 21);
    state.ui.widget_check_images.set_images_chw(images.data(), 12, 3, 8, 8);
    std::vector<float> maps(8 * 36);
    for (int n = 0; n < 8; ++n)
      for (int i = 0; i < 36; ++i) maps[n * 36 + i] = std::sin(0.5f * n + 0.4f * (i % 6) - 0.3f * (i / 6));
    state.ui.widget_check_maps.set_maps(maps.data(), 8, 6, 6, widgets::Colormap::Diverging, -1, 1);
  }
  widgets::ImageGridOptions grid_options;
  grid_options.ui_scale = scale;
  grid_options.tile_size = 32;
  grid_options.columns = 6;
  state.ui.widget_check_images.draw("check_images", grid_options);
  grid_options.columns = 8;
  grid_options.tile_size = 24;
  state.ui.widget_check_maps.draw("check_maps", grid_options);
  ImGui::EndGroup();

  // A loss that barely moves (2.305 to 2.312) with the Curves panel's "%.2f": every tick label
  // must differ (the format gains decimals), none reads 2.31 twice.
  std::vector<float> flat(40), flat_x(40);
  for (int i = 0; i < 40; ++i) {
    flat_x[i] = static_cast<float>(i);
    flat[i] = 2.312f - 0.007f * static_cast<float>(i) / 39.0f;
  }
  widgets::PlotSeries flat_series;
  flat_series.label = "flat loss";
  flat_series.x = flat_x.data();
  flat_series.y = flat.data();
  flat_series.count = 40;
  flat_series.color = widgets::series_color(0);
  widgets::PlotOptions flat_options;
  flat_options.title = "Small range, %.2f ticks";
  flat_options.y_format = "%.2f";
  flat_options.ui_scale = scale;
  widgets::line_plot("check_flat_plot", &flat_series, 1, ImVec2(half, 180 * scale), flat_options);
  ImGui::End();
}

}  // namespace cnnlab
