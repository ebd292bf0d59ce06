// Curves panel: loss and accuracy of every run (earlier runs stay until cleared), training per
// step (smoothed) and per epoch, validation per epoch; colours per run, hover values, and one
// legend for both plots above them (inside a plot, four runs' legend covered the curves). Runs
// trained on different datasets are named so, with a note that their accuracies are not
// comparable and a way to show only the loaded dataset's runs.
//
// [SECTION] Plots   [SECTION] Legend   [SECTION] Panel
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/actions.h"
#include "app/panels.h"
#include "imgui.h"
#include "widgets/colors.h"
#include "widgets/line_plot.h"

namespace cnnlab {

namespace {

// ---- [SECTION] Plots -------------------------------------------------------------------------------

struct CurveBuffers {
  std::vector<std::vector<float>> smoothed;  // per run
  std::vector<std::string> labels;
};

// shown: the runs plotted (indices into curves.runs).
void plot_metric(const char* id, const char* title, const char* y_label, AppState& state,
                 const std::vector<size_t>& shown, bool accuracy, ImVec2 size,
                 const char* empty_text) {
  CurvesState& curves = state.curves;
  std::vector<widgets::PlotSeries> series;
  CurveBuffers buffers;
  buffers.smoothed.resize(curves.runs.size());
  buffers.labels.reserve(curves.runs.size() * 3);
  for (size_t r : shown) {
    const RunHistory& run = curves.runs[r];
    // The legend above the plots names the runs (curves_legend); the line styles are explained
    // above it.
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
      // Over an identical earlier run, thinner: that run's colour shows on both sides.
      s.thickness = run.same_curves_as > 0 ? 1.0f : 2.5f;
      s.markers = true;
      series.push_back(s);
    }
  }
  // The epoch the time slider shows (Inside, Evaluation), marked on both plots.
  const TimeTravelState& tt = state.time_travel;
  char cursor_label[32] = "";
  if (tt.shown_run > 0) std::snprintf(cursor_label, sizeof cursor_label, "epoch %d", tt.shown_epoch);
  draw_epoch_plot(id, series, size, title, y_label, accuracy, state.ui.scale, empty_text,
                  tt.shown_run > 0 ? static_cast<float>(tt.shown_epoch) : NAN,
                  tt.shown_run > 0 ? cursor_label : nullptr, /*legend=*/false);
  note_control(state.ui, "curves", id);
}

// ---- [SECTION] Legend ------------------------------------------------------------------------------

// One entry per shown run (its colour and label), flowing in rows above the plots, outside their
// data. When the runs trained on different datasets, each dataset's name comes first and its
// runs after it, so no label repeats it. Taller than a quarter of the panel (three rows at least)
// it scrolls, its last row shown in half, so the cut says there is more. Each entry is noted as control "legend: LABEL" or
// "legend: LABEL on DATASET" for state().ui.controls.
void curves_legend(AppState& state, const std::vector<size_t>& shown, bool name_datasets) {
  if (shown.empty()) return;
  CurvesState& curves = state.curves;
  const float scale = state.ui.scale;
  const ImGuiStyle& style = ImGui::GetStyle();
  const float swatch = 16.0f * scale;
  const float line_h = ImGui::GetTextLineHeight();
  const float row_h = line_h + style.ItemSpacing.y;
  std::vector<std::string> groups;  // datasets in the order of their first shown run
  for (size_t r : shown) {
    const std::string& dataset = name_datasets ? curves.runs[r].dataset : std::string();
    if (std::find(groups.begin(), groups.end(), dataset) == groups.end()) groups.push_back(dataset);
  }
  // The height its rows took last frame (their wrapping depends on the width only).
  const float content = curves.legend_height > 0.0f ? curves.legend_height
                                                    : static_cast<float>(groups.size()) * row_h;
  // At most a quarter of the panel's height (a phone's tall Curves area) and at least three rows.
  const float most = std::max(3.0f, std::floor(ImGui::GetContentRegionAvail().y * 0.25f / row_h));
  const bool scrolls = content > most * row_h;
  ImGui::BeginChild("##curves_legend", ImVec2(0.0f, scrolls ? (most - 0.5f) * row_h : content), false,
                    scrolls ? 0 : ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PushTextWrapPos(0.0f);
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (const std::string& group : groups) {
    bool row_started = false;
    if (!group.empty()) {
      ImGui::TextDisabled("%s", group.c_str());
      item_tooltip("These runs trained on this dataset. Compare accuracies only between runs on "
                   "the same dataset.");
      row_started = true;
    }
    for (size_t r : shown) {
      const RunHistory& run = curves.runs[r];
      if (name_datasets && run.dataset != group) continue;
      const std::string shown_label =
          run.same_curves_as > 0
              ? run.label + " (same curves as run " + std::to_string(run.same_curves_as) + ")"
              : run.label;
      const float width =
          swatch + style.ItemInnerSpacing.x + ImGui::CalcTextSize(shown_label.c_str()).x;
      if (row_started && ImGui::GetItemRectMax().x + style.ItemSpacing.x * 2.0f + width <= right)
        ImGui::SameLine(0.0f, style.ItemSpacing.x * 2.0f);
      row_started = true;
      ImGui::BeginGroup();
      const ImVec2 at = ImGui::GetCursorScreenPos();
      ImGui::GetWindowDrawList()->AddLine(ImVec2(at.x, at.y + line_h * 0.5f),
                                          ImVec2(at.x + swatch, at.y + line_h * 0.5f),
                                          widgets::series_color(run.color_index), 3.0f * scale);
      ImGui::Dummy(ImVec2(swatch, line_h));
      ImGui::SameLine(0.0f, style.ItemInnerSpacing.x);
      ImGui::TextUnformatted(shown_label.c_str());
      ImGui::EndGroup();
      if (run.same_curves_as > 0) {
        item_tooltip("This run's curves are exactly those of the earlier run (same seed and "
                     "settings), so its lines lie on top of that run's.");
      }
      const std::string name =
          "legend: " + run.label + (name_datasets && !run.dataset.empty() ? " on " + run.dataset : "");
      note_control(state.ui, "curves", name.c_str());
    }
  }
  ImGui::PopTextWrapPos();
  curves.legend_height = ImGui::GetCursorPosY() - style.ItemSpacing.y;
  ImGui::EndChild();
}

}  // namespace

// ---- [SECTION] Panel -------------------------------------------------------------------------------

void draw_curves_panel(AppState& state) {
  CurvesState& curves = state.curves;
  const float scale = state.ui.scale;
  const ImGuiStyle& style = ImGui::GetStyle();
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
  // Runs on different datasets: their accuracies are not comparable. The loaded dataset's runs
  // alone when the student asks (the choice stays for the next time the datasets differ).
  std::vector<std::string> datasets;
  for (const RunHistory& run : curves.runs)
    if (!run.dataset.empty() &&
        std::find(datasets.begin(), datasets.end(), run.dataset) == datasets.end())
      datasets.push_back(run.dataset);
  const bool datasets_differ = datasets.size() > 1;
  const std::string current_dataset = loaded_dataset_identity(state.data);
  const bool filtered = datasets_differ && curves.only_current_dataset && !current_dataset.empty();
  std::vector<size_t> shown;
  for (size_t r = 0; r < curves.runs.size(); ++r)
    if (!filtered || curves.runs[r].dataset == current_dataset) shown.push_back(r);

  // The run count only where it fits on the line (narrow pages drop it; the legend has the runs).
  char runs[64];
  if (shown.size() < curves.runs.size())
    std::snprintf(runs, sizeof runs, "%zu of %zu runs", shown.size(), curves.runs.size());
  else
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

  if (datasets_differ) {
    const ImVec4 caution = state.ui.embedding.dark_theme ? ImVec4(1.0f, 0.68f, 0.35f, 1.0f)
                                                         : ImVec4(0.70f, 0.29f, 0.0f, 1.0f);
    ImGui::PushStyleColor(ImGuiCol_Text, caution);
    ImGui::PushTextWrapPos(0.0f);
    // The same words filtered or not (the run count says how many are hidden): the checkbox
    // beside them stays under the pointer that ticked it.
    ImGui::TextUnformatted("Runs on different datasets: accuracies are not comparable.");
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    note_control(state.ui, "curves", "datasets-differ");
    item_tooltip("Each run is measured on its own dataset's images: a bigger or easier dataset "
                 "gives other accuracies with the same network. Compare runs on one dataset.");
    const char* only_label = "Only this dataset's runs";
    const float only_w = ImGui::GetFrameHeight() + style.ItemInnerSpacing.x +
                         ImGui::CalcTextSize(only_label).x + 2.0f * style.ItemSpacing.x;
    if (ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x - ImGui::GetItemRectMax().x >
        only_w)
      ImGui::SameLine(0.0f, 2.0f * style.ItemSpacing.x);
    ImGui::BeginDisabled(current_dataset.empty());
    ImGui::Checkbox(only_label, &curves.only_current_dataset);
    ImGui::EndDisabled();
    note_control(state.ui, "curves", "only-current-dataset");
    item_tooltip("Plot only the runs trained on the dataset loaded now; the others stay and "
                 "come back when you untick this.");
  }
  curves_legend(state, shown, datasets_differ);

  // Side by side where each plot gets room for its axes, else one above the other where the
  // area is tall enough for two (a phone: two 170-pixel-wide plots are too narrow to read; a
  // short area, 800x600, keeps them side by side).
  ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool side_by_side = (avail.x - style.ItemSpacing.x) * 0.5f >= 300.0f * scale ||
                            (avail.y - style.ItemSpacing.y) * 0.5f < 150.0f * scale;
  const ImVec2 size = side_by_side ? ImVec2((avail.x - style.ItemSpacing.x) * 0.5f, avail.y)
                                   : ImVec2(avail.x, (avail.y - style.ItemSpacing.y) * 0.5f);
  const char* empty_text = curves.runs.empty() ? "No runs yet: press Start in the Training panel."
                                               : "No run on the dataset loaded now yet.";
  plot_metric("loss", "Loss", "cross-entropy", state, shown, false, size, empty_text);
  if (side_by_side) ImGui::SameLine();
  plot_metric("accuracy", "Accuracy", "fraction correct", state, shown, true, size, empty_text);
}

}  // namespace cnnlab
