// Embedding options of the app: which panels a page shows, read-only controls for an instructor's
// fixed exercise, the light or dark theme, the notice listing options a page's URL gave that could
// not be applied, and the "Copy link" menu item. The page (web/page/mount.js) passes them as
// JSON through App::set_ui_json (cnnlab_set_ui); see web/README.md for the option names.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "app/app_state.h"

namespace cnnlab {

// The panels a page can show or hide (UiState::hidden_panels has bit 1 << Panel).
// Experiment: the three Experiment tabs (Setup, Curves, Results).
enum class Panel : int { Data = 0, Model, Training, Curves, Inside, Eval, Experiment, Guide, Count };

inline bool panel_shown(const UiState& ui, Panel panel) {
  return (ui.embedding.hidden_panels & (1u << static_cast<int>(panel))) == 0;
}

// Applies {"theme": "light"|"dark", "panels": [names shown] or "curves,inside",
// "hide": [names hidden], "readOnly": false|true|"settings"|"all", "notice": text,
// "linkStatus": text} (every key optional). All or nothing: returns "" or why (naming the option),
// and then nothing changed. *theme_changed says whether the style must be rebuilt.
std::string apply_ui_options(UiState& ui, const nlohmann::json& options, bool* theme_changed);

// {"theme", "panels" (shown), "readOnly" (false, "settings" or "all")}: part of state().ui.
nlohmann::json ui_options_json(const UiState& ui);

// The menu bar's "Copy link" item: in the browser the page copies a URL of the current set-up
// (web/page/mount.js, Module.cnnlabCopyLink); on the desktop the options as JSON (for --configure).
void draw_copy_link_item(AppState& state);
// The notice of options that were not applied (a small window under the menu bar, dismissable).
void draw_options_notice(AppState& state, float top);

}  // namespace cnnlab
