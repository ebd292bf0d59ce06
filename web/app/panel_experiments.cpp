// Experiments panel: a controlled comparison of one setting — kernel size, filters,
// depth, pooling, stride or the model family — with everything else held identical, trained
// interleaved by the engine's Experiment runner (train/experiment.h) wherever training runs.
// Drawn in three places of the fixed layout so the controls and the results are on screen
// together:
//   Setup window, tab "Experiment"     the sweep, Start / Pause / Stop, what is held fixed
//   Curves window, tab "Experiment"    loss and accuracy of every configuration overlaid
//   Results window, tab "Experiment"   the table (winner highlighted), the plain-language
//                                      reading, exports, one test image's maps side by side
// Everything shown comes from the trainer's experiment report (TrainingState::experiment) and
// the experiment's weights (LabView::experiment); experiment_actions.h derives the views.
//
// [SECTION] Helpers   [SECTION] Setup   [SECTION] Curves   [SECTION] Results
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

#include "app/experiment_actions.h"
#include "app/inside_view.h"
#include "app/panels.h"
#include "app/time_travel.h"
#include "core/text_format.h"
#include "imgui.h"
#include "model/presets.h"
#include "platform/platform.h"
#include "widgets/colors.h"
#include "widgets/line_plot.h"

namespace cnnlab {

namespace {

// ---- [SECTION] Helpers -------------------------------------------------------------------------

// Menu names of ExperimentConfig::variables(), in the same order.
constexpr const char* kVariableNames[] = {"kernel size", "filters", "depth (conv blocks)",
                                          "pooling", "stride", "model family"};
constexpr const char* kVariableHints[] = {
    "kernel sizes, e.g. 3, 5, 7", "conv1 filters, e.g. 16, 32, 64",
    "conv blocks (cnn preset), e.g. 1, 2, 3", "max, avg, none (none: stride-2 conv)",
    "conv stride, e.g. 1, 2", "mlp, cnn1, cnn, vgg"};

// Beside the Repeats slider: why the default is 3 seeds.
constexpr const char* kWhySeeds =
    "One seed is not enough: the random starting weights and the order of the images alone move "
    "test accuracy by a few points on a small subset, so a single run per setting cannot tell a "
    "small difference from luck; 3 or more seeds show the spread.";

const ImVec4 kErrorColor(0.75f, 0.12f, 0.10f, 1.0f);
const ImVec4 kGoodColor(0.10f, 0.50f, 0.20f, 1.0f);

void wrapped(const ImVec4& color, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

void muted_wrapped(const std::string& text) {
  wrapped(ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled), text);
}

// The latest experiment report (lab/run_report.h); none before the first experiment.
const ExperimentReport* report_of(const AppState& state) {
  return state.training.experiment ? &*state.training.experiment : nullptr;
}

// A row of the "held fixed" table.
void fixed_row(const char* what, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextDisabled("%s", what);
  ImGui::TableNextColumn();
  ImGui::PushTextWrapPos(0.0f);  // narrow pages: wrap within the column
  ImGui::TextUnformatted(value.c_str());
  ImGui::PopTextWrapPos();
}

// ---- [SECTION] Setup ---------------------------------------------------------------------------

// The base model in words ("cnn: kernel 3, max pooling, stride 1"); settings left at 0 are the
// preset's own (PresetOptions), so they are not listed.
std::string base_model_text(const SessionOptions& o) {
  const PresetOptions& p = o.preset;
  if (o.is_custom()) return "your own layers (" + o.spec_text + ")";
  std::string text = o.model + ":";
  if (is_mlp_preset(o.model)) {
    text += p.dense > 0 ? " dense " + std::to_string(p.dense) : " the preset's layers";
    return text;
  }
  text += " kernel " + std::to_string(p.kernel);
  if (p.filters > 0) text += ", " + std::to_string(p.filters) + " filters";
  if (p.blocks > 0) text += ", " + std::to_string(p.blocks) + " blocks";
  text += ", " + p.pooling + " pooling, stride " + std::to_string(p.stride);
  return text;
}

void held_fixed_table(AppState& state, float scale) {
  // The experiment's own settings once one exists (the lab's may have changed since), else the
  // settings it would start with.
  const ExperimentReport* report = report_of(state);
  const TrainConfig t = report ? report->config.train : state.settings.applied.train;
  const int repeats = std::max(1, report ? report->config.repeats : state.experiments.repeats);
  std::string seeds = std::to_string(t.seed);
  if (repeats > 1) seeds += " to " + std::to_string(t.seed + static_cast<uint64_t>(repeats) - 1);
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH;
  if (!ImGui::BeginTable("fixed", 2, flags)) return;
  ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthFixed, 118.0f * scale);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  const DataState& d = state.data;
  const size_t train = d.dataset.train.size();
  const size_t val = static_cast<size_t>(std::floor(train * t.val_fraction));
  // The split the trainer made (as the Data panel says it), else the settings' estimate.
  const std::optional<DatasetStatus>& split = state.training.status.dataset;
  const size_t fit = split ? split->train : train - val;
  const size_t held = split ? split->val : val;
  fixed_row("Data", d.loaded ? d.dataset.train.name + ": " + with_thousands(fit) + " train + " +
                                   with_thousands(held) + " validation + " +
                                   with_thousands(d.dataset.test.size()) + " test images"
                             : "no dataset loaded yet");
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.0f %% held out (about %zu images, stratified, seed %s)",
                t.val_fraction * 100.0, val, std::to_string(t.seed).c_str());
  fixed_row("Validation split", t.val_fraction > 0 ? buf : "none");
  fixed_row("Batch order", "seed " + seeds + ": the same images in the same order in every run");
  fixed_row("Initialisation", "seed " + seeds + ": the same draws where shapes allow");
  std::snprintf(buf, sizeof buf, "%d epoch%s, batch %d", t.epochs, t.epochs == 1 ? "" : "s",
                t.batch_size);
  fixed_row("Schedule", buf);
  std::snprintf(buf, sizeof buf, "%s, learning rate %g, %s", t.optimizer.kind.c_str(),
                t.optimizer.lr, lr_schedule_text(t.lr_schedule).c_str());
  fixed_row("Optimiser", buf);
  fixed_row("Augmentation", t.augment.flip || t.augment.max_shift > 0
                                ? augment_text(t.augment) + ", the same draws in every run"
                                : "off");
  end_table_noted(state.ui, "fixed", 7);
}

}  // namespace

