// Model panel: preset (mlp, cnn1, cnn, vgg, mlp-small) with its editable settings, and the
// engine's model summary (output shape, parameters and multiply-accumulates per layer, totals),
// remade on every edit. Invalid settings are explained inline with the engine's message.
#include <algorithm>
#include <cstdio>
#include <string>

#include "app/panels.h"
#include "core/text_format.h"
#include "imgui.h"
#include "model/presets.h"
#include "model/summary.h"

namespace cnnlab {

namespace {

bool is_convolutional(const std::string& preset) {
  return preset == "cnn" || preset == "cnn1" || preset == "vgg";
}

// The preset's own settings (kernel kept): choosing a preset starts from the seeds' model.
// PresetOptions' 0 / -1 mean "the preset's own"; the sliders show the preset's actual values.
void use_preset(SessionOptions& o, const std::string& preset, int kernel) {
  o.model = preset;
  PresetOptions fresh;
  fresh.kernel = kernel;
  o.preset = fresh;
}

int preset_dense(const std::string& preset) {
  return preset == "mlp" ? 512 : (preset == "mlp-small" || preset == "vgg") ? 256 : 128;
}

// The preset's one-line description with the settings as they are now: the presets' own
// descriptions give their defaults, and an MLP sized to a CNN's parameter count (dense 172)
// must not read "dense 512, 256". Mirrors engine/model/presets.cpp's preset().
std::string described_settings(const std::string& name, const PresetOptions& o) {
  if (o.dense == 0 && o.filters == 0 && o.dropout < 0.0f && o.blocks == 0 && o.pooling == "max" &&
      o.stride == 1) {
    return preset_description(name);
  }
  const int dense = o.dense ? o.dense : preset_dense(name);
  const auto dropout = [](float rate) {
    char text[32];
    std::snprintf(text, sizeof text, ", dropout %g", static_cast<double>(rate));
    return rate > 0.0f ? std::string(text) : std::string();
  };
  if (name == "mlp" || name == "mlp-small") {
    const float rate = o.dropout >= 0.0f ? o.dropout : (name == "mlp" ? 0.3f : 0.0f);
    return "MLP: dense " + std::to_string(dense) + ", " + std::to_string(std::max(1, dense / 2)) +
           dropout(rate) + " (no convolutions)";
  }
  const int f = o.filters ? o.filters : 32;
  const int blocks = name == "vgg" ? 3 : o.blocks ? o.blocks : (name == "cnn1" ? 1 : 2);
  std::string filters;
  for (int b = 0; b < blocks; ++b) filters += (b ? ", " : "") + std::to_string(f << b);
  const std::string downsampling = o.pooling == "none" ? "stride-2 convs" : o.pooling + " pooling";
  return std::to_string(blocks) + " conv block" + (blocks == 1 ? "" : "s") + " (" + filters +
         " filters, " + std::to_string(o.kernel) + "x" + std::to_string(o.kernel) + ", " +
         downsampling + (o.stride > 1 ? ", stride " + std::to_string(o.stride) : "") +
         ") + dense " + std::to_string(dense) +
         (name == "vgg" && o.dropout < 0.0f ? ", dropout 0.25 after blocks, 0.4 after dense"
                                            : dropout(o.dropout));
}

void summary_table(UiState& ui, const ModelSummary& summary) {
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                ImGuiTableFlags_BordersOuter | ImGuiTableFlags_ScrollY;
  // Fixed widths from the widest text of each numeric column, so right alignment is stable
  // (auto-fitting a column to right-aligned text feeds back into its own width).
  float index_w = ImGui::CalcTextSize("00").x;
  float output_w = ImGui::CalcTextSize("Output").x;
  float params_w = ImGui::CalcTextSize(with_thousands(summary.total_params).c_str()).x;
  float macs_w = ImGui::CalcTextSize(with_thousands(summary.total_macs).c_str()).x;
  for (const SummaryRow& row : summary.rows) {
    output_w = std::max(output_w, ImGui::CalcTextSize(row.output.str().c_str()).x);
  }
  params_w = std::max(params_w, ImGui::CalcTextSize("Params").x);
  macs_w = std::max(macs_w, ImGui::CalcTextSize("MACs").x);
  // The rows' height as drawn last frame (a guess from the frame height until then).
  const float rows_height =
      table_height_for_rows("summary", (summary.rows.size() + 2) * ImGui::GetFrameHeight());
  float height = std::min(ImGui::GetContentRegionAvail().y, rows_height);
  if (height < 4 * ImGui::GetFrameHeight()) height = rows_height;  // the child scrolls instead
  if (!ImGui::BeginTable("summary", 5, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, index_w);
  ImGui::TableSetupColumn("Layer", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("Output", ImGuiTableColumnFlags_WidthFixed, output_w);
  ImGui::TableSetupColumn("Params", ImGuiTableColumnFlags_WidthFixed, params_w);
  ImGui::TableSetupColumn("MACs", ImGuiTableColumnFlags_WidthFixed, macs_w);
  ImGui::TableHeadersRow();
  auto right_aligned = [](const std::string& text) {
    float w = ImGui::CalcTextSize(text.c_str()).x;
    float pad = ImGui::GetContentRegionAvail().x - w;
    if (pad > 0) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + pad);
    ImGui::TextUnformatted(text.c_str());
  };
  for (const SummaryRow& row : summary.rows) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%d", row.index);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(row.name.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", row.name.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(row.output.str().c_str());
    ImGui::TableNextColumn();
    right_aligned(with_thousands(row.params));
    ImGui::TableNextColumn();
    right_aligned(with_thousands(row.macs));
  }
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TableNextColumn();
  ImGui::TextUnformatted("Total");
  ImGui::TableNextColumn();
  ImGui::TableNextColumn();
  right_aligned(with_thousands(summary.total_params));
  ImGui::TableNextColumn();
  right_aligned(with_thousands(summary.total_macs));
  end_table_noted(ui, "summary", static_cast<int>(summary.rows.size()) + 1);
}

}  // namespace

void draw_model_panel(AppState& state) {
  ModelState& model = state.model;
  SessionOptions& options = state.settings.draft;
  PresetOptions& settings = options.preset;
  ImGui::BeginDisabled(state.ui.embedding.read_only);  // an instructor's fixed exercise
  const float scale = state.ui.scale;
  const float width = 170.0f * scale;

  ImGui::SetNextItemWidth(width);
  if (ImGui::BeginCombo("Preset", options.model.c_str())) {
    for (const std::string& name : preset_names()) {
      if (ImGui::Selectable(name.c_str(), name == options.model)) {
        use_preset(options, name, settings.kernel);
      }
      item_tooltip(preset_description(name).c_str());
    }
    ImGui::EndCombo();
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("%s", described_settings(options.model, settings).c_str());
  ImGui::PopTextWrapPos();

  const bool conv = is_convolutional(options.model);
  ImGui::BeginDisabled(!conv);
  ImGui::SetNextItemWidth(width);
  ImGui::SliderInt("Kernel size", &settings.kernel, 1, 11, "%d", ImGuiSliderFlags_AlwaysClamp);
  item_tooltip("Each convolution looks at a k x k patch of its input at a time. A larger "
               "kernel sees more of the image in one layer (a larger receptive field) but has "
               "k x k weights per input channel and filter: more parameters, more computation. "
               "Only the convolutional presets (cnn1, cnn, vgg) have kernels.");
  int filters = settings.filters > 0 ? settings.filters : 32;
  ImGui::SetNextItemWidth(width);
  if (ImGui::SliderInt("Filters (first block)", &filters, 4, 128, "%d",
                       ImGuiSliderFlags_AlwaysClamp)) {
    settings.filters = filters;
  }
  item_tooltip("How many kernels the first convolution learns: each one is a feature "
               "detector and gives one feature map. Every further block has twice as many.");
  ImGui::EndDisabled();
  int dense = settings.dense > 0 ? settings.dense : preset_dense(options.model);
  ImGui::SetNextItemWidth(width);
  if (ImGui::SliderInt("Dense width", &dense, 16, 1024, "%d", ImGuiSliderFlags_AlwaysClamp)) {
    settings.dense = dense;
  }
  item_tooltip("Units in the first hidden dense (fully connected) layer; an MLP's second "
               "hidden layer has half as many. Each unit has a weight for every one of its "
               "inputs, so this sets most of an MLP's parameters.");
  bool override_dropout = settings.dropout >= 0.0f;
  if (ImGui::Checkbox("Set dropout", &override_dropout)) {
    settings.dropout = override_dropout ? 0.25f : -1.0f;
  }
  item_tooltip("Dropout switches off a random fraction of a layer's outputs at every "
               "training step, so the network cannot rely on any single unit: a guard against "
               "overfitting. Off: the preset's own (mlp 0.3, vgg 0.25 and 0.4, cnn none).");
  if (override_dropout) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(width * 0.8f);
    ImGui::SliderFloat("##dropout", &settings.dropout, 0.0f, 0.9f, "%.2f",
                       ImGuiSliderFlags_AlwaysClamp);
  } else {
    ImGui::SameLine();
    ImGui::TextDisabled("(the preset's own)");
  }
  if (ImGui::Button("Reset to preset")) use_preset(options, options.model, 3);
  item_tooltip("Back to the preset's own settings, kernel 3.");
  ImGui::EndDisabled();
  if (state.ui.embedding.read_only) ImGui::TextDisabled("Settings fixed by this page.");

  ImGui::Separator();
  ImGui::TextDisabled("Input %s", model.input_note.c_str());
  if (!model.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1.0f));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::Text("These settings do not make a valid model: %s", model.error.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    return;
  }
  if (!model.built) {
    empty_state("No model summary yet.", "Choose a preset above.");
    return;
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::Text("%s parameters, %s multiply-accumulates per image",
              with_thousands(model.summary.total_params).c_str(),
              with_thousands(model.summary.total_macs).c_str());
  ImGui::PopTextWrapPos();
  summary_table(state.ui, model.summary);
}

}  // namespace cnnlab
