// Data panel: the loaded dataset and where it came from, its shapes, class counts per split (bar
// chart), a grid of samples of one class, the mean image of every class and the per-channel
// pixel histogram. Shows an explicit empty state until a dataset is loaded.
#include <algorithm>
#include <cstdarg>
#include <string>
#include <vector>

#include "app/actions.h"
#include "app/panels.h"
#include "platform/platform.h"
#include "imgui.h"
#include "core/text_format.h"
#include "widgets/bar_chart.h"
#include "widgets/colors.h"
#include "widgets/line_plot.h"

namespace cnnlab {

namespace {

constexpr const char* kRgb[3] = {"red", "green", "blue"};
constexpr ImU32 kRgbColors[3] = {IM_COL32(214, 39, 40, 255), IM_COL32(44, 160, 44, 255),
                                 IM_COL32(31, 119, 180, 255)};

void histogram_plot(const DataState& data, float scale) {
  const Dataset& train = data.dataset.train;
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

// A bullet whose text wraps at the panel's edge (BulletText does not wrap).
void bullet_wrapped(const char* format, ...) IM_FMTARGS(1);
void bullet_wrapped(const char* format, ...) {
  ImGui::Bullet();
  va_list args;
  va_start(args, format);
  ImGui::TextWrappedV(format, args);
  va_end(args);
}

// The subsets the site offers (data/packs.json): pick one, Load downloads it with the page's
// progress bar. Nothing is drawn where no subsets are offered (desktop, a site built without).
void subset_chooser(DataState& data, float val_fraction, float scale) {
  if (data.subsets.empty()) return;
  int loaded = -1;
  for (size_t i = 0; i < data.subsets.size(); ++i) {
    if (is_loaded_subset(data, data.subsets[i])) loaded = static_cast<int>(i);
  }
  data.chosen_subset = std::clamp(data.chosen_subset, 0, static_cast<int>(data.subsets.size()) - 1);
  const ImGuiStyle& style = ImGui::GetStyle();
  const float button_w = ImGui::CalcTextSize("Load").x + style.FramePadding.x * 2;
  ImGui::TextUnformatted("Subset");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::max(80.0f * scale, ImGui::GetContentRegionAvail().x - button_w -
                                                      style.ItemSpacing.x));
  // With a dataset of another kind loaded (the student's own), no subset is the loaded one: the
  // menu says what it is for until one is picked.
  const bool none_chosen = loaded < 0 && data.loaded && !data.subset_picked;
  const std::string preview =
      none_chosen ? std::string("a CIFAR-10 subset instead...")
                  : subset_label(data, data.subsets[data.chosen_subset], val_fraction);
  if (ImGui::BeginCombo("##subset", preview.c_str())) {
    for (size_t i = 0; i < data.subsets.size(); ++i) {
      std::string label = subset_label(data, data.subsets[i], val_fraction);
      if (static_cast<int>(i) == loaded) label += "  (loaded)";
      if (ImGui::Selectable(label.c_str(), !none_chosen && static_cast<int>(i) == data.chosen_subset)) {
        data.chosen_subset = static_cast<int>(i);
        data.subset_picked = true;
      }
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(data.chosen_subset == loaded || none_chosen);
  if (ImGui::Button("Load")) platform::request_dataset(data.subsets[data.chosen_subset].file);
  item_tooltip("Load the subset chosen on the left. Larger subsets train better networks "
               "but take longer per epoch; the loaded one stays until this finishes.");
  ImGui::EndDisabled();
}

}  // namespace

void draw_data_panel(AppState& state) {
  DataState& data = state.data;
  const float scale = state.ui.scale;
  ImGui::BeginDisabled(state.ui.embedding.read_only);  // an instructor's fixed exercise
  subset_chooser(data, state.settings.applied.train.val_fraction, scale);
  // Where the site offers subsets (the browser), the way to the student's own pictures too.
  if (!data.subsets.empty() && !state.ui.embedding.read_only) {
    // Wrapped: a phone's Data panel is narrower than the line.
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("Your own pictures: File > Load dataset, or drop an archive here.");
    ImGui::PopStyleColor();
    item_tooltip("A .zip, .tar or .tar.gz with one folder of images per class (or train/ and "
                 "test/ folders).");
  }
  ImGui::EndDisabled();
  if (!data.loaded) {
    empty_state("No dataset loaded yet.",
                data.status.empty() || data.status == "No dataset loaded yet."
                    ? "CIFAR-10 subsets are packed at build time and downloaded on demand; "
                      "their class counts and sample images appear here once one is loaded."
                    : data.status.c_str());
    return;
  }
  const Dataset& train = data.dataset.train;
  ImGui::Text("%s", train.name.c_str());
  // Where it came from: beside the name when it fits, else on lines of its own, a long address
  // shortened in its middle with the whole of it in a tooltip (a phone cut it at the edge).
  const std::string from = "from " + data.origin;
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  if (ImGui::CalcTextSize(from.c_str()).x + spacing <= ImGui::GetContentRegionAvail().x -
                                                            ImGui::GetItemRectSize().x) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", from.c_str());
  } else {
    std::vector<std::string> lines;
    const bool shortened = wrap_at_spaces(from, ImGui::GetContentRegionAvail().x, &lines);
    ImGui::BeginGroup();
    for (const std::string& line : lines) ImGui::TextDisabled("%s", line.c_str());
    ImGui::EndGroup();
    if (shortened) item_tooltip(from.c_str());
  }
  ImGui::PushTextWrapPos(0.0f);
  // Channels first, as the Model tab and the layers' shapes write it.
  ImGui::Text("Images %d x %d x %d (C x H x W: colour channels, height, width), %zu classes",
              train.channels, train.height, train.width, train.class_names.size());
  ImGui::PopTextWrapPos();
  // Where the training images went: the validation split comes out of them (Training settings'
  // validation fraction), so "train" alone would hide it.
  const size_t all_train = train.size();
  for (const SplitView& split : data.splits) {
    if (split.name == "train" && data.split.val.size() > 0)
      bullet_wrapped("train: %s images (the other %s of the %s go to validation)",
                        with_thousands(split.size).c_str(),
                        with_thousands(data.split.val.size()).c_str(),
                        with_thousands(all_train).c_str());
    else if (split.name == "validation" && split.size > 0)
      bullet_wrapped("validation: %s images (%.0f %% of each class, for early stopping)",
                        with_thousands(split.size).c_str(), data.split_fraction * 100.0);
    else
      bullet_wrapped("%s: %s images", split.name.c_str(), with_thousands(split.size).c_str());
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
