// Helpers shared by the panels.
#include "app/panels.h"

#include <algorithm>

#include "imgui.h"

namespace cnnlab {

void empty_state(const char* title, const char* explanation) {
  ImGui::Spacing();
  ImGui::TextUnformatted(title);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(explanation);
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

void draw_epoch_plot(const char* id, const std::vector<widgets::PlotSeries>& series, ImVec2 size,
                     const char* title, const char* y_label, bool accuracy, float ui_scale,
                     const char* empty_text) {
  widgets::PlotOptions options;
  float x_last = 0.0f;
  for (const widgets::PlotSeries& s : series)
    if (s.count > 0) x_last = std::max(x_last, s.x[s.count - 1]);
  if (x_last > 0.0f) {
    options.x_min = 0.0f;
    options.x_max = x_last * 1.04f;
  }
  options.title = title;
  options.x_label = "epoch";
  options.y_label = y_label;
  options.ui_scale = ui_scale;
  options.empty_text = empty_text;
  if (accuracy) {
    options.y_min = 0.0f;
    options.y_max = 1.0f;
    options.y_format = "%.2f";
  }
  widgets::line_plot(id, series.data(), static_cast<int>(series.size()), size, options);
}

}  // namespace cnnlab