void draw_experiment_setup_panel(AppState& state) {
  ExperimentsState& x = state.experiments;
  const float scale = state.ui.scale;
  refresh_experiment_check(state);
  const ExperimentReport* report = report_of(state);
  const bool exists = report != nullptr;
  const bool running = exists && report->running;
  const bool done = exists && report->done;
  const bool paused = exists && !running && !done;
  // A new experiment (also one started through the JavaScript API): the draft shows its sweep.
  if (exists && report->id != x.draft_synced_id) {
    x.draft_synced_id = report->id;
    const ExperimentConfig& config = report->config;
    const auto& vars = ExperimentConfig::variables();
    for (size_t i = 0; i < vars.size(); ++i)
      if (vars[i] == config.vary) x.vary = static_cast<int>(i);
    std::string text;
    for (const std::string& v : config.values) text += (text.empty() ? "" : ", ") + v;
    std::snprintf(x.values, sizeof x.values, "%s", text.c_str());
    x.repeats = std::clamp(config.repeats, 1, ExperimentConfig::kMaxRepeats);
    x.match_params = config.match_params;
  }
  // Stopped by the student (every run that had not finished says so) or finished.
  bool stopped = false;
  if (exists)
    for (const ExperimentRunReport& r : report->runs)
      stopped = stopped || r.stop_reason == "stopped by the user";

  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted("Compare one setting, with everything else identical.");
  ImGui::PopTextWrapPos();
  ImGui::TextDisabled("Base model");
  ImGui::SameLine();
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(base_model_text(state.settings.applied).c_str());
  ImGui::PopTextWrapPos();
  muted_wrapped("(set in the Model tab; the swept setting overrides it)");

  // The sweep. Editing is locked while an experiment runs or is paused (it would not apply).
  ImGui::BeginDisabled(running || paused);
  const float w = std::min(ImGui::GetContentRegionAvail().x * 0.62f, 260.0f * scale);
  ImGui::SetNextItemWidth(w);
  const int before = x.vary;
  ImGui::Combo("Vary", &x.vary, kVariableNames, IM_ARRAYSIZE(kVariableNames));
  item_tooltip("The one setting that differs between the runs; everything else (data, its order, "
               "the other settings) is held the same, so a difference in results comes from it.");
  if (x.vary != before) {
    std::string text;
    for (const std::string& v : ExperimentConfig::default_values(ExperimentConfig::variables()[x.vary]))
      text += (text.empty() ? "" : ", ") + v;
    std::snprintf(x.values, sizeof x.values, "%s", text.c_str());
  }
  ImGui::SetNextItemWidth(w);
  ImGui::InputTextWithHint("Values", kVariableHints[x.vary], x.values, sizeof x.values);
  item_tooltip("The values to try, separated by commas: one configuration per value.");
  // - / + buttons, not a slider: a slider's handle sat over its own value ("3 seed(s)").
  ImGui::SetNextItemWidth(std::min(w, 130.0f * scale));
  if (ImGui::InputInt("Repeats (seeds)", &x.repeats, 1, 1)) {
    x.repeats = std::clamp(x.repeats, 1, ExperimentConfig::kMaxRepeats);
  }
  item_tooltip("How many times each configuration is trained, each with its own seed (its own "
               "starting weights). More seeds show how much of a difference is luck; the time "
               "grows with them.");
  if (ExperimentConfig::variables()[static_cast<size_t>(x.vary)] == "model") {
    ImGui::Checkbox("Same parameter count", &x.match_params);
    item_tooltip("Sizes each MLP's hidden layers so it has as many parameters as the first CNN "
                 "in the list (within 2 %): the comparison is then of architecture, not of size.");
  }
  ImGui::EndDisabled();
  muted_wrapped(kWhySeeds);

  // The engine's verdict on the draft, before anything starts (not while one runs: the draft
  // is for the next experiment, and "Cannot start" beside a running one reads as its failure).
  if (!x.check_error.empty() && !running && !paused) {
    wrapped(kErrorColor, "Cannot start: " + x.check_error);
  } else if (!running && !paused) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%d run%s, trained interleaved (one mini-batch each in turn)",
                  x.check_configurations, x.check_configurations == 1 ? "" : "s");
    muted_wrapped(buf);
    if (x.estimate_seconds >= 0)
      muted_wrapped("Estimated time: " + duration_text(x.estimate_seconds) + ", " +
                    x.estimate_basis + ".");
  }

  // Start / Resume, Pause (pauses every run), Stop (keeps the results so far).
  if (paused) {
    if (ImGui::Button("Resume")) state.training.pending.push_back(CommandType::kResumeExperiment);
    item_tooltip("Goes on training every run of the experiment from where it paused.");
  } else {
    ImGui::BeginDisabled(running || !x.check_error.empty() || !state.data.loaded);
    if (ImGui::Button("Start experiment")) x.start_requested = true;
    item_tooltip("Trains every configuration and seed side by side, one mini-batch each in turn, "
                 "so all of them progress together and the curves can be compared as they grow.");
    ImGui::EndDisabled();
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(!running);
  if (ImGui::Button("Pause")) state.training.pending.push_back(CommandType::kPause);
  item_tooltip("Pauses every run of the experiment; Resume goes on from there.");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!running && !paused);
  if (ImGui::Button("Stop")) state.training.pending.push_back(CommandType::kStopExperiment);
  item_tooltip("Ends the experiment now; the results measured so far stay in the table and "
               "curves.");
  ImGui::EndDisabled();
  if (exists) {
    const float progress = static_cast<float>(report->progress);
    char overlay[64];
    if (stopped && !running && !paused)
      std::snprintf(overlay, sizeof overlay, "stopped: the results so far are kept");
    else
      std::snprintf(overlay, sizeof overlay, "%s %.0f %%",
                    running ? "running" : paused ? "paused" : "finished", progress * 100.0f);
    ImGui::ProgressBar(progress, ImVec2(-1, 0), overlay);
  }
  if (!x.message.empty() && x.message_is_error) wrapped(kErrorColor, x.message);

  ImGui::Spacing();
  ImGui::TextDisabled("Held fixed in every run");
  held_fixed_table(state, scale);
}

