// The embedding page's look of the lab (web/README.md, "Options"): which panels it shows,
// read-only controls for an instructor's fixed exercise, the light or dark theme, the reader's
// reduced motion and touch, the notice of options a page's URL gave that could not be applied,
// and "Copy link"'s outcome. The page (web/page/options.js) turns a link's query or a <cnn-lab>
// element's attributes into values and passes them as JSON; apply_embed_settings checks them
// here, with no Dear ImGui or browser in sight, so the native tests and fuzz_embed_settings run
// it. The app's side (web/app/embed_options.*) applies the result to its style and draws it.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace cnnlab {

// The panels a page can show or hide (EmbedSettings::hidden_panels has bit 1 << Panel).
// Experiment: the three Experiment tabs (Setup, Curves, Results).
enum class Panel : int { Data = 0, Model, Training, Curves, Inside, Eval, Experiment, Guide, Count };

// The options' names of the panels, in Panel order ("data", "model", ...).
const char* panel_option_name(Panel panel);

struct EmbedSettings {
  bool dark_theme = false;
  uint32_t hidden_panels = 0;       // bit 1 << Panel per hidden panel; never all of them
  bool read_only = false;           // settings shown but locked (an instructor's exercise)
  bool read_only_commands = false;  // Start/Pause/Step/Reset locked too (readOnly: 'all')
  std::string notice;               // options the page could not apply (until dismissed)
  std::string link_status;          // after Copy link: "Link copied" or why not
  double link_status_time = -1;     // the app's clock (ImGui time) when it was set
  // The reader's system asks for reduced motion (the page's prefers-reduced-motion): nothing
  // moves by itself (the pixel explainer's Play is off; steps happen on a click).
  bool reduced_motion = false;
  // The reader's main pointer is a finger (the page's `pointer: coarse`): the touch style,
  // with controls at least kTouchTargetSize high (web/app/theme.h).
  bool touch = false;
};

// Applies {"theme": "light"|"dark", "panels": [names shown] or "curves,inside",
// "hide": [names hidden] or "a,b", "readOnly": false|true|"none"|"settings"|"all",
// "notice": text, "linkStatus": text, "reducedMotion": bool, "touch": bool} (every key
// optional; a notice or link status that is not text clears it). All or nothing: returns "" or
// why, naming the option ("option panels: unknown panel 'graphs' (one of data, ...)"), and then
// `settings` is unchanged. `now`: the app's clock, kept as link_status_time with a linkStatus.
// No option is a number, so none has a 0 or negative value to document.
std::string apply_embed_settings(EmbedSettings& settings, const nlohmann::json& options, double now);

// {"theme", "panels" (shown, in Panel order), "readOnly" (false, "settings" or "all")}: what
// state().ui reports and a link reproduces; apply_embed_settings reads it back to the same.
nlohmann::json embed_settings_json(const EmbedSettings& settings);

}  // namespace cnnlab
