// Training panel: optimiser and schedule settings (the engine's SessionOptions, edited as a draft
// the App applies through the same configure() as the JavaScript API), Start / Pause / Step /
// Reset (the same commands as the API), counters (epoch, step, images/s, ETA, progress) and
// per-layer statistics like ConvNetJS's (the engine's Model::stats(), as the trainer reports).
#include <cmath>
#include <cstdio>
#include <string>

#include "app/panels.h"
#include "imgui.h"

namespace cnnlab {

namespace {

constexpr const char* kOptimizers[] = {"adam", "adamw", "sgd"};

// Two settings per row when the panel is wide, one per row when it is narrow (800x600 pages).
void settings_section(SessionOptions& o, float scale) {
  TrainConfig& t = o.train;
  const bool two_per_row = ImGui::GetContentRegionAvail().x > 460.0f * scale;
  const float w = two_per_row ? 120.0f * scale : ImGui::GetContentRegionAvail().x * 0.5f;
  auto next = [&]() { if (two_per_row) ImGui::SameLine(); };
  int opt = 0;
  for (int i = 0; i < 3; ++i) if (t.optimizer.kind == kOptimizers[i]) opt = i;
  ImGui::SetNextItemWidth(w);
  if (ImGui::Combo("Optimizer", &opt, kOptimizers, 3)) t.optimizer.kind = kOptimizers[opt];
  item_tooltip("How the weights move after each mini-batch. adam (the usual choice) adapts the "
               "step size of every weight; adamw is adam with weight decay; sgd takes plain steps "
               "down the gradient.");
  next();
  ImGui::SetNextItemWidth(w);
  ImGui::SliderFloat("Learning rate", &t.optimizer.lr, 1e-5f, 1.0f, "%.0e",
                     ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  item_tooltip("The size of each update step. Too large: the loss jumps about or becomes NaN; "
               "too small: training crawls. 1e-3 suits adam; sgd often needs 1e-2.");
  ImGui::SetNextItemWidth(w);
  ImGui::SliderInt("Batch", &t.batch_size, 1, 512, "%d", ImGuiSliderFlags_AlwaysClamp);
  item_tooltip("Images per mini-batch: the weights are updated once per batch. Smaller "
               "batches give more (noisier) updates per epoch.");
  next();
  ImGui::SetNextItemWidth(w);
  ImGui::SliderInt("Epochs", &t.epochs, 1, 100, "%d", ImGuiSliderFlags_AlwaysClamp);
  item_tooltip("An epoch is one pass over every training image. Training stops after this "
               "many, or earlier with early stopping.");
  // Early stopping on validation loss: patience 0 turns it off.
  bool early = t.patience > 0;
  if (ImGui::Checkbox("Early stopping", &early)) t.patience = early ? 3 : 0;
  item_tooltip("Stop when the validation loss has not improved for 'Patience' epochs, and "
               "test the weights of the best epoch: a guard against overfitting.");
  next();
  ImGui::BeginDisabled(!early);
  int patience = early ? t.patience : 3;
  ImGui::SetNextItemWidth(w);
  if (ImGui::SliderInt("Patience", &patience, 1, 20, "%d epochs", ImGuiSliderFlags_AlwaysClamp) &&
      early) {
    t.patience = patience;
  }
  item_tooltip("Epochs without a better validation loss before training stops.");
  ImGui::EndDisabled();
  // One switch, as the options have one ("augment"): random horizontal flips and random shifts
  // by up to 2 px together.
  bool augment = t.augment.flip || t.augment.max_shift > 0;
  if (ImGui::Checkbox("Augment: random flips + 2 px shifts", &augment)) {
    t.augment.flip = augment;
    t.augment.max_shift = augment ? 2 : 0;
  }
  item_tooltip("Each training image is randomly mirrored left-right and shifted by up to 2 "
               "pixels every time it is used, so the network sees more variety than the "
               "dataset holds. Validation and test images are never changed.");
  int seed = static_cast<int>(t.seed & 0x7fffffff);
  ImGui::SetNextItemWidth(w);
  if (ImGui::InputInt("Seed", &seed)) t.seed = static_cast<uint64_t>(seed < 0 ? 0 : seed);
  item_tooltip("Fixes every random choice: the starting weights, the validation split, the "
               "batch order, dropout and augmentation. The same seed and settings give the same "
               "run; another seed shows how much results vary by chance.");
  next();
  ImGui::SetNextItemWidth(w);
  ImGui::SliderFloat("Validation", &t.val_fraction, 0.0f, 0.5f, "%.2f",
                     ImGuiSliderFlags_AlwaysClamp);
  item_tooltip("Fraction of the training images held out (the same share of every class) "
               "to check the network on images it does not train on, after each epoch. The "
               "test images are kept for the end.");
}

void layer_stats_table(UiState& ui, const TrainingState& training) {
  if (training.layers.empty() || training.step == 0) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("Activation and gradient ranges and timings per layer appear while "
                        "training.");
    ImGui::PopTextWrapPos();
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX;
  const float height = std::fmax(ImGui::GetContentRegionAvail().y,
                                 4.0f * ImGui::GetTextLineHeightWithSpacing());
  if (ImGui::BeginTable("layer_stats", 5, flags, ImVec2(0, height))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    // Numbers in fixed columns wide enough for their usual text; the layer name takes the rest
    // (a tooltip shows it whole).
    const float range_w = ImGui::CalcTextSize("-0.0033 .. 0.0033").x;
    const float ms_w = ImGui::CalcTextSize("Fwd ms").x;
    // Narrow panels (800x600 pages) scroll sideways rather than squash the names.
    const float name_w = std::fmax(ImGui::CalcTextSize("conv2d 64 k=3 pad=same").x,
                                   ImGui::GetContentRegionAvail().x - 2 * range_w - 2 * ms_w -
                                       8 * ImGui::GetStyle().CellPadding.x);
    ImGui::TableSetupColumn("Layer", ImGuiTableColumnFlags_WidthFixed, name_w);
    ImGui::TableSetupColumn("Activations", ImGuiTableColumnFlags_WidthFixed, range_w * 0.85f);
    ImGui::TableSetupColumn("Gradients", ImGuiTableColumnFlags_WidthFixed, range_w);
    ImGui::TableSetupColumn("Fwd ms", ImGuiTableColumnFlags_WidthFixed, ms_w);
    ImGui::TableSetupColumn("Bwd ms", ImGuiTableColumnFlags_WidthFixed, ms_w);
    ImGui::TableHeadersRow();
    for (const LayerStatsRow& row : training.layers) {
      const LayerStats& l = row.stats;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.layer.c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", row.layer.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.3g .. %.3g", l.act_min, l.act_max);
      ImGui::TableNextColumn();
      ImGui::Text("%.2g .. %.2g", l.grad_min, l.grad_max);
      ImGui::TableNextColumn();
      ImGui::Text("%.2f", l.forward_ms);
      ImGui::TableNextColumn();
      ImGui::Text("%.2f", l.backward_ms);
    }
    end_table_noted(ui, "layer_stats", static_cast<int>(training.layers.size()));
  }
}

void wrapped_colored(const ImVec4& color, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

}  // namespace

const char* training_blocked_reason(const AppState& state) {
  const TrainingState& training = state.training;
  if (!training.available) return "The trainer is not connected to the app.";
  if (!state.data.loaded) return "Load a dataset first (Data tab).";
  if (!state.model.built) return "Choose valid model settings first (Model tab).";
  if (state.ui.embedding.read_only_commands) return "This page runs the exercise itself.";
  if (training.status.experiment_running) {
    return "An experiment is running (Experiment tab): it trains its own runs, with these "
           "settings as its base. Pause or stop it there to train here.";
  }
  return nullptr;
}

void draw_training_panel(AppState& state) {
  TrainingState& training = state.training;
  const float scale = state.ui.scale;
  const bool running = training.phase == "training";

  // The buttons say why they are disabled rather than silently doing nothing.
  const char* blocked = training_blocked_reason(state);
  ImGui::BeginDisabled(blocked != nullptr);
  ImGui::BeginDisabled(running);
  if (ImGui::Button(training.phase == "paused" ? "Resume" : "Start")) {
    training.pending.push_back(CommandType::kTrain);
  }
  item_tooltip("Train with the settings below, epoch after epoch; the curves and the Inside "
               "view update as it learns. Keyboard: P.");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!running);
  if (ImGui::Button("Pause")) training.pending.push_back(CommandType::kPause);
  item_tooltip("Stop after the current mini-batch; Resume continues exactly where it "
               "stopped. Keyboard: P.");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(running);
  if (ImGui::Button("Step")) training.pending.push_back(CommandType::kStep);
  ImGui::EndDisabled();
  item_tooltip("Train on exactly one mini-batch, then pause. Keyboard: S.");
  ImGui::SameLine();
  if (ImGui::Button("Reset")) training.pending.push_back(CommandType::kReset);
  item_tooltip("Fresh weights from the seed; this run's curves stay as a past run. Keyboard: R.");
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (training.status.experiment_running) ImGui::TextDisabled("experiment running");
  else ImGui::TextDisabled("run %d, %s", training.run > 0 ? training.run : 1, training.phase.c_str());
  if (blocked) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("%s", blocked);
    ImGui::PopTextWrapPos();
  }

