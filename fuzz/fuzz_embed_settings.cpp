// Feeds: JSON text as the embedding page's look options (lab/embed_settings.*: theme, panels,
// hide, readOnly, notice, linkStatus, reducedMotion, touch), what web/page/options.js makes of a
// link's query or a <cnn-lab> element's attributes and App::set_ui_json receives, to
// apply_embed_settings from the defaults and from a page that hides panels and locks its
// controls. A refusal must leave the settings exactly as they were (all or nothing); what is
// accepted must keep a panel visible, and its embed_settings_json must read back to itself.
// (The training options of the same links go through SessionOptions::merge:
// fuzz_session_options.) Limits: none beyond the option table's (names and panel lists); run
// with -max_len=4096.
#include "fuzz_common.h"
#include "lab/embed_settings.h"

namespace {

bool fuzz_embed_same(const cnnlab::EmbedSettings& a, const cnnlab::EmbedSettings& b) {
  return a.dark_theme == b.dark_theme && a.hidden_panels == b.hidden_panels &&
         a.read_only == b.read_only && a.read_only_commands == b.read_only_commands &&
         a.notice == b.notice && a.link_status == b.link_status &&
         a.link_status_time == b.link_status_time && a.reduced_motion == b.reduced_motion &&
         a.touch == b.touch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j;
  if (!fuzz::parse_json(data, size, &j)) return 0;
  constexpr uint32_t kAll = (1u << static_cast<int>(cnnlab::Panel::Count)) - 1;
  cnnlab::EmbedSettings locked;
  locked.hidden_panels = 0b1010;
  locked.read_only = locked.read_only_commands = true;
  locked.notice = "option kernel: must be a whole number 1..11, got 0";
  for (const cnnlab::EmbedSettings& start : {cnnlab::EmbedSettings(), locked}) {
    cnnlab::EmbedSettings settings = start;
    const std::string error = cnnlab::apply_embed_settings(settings, j, 2.5);
    if (!error.empty()) {
      if (!fuzz_embed_same(settings, start)) __builtin_trap();  // a refusal changed something
      continue;
    }
    if ((settings.hidden_panels & kAll) == kAll) __builtin_trap();  // every panel hidden
    const nlohmann::json out = cnnlab::embed_settings_json(settings);
    cnnlab::EmbedSettings again;
    if (!cnnlab::apply_embed_settings(again, out, 0).empty()) __builtin_trap();
    if (cnnlab::embed_settings_json(again) != out) __builtin_trap();
  }
  return 0;
}
