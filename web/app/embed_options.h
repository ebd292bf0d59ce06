// Embedding options of the app: which panels a page shows, read-only controls for an instructor's
// fixed exercise, the light or dark theme, the notice listing options a page's URL gave that could
// not be applied, and the "Copy link" menu item. The page (web/page/mount.js) passes them as
// JSON through App::set_ui_json (cnnlab_set_ui); see web/README.md for the option names. The
// options are checked in lab/embed_settings.* (no Dear ImGui there, so it is tested natively and
// fuzzed); this file applies them to the app's state and style and draws them.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "app/app_state.h"
#include "lab/embed_settings.h"

namespace cnnlab {

// Panel (the panels a page can show or hide) is in lab/embed_settings.h.
inline bool panel_shown(const UiState& ui, Panel panel) {
  return (ui.embedding.hidden_panels & (1u << static_cast<int>(panel))) == 0;
}

// apply_embed_settings (lab/embed_settings.h: the keys, all or nothing, "" or why naming the
// option) on ui.embedding, with the app's clock for a link status. *theme_changed says whether
// the style must be rebuilt.
std::string apply_ui_options(UiState& ui, const nlohmann::json& options, bool* theme_changed);

// embed_settings_json(ui.embedding) ({"theme", "panels" (shown), "readOnly"}): part of state().ui.
nlohmann::json ui_options_json(const UiState& ui);

// The menu bar's "Copy link" item: in the browser the page copies a URL of the current set-up
// (web/page/mount.js, Module.cnnlabCopyLink); on the desktop the options as JSON (for --configure).
void draw_copy_link_item(AppState& state);
// The notice of options that were not applied (a small window under the menu bar, dismissable).
void draw_options_notice(AppState& state, float top);

}  // namespace cnnlab
