// Training panel: every training setting, grouped (optimiser, learning rate and its schedule, data
// augmentation, batches and when to stop, validation and seed: the engine's SessionOptions, edited
// as a draft the App applies through the same configure() as the JavaScript API), Start / Pause / Step /
// Reset (the same commands as the API), counters (epoch, step, images/s, ETA, progress) and
// per-layer statistics like ConvNetJS's (the engine's Model::stats(), as the trainer reports).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

#include "app/panels.h"
#include "imgui.h"

namespace cnnlab {

namespace {

constexpr const char* kOptimizers[] = {"adam", "adamw", "sgd"};
constexpr const char* kSchedules[] = {"constant", "step", "cosine"};
constexpr LrScheduleKind kScheduleKinds[] = {LrScheduleKind::kConstant, LrScheduleKind::kStep,
                                             LrScheduleKind::kCosine};

bool training_checkbox(UiState& ui, const char* label, const char* name, bool* value) {
  const bool changed = ImGui::Checkbox(label, value);
  note_control(ui, "training", name);
  return changed;
}

// A group's heading: open at first, so every setting is in sight; a student can fold the ones
// they are done with.
bool training_settings_group(UiState& ui, const char* label, const char* name) {
  const bool open = ImGui::CollapsingHeader(label, ImGuiTreeNodeFlags_DefaultOpen);
  note_control(ui, "training", name);
  return open;
}

// The width of a setting's box (with its - and + buttons) in the current column: half of it,
// the name taking the other half.
float training_setting_width(float scale) {
  return std::fmin(std::fmax(ImGui::GetContentRegionAvail().x * 0.5f, 110.0f * scale),
                   210.0f * scale);
}

// Every training setting, grouped as a student looks for them: how the weights move (optimiser,
// learning rate) in the first column, the data and when to stop in the second; one column on a
// narrow panel. One setting a row: the box (typed or nudged) on the left, its name on the right.
void settings_section(UiState& ui, SessionOptions& o, const TrainingState& training, float scale) {
  TrainConfig& t = o.train;
  OptimizerConfig& opt = t.optimizer;
  const bool sgd = opt.kind == "sgd";
  const bool two_columns = ImGui::GetContentRegionAvail().x > 460.0f * scale;
  if (two_columns && !ImGui::BeginTable("##settings_columns", 2, ImGuiTableFlags_SizingStretchSame))
    return;
  if (two_columns) ImGui::TableNextColumn();
  float w = training_setting_width(scale);

  if (training_settings_group(ui, "Optimiser", "groupOptimiser")) {
    int kind = 0;
    for (int i = 0; i < 3; ++i) if (opt.kind == kOptimizers[i]) kind = i;
    ImGui::SetNextItemWidth(w);
    if (ImGui::Combo("Optimizer", &kind, kOptimizers, 3)) opt.kind = kOptimizers[kind];
    note_control(ui, "training", "optimizer");
    item_tooltip("How the weights move after each mini-batch. adam (the usual choice) adapts the "
                 "step size of every weight; adamw is adam with weight decay done right; sgd "
                 "takes plain steps down the gradient.");
    ImGui::BeginDisabled(!sgd);
    stepped_number(ui, "training", "Momentum", "momentum", &opt.momentum, 0.05f, "%.2f", w);
    item_tooltip(sgd ? "How much of the previous step sgd keeps going in (0 = none, 0.9 usual): "
                       "it smooths out noisy steps and speeds up steady ones."
                     : "Only sgd uses momentum: adam and adamw keep their own running average "
                       "of the gradients instead.");
    training_checkbox(ui, "Nesterov momentum", "nesterov", &opt.nesterov);
    item_tooltip(sgd ? "A variant of momentum that looks one step ahead before it steps; often "
                       "a little faster. Needs momentum above 0."
                     : "Only sgd uses Nesterov momentum: choose sgd to turn it on.");
    ImGui::EndDisabled();
    stepped_number(ui, "training", "Weight decay", "weightDecay", &opt.weight_decay, 0.0f, "%g", w,
                            1e-4f);
    item_tooltip(opt.kind == "adamw"
                     ? "Shrinks every weight a little each step (adamw: directly), so no weight "
                       "grows large without need: a guard against overfitting. 0 = off; try 1e-4."
                     : "Pulls every weight a little towards 0 each step (added to the gradient), "
                       "a guard against overfitting. 0 = off; try 1e-4.");
    bool clip = opt.clip_norm > 0.0f;
    if (training_checkbox(ui, "Clip gradients", "clip", &clip)) opt.clip_norm = clip ? 1.0f : 0.0f;
    item_tooltip("Caps how big one step can be: when all gradients together are longer than the "
                 "limit, they are scaled down to it. Stops one bad batch from wrecking training.");
    if (clip) {
      stepped_number(ui, "training", "Gradient limit", "clipNorm", &opt.clip_norm, 0.0f, "%g", w);
      item_tooltip("The longest the gradients may be (their combined length, the L2 norm) "
                   "before they are scaled down. 1 is a common choice.");
    }
  }

  if (training_settings_group(ui, "Learning rate", "groupLearningRate")) {
    stepped_number(ui, "training", "Learning rate", "lr", &opt.lr, 0.0f, "%g", w, 1e-3f);
    item_tooltip("The size of each update step. Too large: the loss jumps about or becomes NaN; "
                 "too small: training crawls. 0.001 suits adam; sgd often needs 0.01. - and + "
                 "halve and double it.");
    int schedule = 0;
    for (int i = 0; i < 3; ++i) if (t.lr_schedule.kind == kScheduleKinds[i]) schedule = i;
    ImGui::SetNextItemWidth(w);
    if (ImGui::Combo("Schedule", &schedule, kSchedules, 3)) t.lr_schedule.kind = kScheduleKinds[schedule];
    note_control(ui, "training", "lrSchedule");
    item_tooltip("How the learning rate changes during the run: constant keeps it; step "
                 "multiplies it by a factor every few epochs; cosine lowers it smoothly to an "
                 "end rate by the last epoch. Smaller steps late in training settle the weights.");
    // The rate the run is at, as the trainer reports it (the schedule's, for its next step).
    if (t.lr_schedule.kind != LrScheduleKind::kConstant && training.reported &&
        training.status.lr && training.step > 0) {  // none once the run has ended
      ImGui::TextDisabled("Rate now: %.3g", *training.status.lr);
      item_tooltip("The learning rate the run uses for its next step, as the schedule has "
                   "lowered it so far.");
    }
    if (t.lr_schedule.kind == LrScheduleKind::kStep) {
      stepped_number(ui, "training", "Every (epochs)", "lrStepEpochs", &t.lr_schedule.step_epochs, 1,
                              "%d", w);
      item_tooltip("How many epochs pass between two drops of the learning rate.");
      stepped_number(ui, "training", "Multiply by", "lrGamma", &t.lr_schedule.gamma, 0.05f, "%.2f", w);
      item_tooltip("The factor each drop multiplies the learning rate by: 0.1 makes it ten "
                   "times smaller, 1 changes nothing.");
    } else if (t.lr_schedule.kind == LrScheduleKind::kCosine) {
      stepped_number(ui, "training", "End rate", "lrMin", &t.lr_schedule.min_lr, 0.0f, "%g", w,
                              1e-5f);
      item_tooltip("The learning rate the cosine curve comes down to at the end of the run "
                   "(0 = all the way down). Must be below the learning rate.");
    }
  }

  if (two_columns) ImGui::TableNextColumn();
  w = training_setting_width(scale);
  if (training_settings_group(ui, "Data augmentation", "groupAugmentation")) {
    training_checkbox(ui, "Random flips", "flip", &t.augment.flip);
    item_tooltip("Each training image is mirrored left-right half of the time, so the network "
                 "learns that a cat facing left is still a cat. Test images are never changed.");
    stepped_number(ui, "training", "Shift (pixels)", "shift", &t.augment.max_shift, 1, "%d", w);
    item_tooltip("Each training image is moved by up to this many pixels in a random direction "
                 "every time it is used (0 = off, 0 to 8), so position matters less.");
  }

  if (training_settings_group(ui, "Batches and when to stop", "groupStopping")) {
    stepped_number(ui, "training", "Batch size", "batch", &t.batch_size, 0, "%d", w);
    item_tooltip("Images per mini-batch: the weights are updated once per batch. Smaller "
                 "batches give more (noisier) updates per epoch. - and + halve and double it.");
    stepped_number(ui, "training", "Epochs", "epochs", &t.epochs, 1, "%d", w);
    item_tooltip("An epoch is one pass over every training image. Training stops after this "
                 "many, or earlier with early stopping.");
    bool early = t.patience > 0;
    if (training_checkbox(ui, "Early stopping", "earlyStopping", &early)) t.patience = early ? 3 : 0;
    item_tooltip("Stop when the validation loss has not improved for 'Patience' epochs, and "
                 "test the weights of the best epoch: a guard against overfitting.");
    if (early) {
      stepped_number(ui, "training", "Patience", "patience", &t.patience, 1, "%d", w);
      item_tooltip("Epochs without a better validation loss before training stops.");
    }
  }

  if (training_settings_group(ui, "Validation and repeatability", "groupValidation")) {
    stepped_number(ui, "training", "Validation", "valFraction", &t.val_fraction, 0.05f, "%.2f", w);
    item_tooltip("Fraction of the training images held out (the same share of every class) "
                 "to check the network on images it does not train on, after each epoch. The "
                 "test images are kept for the end.");
    training_checkbox(ui, "Standardise inputs", "standardize", &t.standardize);
    item_tooltip("Shift and scale each colour channel so it averages 0 with spread 1 over the "
                 "training images: often trains faster. Saved with the model.");
    int seed = static_cast<int>(t.seed & 0x7fffffff);
    if (stepped_number(ui, "training", "Seed", "seed", &seed, 1, "%d", w))
      t.seed = static_cast<uint64_t>(seed < 0 ? 0 : seed);
    item_tooltip("Fixes every random choice: the starting weights, the validation split, the "
                 "batch order, dropout and augmentation. The same seed and settings give the same "
                 "run; another seed shows how much results vary by chance.");
  }
  if (two_columns) ImGui::EndTable();
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
  // Every cell's text first, so the number columns are sized to what they show (a gradient of
  // "-0.00019 .. 0.00018" is wider than "-9.9e-05 .. 9.9e-05") and never cut.
  struct StatsCells {
    char act[48], grad[48], fwd[16], bwd[16];
  };
  std::vector<StatsCells> cells(training.layers.size());
  const float pad = ImGui::GetStyle().CellPadding.x;
  const auto text_w = [](const char* text) { return ImGui::CalcTextSize(text).x; };
  float act_w = text_w("Activations"), grad_w = text_w("Gradients");
  float ms_w = text_w("Fwd ms"), name_w = text_w("Layer"), widest_word_w = 0.0f;
  for (size_t r = 0; r < cells.size(); ++r) {
    const LayerStats& l = training.layers[r].stats;
    StatsCells& c = cells[r];
    std::snprintf(c.act, sizeof c.act, "%.3g .. %.3g", l.act_min, l.act_max);
    std::snprintf(c.grad, sizeof c.grad, "%.2g .. %.2g", l.grad_min, l.grad_max);
    std::snprintf(c.fwd, sizeof c.fwd, "%.2f", l.forward_ms);
    std::snprintf(c.bwd, sizeof c.bwd, "%.2f", l.backward_ms);
    act_w = std::fmax(act_w, text_w(c.act));
    grad_w = std::fmax(grad_w, text_w(c.grad));
    ms_w = std::fmax(ms_w, std::fmax(text_w(c.fwd), text_w(c.bwd)));
    const std::string& name = training.layers[r].layer;
    name_w = std::fmax(name_w, text_w(name.c_str()));
    // The layer name's widest word ("pad=same", "stride=2"): the narrow table's name column is
    // at least that wide, so a name wraps between words, never inside one.
    for (size_t at = 0; at < name.size();) {
      const size_t end = std::min(name.find(' ', at), name.size());
      widest_word_w = std::fmax(widest_word_w, text_w(name.substr(at, end - at).c_str()));
      at = end + 1;
    }
  }
  const float avail = ImGui::GetContentRegionAvail().x;
  // A narrow panel (a phone) stacks each row's two ranges and two timings in one column each,
  // the layer's name over as many lines as it needs: every figure in sight.
  if (name_w + act_w + grad_w + 2 * ms_w + 10 * pad > avail) {
    const float range_w = std::fmax(act_w, grad_w) + 2 * pad;
    const float stacked_ms_w = std::fmax(ms_w, text_w("ms f / b")) + 2 * pad;
    // Too narrow even for the widest word beside the numbers: the table scrolls sideways
    // rather than break a word.
    const bool scroll_x = widest_word_w + 2 * pad + range_w + stacked_ms_w + 6 * pad > avail;
    if (ImGui::BeginTable("layer_stats", 3, scroll_x ? flags : flags & ~ImGuiTableFlags_ScrollX,
                          ImVec2(0, height))) {
      ImGui::TableSetupScrollFreeze(0, 1);
      if (scroll_x) {
        ImGui::TableSetupColumn("Layer", ImGuiTableColumnFlags_WidthFixed, widest_word_w + 2 * pad);
      } else {
        ImGui::TableSetupColumn("Layer", ImGuiTableColumnFlags_WidthStretch);
      }
      ImGui::TableSetupColumn("Act. / grad.", ImGuiTableColumnFlags_WidthFixed, range_w);
      ImGui::TableSetupColumn("ms f / b", ImGuiTableColumnFlags_WidthFixed, stacked_ms_w);
      ImGui::TableHeadersRow();
      for (size_t r = 0; r < cells.size(); ++r) {
        const StatsCells& c = cells[r];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        wrapped_cell(ui, "layer_stats", training.layers[r].layer);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(c.act);
        item_tooltip("Activations: the smallest and largest output of the layer in the last "
                     "mini-batch.");
        ImGui::TextUnformatted(c.grad);
        item_tooltip("Gradients: the smallest and largest gradient of the layer's output.");
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(c.fwd);
        ImGui::TextUnformatted(c.bwd);
      }
      end_table_noted(ui, "layer_stats", static_cast<int>(training.layers.size()));
    }
    return;
  }
  if (ImGui::BeginTable("layer_stats", 5, flags, ImVec2(0, height))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    // The names on one line each; the name column takes what the numbers leave.
    ImGui::TableSetupColumn("Layer", ImGuiTableColumnFlags_WidthFixed,
                            std::fmax(name_w, avail - act_w - grad_w - 2 * ms_w - 10 * pad));
    ImGui::TableSetupColumn("Activations", ImGuiTableColumnFlags_WidthFixed, act_w + 2 * pad);
    ImGui::TableSetupColumn("Gradients", ImGuiTableColumnFlags_WidthFixed, grad_w + 2 * pad);
    ImGui::TableSetupColumn("Fwd ms", ImGuiTableColumnFlags_WidthFixed, ms_w + 2 * pad);
    ImGui::TableSetupColumn("Bwd ms", ImGuiTableColumnFlags_WidthFixed, ms_w + 2 * pad);
    ImGui::TableHeadersRow();
    for (size_t r = 0; r < cells.size(); ++r) {
      const StatsCells& c = cells[r];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      wrapped_cell(ui, "layer_stats", training.layers[r].layer);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(c.act);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(c.grad);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(c.fwd);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(c.bwd);
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
  if (!state.model.spec_edit_error.empty() && state.model.spec_edit != state.model.spec_edit_source)
    return "The model typed in Model > Model as text has an error: fix it there (or choose a "
           "preset) before training.";
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
  const bool testing = running && training.status.testing;
  char run_status[64];
  if (training.status.experiment_running) {
    std::snprintf(run_status, sizeof run_status, "experiment running");
  } else {
    std::snprintf(run_status, sizeof run_status, "run %d, %s", training.run > 0 ? training.run : 1,
                  testing ? "testing" : training.phase.c_str());
  }
  // Beside the buttons when it fits, else under them (a phone's touch-sized buttons), not cut.
  ImGui::SameLine();
  if (ImGui::CalcTextSize(run_status).x > ImGui::GetContentRegionAvail().x) ImGui::NewLine();
  ImGui::TextDisabled("%s", run_status);
  if (testing) {
    item_tooltip("Training has ended; the trained network now answers the test images, which it "
                 "never trained on, to measure its accuracy.");
  }
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
  item_tooltip(threads == 1 && !note.empty()
                   ? "Training uses one processor core here. A course site set up for it (served "
                     "'cross-origin isolated', see the lab's web README) lets it use two, about "
                     "1.6 times as fast. Nothing else changes: the results are the same."
                   : "How many processor cores the training uses.");
  char overlay[64];
  // While the test runs the bar shows the test's progress, not a finished 100 %.
  const double bar_fraction =
      testing ? training.status.test_progress.value_or(0.0) : training.progress;
  std::snprintf(overlay, sizeof overlay, testing ? "testing %.0f %%" : "%.0f %%",
                std::floor(bar_fraction * 100.0));
  ImGui::ProgressBar(static_cast<float>(bar_fraction), ImVec2(-1.0f, 0.0f),
                     training.step > 0 ? overlay : "not started");
  if (!training.stop_reason.empty() || testing) {
    SessionStatus shown_status = training.status;
    shown_status.stop_reason = training.stop_reason;
    shown_status.testing = testing;
    wrapped_colored(training.failed ? ImVec4(0.75f, 0.1f, 0.1f, 1.0f)
                                    : ImVec4(0.35f, 0.35f, 0.4f, 1.0f),
                    run_end_line(shown_status));
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
  // start brings the statistics to the front (App::command sets the request) until the student
  // chooses a tab: from then on the one they chose stays open.
  if (ImGui::BeginTabBar("##training_tabs")) {
    const bool settings_open =
        begin_tab_noted(state.ui, "training", "Settings",
                        training.tab_request == 0 ? ImGuiTabItemFlags_SetSelected : 0);
    if (ImGui::IsItemActivated()) training.view_chosen = true;
    if (settings_open) {
      // Above the settings, not under them: a refusal stays in sight whichever setting, however
      // far down, was edited.
      if (!state.settings.error.empty()) {
        wrapped_colored(ImVec4(0.75f, 0.1f, 0.1f, 1.0f), "Not applied: " + state.settings.error);
      } else if (training.step > 0) {
        ImGui::TextDisabled("Changing a setting starts a new run.");
      }
      if (state.ui.embedding.read_only) ImGui::TextDisabled("Settings fixed by this page.");
      ImGui::BeginChild("##settings", ImVec2(0, 0), false);
      ImGui::BeginDisabled(state.ui.embedding.read_only);  // an instructor's fixed exercise
      settings_section(state.ui, state.settings.draft, training, scale);
      ImGui::EndDisabled();
      end_child_noted(state.ui, "settings");
      ImGui::EndTabItem();
    }
    const bool statistics_open =
        begin_tab_noted(state.ui, "training", "Per-layer statistics",
                        training.tab_request == 1 ? ImGuiTabItemFlags_SetSelected : 0);
    if (ImGui::IsItemActivated()) training.view_chosen = true;
    if (statistics_open) {
      layer_stats_table(state.ui, training);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  training.tab_request = -1;
}

}  // namespace cnnlab
