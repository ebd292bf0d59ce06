// App (see app.h): the fixed layout that keeps controls and results on screen together, the menu
// bar, and the state reported to JavaScript.
//
// [SECTION] Layout
// [SECTION] Menu bar
// [SECTION] App
// [SECTION] Training (commands, reports, curves)
// [SECTION] State for the JavaScript API
#include "app/app.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/actions.h"
#include "app/embed_options.h"
#include "app/eval_view.h"
#include "app/experiment_actions.h"
#include "app/files_actions.h"
#include "app/guide_actions.h"
#include "app/panels.h"
#include "app/theme.h"
#include "app/time_travel.h"
#include "app/training_backend.h"
#include "core/error.h"
#include "imgui.h"
#include "model/presets.h"
#include "platform/platform.h"
#include "widgets/palette.h"

namespace cnnlab {

const char* phase_name(Phase phase) {
  switch (phase) {
    case Phase::Loading: return "loading";
    case Phase::Ready: return "ready";
    case Phase::Training: return "training";
    case Phase::Paused: return "paused";
    case Phase::Done: return "done";
    case Phase::Error: return "error";
  }
  return "error";
}

namespace {

// ---- [SECTION] Layout --------------------------------------------------------------------------
//
//   +----------------------+--------------------------------+
//   | Setup: [Data][Model] | Curves                         |
//   |                      |                                |
//   +----------------------+--------------------------------+
//   | Training             | [Inside the network][Evaluation]|
//   +----------------------+--------------------------------+
//
// Fixed (Dear ImGui 1.86 has no docking): recomputed from the display size every frame, so the
// canvas can be any size down to 800x600 CSS pixels.

struct Rect {
  ImVec2 pos, size;
  bool visible = true;  // false: the page hid every panel of this area (embed_options.h)
};

struct Layout {
  Rect setup, training, curves, results;
};

// A window taller than wide and not wider than a tablet held upright (768-1024 logical pixels):
// two columns would leave the Setup column about 300 px and Results under 470, so the areas are
// stacked in rows instead: Setup and Training side by side, then Curves, then Results, each of
// the last two the full width (plots and feature maps gain the most from it).
bool use_rows(ImVec2 display, float scale) {
  return display.y > display.x * 1.2f && display.x < 1100.0f * scale;
}

// The rows layout (use_rows). Hidden areas give their space to the rest, as below.
Layout compute_rows_layout(ImVec2 display, float top, float scale, bool setup, bool training,
                           bool curves, bool results) {
  const float gap = 4.0f * scale;
  const float width = display.x, height = display.y - top;
  // Shares of the height: the top row, Curves, Results; a hidden row's share goes to the others.
  const float top_share = (setup || training) ? 0.36f : 0.0f;
  const float curves_share = curves ? 0.28f : 0.0f, results_share = results ? 0.36f : 0.0f;
  const float total = std::max(top_share + curves_share + results_share, 1e-3f);
  const int rows = (top_share > 0) + (curves_share > 0) + (results_share > 0);
  const float usable = height - gap * std::max(rows - 1, 0);
  const float top_h = std::floor(usable * top_share / total);
  const float curves_h = std::floor(usable * curves_share / total);
  const float half = std::floor((width - gap) / 2);
  const float setup_w = !training ? width : !setup ? 0.0f : half;
  Layout l;
  l.setup = {ImVec2(0, top), ImVec2(setup_w, top_h), setup};
  l.training = {ImVec2(setup ? setup_w + gap : 0.0f, top),
                ImVec2(setup ? width - setup_w - gap : width, top_h), training};
  float y = top + (top_h > 0 ? top_h + gap : 0.0f);
  l.curves = {ImVec2(0, y), ImVec2(width, curves_h), curves};
  y += curves_h > 0 ? curves_h + gap : 0.0f;
  l.results = {ImVec2(0, y), ImVec2(width, top + height - y), results};
  return l;
}

// Areas whose panels are all hidden give their space to the rest: a column without visible areas
// gives its width to the other one, an area its height to the other area of its column. The
// pixel explainer, open, may take the whole right column or the whole window (`room`): its
// patch, weights, products and sums need more than the Results area's lower half.
Layout compute_layout(ImVec2 display, float top, float scale, const UiState& ui,
                      ExplainRoom room) {
  const float gap = 4.0f * scale;
  const float width = display.x, height = display.y - top;
  const bool whole_window = room == ExplainRoom::kWindow;
  const bool setup = !whole_window && (panel_shown(ui, Panel::Data) ||
                                       panel_shown(ui, Panel::Model) ||
                                       panel_shown(ui, Panel::Experiment) ||
                                       panel_shown(ui, Panel::Guide));
  const bool training = !whole_window && panel_shown(ui, Panel::Training);
  const bool curves = room == ExplainRoom::kShared && panel_shown(ui, Panel::Curves);
  const bool results = panel_shown(ui, Panel::Inside) || panel_shown(ui, Panel::Eval) ||
                       panel_shown(ui, Panel::Experiment);
  if (use_rows(display, scale)) {
    return compute_rows_layout(display, top, scale, setup, training, curves, results);
  }
  const bool left = setup || training, right = curves || results;
  float left_w = std::clamp(width * 0.4f, 300.0f * scale, 560.0f * scale);
  left_w = std::min(left_w, width * 0.5f);
  if (!right) left_w = width;
  const float right_x = left ? left_w + gap : 0.0f;
  const float right_w = width - right_x;
  const float setup_h = !training ? height : !setup ? 0.0f : std::floor(height * 0.56f);
  // Curves above Results at 38 : 62: at 1280x800 the plots keep about 200 px and the feature
  // maps (under the time slider, the image chooser and the sub-tabs) about 300 px. On a short
  // window (800x600) the Curves keep 260 logical px (46 % at most), or the plots would be a
  // few pixels high.
  const float curves_share_h = std::max(height * 0.38f, std::min(height * 0.46f, 260.0f * scale));
  const float curves_h = !results ? height : !curves ? 0.0f : std::floor(curves_share_h);
  const float training_gap = setup ? gap : 0.0f, results_gap = curves ? gap : 0.0f;
  Layout l;
  l.setup = {ImVec2(0, top), ImVec2(left_w, setup_h), setup};
  l.training = {ImVec2(0, top + setup_h + training_gap),
                ImVec2(left_w, height - setup_h - training_gap), training};
  l.curves = {ImVec2(right_x, top), ImVec2(right_w, curves_h), curves};
  l.results = {ImVec2(right_x, top + curves_h + results_gap),
               ImVec2(right_w, height - curves_h - results_gap), results};
  return l;
}

// Panels draw no background: the frame is cleared to the panels' colour instead (main.cpp). In a
// software WebGL (headless Chromium's SwiftShader) every full-screen layer of blended fill costs
// about 25 ms of CPU per 1280x800 frame, more than all the panels' contents together.
constexpr ImGuiWindowFlags kPanelFlags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                         ImGuiWindowFlags_NoCollapse |
                                         ImGuiWindowFlags_NoSavedSettings |
                                         ImGuiWindowFlags_NoBringToFrontOnFocus |
                                         ImGuiWindowFlags_NoBackground;

// Below this width (logical pixels: a phone held upright) two columns leave about 190 px per
// panel, where sentences wrap a letter a line: the four areas then take the whole window one at a
// time, chosen by a row of tabs under the menu bar.
constexpr float kNarrowWidth = 600.0f;
// The narrow layout's areas, in its tab row's order (UiState::narrow_area indexes them).
constexpr const char* kAreaNames[4] = {"Setup", "Training", "Curves", "Results"};

// Start or pause, step and reset from the keyboard: the Training panel's buttons, under the same
// conditions (a shortcut that cannot act now does nothing; the panel says why beside its buttons).
void apply_training_shortcuts(AppState& s) {
  TrainingState& training = s.training;
  if (s.ui.shortcuts.empty() || training_blocked_reason(s)) return;
  const bool running = training.phase == "training";
  for (const Shortcut key : s.ui.shortcuts) {
    if (key == Shortcut::kStartOrPause) {
      training.pending.push_back(running ? CommandType::kPause : CommandType::kTrain);
    } else if (key == Shortcut::kStep && !running) {
      training.pending.push_back(CommandType::kStep);
    } else if (key == Shortcut::kReset) {
      training.pending.push_back(CommandType::kReset);
    }
  }
}

// The narrow layout: a row of area tabs at `top`, then the chosen area over the rest of the
// window. A tab request (select_tab, Start) brings its area forward.
Layout narrow_layout(AppState& s, const Layout& wide, float top, ImVec2 display) {
  UiState& ui = s.ui;
  int request = -1;
  if (ui.left_tab_request >= 0) request = 0;
  else if (ui.right_tab_request >= 0) request = 3;
  else if (s.experiments.curves_tab_request >= 0) request = 2;
  else if (s.training.tab_request >= 0 || s.training.area_request) request = 1;
  const Rect* areas[4] = {&wide.setup, &wide.training, &wide.curves, &wide.results};
  const float bar_h = ImGui::GetFrameHeight() + 2.0f * ImGui::GetStyle().WindowPadding.y;
  ImGui::SetNextWindowPos(ImVec2(0, top), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(display.x, bar_h), ImGuiCond_Always);
  ImGui::Begin("##areas", nullptr,
               kPanelFlags | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar);
  if (ImGui::BeginTabBar("##area_tabs")) {
    for (int a = 0; a < 4; ++a) {
      if (!areas[a]->visible) continue;
      if (begin_tab_noted(ui, "areas", kAreaNames[a],
                          request == a ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None)) {
        ui.narrow_area = a;
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
  Layout l = wide;
  Rect* out[4] = {&l.setup, &l.training, &l.curves, &l.results};
  for (int a = 0; a < 4; ++a) {
    *out[a] = {ImVec2(0, top + bar_h), ImVec2(display.x, display.y - top - bar_h),
               areas[a]->visible && a == ui.narrow_area};
  }
  return l;
}

// A hidden area (r.visible false) is not begun: end_panel then ends nothing.
bool begin_panel(UiState& ui, const char* title, const Rect& r) {
  if (!r.visible) return false;
  ImGui::SetNextWindowPos(r.pos, ImGuiCond_Always);
  ImGui::SetNextWindowSize(r.size, ImGuiCond_Always);
  const bool open = ImGui::Begin(title, nullptr, kPanelFlags);
  ui.drawn.areas_bottom =
      std::max(ui.drawn.areas_bottom, ImGui::GetWindowPos().y + ImGui::GetWindowSize().y);
  return open;
}

void end_panel(const Rect& r) {
  if (r.visible) ImGui::End();
}

// SetSelected for the tab a request names, once.
ImGuiTabItemFlags tab_flags(int request, int tab) {
  return request == tab ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None;
}

// ---- [SECTION] Menu bar ------------------------------------------------------------------------

// BeginMenu of the menu bar, noting the menu's rectangle (its label's width plus the padding
// BeginMenu adds, the bar's height) and whether it is open, for state().ui.
bool begin_menu_noted(UiState& ui, const char* label) {
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float w = ImGui::CalcTextSize(label).x + ImGui::GetStyle().ItemSpacing.x * 2.0f;
  ui.drawn.tabs.push_back({"menu", label, at.x, 0.0f, w, ImGui::GetWindowHeight()});
  const bool open = ImGui::BeginMenu(label);
  if (open) ui.drawn.open_menu = label;
  return open;
}

// The status on the right of the menu bar: what trains, for a single run (the Session's phase)
// or an experiment (running, paused, done, with its progress), whichever the student started
// last.
std::string status_text(const AppState& state, const std::string& phase) {
  const std::optional<ExperimentReport>& x = state.training.experiment;
  if (phase != "error" && x && state.experiments.status_run == state.training.run &&
      phase != "training") {
    char text[96];
    std::snprintf(text, sizeof text, "experiment %s %.0f %%",
                  x->running ? "running" : x->done ? "done" : "paused", x->progress * 100.0);
    return text;
  }
  // A run's last step is done and its network is answering the test split.
  if (phase == "training" && state.training.status.testing) return "testing";
  return phase;
}

// The status in few letters for a phone's menu bar: "experiment running 40 %" -> "exp. 40 %",
// "experiment paused 40 %" -> "exp. paused 40 %"; other statuses are short already.
std::string short_menu_status(const std::string& full) {
  for (const char* word : {"experiment running ", "experiment "}) {
    const std::string prefix = word;
    if (full.rfind(prefix, 0) == 0) return "exp. " + full.substr(prefix.size());
  }
  return full;
}

float draw_menu_bar(AppState& state, const std::string& phase) {
  float height = 0.0f;
  if (ImGui::BeginMainMenuBar()) {
    ImGui::TextUnformatted("CNN Lab");
    ImGui::Separator();
    if (begin_menu_noted(state.ui, "File")) {  // save/load model, exports, photo (panel_files.cpp)
      draw_file_menu(state);
      ImGui::EndMenu();
    }
    if (begin_menu_noted(state.ui, "View")) {
      if (ImGui::MenuItem("Dark theme", nullptr, &state.ui.embedding.dark_theme)) {
        apply_style(state.ui.scale, state.ui.embedding.dark_theme, state.ui.embedding.touch);
      }
      item_tooltip("Light text on a dark background.");
      // The developers' views last, in a submenu of their own: a student has no use for them.
      ImGui::Separator();
      if (ImGui::BeginMenu("For developers")) {
        ImGui::MenuItem("Widget check (synthetic input)", nullptr, &state.ui.show_widget_check);
        item_tooltip("Every chart and map drawn on made-up input, to check the drawing code.");
        ImGui::MenuItem("Dear ImGui metrics", nullptr, &state.ui.show_imgui_metrics);
        item_tooltip("The UI library's own statistics: windows, draw calls, vertices.");
        ImGui::EndMenu();
      }
      ImGui::EndMenu();
    }
    draw_copy_link_item(state);
    // Status on the right: phase, frame rate, and a font warning when the TrueType font is missing.
    state.ui.status = status_text(state, phase);
    char status[160];
    if (ImGui::GetTime() - state.ui.shown_fps_time >= 1.0 || state.ui.shown_fps_time < 0) {
      state.ui.shown_fps = static_cast<int>(state.ui.fps + 0.5);
      state.ui.shown_fps_time = ImGui::GetTime();
    }
    std::snprintf(status, sizeof status, "%s   %d fps", state.ui.status.c_str(), state.ui.shown_fps);
    float w = ImGui::CalcTextSize(status).x + ImGui::GetStyle().ItemSpacing.x * 2;
    // Narrow windows: the status without the frame rate, so it is not cut off at the edge.
    if (ImGui::GetWindowWidth() - ImGui::GetCursorPosX() < w) {
      std::snprintf(status, sizeof status, "%s", state.ui.status.c_str());
      w = ImGui::CalcTextSize(status).x + ImGui::GetStyle().ItemSpacing.x * 2;
    }
    // A phone: "experiment running 40 %" was cut to "experiment runn"; the short form fits and
    // the tooltip gives the whole text.
    bool shortened = false;
    if (ImGui::GetWindowWidth() - ImGui::GetCursorPosX() < w) {
      std::snprintf(status, sizeof status, "%s", short_menu_status(state.ui.status).c_str());
      w = ImGui::CalcTextSize(status).x + ImGui::GetStyle().ItemSpacing.x * 2;
      shortened = true;
    }
    state.ui.status_shown = status;
    if (!state.ui.font_loaded && !state.ui.font_message.empty()) {
      ImGui::TextColored(ImVec4(0.7f, 0.3f, 0.0f, 1.0f), "%s", state.ui.font_message.c_str());
    }
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowWidth() - w));
    ImGui::TextUnformatted(status);
    if (shortened) item_tooltip(state.ui.status.c_str());
    height = ImGui::GetWindowSize().y;
    ImGui::EndMainMenuBar();
  }
  return height;
}

}  // namespace

namespace {

// What the last frame drew (DrawnUi) for state().ui: tabs and menus with their rectangles in
// display pixels (in the browser the canvas' backbuffer: CSS pixels x state().ui.scale), the open
// tab of each tab bar, the open menu, panels' scroll positions and tables' rows.
nlohmann::json drawn_ui_json(const DrawnUi& drawn) {
  nlohmann::json tabs = nlohmann::json::array();
  for (const DrawnTab& t : drawn.tabs)
    tabs.push_back({{"bar", t.bar}, {"name", t.name}, {"x", t.x}, {"y", t.y}, {"w", t.w},
                    {"h", t.h}});
  nlohmann::json controls = nlohmann::json::array();
  for (const DrawnTab& t : drawn.controls)
    controls.push_back({{"panel", t.bar}, {"name", t.name}, {"x", t.x}, {"y", t.y}, {"w", t.w},
                        {"h", t.h}, {"visible", t.visible}});
  nlohmann::json cells = nlohmann::json::array();
  for (const DrawnCell& c : drawn.cells)
    cells.push_back({{"table", c.table}, {"text", c.text}, {"lines", c.lines}});
  nlohmann::json scrolls = nlohmann::json::object();
  for (const DrawnScroll& s : drawn.scrolls)
    scrolls[s.name] = {{"y", s.y}, {"maxY", s.max_y}, {"h", s.h}};
  nlohmann::json tables = nlohmann::json::array();
  for (const DrawnTable& t : drawn.tables)
    tables.push_back({{"name", t.name}, {"rows", t.rows}, {"lastRowVisible", t.last_row_visible},
                      {"scrollsY", t.scrolls_y}});
  return {{"tabs", tabs}, {"controls", controls}, {"openTabs", drawn.open_tabs},
          {"openMenu", drawn.open_menu.empty() ? nlohmann::json(nullptr)
                                               : nlohmann::json(drawn.open_menu)},
          {"scroll", scrolls}, {"tables", tables}, {"cells", cells},
          {"areasBottom", drawn.areas_bottom}};
}

}  // namespace

// ---- [SECTION] App -----------------------------------------------------------------------------

App::App() : backend_(make_training_backend()) {
  state_.data.status = "No dataset loaded yet.";
  state_.training.available = true;
}

App::~App() = default;

bool App::set_ui_scale(float scale) {
  if (fonts_built_ && std::fabs(scale - state_.ui.scale) < 1e-3f) return false;
  state_.ui.scale = scale;
  state_.ui.font_loaded = load_fonts(scale, &state_.ui.font_message);
  apply_style(scale, state_.ui.embedding.dark_theme, state_.ui.embedding.touch);
  fonts_built_ = true;
  return true;
}

void App::frame() {
  AppState& s = state_;
  s.ui.fps = ImGui::GetIO().Framerate;
  ++s.ui.frames_drawn;
  s.ui.drawn = DrawnUi{};
  if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) ++s.ui.clicks;
  apply_training_shortcuts(s);
  update_training();
  refresh_derived_state(s);
  note_training_speed(s);
  refresh_experiment_check(s);  // the Experiment tab's check and time estimate (also for state())
  const float top = draw_menu_bar(s, api_phase(nullptr));
  // A tablet held upright with a finger as its pointer gets one area at a time too: in the
  // touch style's taller controls, rows left the curves about 20 px of height.
  s.ui.narrow = ImGui::GetIO().DisplaySize.x < kNarrowWidth * s.ui.scale ||
                (s.ui.embedding.touch && use_rows(ImGui::GetIO().DisplaySize, s.ui.scale));
  s.ui.rows = !s.ui.narrow && use_rows(ImGui::GetIO().DisplaySize, s.ui.scale);
  // The pixel explainer's room, while it was open last frame (it says so again as it draws).
  const ExplainRoom room =
      s.inside.explain_shown && !s.ui.narrow ? s.inside.explain_room : ExplainRoom::kShared;
  s.inside.explain_shown = false;
  // The files notice takes a strip along the bottom edge: the areas end above it.
  const float notice_h = lay_out_files_notice(s);
  const ImVec2 room_for_areas(ImGui::GetIO().DisplaySize.x,
                              ImGui::GetIO().DisplaySize.y - notice_h);
  Layout layout = compute_layout(room_for_areas, top, s.ui.scale, s.ui, room);
  if (s.ui.narrow) layout = narrow_layout(s, layout, top, room_for_areas);
  s.training.area_request = false;
  s.ui.short_results = s.ui.narrow || layout.results.size.y < 560.0f * s.ui.scale;

