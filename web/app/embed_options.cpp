// Embedding options (see embed_options.h): panels shown, read-only controls, theme, the notice of
// options that were not applied, and "Copy link".
#include "app/embed_options.h"

#include <algorithm>

#include "app/app.h"
#include "app/panels.h"
#include "app/theme.h"
#include "imgui.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

// The page (web/page/mount.js, copyLink) builds the link from the API's state and copies it; it
// reports back through cnnlab_set_ui({"linkStatus"}). 0 when the page offers no such hook.
EM_JS(int, cnnlab_js_copy_link, (), {
  if (!Module['cnnlabCopyLink']) return 0;
  Module['cnnlabCopyLink']();
  return 1;
});
#endif

namespace cnnlab {

std::string apply_ui_options(UiState& ui, const nlohmann::json& options, bool* theme_changed) {
  if (theme_changed) *theme_changed = false;
  const EmbedSettings before = ui.embedding;
  const double now = ImGui::GetCurrentContext() ? ImGui::GetTime() : 0.0;
  const std::string error = apply_embed_settings(ui.embedding, options, now);
  if (error.empty() && theme_changed) {
    *theme_changed = ui.embedding.dark_theme != before.dark_theme || ui.embedding.touch != before.touch;
  }
  return error;
}

nlohmann::json ui_options_json(const UiState& ui) { return embed_settings_json(ui.embedding); }

void draw_copy_link_item(AppState& state) {
  UiState::Embedding& e = state.ui.embedding;
  if (ImGui::MenuItem("Copy link")) {
#ifdef __EMSCRIPTEN__
    if (!cnnlab_js_copy_link()) {
      e.link_status = "This page cannot make links.";
      e.link_status_time = ImGui::GetTime();
    }
#else
    // No URL on the desktop: the same set-up as options JSON, as --configure takes it.
    ImGui::SetClipboardText(state.settings.applied.to_json().dump().c_str());
    e.link_status = "Options copied as JSON (for --configure).";
    e.link_status_time = ImGui::GetTime();
#endif
  }
  item_tooltip("Copy a link that opens the lab with this dataset, model and training set-up.");
  // The outcome stays in the menu bar for a few seconds.
  if (!e.link_status.empty() && ImGui::GetTime() - e.link_status_time < 6.0) {
    ImGui::TextDisabled("%s", e.link_status.c_str());
  }
}

void draw_options_notice(AppState& state, float top) {
  UiState::Embedding& e = state.ui.embedding;
  if (e.notice.empty()) return;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float scale = state.ui.scale;
  const float width = std::min(display.x - 20.0f * scale, 620.0f * scale);
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, top + 8.0f * scale), ImGuiCond_Always,
                          ImVec2(0.5f, 0.0f));
  ImGui::SetNextWindowSize(ImVec2(width, 0.0f), ImGuiCond_Always);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_AlwaysAutoResize;
  if (ImGui::Begin("Some options were not applied##options_notice", nullptr, flags)) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::PushStyleColor(ImGuiCol_Text, e.dark_theme ? ImVec4(1.0f, 0.55f, 0.45f, 1.0f)
                                                      : ImVec4(0.70f, 0.10f, 0.10f, 1.0f));
    ImGui::TextUnformatted(e.notice.c_str());
    ImGui::PopStyleColor();
    ImGui::TextDisabled("The lab runs with its defaults for these; everything else was applied.");
    ImGui::PopTextWrapPos();
    if (ImGui::Button("Dismiss")) e.notice.clear();
  }
  ImGui::End();
}

// ---- App ---------------------------------------------------------------------------------------

std::string App::set_ui_json(const std::string& options_json) {
  nlohmann::json options;
  try {
    options = nlohmann::json::parse(options_json);
  } catch (const std::exception& e) {
    return std::string("ui options: not valid JSON (") + e.what() + ")";
  }
  bool theme_changed = false;
  const std::string error = apply_ui_options(state_.ui, options, &theme_changed);
  if (error.empty() && theme_changed && fonts_built_) {
    apply_style(state_.ui.scale, state_.ui.embedding.dark_theme, state_.ui.embedding.touch);
  }
  return error;
}

}  // namespace cnnlab