  char eta[32] = "-";
  if (training.eta_seconds >= 0) {
    const int seconds = static_cast<int>(std::lround(training.eta_seconds));
    std::snprintf(eta, sizeof eta, "%d:%02d", seconds / 60, seconds % 60);
  }
  char speed[32] = "-";
  if (training.images_per_second > 0) {
    std::snprintf(speed, sizeof speed, "%.0f", training.images_per_second);
  }
  const int epochs = training.epochs > 0 ? training.epochs : state.settings.applied.train.epochs;
  const int64_t in_epoch =
      training.steps_per_epoch > 0 ? training.step - training.epoch * training.steps_per_epoch : 0;
  // Finished epochs (the step line says which epoch is under way), so "0 / 10" is not read as
  // "in epoch 0".
  ImGui::Text("Epochs done %d / %d   Step %lld", training.epoch, epochs,
              static_cast<long long>(training.step));
  if (training.steps_per_epoch > 0 && in_epoch >= 0 && training.epoch < epochs) {
    char under_way[64];
    std::snprintf(under_way, sizeof under_way, "(%lld / %lld in epoch %d)",
                  static_cast<long long>(in_epoch),
                  static_cast<long long>(training.steps_per_epoch), training.epoch + 1);
    // Beside the line when it fits, else under it (a phone-sized window).
    ImGui::SameLine();
    if (ImGui::CalcTextSize(under_way).x > ImGui::GetContentRegionAvail().x) ImGui::NewLine();
    ImGui::TextDisabled("%s", under_way);
  }
  ImGui::Text("%s images/s   ETA %s", speed, eta);
  // Which trainer runs, as the trainer reports it: the browser's threaded one trains with 2
  // threads, but only on a cross-origin isolated page (the note says why it is 1 otherwise).
  // The line is there from the start, so the panel does not shift when the first report arrives.
  const int threads = training.reported ? training.status.threads : 0;
  const std::string& note = training.status.threads_note;
  ImGui::PushTextWrapPos(0.0f);
  if (threads > 0) {
    ImGui::TextDisabled("Trainer: %d thread%s%s%s%s", threads, threads == 1 ? "" : "s",
                        note.empty() ? "" : " (", note.c_str(), note.empty() ? "" : ")");
  } else {
    ImGui::TextDisabled("Trainer: starting");
  }
  ImGui::PopTextWrapPos();
  char overlay[64];
  std::snprintf(overlay, sizeof overlay, "%.0f %%", training.progress * 100.0);
  ImGui::ProgressBar(static_cast<float>(training.progress), ImVec2(-1.0f, 0.0f),
                     training.step > 0 ? overlay : "not started");
  if (!training.stop_reason.empty()) {
    wrapped_colored(training.failed ? ImVec4(0.75f, 0.1f, 0.1f, 1.0f)
                                    : ImVec4(0.35f, 0.35f, 0.4f, 1.0f),
                    "Stopped: " + training.stop_reason);
  }
  if (!training.message.empty()) wrapped_colored(ImVec4(0.75f, 0.1f, 0.1f, 1.0f), training.message);
  if (!training.trainer_failure.empty()) {
    // The worker is gone; what the lab shows is not (curves, runs, the last weights).
    wrapped_colored(ImVec4(0.75f, 0.1f, 0.1f, 1.0f),
                    "The trainer stopped: " + training.trainer_failure);
    ImGui::TextWrapped("Your curves, runs and the last weights are kept. Restart starts a new "
                       "trainer, loads the dataset again and continues from those weights.");
    if (ImGui::Button("Restart the trainer")) training.restart_requested = true;
  }

