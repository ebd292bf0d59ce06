// App (see app.h): the fixed layout that keeps controls and results on screen together, the menu
// bar, and the state reported to JavaScript.
//
// [SECTION] Layout
// [SECTION] Menu bar
// [SECTION] App
// [SECTION] State for the JavaScript API
#include "app/app.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/actions.h"
#include "app/panels.h"
#include "core/error.h"
#include "app/theme.h"
#include "imgui.h"

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
};

struct Layout {
  Rect setup, training, curves, results;
};

Layout compute_layout(ImVec2 display, float top, float scale) {
  const float gap = 4.0f * scale;
  const float width = display.x, height = display.y - top;
  float left_w = std::clamp(width * 0.4f, 300.0f * scale, 560.0f * scale);
  left_w = std::min(left_w, width * 0.5f);
  const float setup_h = std::floor(height * 0.56f);
  const float curves_h = std::floor(height * 0.46f);
  Layout l;
  l.setup = {ImVec2(0, top), ImVec2(left_w, setup_h)};
  l.training = {ImVec2(0, top + setup_h + gap), ImVec2(left_w, height - setup_h - gap)};
  l.curves = {ImVec2(left_w + gap, top), ImVec2(width - left_w - gap, curves_h)};
  l.results = {ImVec2(left_w + gap, top + curves_h + gap),
               ImVec2(width - left_w - gap, height - curves_h - gap)};
  return l;
}

constexpr ImGuiWindowFlags kPanelFlags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                         ImGuiWindowFlags_NoCollapse |
                                         ImGuiWindowFlags_NoSavedSettings |
                                         ImGuiWindowFlags_NoBringToFrontOnFocus;

bool begin_panel(const char* title, const Rect& r) {
  ImGui::SetNextWindowPos(r.pos, ImGuiCond_Always);
  ImGui::SetNextWindowSize(r.size, ImGuiCond_Always);
  return ImGui::Begin(title, nullptr, kPanelFlags);
}

// SetSelected for the tab a request names, once.
ImGuiTabItemFlags tab_flags(int request, int tab) {
  return request == tab ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None;
}

// ---- [SECTION] Menu bar ------------------------------------------------------------------------

float draw_menu_bar(AppState& state) {
  float height = 0.0f;
  if (ImGui::BeginMainMenuBar()) {
    ImGui::TextUnformatted("CNN Lab");
    ImGui::Separator();
    if (ImGui::BeginMenu("View")) {
      ImGui::MenuItem("Widget check (synthetic input)", nullptr, &state.ui.show_widget_check);
      ImGui::MenuItem("Dear ImGui metrics", nullptr, &state.ui.show_imgui_metrics);
      ImGui::EndMenu();
    }
    // Status on the right: phase, frame rate, and a font warning when the TrueType font is missing.
    char status[160];
    std::snprintf(status, sizeof status, "%s   %.0f fps", phase_name(state.phase), state.ui.fps);
    float w = ImGui::CalcTextSize(status).x + ImGui::GetStyle().ItemSpacing.x * 2;
    if (!state.ui.font_loaded && !state.ui.font_message.empty()) {
      ImGui::TextColored(ImVec4(0.7f, 0.3f, 0.0f, 1.0f), "%s", state.ui.font_message.c_str());
    }
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowWidth() - w));
    ImGui::TextUnformatted(status);
    height = ImGui::GetWindowSize().y;
    ImGui::EndMainMenuBar();
  }
  return height;
}

}  // namespace

// ---- [SECTION] App -----------------------------------------------------------------------------

App::App() {
  state_.data.status = "No dataset loaded yet.";
}

bool App::set_ui_scale(float scale) {
  if (fonts_built_ && std::fabs(scale - state_.ui.scale) < 1e-3f) return false;
  state_.ui.scale = scale;
  state_.ui.font_loaded = load_fonts(scale, &state_.ui.font_message);
  apply_style(scale);
  fonts_built_ = true;
  return true;
}

