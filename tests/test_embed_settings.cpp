// The embedding page's look options (lab/embed_settings.h): what a link's query or a <cnn-lab>
// element's attributes give (as web/page/options.js passes them) is applied as written, every
// bad value is refused naming its option, and a refusal changes nothing.
#include <doctest/doctest.h>

#include <string>

#include "lab/embed_settings.h"

using cnnlab::EmbedSettings;
using cnnlab::Panel;
using nlohmann::json;

namespace {

uint32_t embed_test_bit(Panel p) { return 1u << static_cast<int>(p); }

std::string embed_test_apply(EmbedSettings& s, const char* options_json) {
  return cnnlab::apply_embed_settings(s, json::parse(options_json), 7.0);
}

}  // namespace

TEST_CASE("Embed settings: panels, hide, theme, readOnly and the rest applied as given") {
  EmbedSettings s;
  CHECK(embed_test_apply(s, R"({"panels": "curves, inside"})").empty());
  CHECK(s.hidden_panels == (0xffu & ~(embed_test_bit(Panel::Curves) | embed_test_bit(Panel::Inside))));
  CHECK(embed_test_apply(s, R"({"hide": ["guide", "eval"], "theme": "dark"})").empty());
  CHECK(s.hidden_panels == (embed_test_bit(Panel::Guide) | embed_test_bit(Panel::Eval)));
  CHECK(s.dark_theme);
  CHECK(embed_test_apply(s, R"({"readOnly": "all"})").empty());
  CHECK((s.read_only && s.read_only_commands));
  CHECK(embed_test_apply(s, R"({"readOnly": true})").empty());
  CHECK((s.read_only && !s.read_only_commands));
  CHECK(embed_test_apply(s, R"({"readOnly": "none"})").empty());
  CHECK_FALSE(s.read_only);
  CHECK(embed_test_apply(s, R"({"notice": "option lr: must be > 0", "linkStatus": "Link copied",
                                "reducedMotion": true, "touch": true})").empty());
  CHECK(s.notice == "option lr: must be > 0");
  CHECK(s.link_status == "Link copied");
  CHECK(s.link_status_time == 7.0);
  CHECK((s.reduced_motion && s.touch));
  // A notice that is not text clears it (the page sends null to dismiss).
  CHECK(embed_test_apply(s, R"({"notice": null})").empty());
  CHECK(s.notice.empty());

  // The state's form reads back to the same settings.
  const json out = cnnlab::embed_settings_json(s);
  CHECK(out == json::parse(R"({"theme": "dark", "readOnly": false,
      "panels": ["data", "model", "training", "curves", "inside", "experiment"]})"));
  EmbedSettings again;
  CHECK(cnnlab::apply_embed_settings(again, out, 0).empty());
  CHECK(cnnlab::embed_settings_json(again) == out);
  CHECK(std::string(cnnlab::panel_option_name(Panel::Guide)) == "guide");
}

TEST_CASE("Embed settings: a bad option is refused naming it, and nothing changes") {
  struct Case { const char* options; const char* expected; };
  const Case cases[] = {
      {R"([1])", "ui options: must be an object"},
      {R"({"theme": "blue"})", "option theme: must be 'light' or 'dark', got \"blue\""},
      {R"({"theme": 1})", "option theme: must be 'light' or 'dark', got 1"},
      {R"({"panels": "curves,graphs"})", "option panels: unknown panel 'graphs' (one of data, model, training, curves, inside, eval, experiment, guide)"},
      {R"({"panels": " , "})", "option panels: name at least one panel"},
      {R"({"panels": 3})", "option panels: must be a list of panels"},
      {R"({"hide": [1]})", "option hide: panel names must be strings, got 1"},
      {R"({"hide": "data,model,training,curves,inside,eval,experiment,guide"})", "option hide: at least one panel must stay visible"},
      {R"({"readOnly": "everything"})", "option readOnly: must be true, false, 'settings' or 'all'"},
      {R"({"readOnly": 0})", "option readOnly: must be true, false, 'settings' or 'all', got 0"},
      {R"({"reducedMotion": "yes"})", "option reducedMotion: must be true or false"},
      {R"({"touch": 1})", "option touch: must be true or false, got 1"},
      {R"({"kernel": 5})", "ui options: unknown key 'kernel'"},
  };
  for (const Case& c : cases) {
    EmbedSettings s;
    s.hidden_panels = embed_test_bit(Panel::Guide);
    s.notice = "kept";
    // A good option before the bad one is not applied either.
    json options = json::parse(c.options);
    if (options.is_object()) options["theme"] = options.value("theme", json("dark"));
    const std::string why = cnnlab::apply_embed_settings(s, options, 1.0);
    CHECK_MESSAGE(why.find(c.expected) != std::string::npos, "expected '" << c.expected << "', got '" << why << "'");
    CHECK_FALSE(s.dark_theme);
    CHECK(s.hidden_panels == embed_test_bit(Panel::Guide));
    CHECK(s.notice == "kept");
  }
}
