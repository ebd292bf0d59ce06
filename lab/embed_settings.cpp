// The embedding page's options, checked (see embed_settings.h).
#include "lab/embed_settings.h"

#include <sstream>
#include <stdexcept>
#include <vector>

namespace cnnlab {

namespace {

constexpr const char* kEmbedPanelNames[] = {"data",   "model", "training",   "curves",
                                            "inside", "eval",  "experiment", "guide"};
constexpr int kEmbedPanelCount = static_cast<int>(Panel::Count);
static_assert(sizeof(kEmbedPanelNames) / sizeof(kEmbedPanelNames[0]) == kEmbedPanelCount,
              "a name for every panel");
constexpr uint32_t kEmbedAllPanels = (1u << kEmbedPanelCount) - 1;

std::string embed_panel_list() {
  std::string list;
  for (const char* n : kEmbedPanelNames) list += (list.empty() ? "" : ", ") + std::string(n);
  return list;
}

// Panel names from an array of strings or a comma-separated string, as a bit mask.
uint32_t embed_panel_mask(const nlohmann::json& value, const char* option) {
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
    throw std::runtime_error(std::string("option ") + option + ": must be a list of panels (" +
                             embed_panel_list() + "), got " + value.dump());
  }
  uint32_t mask = 0;
  for (const std::string& name : names) {
    int index = -1;
    for (int i = 0; i < kEmbedPanelCount; ++i) {
      if (name == kEmbedPanelNames[i]) index = i;
    }
    if (index < 0) {
      throw std::runtime_error(std::string("option ") + option + ": unknown panel '" + name +
                               "' (one of " + embed_panel_list() + ")");
    }
    mask |= 1u << index;
  }
  return mask;
}

}  // namespace

const char* panel_option_name(Panel panel) {
  const int i = static_cast<int>(panel);
  return i >= 0 && i < kEmbedPanelCount ? kEmbedPanelNames[i] : "";
}

std::string apply_embed_settings(EmbedSettings& settings, const nlohmann::json& options, double now) {
  if (!options.is_object()) return "ui options: must be an object, got " + options.dump();
  EmbedSettings next = settings;
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
        const uint32_t shown = embed_panel_mask(value, "panels");
        if (shown == 0) throw std::runtime_error("option panels: name at least one panel");
        next.hidden_panels = kEmbedAllPanels & ~shown;
      } else if (key == "hide") {
        next.hidden_panels = embed_panel_mask(value, "hide");
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
        next.link_status_time = now;
      } else if (key == "reducedMotion") {
        if (!value.is_boolean()) {
          throw std::runtime_error("option reducedMotion: must be true or false, got " +
                                   value.dump());
        }
        next.reduced_motion = value.get<bool>();
      } else if (key == "touch") {
        if (!value.is_boolean()) {
          throw std::runtime_error("option touch: must be true or false, got " + value.dump());
        }
        next.touch = value.get<bool>();
      } else {
        throw std::runtime_error(
            "ui options: unknown key '" + key +
            "' (theme, panels, hide, readOnly, notice, linkStatus, reducedMotion, touch)");
      }
    }
    if ((next.hidden_panels & kEmbedAllPanels) == kEmbedAllPanels) {
      throw std::runtime_error("option hide: at least one panel must stay visible");
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  settings = next;
  return {};
}

nlohmann::json embed_settings_json(const EmbedSettings& settings) {
  nlohmann::json panels = nlohmann::json::array();
  for (int i = 0; i < kEmbedPanelCount; ++i) {
    if ((settings.hidden_panels & (1u << i)) == 0) panels.push_back(kEmbedPanelNames[i]);
  }
  return {{"theme", settings.dark_theme ? "dark" : "light"},
          {"panels", panels},
          {"readOnly", !settings.read_only
                           ? nlohmann::json(false)
                           : nlohmann::json(settings.read_only_commands ? "all" : "settings")}};
}

}  // namespace cnnlab
