// The app's panels: each draws into the current ImGui window (the layout in app.cpp decides
// where), reading and editing AppState. One file per panel.
#pragma once

#include <cmath>

#include <string>
#include <vector>

#include "app/app_state.h"
#include "widgets/line_plot.h"

namespace cnnlab {

void draw_data_panel(AppState& state);      // panel_data.cpp
void draw_model_panel(AppState& state);     // panel_model.cpp
void draw_training_panel(AppState& state);  // panel_training.cpp
// Why Start / Step / Reset cannot be used now (no trainer, no data, an invalid model, a read-only
// exercise, a running experiment), or nullptr: the Training panel says it beside its buttons, and
// the keyboard shortcuts obey it too.
const char* training_blocked_reason(const AppState& state);  // panel_training.cpp
void draw_curves_panel(AppState& state);    // panel_curves.cpp
void draw_inside_panel(AppState& state);    // panel_inside.cpp
void draw_eval_panel(AppState& state);      // panel_eval.cpp
void draw_runs_panel(AppState& state);      // panel_runs.cpp: the run log
void draw_guide_panel(AppState& state);     // panel_guide.cpp: lessons
// While a lesson is open and another Setup tab hides the Guide (a step sent the student to the
// Data tab): one line at the top of that tab with the step's title and a way back.
void draw_lesson_strip(AppState& state);
void draw_widget_check(AppState& state);    // widget_check.cpp: the widgets on synthetic input
// panel_experiments.cpp: the sweep's controls (Setup window), the overlaid curves
// (Curves window) and the table, reading, exports and side-by-side maps (Results window).
void draw_experiment_setup_panel(AppState& state);
void draw_experiment_curves_panel(AppState& state);
void draw_experiment_results_panel(AppState& state);

// ---- What the frame drew, for state().ui (DrawnUi in app_state.h) --------------------------------
// BeginTabItem, noting the tab's rectangle and, when it is the open one, that it is `bar`'s open tab.
bool begin_tab_noted(UiState& ui, const char* bar, const char* label, ImGuiTabItemFlags flags);
// EndChild of a panel that scrolls, noting how far it is scrolled.
void end_child_noted(UiState& ui, const char* name);
// A tab bar's flags: narrow, a bar whose tabs do not fit scrolls rather than cutting their names.
ImGuiTabBarFlags tab_bar_flags(const UiState& ui);
// Tables never hide a row. A table that scrolls sideways (a box of its own) gets the height its
// rows took last frame plus its horizontal scrollbar when it shows one, so every row is visible
// without scrolling it vertically; `estimate` is used until it was drawn once. `str_id` is the
// one given to BeginTable, in the same window.
float table_height_for_rows(const char* str_id, float estimate);
// EndTable, measuring the rows for table_height_for_rows and noting the table (rows, whether
// its last row is visible or reachable by scrolling) for state().ui.tables.
void end_table_noted(UiState& ui, const char* name, int rows);

// Shared by the panels: a centred, muted, wrapped sentence for "nothing here yet" states.
void empty_state(const char* title, const char* explanation);
// What the last control does, shown when the pointer rests on it, also while it is disabled
// (that is when a student most needs to know what it is for), wrapped at about 32 characters'
// width so it never runs off a phone's screen.
void item_tooltip(const char* text);

// A button as high as the text beside it (ImGui's SmallButton); with the touch style a full one,
// at least 40 CSS pixels high like every control a finger has to hit.
bool small_button(const AppState& state, const char* label);

// `text` broken into lines no wider than `width` pixels (the current font) at spaces only, never
// inside a word, as ImGui's own wrapping does for a word longer than a line (or after a dot in a
// file name). Such a word (a long file name) keeps its start and end with "…" between; returns
// whether any word was shortened (then show the full text in a tooltip).
bool wrap_at_spaces(const std::string& text, float width, std::vector<std::string>* lines);

// A table cell's text over as many lines as it needs, broken at spaces only (wrap_at_spaces), a
// word wider than the column shortened with the whole text in a tooltip; noted for
// state().ui.cells under `table`.
void wrapped_cell(UiState& ui, const char* table, const std::string& text);

// Notes the last item's rectangle for state().ui.controls under `panel` ("training", "model"):
// tests click by position.
void note_control(UiState& ui, const char* panel, const char* name);
// The same for a rectangle drawn without an item of its own (a confusion matrix's cells).
void note_control_rect(UiState& ui, const char* panel, const char* name, ImVec2 min, ImVec2 max);

// A number a student can set exactly (tap the box, type, Enter) or nudge with the - and + buttons
// beside it: by `step`, or with step 0 halved and doubled (rates spanning decades; + from 0 gives
// `first`, as doubling 0 would stay 0; halving a whole number stops at 1). The whole row (box,
// buttons, label) is one group, so item_tooltip after it covers all of it. Not clamped here: the
// engine refuses nonsense under the setting's key, and nothing is applied until it is valid.
// The box and buttons are noted as controls `name`, `name-` and `name+`. True when changed.
bool stepped_number(UiState& ui, const char* panel, const char* label, const char* name,
                    int* value, int step, const char* format, float width, int first = 1);
bool stepped_number(UiState& ui, const char* panel, const char* label, const char* name,
                    float* value, float step, const char* format, float width, float first = 1.0f);

// Shared by the Curves and Experiment plots: loss or accuracy against epochs, x from 0 with a
// little room on the right (so the last epoch's markers are not cut in half), accuracy on [0, 1];
// x_cursor (when finite) marks an epoch (the one the time slider shows). legend: the plot's own
// legend in its least covered corner (the Curves panel draws one legend above its two plots).
void draw_epoch_plot(const char* id, const std::vector<widgets::PlotSeries>& series, ImVec2 size,
                     const char* title, const char* y_label, bool accuracy, float ui_scale,
                     const char* empty_text, float x_cursor = NAN,
                     const char* cursor_label = nullptr, bool legend = true);

}  // namespace cnnlab
