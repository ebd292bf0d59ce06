// Runs tab (Results window): the run log — every finished run's number, where it came from, model,
// key settings, epochs, the epoch its test figures come from, test accuracy and loss — kept until
// the user clears it (lab/run_log.h), whatever changes afterwards. Click a row to see that run in
// the Evaluation tab. Clear asks nothing and can be undone until the next run starts; the log
// exports as CSV or JSON (the File menu has the same items).
#include <cstdio>
#include <string>

#include "app/panels.h"
#include "app/time_travel.h"
#include "core/text_format.h"
#include "imgui.h"

namespace cnnlab {

namespace {

void toolbar(AppState& state) {
  RunsState& runs = state.runs;
  const size_t n = runs.log.entries().size();
  ImGui::BeginDisabled(n == 0);
  if (ImGui::Button("Clear")) runs.clear_requested = true;
  item_tooltip("Empty the run log (Undo brings it back).");
  ImGui::EndDisabled();
  if (runs.log.can_undo()) {
    ImGui::SameLine();
    if (ImGui::Button("Undo")) runs.undo_requested = true;
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(n == 0);
  if (ImGui::Button("CSV")) state.files.requests.push_back(FileRequest::kExportRunsCsv);
  item_tooltip("Download the run log as a table (CSV) for a spreadsheet.");
  ImGui::SameLine();
  if (ImGui::Button("JSON")) state.files.requests.push_back(FileRequest::kExportRunsJson);
  item_tooltip("Download the run log with every epoch's figures (JSON).");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::TextDisabled("%zu run%s", n, n == 1 ? "" : "s");
}

// Whether a click on the entry can show its network: a single run whose tested epoch's weights
// the time slider still keeps, for images of the dataset loaded now.
bool shows_network(const AppState& state, const RunLogEntry& e) {
  const SnapshotStore& store = state.time_travel.store;
  if (e.run <= 0 || e.test_epoch <= 0 || !store.has(e.run, e.test_epoch)) return false;
  const Dataset& test = state.data.dataset.test;
  return state.data.loaded && store.spec(e.run).input == Shape{test.channels, test.height, test.width};
}

void runs_table(AppState& state) {
  RunsState& runs = state.runs;
  const std::vector<RunLogEntry>& entries = runs.log.entries();
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX |
                                ImGuiTableFlags_ScrollY;
  // The table takes the rest of the tab and scrolls inside it, so no row hides behind the
  // horizontal scrollbar: the last one scrolls into view above it.
  if (!ImGui::BeginTable("run_log", 9, flags, ImVec2(0, ImGui::GetContentRegionAvail().y))) return;
  // The entry and its test accuracy stay in sight while the rest scrolls sideways: long model
  // names ("experiment 1: kernel=7, seed 44") pushed the accuracy off a laptop's and a phone's
  // screen.
  ImGui::TableSetupScrollFreeze(2, 1);
  for (const char* h : {"entry", "test acc", "from", "model", "settings", "epochs", "tested epoch",
                        "test loss", "status"})
    ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  // The newest first: the run just finished is at the top.
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    const RunLogEntry& e = *it;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushID(e.number);
    char number[16];
    std::snprintf(number, sizeof number, "%d", e.number);
    const bool can_show = !e.confusion.empty();
    // The row is one selectable: a click shows this run in the Evaluation tab.
    if (ImGui::Selectable(number, runs.shown == e.number,
                          ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap) &&
        can_show) {
      runs.shown = e.number;
      state.ui.right_tab_request = 1;
      // A single run whose tested weights are still kept: the whole lab shows that network (the
      // time slider, Inside the network, Evaluation tests it), not only its stored results.
      if (shows_network(state, e)) show_epoch(state, e.run, e.test_epoch);
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s%s%s\n%s", e.dataset.c_str(), e.stop_reason.empty() ? "" : "\n",
                        e.stop_reason.c_str(),
                        !can_show ? "Not tested: nothing to show."
                        : shows_network(state, e)
                            ? "Click: show this run's tested network everywhere (Inside the "
                              "network, Evaluation, the time slider)."
                            : "Click: show its test results in Evaluation (its weights are no "
                              "longer kept).");
    ImGui::PopID();
    ImGui::TableNextColumn();
    if (e.test_accuracy >= 0) ImGui::TextUnformatted(percent(e.test_accuracy).c_str());
    else ImGui::TextDisabled("-");
    // Noted for state().ui.controls: a page test checks the accuracy stays on screen.
    note_control(state.ui, "runs", ("test acc: entry " + std::to_string(e.number)).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(e.source_text().c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(e.model_text().c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(e.settings_text().c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%d", e.epochs_run);
    ImGui::TableNextColumn();
    if (e.test_epoch > 0) ImGui::Text("%d", e.test_epoch); else ImGui::TextDisabled("-");
    ImGui::TableNextColumn();
    if (e.test_loss >= 0) ImGui::Text("%.3f", e.test_loss); else ImGui::TextDisabled("-");
    ImGui::TableNextColumn();
    if (e.status == RunLogEntry::Status::kFinished) ImGui::TextUnformatted(e.status_name());
    else ImGui::TextDisabled("%s (not tested)", e.status_name());
  }
  ImGui::EndTable();
}

}  // namespace

void draw_runs_panel(AppState& state) {
  toolbar(state);
  if (state.runs.log.empty()) {
    empty_state(state.runs.log.can_undo() ? "The run log was cleared (Undo brings it back)."
                                          : "No finished runs yet.",
                "Every run that finishes is listed here with its settings, the epoch its test "
                "figures come from and its test accuracy and loss, until you clear the list; "
                "changing the model or the data does not remove it. Click a run to see it in "
                "the Evaluation tab (and, while its weights are kept, Inside the network).");
    return;
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("With early stopping on, each run is tested on the weights of its best "
                      "epoch by validation loss; with it off (patience 0), on its last epoch.");
  ImGui::PopTextWrapPos();
  runs_table(state);
}

}  // namespace cnnlab
