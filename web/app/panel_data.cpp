// Data panel: the loaded dataset and where it came from, its shapes, class counts per split (bar
// chart), a grid of samples of one class, the mean image of every class and the per-channel
// pixel histogram. Shows an explicit empty state until a dataset is loaded.
#include <algorithm>
#include <vector>

#include "app/panels.h"
#include "imgui.h"
#include "widgets/bar_chart.h"
#include "widgets/colors.h"
#include "widgets/line_plot.h"

namespace cnnlab {

namespace {

constexpr const char* kRgb[3] = {"red", "green", "blue"};
constexpr ImU32 kRgbColors[3] = {IM_COL32(214, 39, 40, 255), IM_COL32(44, 160, 44, 255),
                                 IM_COL32(31, 119, 180, 255)};

void histogram_plot(const DataState& data, float scale) {
  const Dataset& train = data.source.train;
  std::vector<widgets::PlotSeries> series;
  for (int c = 0; c < train.channels; ++c) {
    widgets::PlotSeries s;
    s.label = train.channels == 3 ? kRgb[c] : "grey";
    s.x = data.histogram_x.data();
    s.y = data.histogram.data() + c * 256;
    s.count = 256;
    s.color = train.channels == 3 ? kRgbColors[c] : IM_COL32(80, 80, 80, 255);
    series.push_back(s);
  }
  widgets::PlotOptions options;
  options.title = "Pixel values (training split)";
  options.x_label = "value";
  options.y_format = "%.3f";
  options.ui_scale = scale;
  options.x_min = 0.0f;
  options.x_max = 255.0f;
  options.y_min = 0.0f;
  widgets::line_plot("histogram", series.data(), static_cast<int>(series.size()),
                     ImVec2(0, 180.0f * scale), options);
}

}  // namespace

void draw_data_panel(AppState& state) {
  DataState& data = state.data;
  const float scale = state.ui.scale;
  if (!data.loaded) {
    empty_state("No dataset loaded yet.",
                data.status.empty() || data.status == "No dataset loaded yet."
                    ? "CIFAR-10 subsets are packed at build time and downloaded on demand; "
                      "their class counts and sample images appear here once one is loaded."
                    : data.status.c_str());
    return;
  }
  const Dataset& train = data.source.train;
  ImGui::Text("%s", train.name.c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("from %s", data.origin.c_str());
  ImGui::PushTextWrapPos(0.0f);
  ImGui::Text("Images %d x %d x %d (H x W x C), %zu classes", train.height, train.width,
              train.channels, train.class_names.size());
  ImGui::PopTextWrapPos();
  for (const SplitView& split : data.splits) {
    ImGui::BulletText("%s: %zu images", split.name.c_str(), split.size);
  }

  std::vector<const char*> names;
  for (const std::string& n : train.class_names) names.push_back(n.c_str());
  if (ImGui::CollapsingHeader("Images per class", ImGuiTreeNodeFlags_DefaultOpen)) {
    std::vector<widgets::BarSeries> series;
    for (size_t i = 0; i < data.splits.size(); ++i) {
      if (data.splits[i].class_counts.size() != names.size()) continue;
      widgets::BarSeries s;
      s.label = data.splits[i].name.c_str();
      s.values = data.splits[i].class_counts.data();
      s.color = widgets::series_color(static_cast<int>(i));
      series.push_back(s);
    }
    widgets::BarChartOptions bar_options;
    bar_options.ui_scale = scale;
    widgets::bar_chart("class_counts", names.data(), static_cast<int>(names.size()),
                       series.data(), static_cast<int>(series.size()), ImVec2(0, 0), bar_options);
  }

  if (ImGui::CollapsingHeader("Samples", ImGuiTreeNodeFlags_DefaultOpen)) {
    ImGui::TextUnformatted("Class");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(180.0f * scale);
    ImGui::Combo("##sample_class", &data.sample_class, names.data(),
                 static_cast<int>(names.size()));
    widgets::ImageGridOptions grid_options;
    grid_options.tile_size = 48.0f;
    grid_options.ui_scale = scale;
    if (data.sample_grid.count() > 0) {
      data.sample_grid.draw("samples", grid_options);
    } else {
      ImGui::TextDisabled("The training split has no images of this class.");
    }
  }

  if (ImGui::CollapsingHeader("Mean image per class", ImGuiTreeNodeFlags_DefaultOpen)) {
    widgets::ImageGridOptions grid_options;
    grid_options.tile_size = 56.0f;
    grid_options.ui_scale = scale;
    grid_options.captions = names.data();
    widgets::ImageGridResult r = data.mean_grid.draw("means", grid_options);
    if (r.hovered >= 0) ImGui::SetTooltip("Mean of every training image of %s", names[r.hovered]);
  }

  if (ImGui::CollapsingHeader("Pixel histogram", ImGuiTreeNodeFlags_DefaultOpen)) {
    histogram_plot(data, scale);
  }
}

}  // namespace cnnlab
