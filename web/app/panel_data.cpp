// Data panel: which dataset and subset, its shapes, class counts per split (bar chart) and a grid
// of samples of one class. Shows an explicit empty state until a dataset is loaded.
#include <algorithm>
#include <vector>

#include "app/panels.h"
#include "imgui.h"
#include "widgets/bar_chart.h"
#include "widgets/colors.h"

namespace cnnlab {

void draw_data_panel(AppState& state) {
  DataState& data = state.data;
  const float scale = state.ui.scale;
  if (!data.loaded) {
    empty_state("No dataset loaded yet.",
                data.status.empty() || data.status == "No dataset loaded yet."
                    ? "The CIFAR-10 subsets are packed at build time and downloaded on demand; "
                      "their class counts and sample images appear here once one is loaded."
                    : data.status.c_str());
    return;
  }

  ImGui::Text("%s", data.name.c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("(%s)", data.origin.c_str());
  ImGui::Text("Images: %d x %d x %d (H x W x C), %zu classes", data.height, data.width,
              data.channels, data.class_names.size());
  for (const SplitView& split : data.splits) {
    ImGui::BulletText("%s: %zu images", split.name.c_str(), split.size);
  }

  ImGui::Separator();
  ImGui::TextUnformatted("Images per class");
  std::vector<const char*> names;
  for (const std::string& n : data.class_names) names.push_back(n.c_str());
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
  widgets::bar_chart("class_counts", names.data(), static_cast<int>(names.size()), series.data(),
                     static_cast<int>(series.size()), ImVec2(0, 0), bar_options);

  ImGui::Separator();
  ImGui::TextUnformatted("Samples of class");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(160.0f * scale);
  if (!names.empty()) {
    data.sample_class = std::clamp(data.sample_class, 0, static_cast<int>(names.size()) - 1);
    ImGui::Combo("##sample_class", &data.sample_class, names.data(),
                 static_cast<int>(names.size()));
  }
  widgets::ImageGridOptions grid_options;
  grid_options.tile_size = 48.0f;
  grid_options.ui_scale = scale;
  if (data.sample_grid.count() > 0) {
    data.sample_grid.draw("samples", grid_options);
  } else {
    ImGui::TextDisabled("No samples of this class in the loaded split.");
  }
}

}  // namespace cnnlab