  if (begin_panel(s.ui, "Setup", layout.setup)) {
    if (ImGui::BeginTabBar("##setup_tabs", tab_bar_flags(s.ui))) {
      if (panel_shown(s.ui, Panel::Data) &&
          begin_tab_noted(s.ui, "setup", "Data", tab_flags(s.ui.left_tab_request, 0))) {
        ImGui::BeginChild("##data", ImVec2(0, 0), false);
        draw_lesson_strip(s);
        draw_data_panel(s);
        end_child_noted(s.ui, "data");
        ImGui::EndTabItem();
      }
      if (panel_shown(s.ui, Panel::Model) &&
          begin_tab_noted(s.ui, "setup", "Model", tab_flags(s.ui.left_tab_request, 1))) {
        ImGui::BeginChild("##model", ImVec2(0, 0), false);
        draw_lesson_strip(s);
        draw_model_panel(s);
        end_child_noted(s.ui, "model");
        ImGui::EndTabItem();
      }
      // The Experiments panel's controls (panel_experiments.cpp; its results are in the two
      // windows on the right, each in an "Experiment" tab).
      if (panel_shown(s.ui, Panel::Experiment) &&
          begin_tab_noted(s.ui, "setup", "Experiment", tab_flags(s.ui.left_tab_request, 2))) {
        ImGui::BeginChild("##experiment_setup", ImVec2(0, 0), false);
        draw_lesson_strip(s);
        draw_experiment_setup_panel(s);
        end_child_noted(s.ui, "experimentSetup");
        ImGui::EndTabItem();
      }
      // Lessons (panel_guide.cpp): last in the bar, brought forward when a lesson opens.
      if (panel_shown(s.ui, Panel::Guide) &&
          begin_tab_noted(s.ui, "setup", "Guide", tab_flags(s.ui.left_tab_request, 3))) {
        ImGui::BeginChild("##guide", ImVec2(0, 0), false);
        draw_guide_panel(s);
        end_child_noted(s.ui, "guide");
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
    s.ui.left_tab_request = -1;
  }
  end_panel(layout.setup);

  if (begin_panel(s.ui, "Training", layout.training)) draw_training_panel(s);
  end_panel(layout.training);

  if (begin_panel(s.ui, "Curves", layout.curves)) {
    const int request = s.experiments.curves_tab_request;
    if (ImGui::BeginTabBar("##curves_tabs", tab_bar_flags(s.ui))) {
      if (begin_tab_noted(s.ui, "curves", "Curves", tab_flags(request, 0))) {
        draw_curves_panel(s);
        ImGui::EndTabItem();
      }
      if (panel_shown(s.ui, Panel::Experiment) &&
          begin_tab_noted(s.ui, "curves", "Experiment", tab_flags(request, 1))) {
        draw_experiment_curves_panel(s);
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
    s.experiments.curves_tab_request = -1;
  }
  end_panel(layout.curves);

  if (begin_panel(s.ui, "Results", layout.results)) {
    // Taken before the tabs draw, so a request a tab makes while drawing (a click on a run in
    // Runs, on an image in Evaluation) applies next frame instead of being reset below.
    const int right_request = s.ui.right_tab_request;
    s.ui.right_tab_request = -1;
    if (ImGui::BeginTabBar("##result_tabs", tab_bar_flags(s.ui))) {
      // Narrow, "Inside" (named as wide): the four tabs fit a phone's width uncut.
      if (panel_shown(s.ui, Panel::Inside) &&
          begin_tab_noted(s.ui, "results",
                          s.ui.narrow ? "Inside###Inside the network"
                                      : "Inside the network###Inside the network",
                          tab_flags(right_request, 0))) {
        ImGui::BeginChild("##inside", ImVec2(0, 0), false);
        draw_inside_panel(s);
        end_child_noted(s.ui, "inside");
        ImGui::EndTabItem();
      }
      if (panel_shown(s.ui, Panel::Eval) &&
          begin_tab_noted(s.ui, "results", "Evaluation", tab_flags(right_request, 1))) {
        ImGui::BeginChild("##eval", ImVec2(0, 0), false);
        draw_eval_panel(s);
        end_child_noted(s.ui, "eval");
        ImGui::EndTabItem();
      }
      if (panel_shown(s.ui, Panel::Eval) &&
          begin_tab_noted(s.ui, "results", "Runs", tab_flags(right_request, 3))) {
        draw_runs_panel(s);
        ImGui::EndTabItem();
      }
      if (panel_shown(s.ui, Panel::Experiment) &&
          begin_tab_noted(s.ui, "results", "Experiment", tab_flags(right_request, 2))) {
        ImGui::BeginChild("##experiment_results", ImVec2(0, 0), false);
        draw_experiment_results_panel(s);
        end_child_noted(s.ui, "experimentResults");
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
  }
  end_panel(layout.results);

  if (s.ui.show_widget_check) draw_widget_check(s);
  if (s.ui.show_imgui_metrics) ImGui::ShowMetricsWindow(&s.ui.show_imgui_metrics);
  draw_options_notice(s, top);
  draw_files_notice(s);
  apply_panel_requests();
  apply_file_requests();
  apply_guide_requests();
  if (s.experiments.start_requested) {
    s.experiments.start_requested = false;
    const std::string error = start_experiment(experiment_draft_options(s.experiments));
    s.experiments.message = error;
    s.experiments.message_is_error = !error.empty();
  }
  s.ui.shortcuts.clear();  // the Inside panel took its own while it drew
}

bool App::reads_back_after_render() const {
  const ExperimentsState& x = state_.experiments;
  return x.capture_plots && x.plots_frame == ImGui::GetFrameCount();
}

void App::after_render(int framebuffer_width, int framebuffer_height) {
  ExperimentsState& x = state_.experiments;
  // The PNG export of the experiment's plots: once they were drawn in the frame just rendered.
  if (!x.capture_plots || x.plots_frame != ImGui::GetFrameCount()) return;
  x.capture_plots = false;
  const ImVec2 fb_scale = ImGui::GetIO().DisplayFramebufferScale;
  const int x0 = std::clamp(static_cast<int>(std::floor(x.plots_min[0] * fb_scale.x)), 0, framebuffer_width);
  const int y0 = std::clamp(static_cast<int>(std::floor(x.plots_min[1] * fb_scale.y)), 0, framebuffer_height);
  const int x1 = std::clamp(static_cast<int>(std::ceil(x.plots_max[0] * fb_scale.x)), 0, framebuffer_width);
  const int y1 = std::clamp(static_cast<int>(std::ceil(x.plots_max[1] * fb_scale.y)), 0, framebuffer_height);
  std::string where;
  const bool ok = platform::save_framebuffer_region_png(experiment_export_name(state_, "png"), x0,
                                                       y0, x1 - x0, y1 - y0, framebuffer_height,
                                                       &where);
  x.message = ok ? "Saved: " + where : where;
  x.message_is_error = !ok;
}

std::string App::load_dataset_path(const std::string& path) {
  try {
    backend_->load_data_path(path);
    // In-process the trainer has it now: take its report at once (the desktop's later options,
    // such as --load-model, need the dataset).
    backend_->update(0.0, state_.training, state_.lab);
    take_dataset_report();
  } catch (const std::exception& e) {
    if (!state_.data.loaded) state_.data.status = e.what();
    return e.what();
  }
  return state_.data.loaded ? std::string() : state_.data.status;
}

void App::take_dataset_report() {
  std::unique_ptr<DatasetReport> report = backend_->take_dataset_report();
  if (!report) return;
  try {
    set_dataset(state_, std::move(*report));
    // An epoch the time slider showed belongs to the data before: the new images are shown
    // through the latest weights (Inside, Evaluation, Where it looks).
    show_latest(state_);
  } catch (const std::exception& e) {
    // The previous dataset (if any) stays; the Data panel says what went wrong.
    if (!state_.data.loaded) state_.data.status = e.what();
    state_.training.message = e.what();
  }
}

std::string App::set_subsets_json(const std::string& manifest) {
  std::vector<SubsetOption> subsets;
  try {
    const nlohmann::json j = nlohmann::json::parse(manifest);
    for (const nlohmann::json& p : j.at("packs")) {
      SubsetOption s;
      s.id = p.at("id").get<std::string>();
      s.file = p.at("file").get<std::string>();
      s.train_per_class = p.value("trainPerClass", 0);
      s.test_per_class = p.value("testPerClass", 0);
      subsets.push_back(s);
    }
  } catch (const std::exception& e) {
    return std::string("data/packs.json: ") + e.what();
  }
  state_.data.subsets = std::move(subsets);
  state_.data.chosen_subset = 0;
  return {};
}

bool App::select_tab(const std::string& name) {
  if (name == "guide") state_.ui.left_tab_request = 3;
  else if (name == "data") state_.ui.left_tab_request = 0;
  else if (name == "model") state_.ui.left_tab_request = 1;
  else if (name == "inside") state_.ui.right_tab_request = 0;
  else if (name == "explain") {  // Inside the network > Explain one pixel
    state_.ui.right_tab_request = 0;
    state_.inside.explain_request = true;
  }
  else if (name == "where") {  // Inside the network > Where it looks
    state_.ui.right_tab_request = 0;
    state_.inside.where_request = true;
  }
  else if (name == "eval") state_.ui.right_tab_request = 1;
  else if (name == "runs") state_.ui.right_tab_request = 3;
  else if (name == "experiment") {
    state_.ui.left_tab_request = 2;
    state_.ui.right_tab_request = 2;
    state_.experiments.curves_tab_request = 1;
  }
  else return false;
  return true;
}

void App::set_data_status(const std::string& status) {
  if (!state_.data.loaded) state_.data.status = status;
}

// ---- [SECTION] Training (commands, reports, curves) --------------------------------------------

namespace {

constexpr double kTrainingSliceSeconds = 0.025;  // in-process training per frame (desktop)


}  // namespace

std::string App::configure(const nlohmann::json& options) {
  try {
    // The engine's own validation, here, so a refusal is immediate and changes nothing; the
    // trainer then receives the complete options (idempotent wherever it runs).
    SessionOptions merged = state_.settings.applied;
    merged.merge(options);
    if (state_.data.loaded) {
      const Dataset& d = state_.data.dataset.train;
      merged.spec(Shape{d.channels, d.height, d.width}, static_cast<int>(d.class_names.size()));
    }
    if (merged.to_json() != state_.settings.applied.to_json()) {
      backend_->send(TrainerCommand{CommandType::kConfigure, merged.to_json()});
    }
    state_.settings.applied = merged;
    state_.settings.draft = merged;
    state_.settings.error.clear();
    state_.settings.refused.clear();
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string App::configure_json(const std::string& options_json) {
  nlohmann::json options;
  try {
    options = nlohmann::json::parse(options_json);
  } catch (const std::exception& e) {
    return std::string("options: not valid JSON (") + e.what() + ")";
  }
  return configure(options);
}

std::string App::command_named(const std::string& name) {
  // The run log is the app's own (lab/run_log.h): nothing goes to the trainer.
  if (name == "clearRuns") {
    state_.runs.log.clear();
    state_.runs.shown = 0;
    return {};
  }
  if (name == "undoClearRuns") {
    if (!state_.runs.log.can_undo())
      return "undoClearRuns: nothing to undo (a clear can be undone until the next run starts)";
    state_.runs.log.undo();
    return {};
  }
  CommandType type;
  if (!command_from_name(name, &type) || type == CommandType::kConfigure ||
      type == CommandType::kStartExperiment) {
    return "unknown command '" + name +
           "' (train, pause, step, reset, clearHistory, stopExperiment, resumeExperiment, "
           "clearRuns or undoClearRuns)";
  }
  return command(type);
}

std::string App::command(CommandType type) {
  const std::string name = command_name(type);
  if ((type == CommandType::kTrain || type == CommandType::kStep) && !state_.data.loaded) {
    return name + ": no dataset is loaded yet (choose one in the Data panel)";
  }
  if (type == CommandType::kResumeExperiment) {  // refused here at once, as the Session would
    const std::optional<ExperimentReport>& x = state_.training.experiment;
    if (!x) return "experiment: there is no experiment to continue";
    if (x->done) return "experiment: the experiment has finished; start a new one";
  }
  try {
    backend_->send(TrainerCommand{type, nullptr});
  } catch (const std::exception& e) {
    state_.training.message = e.what();
    return e.what();
  }
  state_.training.message.clear();
  if (type == CommandType::kClearHistory) state_.curves.built_from = 0;
  if (type == CommandType::kTrain || type == CommandType::kStep) {
    state_.training.area_request = true;
    // Watch the layers, unless the student chose a Training tab: theirs stays open.
    if (!state_.training.view_chosen) state_.training.tab_request = 1;
  }
  return {};
}

std::string App::experiment_json(const std::string& options_json) {
  nlohmann::json options;
  try {
    options = nlohmann::json::parse(options_json);
  } catch (const std::exception& e) {
    return std::string("experiment options: not valid JSON (") + e.what() + ")";
  }
  return start_experiment(options);
}

std::string App::start_experiment(const nlohmann::json& options) {
  // The engine's own check here, so an invalid sweep is refused at once (inline in the panel, an
  // Error through the API) and nothing starts; the trainer checks again with the same rules.
  const std::string error = check_experiment(state_, options, nullptr);
  if (!error.empty()) return error;
  try {
    backend_->send(TrainerCommand{CommandType::kStartExperiment, options});
  } catch (const std::exception& e) {
    return e.what();
  }
  state_.training.message.clear();
  state_.experiments.message.clear();
  // Watch it: the three Experiment tabs (controls, curves, table and maps).
  select_tab("experiment");
  return {};
}

std::string App::experiment_export(const std::string& format, std::string* text) {
  try {
    if (format == "png") {
      export_experiment(state_, "png");
      return state_.experiments.message_is_error ? state_.experiments.message : std::string();
    }
    *text = experiment_export_text(state_, format);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string App::history_json() const { return run_history_json(state_.training.history).dump(); }

void App::receive_trainer_dataset(const uint8_t* bytes, size_t size) {
  backend_->receive_dataset(bytes, size);
  take_dataset_report();
}

void App::trainer_restarted() {
  TrainingState& t = state_.training;
  t.earlier_runs = t.history;
  for (const RunRecord& r : t.earlier_runs) t.run_offset = std::max(t.run_offset, r.run);
  if (t.experiment) t.experiment_offset = t.experiment->id;
  t.trainer_failure.clear();
  t.message.clear();  // the failure is over; the page shows the dataset loading again
  ++t.version;
  backend_->restarted(state_.settings.applied);
}

void App::receive_trainer_report(const std::string& report_json) {
  try {
    std::vector<std::string> refused;
    backend_->receive_report(TrainerReport::from_json(nlohmann::json::parse(report_json),
                                                      "the training worker's report", &refused));
    // A malformed message is left out and said in the Training panel; the others applied.
    for (const std::string& why : refused)
      backend_->receive_error("A report from the trainer was refused: " + why, false);
  } catch (const std::exception& e) {
    backend_->receive_error(std::string("A report from the trainer was ignored: ") + e.what(),
                            false);
  }
}

void App::receive_trainer_test(const std::string& results_json, const float* probs,
                               size_t count) {
  try {
    backend_->receive_test(
        TestResults::from_json(nlohmann::json::parse(results_json), "training worker test results"),
        probs, count);
  } catch (const std::exception& e) {
    backend_->receive_error(std::string("training worker test results: ") + e.what(), false);
  }
}

void App::update_training() {
  TrainingState& t = state_.training;
  const uint64_t before = t.version;
  try {
    backend_->update(kTrainingSliceSeconds, t, state_.lab);
    take_dataset_report();
  } catch (const std::exception& e) {
    // In-process training stopped by an error: the run keeps its last good weights.
    t.message = e.what();
  }
  // Per-epoch snapshots and the epoch shown (time_travel.h): the shown epoch's test evaluation
  // runs a slice of every frame.
  constexpr double kEpochEvaluationSeconds = 0.02;
  update_time_travel(state_, backend_->take_epoch_weights(), t.run_offset, kEpochEvaluationSeconds,
                     platform::now_seconds());
  // The live matrix's selected cell: its validation images come from the trainer.
  if (std::optional<nlohmann::json> cell = validation_cell_request(state_)) {
    try {
      backend_->send(TrainerCommand{CommandType::kValidationCell, *cell});
    } catch (const std::exception& e) {
      t.message = e.what();
    }
  }
  // The experiment's per-epoch snapshots (every configuration) and its time slider's Play.
  keep_experiment_epochs(state_, backend_->take_experiment_epochs(), t.experiment_offset,
                         platform::now_seconds());
  // A trainer that just died: its failure and Restart are in the Training panel, so a narrow
  // window that shows another area switches to it.
  if (t.trainer_failure.empty() && !backend_->fatal_error().empty()) t.tab_request = 0;
  t.trainer_failure = backend_->fatal_error();
  if (t.run > 0 && t.steps_per_epoch > 0) steps_per_epoch_of_run_[t.run] = t.steps_per_epoch;
  // The single run that was current while the experiment ran (the status line's choice).
  if (t.experiment) {
    ExperimentsState& x = state_.experiments;
    const int id = t.experiment->id;
    if (id != x.status_id || !t.experiment->done) {
      x.status_id = id;
      x.status_run = t.run;
    }
    if (id != x.dataset_noted_id && state_.data.loaded) {
      x.dataset_noted_id = id;
      x.dataset_origin = state_.data.origin;
      x.dataset_name = state_.data.dataset.train.name;
    }
    // A single run trained since the experiment ended: the status is that run's from now on
    // (a new dataset numbers runs from 1 again, which could equal the run noted above).
    if (t.experiment->done && t.phase == "training" && !t.status.experiment_running)
      x.status_run = -1;
  }
  // Each run's label as it was while current (a past run's record may carry later options).
  if (t.run > 0 && t.step > 0 && t.status.model)
    run_labels_[t.run] = "run " + std::to_string(t.run) + ": " + t.status.options.model_label();
  if (t.version != before || state_.curves.built_from == 0) rebuild_curves();
  if (t.version != state_.runs.seen_version) update_run_log();
}

// Logs the runs the trainer's reports show finished (single runs from the history, an
// experiment's from its state); a run starting ends the chance to undo a clear of the log.
void App::update_run_log() {
  const TrainingState& t = state_.training;
  RunsState& runs = state_.runs;
  runs.seen_version = t.version;
  const std::string dataset =
      state_.data.loaded ? state_.data.dataset.train.name + " " + split_text(state_.data) : "";
  // A run just finished: the Evaluation panel shows it (not an older run picked from the log).
  const bool run_finished = runs.log.add_history(t.history, dataset) > 0;
  if (run_finished) runs.shown = 0;
  if (t.experiment) runs.log.add_experiment(*t.experiment, dataset);
  // A run that finished had started, even if no report caught it training.
  const bool running = t.phase == "training" || (t.experiment && t.experiment->running);
  const int experiment = t.experiment ? t.experiment->id : 0;
  if ((running && !runs.was_running) || run_finished || experiment != runs.experiment_id)
    runs.log.forget_undo();
  runs.was_running = running;
  runs.experiment_id = experiment;
}

// Curves from Session::history() (every run's epochs; past runs carry a thinned step curve) and
// the current run's per-step records. x is in epochs: steps at (i + 1) / steps per epoch.
void App::rebuild_curves() {
  const TrainingState& t = state_.training;
  CurvesState& curves = state_.curves;
  curves.runs.clear();
  curves.built_from = t.version;
  for (const RunRecord& record : t.history) {
    RunHistory run;
    run.run = record.run;
    run.label = record.label;
    run.dataset = record.dataset;
    if (auto it = run_labels_.find(run.run); it != run_labels_.end()) run.label = it->second;
    run.color_index = widgets::run_series_index(std::max(0, run.run - 1));
    for (const EpochRecord& e : record.epochs) {
      run.epoch_x.push_back(static_cast<float>(e.epoch));
      run.epoch_train_loss.push_back(static_cast<float>(e.train_loss));
      run.epoch_train_acc.push_back(static_cast<float>(e.train_accuracy));
      run.epoch_val_loss.push_back(static_cast<float>(e.val_loss));
      run.epoch_val_acc.push_back(static_cast<float>(e.val_accuracy));
    }
    // Steps per epoch: as seen while the run was current, else from its batch size.
    double per_epoch = 0;
    if (auto it = steps_per_epoch_of_run_.find(run.run); it != steps_per_epoch_of_run_.end()) {
      per_epoch = static_cast<double>(it->second);
    } else if (state_.data.loaded) {
      const int batch = std::max(1, record.options.train.batch_size);
      per_epoch = std::ceil(static_cast<double>(state_.data.split.train.size()) / batch);
    }
    if (per_epoch <= 0) per_epoch = 1;
    if (run.run == t.steps_run && !t.step_loss.empty()) {
      run.step_loss = t.step_loss;
      run.step_acc = t.step_acc;
      for (size_t i = 0; i < t.step_loss.size(); ++i)
        run.step_x.push_back(static_cast<float>((i + 1) / per_epoch));
    } else if (record.steps) {
      const StepCurve& steps = *record.steps;
      for (size_t i = 0; i < steps.loss.size(); ++i)
        run.step_x.push_back(static_cast<float>(
            (static_cast<double>(i * steps.stride) + 1) / per_epoch));
      run.step_loss = steps.loss;
      run.step_acc = steps.acc;
    }
    curves.runs.push_back(std::move(run));
  }
  // A run drawn exactly over an earlier one hides it: the legend names the earlier run.
  for (size_t later = 0; later < curves.runs.size(); ++later) {
    RunHistory& run = curves.runs[later];
    if (run.epoch_x.empty()) continue;
    for (size_t earlier = 0; earlier < later; ++earlier) {
      const RunHistory& other = curves.runs[earlier];
      if (other.epoch_x == run.epoch_x && other.epoch_train_loss == run.epoch_train_loss &&
          other.epoch_train_acc == run.epoch_train_acc &&
          other.epoch_val_loss == run.epoch_val_loss && other.epoch_val_acc == run.epoch_val_acc) {
        run.same_curves_as = other.run;
        break;
      }
    }
  }
  // The current run before its first epoch ends is in no history report yet: its step curve.
  const bool listed = std::any_of(curves.runs.begin(), curves.runs.end(),
                                  [&](const RunHistory& r) { return r.run == t.steps_run; });
  if (!listed && t.steps_run > 0 && !t.step_loss.empty()) {
    RunHistory run;
    run.run = t.steps_run;
    run.color_index = widgets::run_series_index(std::max(0, run.run - 1));
    run.label = "run " + std::to_string(run.run);
    if (t.status.model) run.label += ": " + t.status.model->label();
    run.dataset = loaded_dataset_identity(state_.data);
    const double per_epoch = t.steps_per_epoch > 0 ? static_cast<double>(t.steps_per_epoch) : 1.0;
    run.step_loss = t.step_loss;
    run.step_acc = t.step_acc;
    for (size_t i = 0; i < t.step_loss.size(); ++i)
      run.step_x.push_back(static_cast<float>((i + 1) / per_epoch));
    curves.runs.push_back(std::move(run));
  }
}

// What the panels asked for this frame: buttons (commands), Clear, and edited settings (applied
// once no widget is being dragged, so a slider does not restart the run at every pixel).
void App::apply_panel_requests() {
  AppState& s = state_;
  std::vector<CommandType> pending;
  pending.swap(s.training.pending);
  // Read-only (an instructor's fixed exercise): the panels' widgets are disabled; this also
  // drops anything they might still ask for. The JavaScript API is not locked.
  if (s.ui.embedding.read_only) s.settings.draft = s.settings.applied;
  if (s.ui.embedding.read_only_commands) pending.clear();
  for (CommandType type : pending) {
    const std::string error = command(type);
    if (!error.empty()) s.training.message = error;
  }
  if (s.training.restart_requested) {
    s.training.restart_requested = false;
    if (!platform::restart_trainer()) s.training.message = "The trainer cannot be restarted here.";
  }
  if (s.curves.clear_requested) {
    s.curves.clear_requested = false;
    command(CommandType::kClearHistory);
  }
  for (auto [requested, name] : {std::pair{&s.runs.clear_requested, "clearRuns"},
                                 std::pair{&s.runs.undo_requested, "undoClearRuns"}}) {
    if (!*requested) continue;
    *requested = false;
    const std::string error = command_named(name);
    if (!error.empty()) s.training.message = error;
  }
  const nlohmann::json draft = s.settings.draft.to_json();
  if (draft == s.settings.applied.to_json()) {
    s.settings.error.clear();
    s.settings.refused.clear();
  } else if (!ImGui::IsAnyItemActive()) {
    const std::string text = draft.dump();
    if (text != s.settings.refused) {
      const std::string error = configure(draft);
      if (!error.empty()) {
        s.settings.error = error;
        s.settings.refused = text;
      }
    }
  }
}

// ---- [SECTION] State for the JavaScript API ----------------------------------------------------

namespace {

// NaN / unknown values become null (JSON has no NaN).
nlohmann::json number_or_null(double v, bool known) {
  return known && std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

}  // namespace

std::string App::api_phase(std::string* error) const {
  const AppState& s = state_;
  const TrainingState& t = s.training;
  // The Session's phase; 'loading' there means the trainer has no data yet (the page reports its
  // own loading), and a failed run or a failed worker is the API's 'error'.
  std::string phase = t.phase == "loading" ? "ready" : t.phase;
  std::string why;
  if (!backend_->fatal_error().empty()) {
    phase = "error";
    why = backend_->fatal_error();
  } else if (t.failed) {
    phase = "error";
    why = t.stop_reason;
  } else if (s.phase == Phase::Error) {
    phase = "error";
    why = s.error;
  }
  if (error) *error = why;
  return phase;
}

const std::string& App::state_json() {
  const AppState& s = state_;
  const TrainingState& t = s.training;
  const SessionStatus& status = t.status;
  auto reported = [&](const std::optional<double>& v) {
    return v && t.reported ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json j;
  std::string error;
  const std::string phase = api_phase(&error);
  j["phase"] = phase;
  j["testing"] = phase == "training" && t.reported && status.testing;
  j["error"] = phase == "error" ? nlohmann::json(error) : nlohmann::json(nullptr);
  if (s.data.loaded) {
    j["dataset"] = {{"name", s.data.dataset.train.name},
                    {"train", s.data.split.train.size()},
                    {"val", s.data.split.val.size()},
                    {"test", s.data.dataset.test.size()},
                    {"classes", s.data.dataset.train.class_names.size()},
                    {"classNames", s.data.dataset.train.class_names},
                    {"input", {s.data.dataset.train.channels, s.data.dataset.train.height,
                               s.data.dataset.train.width}},
                    {"origin", s.data.origin},
                    {"split", split_text(s.data)}};
  } else {
    j["dataset"] = nullptr;
  }
  const SessionOptions& o = s.settings.applied;
  if (t.reported && status.model) {
    j["model"] = {{"name", status.model->name},
                  {"kernel", status.model->kernel ? nlohmann::json(*status.model->kernel)
                                                  : nlohmann::json(nullptr)},
                  {"params", status.model->params}};
  } else if (s.model.built) {
    const std::optional<int> kernel = o.named_kernel();
    j["model"] = {{"name", o.model},
                  {"kernel", kernel ? nlohmann::json(*kernel) : nlohmann::json(nullptr)},
                  {"params", s.model.summary.total_params}};
  } else {
    j["model"] = nullptr;
  }
  j["options"] = o.to_json();
  // The trainer has reported these options as its own: `model` is then the network they describe
  // (false while a configure is on its way to the trainer; the page's `ready` waits for true).
  j["settingsReported"] = t.reported && t.status.options.to_json() == o.to_json();
  j["run"] = t.run;
  j["epoch"] = t.epoch;
  j["epochs"] = o.train.epochs;
  j["step"] = t.step;
  j["stepsPerEpoch"] = t.steps_per_epoch;
  j["progress"] = t.progress;
  j["trainLoss"] = reported(status.train_loss);
  j["trainAcc"] = reported(status.train_acc);
  j["valLoss"] = reported(status.val_loss);
  j["valAcc"] = reported(status.val_acc);
  j["testAcc"] = reported(status.test_acc);
  j["testLoss"] = reported(status.test_loss);
  j["testEpoch"] = t.reported && status.test_epoch ? nlohmann::json(*status.test_epoch)
                                                  : nlohmann::json(nullptr);
  j["imagesPerSecond"] = number_or_null(t.images_per_second, t.images_per_second > 0);
  j["etaSeconds"] = number_or_null(t.eta_seconds, t.eta_seconds >= 0);
  j["lr"] = reported(status.lr);
  j["stopReason"] = t.stop_reason;
  // The epoch the Inside and Evaluation views show (null: the latest weights), and its figures
  // (time_travel.h).
  j["shownEpoch"] = s.time_travel.shown_run > 0 ? nlohmann::json(s.time_travel.shown_epoch)
                                                : nlohmann::json(nullptr);
  j["timeTravel"] = time_travel_json(s);
  // The experiment's time slider: the epoch its side-by-side maps show and each configuration's.
  j["experimentEpoch"] = experiment_epoch_json(s);
  // What the Evaluation view shows: the test split ('test'; 'epoch' for the epoch the time
  // slider shows) or, while the run trains, the validation split after its latest epoch.
  const EvalState& ev = s.eval;
  j["evaluationView"] =
      ev.evaluated
          ? nlohmann::json{{"source", ev.validation_epoch > 0 ? "validation"
                                      : s.time_travel.shown_run > 0 ? "epoch"
                                                                    : "test"},
                           {"epoch", ev.validation_epoch > 0 ? nlohmann::json(ev.validation_epoch)
                                     : s.time_travel.shown_run > 0
                                         ? nlohmann::json(s.time_travel.shown_epoch)
                                         : nlohmann::json(nullptr)},
                           {"accuracy", ev.test_acc},
                           {"images", ev.test_count},
                           {"confusion", ev.confusion},
                           {"selectedCell", ev.selected_true >= 0 && ev.selected_pred >= 0
                                                ? nlohmann::json{ev.selected_true, ev.selected_pred}
                                                : nlohmann::json(nullptr)}}
          : nlohmann::json(nullptr);
  // The live matrix's selected cell's validation images as the trainer last sent them.
  const std::optional<ValidationCell>& cell = t.validation_cell;
  j["validationCell"] = cell ? nlohmann::json{{"run", cell->run},
                                              {"epoch", cell->epoch},
                                              {"trueClass", cell->true_class},
                                              {"predicted", cell->predicted},
                                              {"count", cell->count},
                                              {"shown", cell->shown()}}
                             : nlohmann::json(nullptr);
  // The run of the log the Evaluation tab shows (its number; 0: the current run's results).
  j["evaluationShows"] = s.runs.shown;
  // The subset menu's labels (how each subset's images divide; see subset_label).
  nlohmann::json subsets = nlohmann::json::array();
  for (const SubsetOption& option : s.data.subsets)
    subsets.push_back(subset_label(s.data, option, o.train.val_fraction));
  j["subsets"] = subsets;
  j["experiment"] = t.experiment ? t.experiment->to_json() : nlohmann::json(nullptr);
  // The Experiment tab's draft before it starts: runs, repeats and the estimated time it shows.
  const ExperimentsState& x = s.experiments;
  j["experimentPlan"] = {
      {"repeats", x.repeats},
      {"runs", x.check_error.empty() ? nlohmann::json(x.check_configurations) : nlohmann::json(nullptr)},
      {"estimatedSeconds", number_or_null(x.estimate_seconds, x.estimate_seconds >= 0)},
      {"estimateMeasured", x.estimate_measured},
      {"estimateBasis", x.estimate_basis}};
  j["trainer"] = backend_->where();
  // Threads the trainer trains with (the browser's threaded trainer: 2; null until it reports).
  j["trainerThreads"] = t.reported ? nlohmann::json(status.threads) : nlohmann::json(nullptr);
  j["message"] = t.message.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.message);
  // Why a setting edited in a panel was not applied (the panel shows it under the settings).
  // What the Model panel says of the text typed in "Model as text" ("" while it is a model).
  j["modelTextCheck"] = s.model.spec_edit_error;
  // Why the Training panel's Start, Step and Reset (and their keys) are disabled now, or null.
  const char* blocked = training_blocked_reason(s);
  j["trainingBlocked"] = blocked ? nlohmann::json(blocked) : nlohmann::json(nullptr);
  j["settingsError"] =
      s.settings.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.settings.error);
  j["fps"] = number_or_null(s.ui.fps, s.ui.fps > 0);
  j["guide"] = guide_state_json(s);  // the open lesson (guide_actions.h)
  j["files"] = files_state_json(s);  // save/load model, photo (files_actions.h)
  j["ui"] = {{"scale", s.ui.scale},
             {"fontLoaded", s.ui.font_loaded},
             {"framesDrawn", s.ui.frames_drawn},
             {"framesPainted", s.ui.frames_painted},
             // "narrow": one area at a time behind a row of area tabs (narrowArea names it).
             {"layout", s.ui.narrow ? "narrow" : "wide"},
             // How the wide layout places its areas: "columns", or "rows" on a window taller
             // than wide up to a tablet's width; "tabs" in the narrow layout.
             {"arrangement", s.ui.narrow ? "tabs" : s.ui.rows ? "rows" : "columns"},
             {"narrowArea", kAreaNames[std::clamp(s.ui.narrow_area, 0, 3)]},
             {"display", {ImGui::GetIO().DisplaySize.x, ImGui::GetIO().DisplaySize.y}}};
  j["ui"].update(ui_options_json(s.ui));  // theme, panels shown, readOnly (embed_options.h)
  j["ui"]["notice"] = s.ui.embedding.notice.empty() ? nlohmann::json(nullptr)
                                                    : nlohmann::json(s.ui.embedding.notice);
  j["ui"]["status"] = s.ui.status;
  j["ui"]["statusShown"] = s.ui.status_shown;  // as drawn: shortened on a narrow menu bar
  // The reader's system asks for reduced motion (the page tells the app; Play is then off).
  j["ui"]["reducedMotion"] = s.ui.embedding.reduced_motion;
  // The touch style (controls a finger can hit): the page's `pointer: coarse`.
  j["ui"]["touch"] = s.ui.embedding.touch;
  j["ui"]["mapZoom"] = s.inside.map_zoom;
  j["ui"]["clicks"] = s.ui.clicks;
  // The pixel explainer's choice (layer 1-based as explainPixel's, null until it first drew)
  // and how much of the window it takes while open.
  const InsideState& in = s.inside;
  static const char* const kRooms[3] = {"small", "tall", "window"};
  j["ui"]["explain"] = {
      {"layer", in.explain_layer >= 0 ? nlohmann::json(in.explain_layer + 1) : nlohmann::json(nullptr)},
      {"channel", in.explain_channel},
      {"y", in.explain_y},
      {"x", in.explain_x},
      {"room", kRooms[static_cast<int>(in.explain_room)]}};
  j["ui"].update(drawn_ui_json(s.ui.drawn));
  // What the last frame asked the GPU to draw (the cost of a frame in software WebGL).
  if (const ImDrawData* draw = ImGui::GetDrawData(); draw && draw->Valid) {
    int commands = 0;
    for (int i = 0; i < draw->CmdListsCount; ++i) commands += draw->CmdLists[i]->CmdBuffer.Size;
    j["ui"]["draw"] = {{"lists", draw->CmdListsCount}, {"commands", commands},
                       {"vertices", draw->TotalVtxCount}, {"indices", draw->TotalIdxCount}};
  }
  state_json_ = j.dump();
  return state_json_;
}

}  // namespace cnnlab
