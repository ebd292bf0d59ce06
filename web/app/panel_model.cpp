// Model panel: preset (mlp, cnn1, cnn, vgg, mlp-small) with its editable settings, and the model
// summary table (output shape, parameters and multiply-accumulates per layer, totals) that the
// engine computes. Invalid settings are explained inline.
#include <algorithm>
#include <cstdio>
#include <string>

#include "app/panels.h"
#include "imgui.h"

namespace cnnlab {

namespace {

struct PresetInfo {
  const char* name;
  const char* description;
  bool convolutional;
};

constexpr PresetInfo kPresets[] = {
    {"mlp", "Baseline without convolutions: Flatten, Dense 512, Dense 256, Dense 10", false},
    {"cnn1", "One conv block: Conv 32, MaxPool, Dense 128, Dense 10", true},
    {"cnn", "Two conv blocks: Conv 32, MaxPool, Conv 64, MaxPool, Dense 128, Dense 10", true},
    {"vgg", "Three VGG-style blocks (two convs each, then pooling and dropout), Dense 256", true},
    {"mlp-small", "Small MLP for Fashion-MNIST: Dense 256, Dense 128, Dense 10", false},
};

// Thousands separators make parameter counts readable: 545098 -> "545,098".
std::string with_commas(long long v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

}  // namespace

void draw_model_panel(AppState& state) {
  ModelState& model = state.model;
  ModelSettings& settings = model.settings;
  const float scale = state.ui.scale;

  int current = 0;
  for (int i = 0; i < static_cast<int>(std::size(kPresets)); ++i) {
    if (settings.preset == kPresets[i].name) current = i;
  }
  ImGui::SetNextItemWidth(160.0f * scale);
  if (ImGui::BeginCombo("Preset", kPresets[current].name)) {
    for (int i = 0; i < static_cast<int>(std::size(kPresets)); ++i) {
      if (ImGui::Selectable(kPresets[i].name, i == current)) settings.preset = kPresets[i].name;
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kPresets[i].description);
    }
    ImGui::EndCombo();
  }
  const PresetInfo& preset = kPresets[current];
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("%s", preset.description);
  ImGui::PopTextWrapPos();

  ImGui::BeginDisabled(!preset.convolutional);
  ImGui::SetNextItemWidth(160.0f * scale);
  ImGui::SliderInt("Kernel size", &settings.kernel, 1, 11, "%d x %d",
                   ImGuiSliderFlags_AlwaysClamp);
  ImGui::SetNextItemWidth(160.0f * scale);
  ImGui::SliderInt("First conv filters", &settings.filters, 4, 128, "%d",
                   ImGuiSliderFlags_AlwaysClamp);
  ImGui::EndDisabled();
  ImGui::SetNextItemWidth(160.0f * scale);
  ImGui::SliderInt("Dense width", &settings.dense, 16, 1024, "%d", ImGuiSliderFlags_AlwaysClamp);
  ImGui::SetNextItemWidth(160.0f * scale);
  ImGui::SliderFloat("Dropout", &settings.dropout, 0.0f, 0.9f, "%.2f",
                     ImGuiSliderFlags_AlwaysClamp);

  if (!model.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1.0f));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(model.error.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }

  ImGui::Separator();
  if (!model.built) {
    empty_state("No model summary yet.",
                "The summary (output shape, parameters and multiply-accumulates per layer) comes "
                "from the engine's model library once it is connected to the app.");
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY;
  if (ImGui::BeginTable("summary", 4, flags, ImVec2(0, 0))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Layer");
    ImGui::TableSetupColumn("Output");
    ImGui::TableSetupColumn("Params");
    ImGui::TableSetupColumn("MACs");
    ImGui::TableHeadersRow();
    for (const SummaryRow& row : model.summary) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.layer.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.output_shape.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(with_commas(row.params).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(with_commas(row.macs).c_str());
    }
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("Total");
    ImGui::TableNextColumn();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(with_commas(model.total_params).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(with_commas(model.total_macs).c_str());
    ImGui::EndTable();
  }
}

}  // namespace cnnlab