void App::frame() {
  AppState& s = state_;
  s.ui.fps = ImGui::GetIO().Framerate;
  refresh_derived_state(s);
  const float top = draw_menu_bar(s);
  const Layout layout = compute_layout(ImGui::GetIO().DisplaySize, top, s.ui.scale);

  if (begin_panel("Setup", layout.setup)) {
    if (ImGui::BeginTabBar("##setup_tabs")) {
      if (ImGui::BeginTabItem("Data", nullptr, tab_flags(s.ui.left_tab_request, 0))) {
        ImGui::BeginChild("##data", ImVec2(0, 0), false);
        draw_data_panel(s);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Model", nullptr, tab_flags(s.ui.left_tab_request, 1))) {
        ImGui::BeginChild("##model", ImVec2(0, 0), false);
        draw_model_panel(s);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
    s.ui.left_tab_request = -1;
  }
  ImGui::End();

  if (begin_panel("Training", layout.training)) draw_training_panel(s);
  ImGui::End();

  if (begin_panel("Curves", layout.curves)) draw_curves_panel(s);
  ImGui::End();

  if (begin_panel("Results", layout.results)) {
    if (ImGui::BeginTabBar("##result_tabs")) {
      if (ImGui::BeginTabItem("Inside the network", nullptr,
                              tab_flags(s.ui.right_tab_request, 0))) {
        ImGui::BeginChild("##inside", ImVec2(0, 0), false);
        draw_inside_panel(s);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Evaluation", nullptr, tab_flags(s.ui.right_tab_request, 1))) {
        ImGui::BeginChild("##eval", ImVec2(0, 0), false);
        draw_eval_panel(s);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
    s.ui.right_tab_request = -1;
  }
  ImGui::End();

  if (s.ui.show_widget_check) draw_widget_check(s);
  if (s.ui.show_imgui_metrics) ImGui::ShowMetricsWindow(&s.ui.show_imgui_metrics);
}

std::string App::load_dataset_bytes(const uint8_t* bytes, size_t size, const std::string& origin) {
  try {
    cnnlab::load_dataset_bytes(state_, bytes, size, origin);
    return {};
  } catch (const std::exception& e) {
    // The previous dataset (if any) stays; the Data panel says what went wrong.
    if (!state_.data.loaded) state_.data.status = e.what();
    return e.what();
  }
}

std::string App::load_dataset_path(const std::string& path) {
  try {
    cnnlab::load_dataset_path(state_, path);
    return {};
  } catch (const std::exception& e) {
    if (!state_.data.loaded) state_.data.status = e.what();
    return e.what();
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
  if (name == "data") state_.ui.left_tab_request = 0;
  else if (name == "model") state_.ui.left_tab_request = 1;
  else if (name == "inside") state_.ui.right_tab_request = 0;
  else if (name == "eval") state_.ui.right_tab_request = 1;
  else return false;
  return true;
}

void App::set_data_status(const std::string& status) {
  if (!state_.data.loaded) state_.data.status = status;
}

// ---- [SECTION] State for the JavaScript API ----------------------------------------------------

namespace {

// NaN / unknown values become null (JSON has no NaN).
nlohmann::json number_or_null(double v, bool known) {
  return known && std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

}  // namespace

const std::string& App::state_json() {
  const AppState& s = state_;
  nlohmann::json j;
  j["phase"] = phase_name(s.phase);
  j["error"] = s.phase == Phase::Error ? nlohmann::json(s.error) : nlohmann::json(nullptr);
  if (s.data.loaded) {
    j["dataset"] = {{"name", s.data.source.train.name},
                    {"train", s.data.split.train.size()},
                    {"val", s.data.split.val.size()},
                    {"test", s.data.source.test.size()},
                    {"classes", s.data.source.train.class_names.size()},
                    {"origin", s.data.origin}};
  } else {
    j["dataset"] = nullptr;
  }
  if (s.model.built) {
    j["model"] = {{"name", s.model.settings.preset},
                  {"kernel", s.model.settings.kernel},
                  {"params", s.model.summary.total_params}};
  } else {
    j["model"] = nullptr;
  }
  const RunHistory* run = s.curves.runs.empty() ? nullptr : &s.curves.runs.back();
  auto last = [](const std::vector<float>& v) { return v.empty() ? NAN : v.back(); };
  j["epoch"] = s.training.epoch;
  j["step"] = s.training.step;
  j["trainLoss"] = number_or_null(run ? last(run->epoch_train_loss) : NAN, run);
  j["trainAcc"] = number_or_null(run ? last(run->epoch_train_acc) : NAN, run);
  j["valLoss"] = number_or_null(run ? last(run->epoch_val_loss) : NAN, run);
  j["valAcc"] = number_or_null(run ? last(run->epoch_val_acc) : NAN, run);
  j["testAcc"] = number_or_null(s.eval.test_acc, s.eval.evaluated);
  j["imagesPerSecond"] =
      number_or_null(s.training.images_per_second, s.training.images_per_second > 0);
  j["fps"] = number_or_null(s.ui.fps, s.ui.fps > 0);
  j["ui"] = {{"scale", s.ui.scale},
             {"fontLoaded", s.ui.font_loaded},
             {"display", {ImGui::GetIO().DisplaySize.x, ImGui::GetIO().DisplaySize.y}}};
  state_json_ = j.dump();
  return state_json_;
}

}  // namespace cnnlab
