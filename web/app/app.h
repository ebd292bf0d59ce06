// App: the lab app as one object, independent of desktop or browser. main.cpp owns one, calls
// set_ui_scale when the pixel density changes and frame() once per frame between
// ImGui::NewFrame and ImGui::Render; the JavaScript API reads state_json().
#pragma once

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
