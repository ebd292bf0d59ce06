// App: the lab app as one object, independent of desktop or browser. main.cpp owns one, calls
// set_ui_scale when the pixel density changes and frame() once per frame between
// ImGui::NewFrame and ImGui::Render; the JavaScript API reads state_json().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "app/app_state.h"

namespace cnnlab {

class App {
 public:
  App();

  // Rebuilds the font atlas (DejaVu Sans at 16 logical px x scale) and the style for a new
  // pixel density. Returns true when the atlas changed (the renderer must re-upload it).
  bool set_ui_scale(float scale);
  float ui_scale() const { return state_.ui.scale; }

  // Draws every panel for this frame.
  void frame();

  // Loads a dataset (a pack, or any source the engine reads) from memory (the page's download)
  // or from disk (desktop). Returns "" on success, else the error message; on failure the app
  // keeps the dataset it had.
  std::string load_dataset_bytes(const uint8_t* bytes, size_t size, const std::string& origin);
  std::string load_dataset_path(const std::string& path);
  // The subsets the site offers, from data/packs.json ({"default", "packs": [{"id", "file",
  // "trainPerClass", "testPerClass"}]}). Returns "" or what is wrong with the manifest.
  std::string set_subsets_json(const std::string& manifest);
  // Opens a tab: "data", "model", "inside", "eval"; false for another name.
  bool select_tab(const std::string& name);
  // What the Data panel says while no dataset is loaded ("Downloading ...").
  void set_data_status(const std::string& status);

  // The state the page's window.cnnlab.state() returns, as a JSON object; the reference stays
  // valid until the next call.
  const std::string& state_json();

  AppState& state() { return state_; }
  const AppState& state() const { return state_; }

 private:
  AppState state_;
  std::string state_json_;
  bool fonts_built_ = false;
};

}  // namespace cnnlab
