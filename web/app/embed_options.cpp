// Embedding options (see embed_options.h): panels shown, read-only controls, theme, the notice of
// options that were not applied, and "Copy link".
#include "app/embed_options.h"

#include <algorithm>
#include <sstream>
#include <vector>

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

namespace {

constexpr const char* kPanelNames[] = {"data",   "model", "training",   "curves",
                                       "inside", "eval",  "experiment", "guide"};
constexpr int kPanelCount = static_cast<int>(Panel::Count);

std::string panel_list() {
  std::string list;
  for (const char* n : kPanelNames) list += (list.empty() ? "" : ", ") + std::string(n);
  return list;
}

// Panel names from an array of strings or a comma-separated string, as a bit mask.
uint32_t panel_mask(const nlohmann::json& value, const char* option) {
  std::vector<std::string> names;
  if (value.is_string()) {
    std::stringstream in(value.get<std::string>());
    std::string name;
    while (std::getline(in, name, ',')) {
      name.erase(0, name.find_first_not_of(" \t"));
      name.erase(name.find_last_not_of(" \t") + 1);
      if (!name.empty()) names.push_back(name);
    }
  } else if (value.is_array()) {
    for (const nlohmann::json& n : value) {
      if (!n.is_string()) {
        throw std::runtime_error(std::string("option ") + option +
                                 ": panel names must be strings, got " + n.dump());
      }
      names.push_back(n.get<std::string>());
    }
  } else {
    throw std::runtime_error(std::string("option ") + option +
                             ": must be a list of panels (" + panel_list() + "), got " +
                             value.dump());
  }
  uint32_t mask = 0;
  for (const std::string& name : names) {
    int index = -1;
    for (int i = 0; i < kPanelCount; ++i) {
      if (name == kPanelNames[i]) index = i;
    }
    if (index < 0) {
      throw std::runtime_error(std::string("option ") + option + ": unknown panel '" + name +
                               "' (one of " + panel_list() + ")");
    }
    mask |= 1u << index;
  }
  return mask;
}

}  // namespace

std::string apply_ui_options(UiState& ui, const nlohmann::json& options, bool* theme_changed) {
  if (theme_changed) *theme_changed = false;
  if (!options.is_object()) return "ui options: must be an object, got " + options.dump();
  UiState::Embedding next = ui.embedding;
  try {
    for (auto it = options.begin(); it != options.end(); ++it) {
      const std::string& key = it.key();
      const nlohmann::json& value = it.value();
      if (key == "theme") {
        if (!value.is_string() || (value != "light" && value != "dark")) {
          throw std::runtime_error("option theme: must be 'light' or 'dark', got " + value.dump());
        }
        next.dark_theme = value == "dark";
      } else if (key == "panels") {
        const uint32_t shown = panel_mask(value, "panels");
        if (shown == 0) throw std::runtime_error("option panels: name at least one panel");
        next.hidden_panels = ((1u << kPanelCount) - 1) & ~shown;
      } else if (key == "hide") {
        next.hidden_panels = panel_mask(value, "hide");
      } else if (key == "readOnly") {
        if (value.is_boolean()) {
          next.read_only = value.get<bool>();
          next.read_only_commands = false;
        } else if (value == "settings" || value == "all" || value == "none") {
          next.read_only = value != "none";
          next.read_only_commands = value == "all";
        } else {
          throw std::runtime_error(
              "option readOnly: must be true, false, 'settings' or 'all', got " + value.dump());
        }
      } else if (key == "notice") {
        next.notice = value.is_string() ? value.get<std::string>() : std::string();
      } else if (key == "linkStatus") {
        next.link_status = value.is_string() ? value.get<std::string>() : std::string();
        next.link_status_time = ImGui::GetCurrentContext() ? ImGui::GetTime() : 0.0;
      } else if (key == "reducedMotion") {
        if (!value.is_boolean()) {
          throw std::runtime_error("option reducedMotion: must be true or false, got " +
                                   value.dump());
        }
        next.reduced_motion = value.get<bool>();
      } else {
        throw std::runtime_error(
            "ui options: unknown key '" + key +
            "' (theme, panels, hide, readOnly, notice, linkStatus, reducedMotion)");
      }
    }
    if ((next.hidden_panels & ((1u << kPanelCount) - 1)) == (1u << kPanelCount) - 1) {
      throw std::runtime_error("option hide: at least one panel must stay visible");
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  if (theme_changed) *theme_changed = next.dark_theme != ui.embedding.dark_theme;
  ui.embedding = next;
  return {};
}

nlohmann::json ui_options_json(const UiState& ui) {
  nlohmann::json panels = nlohmann::json::array();
  for (int i = 0; i < kPanelCount; ++i) {
    if (panel_shown(ui, static_cast<Panel>(i))) panels.push_back(kPanelNames[i]);
  }
  const UiState::Embedding& e = ui.embedding;
  return {{"theme", e.dark_theme ? "dark" : "light"},
          {"panels", panels},
          {"readOnly", !e.read_only ? nlohmann::json(false)
                                    : nlohmann::json(e.read_only_commands ? "all" : "settings")}};
}

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
    apply_style(state_.ui.scale, state_.ui.embedding.dark_theme);
  }
  return error;
}

}  // namespace cnnlab
