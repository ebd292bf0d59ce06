// Curves panel: loss and accuracy of every run (earlier runs stay until cleared), training per
// step (smoothed) and per epoch, validation per epoch; colours per run, a legend, hover values.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/panels.h"
#include "imgui.h"
#include "widgets/colors.h"
#include "widgets/line_plot.h"

namespace cnnlab {

namespace {

struct CurveBuffers {
  std::vector<std::vector<float>> smoothed;  // per run
  std::vector<std::string> labels;
};

void plot_metric(const char* id, const char* title, const char* y_label, AppState& state,
                 bool accuracy, ImVec2 size) {
  CurvesState& curves = state.curves;
  std::vector<widgets::PlotSeries> series;
  CurveBuffers buffers;
  buffers.smoothed.resize(curves.runs.size());
  buffers.labels.reserve(curves.runs.size() * 3);
  for (size_t r = 0; r < curves.runs.size(); ++r) {
    const RunHistory& run = curves.runs[r];
    // One legend entry per run (its colour); the line styles are explained above the plots.
    const size_t first_of_run = series.size();
    const ImU32 color = widgets::series_color(run.color_index);
    const ImU32 faint = widgets::series_color(run.color_index, 0.55f);
    const std::vector<float>& steps = accuracy ? run.step_acc : run.step_loss;
    if (curves.show_steps && !steps.empty()) {
      widgets::smooth_curve(buffers.smoothed[r], steps, curves.smoothing);
      buffers.labels.push_back(run.label + " train (step)");
      widgets::PlotSeries s;
      s.label = buffers.labels.back().c_str();
      s.x = run.step_x.data();
      s.y = buffers.smoothed[r].data();
      s.count = static_cast<int>(std::min(run.step_x.size(), steps.size()));
      s.color = faint;
      s.thickness = 1.0f;
      series.push_back(s);
    }
    // Per-epoch points are plotted at the step where the epoch ended, so both share one x axis.
    const std::vector<float>& train = accuracy ? run.epoch_train_acc : run.epoch_train_loss;
    const std::vector<float>& val = accuracy ? run.epoch_val_acc : run.epoch_val_loss;
    if (!train.empty()) {
      buffers.labels.push_back(run.label + " train");
      widgets::PlotSeries s;
      s.label = buffers.labels.back().c_str();
      s.x = run.epoch_x.data();
      s.y = train.data();
      s.count = static_cast<int>(std::min(run.epoch_x.size(), train.size()));
      s.color = color;
      s.markers = true;
      series.push_back(s);
    }
    if (!val.empty()) {
      buffers.labels.push_back(run.label + " validation");
      widgets::PlotSeries s;
      s.label = buffers.labels.back().c_str();
      s.x = run.epoch_x.data();
      s.y = val.data();
      s.count = static_cast<int>(std::min(run.epoch_x.size(), val.size()));
      s.color = color;
      s.thickness = 2.5f;
      s.markers = true;
      series.push_back(s);
    }
    for (size_t i = first_of_run; i < series.size(); ++i) series[i].in_legend = false;
    if (series.size() > first_of_run) series.back().in_legend = true;
  }
  // The epoch the time slider shows (Inside, Evaluation), marked on both plots.
  const TimeTravelState& tt = state.time_travel;
  char cursor_label[32] = "";
  if (tt.shown_run > 0) std::snprintf(cursor_label, sizeof cursor_label, "epoch %d", tt.shown_epoch);
  draw_epoch_plot(id, series, size, title, y_label, accuracy, state.ui.scale,
                  "No runs yet: press Start in the Training panel.",
                  tt.shown_run > 0 ? static_cast<float>(tt.shown_epoch) : NAN,
                  tt.shown_run > 0 ? cursor_label : nullptr);
}

}  // namespace

void draw_curves_panel(AppState& state) {
  CurvesState& curves = state.curves;
  const float scale = state.ui.scale;
  ImGui::Checkbox("Per-step curves", &curves.show_steps);
  item_tooltip("Also draw the loss and accuracy of every mini-batch (faint), not only each "
               "epoch's: noisy, but visible from the first steps.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90.0f * scale);
  ImGui::BeginDisabled(!curves.show_steps);
  ImGui::SliderFloat("Smoothing", &curves.smoothing, 0.0f, 0.99f, "%.2f",
                     ImGuiSliderFlags_AlwaysClamp);
  item_tooltip("Averages the per-step curves over recent steps (an exponential moving "
               "average): 0 shows every step as it was, 0.99 a slow trend.");
  ImGui::EndDisabled();
  // Clear on the next line where it does not fit (a phone with touch-sized controls cut it to
  // "Clea").
  const float clear_w = ImGui::CalcTextSize("Clear").x + 2.0f * ImGui::GetStyle().FramePadding.x;
  if (ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x - ImGui::GetItemRectMax().x >
      clear_w + ImGui::GetStyle().ItemSpacing.x)
    ImGui::SameLine();
  ImGui::BeginDisabled(curves.runs.empty());
  // Clears every finished run's curves (the trainer forgets them too); the current run stays.
  if (ImGui::Button("Clear")) curves.clear_requested = true;
  item_tooltip("Remove the finished runs' curves from these plots (the run in progress "
               "stays). The Runs tab keeps their results.");
  ImGui::EndDisabled();
  // The run count only where it fits on the line (narrow pages drop it; the legend has the runs).
  char runs[32];
  std::snprintf(runs, sizeof runs, "%zu run%s", curves.runs.size(),
                curves.runs.size() == 1 ? "" : "s");
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(runs).x <
      right) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", runs);
  }

  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("faint: training per step (smoothed)   thin + dots: training per epoch   "
                      "thick + dots: validation per epoch");
  ImGui::PopTextWrapPos();

  // Side by side where each plot gets room for its axis and legend, else one above the other
  // where the area is tall enough for two (a phone: two 170-pixel-wide plots cut their legends
  // off; a short area, 800x600, keeps them side by side).
  ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImGuiStyle& style = ImGui::GetStyle();
  const bool side_by_side = (avail.x - style.ItemSpacing.x) * 0.5f >= 300.0f * scale ||
                            (avail.y - style.ItemSpacing.y) * 0.5f < 150.0f * scale;
  const ImVec2 size = side_by_side ? ImVec2((avail.x - style.ItemSpacing.x) * 0.5f, avail.y)
                                   : ImVec2(avail.x, (avail.y - style.ItemSpacing.y) * 0.5f);
  plot_metric("loss", "Loss", "cross-entropy", state, false, size);
  if (side_by_side) ImGui::SameLine();
  plot_metric("accuracy", "Accuracy", "fraction correct", state, true, size);
}

}  // namespace cnnlab