// ---- [SECTION] Curves --------------------------------------------------------------------------

namespace {

void plot_experiment_metric(const char* id, const char* title, const char* y_label,
                            AppState& state, bool accuracy, ImVec2 size) {
  ExperimentsState& x = state.experiments;
  std::vector<widgets::PlotSeries> series;
  std::vector<std::vector<float>> smoothed(x.curves.size());
  // A deque: the series keep c_str() pointers into it, and push_back never moves its strings.
  std::deque<std::string> labels;
  for (size_t c = 0; c < x.curves.size(); ++c) {
    const ExperimentCurve& curve = x.curves[c];
    const size_t first = series.size();
    const ImU32 color = widgets::series_color(static_cast<int>(c));
    const std::vector<float>& steps = accuracy ? curve.step_acc : curve.step_loss;
    if (x.show_steps && !steps.empty()) {
      widgets::smooth_curve(smoothed[c], steps, x.smoothing);
      labels.push_back(curve.label + " train (step)");
      widgets::PlotSeries s;
      s.label = labels.back().c_str();
      s.x = curve.step_x.data();
      s.y = smoothed[c].data();
      s.count = static_cast<int>(std::min(curve.step_x.size(), steps.size()));
      s.color = widgets::series_color(static_cast<int>(c), 0.5f);
      s.thickness = 1.0f;
      series.push_back(s);
    }
    const std::vector<float>& train = accuracy ? curve.train_acc : curve.train_loss;
    const std::vector<float>& val = accuracy ? curve.val_acc : curve.val_loss;
    if (!train.empty()) {
      labels.push_back(curve.label + " train");
      widgets::PlotSeries s;
      s.label = labels.back().c_str();
      s.x = curve.epoch_x.data();
      s.y = train.data();
      s.count = static_cast<int>(std::min(curve.epoch_x.size(), train.size()));
      s.color = color;
      s.markers = true;
      series.push_back(s);
    }
    if (!val.empty()) {
      labels.push_back(curve.label + " validation");
      widgets::PlotSeries s;
      s.label = labels.back().c_str();
      s.x = curve.epoch_x.data();
      s.y = val.data();
      s.count = static_cast<int>(std::min(curve.epoch_x.size(), val.size()));
      s.color = color;
      s.thickness = 2.5f;
      s.markers = true;
      series.push_back(s);
    }
    // One legend entry per configuration, named by it.
    for (size_t i = first; i < series.size(); ++i) series[i].in_legend = false;
    if (series.size() > first) {
      series.back().in_legend = true;
      labels.push_back(curve.label);
      series.back().label = labels.back().c_str();
    }
  }
  // The epoch the experiment's time slider shows, marked on both plots.
  const ExperimentsState& shown = state.experiments;
  const bool cursor = shown.shown_epoch >= 0 && shown.snapshots_id == state.lab.experiment.id;
  char cursor_label[32] = "";
  if (cursor) std::snprintf(cursor_label, sizeof cursor_label, "epoch %d", shown.shown_epoch);
  draw_epoch_plot(id, series, size, title, y_label, accuracy, state.ui.scale,
                  "No experiment yet: set one up in the Experiment tab (left) and start it.",
                  cursor ? static_cast<float>(shown.shown_epoch) : NAN,
                  cursor ? cursor_label : nullptr);
}

}  // namespace