  // Settings and statistics share the rest of the panel as tabs (both fit at 800x600); a run's
  // start brings the statistics to the front (App::command sets the request).
  if (ImGui::BeginTabBar("##training_tabs")) {
    if (begin_tab_noted(state.ui, "training", "Settings",
                        training.tab_request == 0 ? ImGuiTabItemFlags_SetSelected : 0)) {
      ImGui::BeginChild("##settings", ImVec2(0, 0), false);
      ImGui::BeginDisabled(state.ui.embedding.read_only);  // an instructor's fixed exercise
      settings_section(state.settings.draft, scale);
      ImGui::EndDisabled();
      if (state.ui.embedding.read_only) ImGui::TextDisabled("Settings fixed by this page.");
      if (!state.settings.error.empty()) {
        wrapped_colored(ImVec4(0.75f, 0.1f, 0.1f, 1.0f), "Not applied: " + state.settings.error);
      } else if (training.step > 0) {
        ImGui::TextDisabled("Changing a setting starts a new run.");
      }
      end_child_noted(state.ui, "settings");
      ImGui::EndTabItem();
    }
    if (begin_tab_noted(state.ui, "training", "Per-layer statistics",
                        training.tab_request == 1 ? ImGuiTabItemFlags_SetSelected : 0)) {
      layer_stats_table(state.ui, training);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  training.tab_request = -1;
}

}  // namespace cnnlab
