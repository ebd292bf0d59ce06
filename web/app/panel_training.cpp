// Training panel: optimiser and schedule settings, Start / Pause / Step / Reset, counters
// (epoch, step, images/s, ETA, progress) and per-layer statistics like ConvNetJS's.
#include <cstdio>

#include "app/panels.h"
#include "imgui.h"

namespace cnnlab {

namespace {

constexpr const char* kOptimizers[] = {"adam", "adamw", "sgd"};

// Two settings per row when the panel is wide, one per row when it is narrow (800x600 pages).
void settings_section(TrainingSettings& t, float scale) {
  const bool two_per_row = ImGui::GetContentRegionAvail().x > 460.0f * scale;
  const float w = two_per_row ? 120.0f * scale : ImGui::GetContentRegionAvail().x * 0.5f;
  auto next = [&]() { if (two_per_row) ImGui::SameLine(); };
  int opt = 0;
  for (int i = 0; i < 3; ++i) if (t.optimizer == kOptimizers[i]) opt = i;
  ImGui::SetNextItemWidth(w);
  if (ImGui::Combo("Optimizer", &opt, kOptimizers, 3)) t.optimizer = kOptimizers[opt];
  next();
  ImGui::SetNextItemWidth(w);
  ImGui::SliderFloat("Learning rate", &t.learning_rate, 1e-5f, 1.0f, "%.0e",
                     ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  ImGui::SetNextItemWidth(w);
  ImGui::SliderInt("Batch", &t.batch, 1, 512, "%d", ImGuiSliderFlags_AlwaysClamp);
  next();
  ImGui::SetNextItemWidth(w);
  ImGui::SliderInt("Epochs", &t.epochs, 1, 100, "%d", ImGuiSliderFlags_AlwaysClamp);
  ImGui::Checkbox("Early stopping", &t.early_stopping);
  next();
  ImGui::BeginDisabled(!t.early_stopping);
  ImGui::SetNextItemWidth(w);
  ImGui::SliderInt("Patience", &t.patience, 1, 20, "%d epochs", ImGuiSliderFlags_AlwaysClamp);
  ImGui::EndDisabled();
  ImGui::Checkbox("Random flips", &t.augment_flip);
  ImGui::SameLine();
  ImGui::Checkbox("Random shifts", &t.augment_shift);
  int seed = static_cast<int>(t.seed);
  ImGui::SetNextItemWidth(w);
  if (ImGui::InputInt("Seed", &seed)) t.seed = static_cast<uint32_t>(seed < 0 ? 0 : seed);
  next();
  ImGui::SetNextItemWidth(w);
  ImGui::SliderFloat("Validation", &t.val_fraction, 0.0f, 0.5f, "%.2f",
                     ImGuiSliderFlags_AlwaysClamp);
}

void layer_stats_table(const TrainingState& training) {
  if (training.layers.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("Activation and gradient ranges and timings per layer appear while "
                        "training.");
    ImGui::PopTextWrapPos();
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY;
  if (ImGui::BeginTable("layer_stats", 5, flags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Layer");
    ImGui::TableSetupColumn("Activations");
    ImGui::TableSetupColumn("Gradients");
    ImGui::TableSetupColumn("Fwd ms");
    ImGui::TableSetupColumn("Bwd ms");
    ImGui::TableHeadersRow();
    for (const LayerStats& l : training.layers) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(l.layer.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.3g .. %.3g", l.act_min, l.act_max);
      ImGui::TableNextColumn();
      ImGui::Text("%.3g .. %.3g", l.grad_min, l.grad_max);
      ImGui::TableNextColumn();
      ImGui::Text("%.2f", l.forward_ms);
      ImGui::TableNextColumn();
      ImGui::Text("%.2f", l.backward_ms);
    }
    ImGui::EndTable();
  }
}

}  // namespace

void draw_training_panel(AppState& state) {
  TrainingState& training = state.training;
  const float scale = state.ui.scale;

  // The buttons say why they are disabled rather than silently doing nothing.
  const char* blocked = nullptr;
  if (!training.available) blocked = "The trainer is not connected to the app yet.";
  else if (!state.data.loaded) blocked = "Load a dataset first (Data tab).";
  else if (!state.model.built) blocked = "Choose valid model settings first (Model tab).";
  ImGui::BeginDisabled(blocked != nullptr);
  ImGui::Button("Start");
  ImGui::SameLine();
  ImGui::Button("Pause");
  ImGui::SameLine();
  ImGui::Button("Step");
  ImGui::SameLine();
  ImGui::Button("Reset");
  ImGui::EndDisabled();
  if (blocked) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("%s", blocked);
    ImGui::PopTextWrapPos();
  }

  char eta[32] = "-";
  if (training.eta_seconds >= 0) {
    std::snprintf(eta, sizeof eta, "%d:%02d", static_cast<int>(training.eta_seconds) / 60,
                  static_cast<int>(training.eta_seconds) % 60);
  }
  char speed[32] = "-";
  if (training.images_per_second > 0) {
    std::snprintf(speed, sizeof speed, "%.0f", training.images_per_second);
  }
  ImGui::Text("Epoch %d / %d   Step %lld   %s images/s   ETA %s", training.epoch,
              training.settings.epochs, static_cast<long long>(training.step), speed, eta);
  float progress = 0.0f;
  if (training.steps_per_epoch > 0 && training.settings.epochs > 0) {
    progress = static_cast<float>(training.step) /
               static_cast<float>(training.steps_per_epoch * training.settings.epochs);
  }
  ImGui::ProgressBar(progress, ImVec2(-1.0f, 0.0f),
                     training.steps_per_epoch > 0 ? nullptr : "not started");

  if (ImGui::CollapsingHeader("Settings", ImGuiTreeNodeFlags_DefaultOpen)) {
    settings_section(training.settings, scale);
  }
  if (ImGui::CollapsingHeader("Per-layer statistics", ImGuiTreeNodeFlags_DefaultOpen)) {
    layer_stats_table(training);
  }
}

}  // namespace cnnlab