void draw_experiment_curves_panel(AppState& state) {
  ExperimentsState& x = state.experiments;
  const float scale = state.ui.scale;
  refresh_experiment_curves(state);
  ImGui::Checkbox("Per-step curves##experiment", &x.show_steps);
  item_tooltip("Adds the training loss / accuracy of every mini-batch (noisy) to the per-epoch "
               "lines.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90.0f * scale);
  ImGui::BeginDisabled(!x.show_steps);
  ImGui::SliderFloat("Smoothing##experiment", &x.smoothing, 0.0f, 0.99f, "%.2f",
                     ImGuiSliderFlags_AlwaysClamp);
  item_tooltip("Averages the per-step curves over recent steps (0: raw; near 1: very smooth) so "
               "the trend shows through the noise.");
  ImGui::EndDisabled();
  // The line styles, on the same line when they fit (narrow pages: below, wrapped).
  const char* styles = "faint: train per step   thin: train per epoch   thick: validation per epoch";
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  const float note_w = ImGui::CalcTextSize(styles).x;
  if (ImGui::GetItemRectMax().x + 24.0f * scale + note_w < right) {
    ImGui::SameLine(0.0f, 24.0f * scale);
    ImGui::TextDisabled("%s", styles);
  } else if (note_w < ImGui::GetContentRegionAvail().x) {
    ImGui::TextDisabled("%s", styles);
  } else {  // narrow pages: a button that opens the note (a finger cannot hover a tooltip)
    const char* mark = x.line_styles_open ? "Hide line styles" : "Which line is which?";
    const float mark_w = ImGui::CalcTextSize(mark).x + 2.0f * ImGui::GetStyle().FramePadding.x;
    if (ImGui::GetItemRectMax().x + 24.0f * scale + mark_w < right) {
      ImGui::SameLine(0.0f, 24.0f * scale);
    }
    if (ImGui::Button(mark)) x.line_styles_open = !x.line_styles_open;
    item_tooltip("What the three kinds of line in the plots below are.");
    if (x.line_styles_open) {
      // One style a line (it wraps at the screen's width on a phone).
      std::string one_a_line = styles;
      for (size_t at = one_a_line.find("   "); at != std::string::npos; at = one_a_line.find("   ", at))
        one_a_line.replace(at, 3, "\n");
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextDisabled("%s", one_a_line.c_str());
      ImGui::PopTextWrapPos();
    }
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const ImVec2 size((avail.x - spacing) * 0.5f, avail.y);
  const ImVec2 top_left = ImGui::GetCursorScreenPos();
  plot_experiment_metric("experiment_loss", "Loss", "cross-entropy", state, false, size);
  ImGui::SameLine();
  plot_experiment_metric("experiment_accuracy", "Accuracy", "fraction correct", state, true, size);
  // Where the plots are on screen, for the PNG export (App::after_render reads them back).
  x.plots_min[0] = top_left.x;
  x.plots_min[1] = top_left.y;
  x.plots_max[0] = top_left.x + avail.x;
  x.plots_max[1] = top_left.y + avail.y;
  x.plots_frame = ImGui::GetFrameCount();
}

// ---- [SECTION] Results -------------------------------------------------------------------------

namespace {

void results_table(UiState& ui, const ExperimentReport& report, float scale) {
  const std::vector<ExperimentSummaryRow>& summary = report.summary;
  const int repeats = report.config.repeats;
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX;
  // Every row visible: the rows' height as drawn last frame plus the horizontal scrollbar when the
  // columns do not fit (a guess from the row height only for the first frame).
  const float row_h = ImGui::GetTextLineHeight() + 2.0f * ImGui::GetStyle().CellPadding.y + 1.0f;
  const float estimate = (static_cast<float>(summary.size()) + 1.0f) * row_h +
                         ImGui::GetStyle().ScrollbarSize + 2.0f * scale;
  const float height = table_height_for_rows("experiment_results", estimate);
  if (!ImGui::BeginTable("experiment_results", 9, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  for (const char* h : {"configuration", "parameters", "MACs / image", "train img/s", "time / run",
                        "best val acc", "test acc", "test loss", "tested epoch"})
    ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  const ImU32 winner_bg = ImGui::GetColorU32(ImVec4(0.98f, 0.85f, 0.35f, 0.45f));
  // A highest needs two configurations with runs to compare (one measured alone is not ahead).
  const long measured = std::count_if(summary.begin(), summary.end(),
                                      [](const ExperimentSummaryRow& r) { return r.runs > 0; });
  for (size_t c = 0; c < summary.size(); ++c) {
    const ExperimentSummaryRow& s = summary[c];
    const bool winner = s.winner && measured >= 2;
    const int runs = s.runs;
    ImGui::TableNextRow();
    if (winner) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, winner_bg);
    ImGui::TableNextColumn();
    // The configuration's curve colour as a swatch, so table and plots read together.
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + h * 0.2f),
                                              ImVec2(p.x + h * 0.6f, p.y + h * 0.8f),
                                              widgets::series_color(static_cast<int>(c)));
    ImGui::Dummy(ImVec2(h * 0.7f, h));
    ImGui::SameLine();
    // The highest mean, not a verdict: the sentence under the table says whether the seeds can
    // tell the configurations apart.
    ImGui::Text("%s%s", s.configuration.c_str(),
                !winner        ? ""
                : report.done  ? "  (highest mean)"
                               : "  (highest so far)");
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(with_thousands(s.parameters).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(with_thousands(s.macs).c_str());
    ImGui::TableNextColumn();
    if (runs) ImGui::Text("%.0f", s.images_per_second); else ImGui::TextDisabled("-");
    ImGui::TableNextColumn();
    if (runs && s.seconds > 0) ImGui::Text("%.1f s", s.seconds); else ImGui::TextDisabled("-");
    ImGui::TableNextColumn();
    if (runs) ImGui::TextUnformatted(percent(s.best_val_accuracy_mean).c_str());
    else ImGui::TextDisabled("-");
    ImGui::TableNextColumn();
    const double acc = s.test_accuracy_mean;
    if (runs && acc > 0) {
      std::string text = percent(acc);
      if (repeats > 1 && runs > 1) {
        char sd[32];
        std::snprintf(sd, sizeof sd, " ± %.1f", s.test_accuracy_std * 100.0);
        text = text.substr(0, text.size() - 2) + sd + " %";
      }
      ImGui::TextUnformatted(text.c_str());
    } else {
      ImGui::TextDisabled("-");
    }
    ImGui::TableNextColumn();
    const double loss = s.test_loss_mean;
    if (runs && loss > 0) ImGui::Text("%.3f", loss); else ImGui::TextDisabled("-");
    // Each run's tested epoch (the scoring rule's: best validation loss with early stopping on).
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(s.tested_epochs.c_str());
  }
  end_table_noted(ui, "experiment_results", static_cast<int>(summary.size()));
}

void export_buttons(AppState& state) {
  ImGui::TextDisabled("Export");
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (const char* format : {"csv", "markdown", "json", "png"}) {
    const char* label = std::string(format) == "csv" ? "Table CSV"
                        : std::string(format) == "markdown" ? "Table Markdown"
                        : std::string(format) == "json" ? "Histories JSON"
                                                        : "Plots PNG";
    // Same line while the button fits (narrow pages: the rest wrap to the next line).
    const float w = ImGui::CalcTextSize(label).x + 2.0f * ImGui::GetStyle().FramePadding.x;
    if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w < right) ImGui::SameLine();
    if (small_button(state, label)) export_experiment(state, format);
    item_tooltip(std::string(format) == "csv"        ? "Downloads the results table as CSV (one row per configuration)."
                 : std::string(format) == "markdown" ? "Downloads the results table as Markdown, to paste into a report."
                 : std::string(format) == "json"     ? "Downloads every run's per-epoch history as JSON."
                                                     : "Downloads the curves as PNG images.");
  }
  const ExperimentsState& x = state.experiments;
  if (!x.message.empty()) {
    if (x.message_is_error) wrapped(kErrorColor, x.message);
    else muted_wrapped(x.message);
  }
}

// "Show every configuration after epoch N" with Play and Latest, over the side-by-side maps:
// the experiment's snapshots (nothing before its first epoch ends).
void experiment_time_slider(AppState& state) {
  ExperimentsState& x = state.experiments;
  const std::vector<int> kept = experiment_kept_epochs(x);
  if (kept.empty() || x.snapshots_id != state.lab.experiment.id) return;
  const float scale = state.ui.scale;
  const bool shown = x.shown_epoch >= 0;
  ImGui::PushID("experiment_time");
  if (kept.back() == 0) {
    muted_wrapped("After each epoch you can drag a slider here to see every configuration's "
                  "network as it was then.");
    ImGui::PopID();
    return;
  }
  // One sentence whatever is shown (the slider itself says which epoch): a text that changed
  // length while dragging moved the slider under the finger.
  if (!state.ui.narrow) {
    muted_wrapped("Drag to compare every configuration after the same epoch (epoch 0: the "
                  "untrained networks); Latest follows the experiment.");
  }
  const bool reduced = state.ui.embedding.reduced_motion;
  ImGui::BeginDisabled(reduced || kept.size() < 2);
  if (ImGui::Button(x.playing ? "Pause##experiment_time" : "Play##experiment_time")) {
    if (x.playing) {
      x.playing = false;
    } else {
      if (!shown || x.shown_epoch >= kept.back()) show_experiment_epoch(state, kept.front());
      x.playing = true;
      x.next_play_step = platform::now_seconds() + 0.8;
    }
  }
  ImGui::EndDisabled();
  item_tooltip(reduced ? "Off: your system asks for reduced motion. Drag the slider instead."
                       : "Steps through the kept epochs by itself, one every 0.8 s, so you can "
                         "watch the configurations' maps change side by side.");
  ImGui::SameLine();
  ImGui::BeginDisabled(!shown);
  if (ImGui::Button("Latest##experiment_time")) show_experiment_epoch(state, -1);
  ImGui::EndDisabled();
  item_tooltip("Back to the latest weights (they follow the experiment live).");
  ImGui::SameLine();
  int epoch = shown ? x.shown_epoch : kept.back();
  ImGui::SetNextItemWidth(std::max(80.0f * scale, ImGui::GetContentRegionAvail().x));
  const char* format = shown ? "after epoch %d" : "latest";
  if (ImGui::SliderInt("##experiment_epoch", &epoch, kept.front(), kept.back(), format,
                       ImGuiSliderFlags_AlwaysClamp)) {
    show_experiment_epoch(state, nearest_kept_epoch(kept, epoch));
  }
  item_tooltip(("Drag to see every configuration's network as it was after the same epoch: its "
               "feature maps and where it looks. Epoch 0 is before any training. Kept epochs: " +
               epoch_list_text(kept) + ".").c_str());
  if (x.snapshots.thinned()) muted_wrapped(x.snapshots.thinning_note());
  ImGui::PopID();
}

void feature_maps_section(AppState& state) {
  ExperimentsState& x = state.experiments;
  const float scale = state.ui.scale;
  experiment_time_slider(state);
  refresh_experiment_maps(state);
  const Dataset& test = state.data.dataset.test;
  if (test.size() == 0) return;
  const int image = std::clamp(state.inside.test_image, 0, static_cast<int>(test.size()) - 1);
  const std::string cls = test.class_names[test.labels[static_cast<size_t>(image)]];
  // Numbered from 1, as the Inside and Evaluation panels number test images.
  ImGui::Text("Test image #%d (%s) in every configuration", image + 1, cls.c_str());
  // Beside the title where it fits (a phone puts it on the next line, whole).
  if (ImGui::GetContentRegionAvail().x - ImGui::GetItemRectSize().x >
      ImGui::CalcTextSize("Next image").x + 3.0f * ImGui::GetStyle().FramePadding.x)
    ImGui::SameLine();
  if (small_button(state, "Next image")) {
    state.inside.test_image = (image + 1) % static_cast<int>(test.size());
  }
  item_tooltip("The image chosen in Inside the network; this picks the next one there too.");
  muted_wrapped("conv1 and conv2 maps after ReLU, the first " + std::to_string(x.maps_shown) +
                " channels, each scaled to its own range; last, where each configuration looks "
                "(" + std::string(attribution_choice_label(state.inside.where)) +
                ", chosen in Inside the network > Where it looks)");
  if (x.maps.empty()) {
    muted_wrapped("They appear once the experiment's first weights arrive.");
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp;
  const float where_w = 64.0f * scale;
  if (!ImGui::BeginTable("experiment_maps", 4, flags)) return;
  ImGui::TableSetupColumn("configuration", ImGuiTableColumnFlags_WidthFixed, 92.0f * scale);
  ImGui::TableSetupColumn("conv1", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("conv2", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn(attribution_choice_label(state.inside.where), ImGuiTableColumnFlags_WidthFixed,
                          std::max(where_w, ImGui::CalcTextSize("occlusion").x));
  ImGui::TableHeadersRow();
  for (size_t c = 0; c < x.maps.size(); ++c) {
    ExperimentMaps& m = x.maps[c];
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushStyleColor(ImGuiCol_Text, widgets::series_color(static_cast<int>(c)));
    ImGui::TextUnformatted(experiment_config_label(state, c).c_str());
    ImGui::PopStyleColor();
    if (m.epoch >= 0) {
      // The epoch this configuration's maps show (its last kept before the chosen one when it
      // stopped earlier) and its validation accuracy then.
      std::string at = "epoch " + std::to_string(m.epoch);
      if (m.epoch_record && std::isfinite(m.epoch_record->val_accuracy))
        at += "\nval " + percent(m.epoch_record->val_accuracy);
      ImGui::TextDisabled("%s", at.c_str());
      item_tooltip(m.epoch == x.shown_epoch
                       ? "The network after this epoch, and its validation accuracy then."
                       : "This configuration kept no later epoch (it stopped earlier, or the "
                         "epoch was let go to save memory): its last one before is shown.");
    }
    if (!m.note.empty()) {
      ImGui::TableNextColumn();
      muted_wrapped(m.note);
      ImGui::TableNextColumn();
      ImGui::TableNextColumn();
      continue;
    }
    for (size_t l = 0; l < 2; ++l) {
      ImGui::TableNextColumn();
      if (l >= m.grids.size()) continue;
      const LayerMaps& layer = m.layers[l];
      ImGui::TextDisabled("%dx%d", layer.height, layer.width);
      ImGui::PushID(static_cast<int>(c * 2 + l));
      widgets::ImageGridOptions o;
      o.ui_scale = scale;
      // One row of 8 where they fit at >= 24 px, else two rows of 4 (narrow, 800 px pages).
      const float avail = ImGui::GetContentRegionAvail().x / scale;
      o.spacing = 2.0f;
      o.columns = avail >= 8 * 24.0f + 7 * o.spacing ? 8 : 4;
      o.tile_size = std::clamp((avail - (o.columns - 1) * o.spacing) / o.columns, 14.0f, 36.0f);
      m.grids[l].draw("maps", o);
      ImGui::PopID();
    }
    // Where this configuration looks in the same image (Inside the network > Where it looks
    // chooses the method).
    ImGui::TableNextColumn();
    if (!m.where_note.empty()) {
      muted_wrapped(m.where_note);
    } else if (m.where.count() > 0) {
      ImGui::PushID(static_cast<int>(c));
      widgets::ImageGridOptions o;
      o.ui_scale = scale;
      o.columns = 1;
      o.tile_size = where_w / scale;
      m.where.draw("where", o);
      ImGui::PopID();
      item_tooltip("Where this configuration looks in the image: bright pixels matter most to "
                   "its answer. Inside the network > Where it looks chooses the method.");
    }
  }
  end_table_noted(state.ui, "experiment_maps", static_cast<int>(x.maps.size()));
}

}  // namespace

void draw_experiment_results_panel(AppState& state) {
  const float scale = state.ui.scale;
  const ExperimentReport* report = report_of(state);
  if (!report) {
    empty_state("No experiment yet.",
                "Set one up in the Experiment tab of the Setup panel (left): choose the setting to "
                "vary and its values, then Start. The results table, a plain-language reading and "
                "one test image's feature maps per configuration appear here.");
    return;
  }
  // Desktop checks without a mouse: CNNLAB_DEBUG_EXPORT="csv,markdown,json,png" presses those
  // export buttons once, when the experiment has finished.
  ExperimentsState& x = state.experiments;
  if (!x.debug_exported && report->done) {
    if (const char* formats = std::getenv("CNNLAB_DEBUG_EXPORT")) {
      x.debug_exported = true;
      for (const std::string& f : split_experiment_values(formats)) export_experiment(state, f);
    }
  }
  export_buttons(state);
  // The engine's reading: does the lead exceed the seed-to-seed spread?
  ImGui::Spacing();
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(report->interpretation.c_str());
  ImGui::PopTextWrapPos();
  results_table(state.ui, *report, scale);
  if (report->identical_data_order) {
    wrapped(kGoodColor, "Same mini-batches in the same order in every run (fingerprints match).");
  } else {
    wrapped(kErrorColor, "Data order differs between configurations: the comparison is not fair.");
  }
  ImGui::Separator();
  // Results of another dataset than the one loaded now (the student's own, say): the table stays,
  // but its models are not shown on images of the new data.
  if (!x.dataset_origin.empty() && state.data.loaded && x.dataset_origin != state.data.origin) {
    wrapped(kErrorColor, "These results are of " + x.dataset_name + "; the lab now has " +
                             state.data.dataset.train.name +
                             " loaded. Start a new experiment to compare on it.");
    return;
  }
  feature_maps_section(state);
}

}  // namespace cnnlab
