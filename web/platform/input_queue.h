// InputQueue: the pointer's events (moves, button presses and releases, wheel steps) in the order
// they happened, handed to Dear ImGui a frame at a time so that none is lost.
//
// Why: Dear ImGui 1.86 reads the mouse as a state per frame (io.MousePos, io.MouseDown), and its
// GLFW backend samples that state once per frame. When the pointer moves onto a tab and clicks
// within one frame (a quick click, a slow frame, a page busy training, a test's mouse.click), the
// tab sees the press in the same frame the pointer arrived: its hover check (tabs and menus
// allow overlap, so they need the pointer on them in the frame before) fails and the click only
// highlights it; a second click then acts. Newer Dear ImGui versions queue input events for this
// reason. This queue does the same for 1.86: each frame takes the events up to the first one
// that must wait for the next frame:
//   - a press or release waits when the pointer moved this frame, or a button already changed
//     (so the pointer rests on the target for one frame before the press, and a press and its
//     release land in different frames);
//   - a move, a wheel step or a pinch's zoom waits when a button changed this frame.
// Consecutive moves within a frame collapse into the last position; wheel steps add up; zoom
// factors multiply.
//
// Keys are read per frame too (io.KeysDown): a key pressed and released within one frame (a
// phone's on-screen keyboard sends both at once, as does a test's keyboard.press) never showed
// as down, so Backspace and Delete in a text field were lost. Key events are queued apart from
// the pointer's: a key's event waits when the same key already changed this frame, so every
// press is down for at least one frame and up again before the next press.
#pragma once

#include <cfloat>
#include <deque>

namespace cnnlab::platform {

// The pointer as one frame of the app sees it.
struct PointerFrame {
  static constexpr int kButtons = 5;  // ImGui's mouse buttons (left, right, middle, 2 extra)
  float x = -FLT_MAX, y = -FLT_MAX;   // -FLT_MAX: no position yet (ImGui's "no mouse")
  bool down[kButtons] = {false, false, false, false, false};
  // Wheel steps this frame in Dear ImGui's sense: +y scrolls up (towards the top), +x scrolls
  // left. A mouse wheel's notch is 1 step; trackpads give fractions.
  float wheel_x = 0.0f, wheel_y = 0.0f;
  // Two fingers pinching this frame (touch_gestures.h): how much farther apart they are than at
  // the frame before (1: no pinch; 2: twice as far apart, spreading; 0.5: closing). The pointer
  // is at the point between them.
  float zoom = 1.0f;
  // The keys as this frame sees them, by GLFW key code (Dear ImGui 1.86's io.KeysDown indices).
  static constexpr int kKeys = 512;
  bool keys_down[kKeys] = {};
};

class InputQueue {
 public:
  void mouse_move(float x, float y);
  void mouse_button(int button, bool down);  // buttons outside 0..kButtons-1 are ignored
  void wheel(float steps_x, float steps_y);
  void zoom(float factor);  // a pinch's step (PointerFrame::zoom); factors multiply
  void key(int key, bool down);  // keys outside 0..kKeys-1 are ignored; a repeat is down again

  // Takes this frame's events (see the rules above) and returns the pointer as this frame sees
  // it; the rest waits for the next frames.
  PointerFrame next_frame();
  // Events still waiting (the caller draws another frame soon rather than idling).
  bool pending() const { return !events_.empty() || !key_events_.empty(); }

 private:
  enum class Kind { Move, Button, Wheel, Zoom };
  struct Event {
    Kind kind;
    float a = 0, b = 0;  // Move: x, y; Wheel: steps x, y; Zoom: the factor in a
    int button = 0;
    bool down = false;
  };
  std::deque<Event> events_;
  std::deque<Event> key_events_;  // Kind::Button's fields: button = the key code, down
  PointerFrame state_;
};

}  // namespace cnnlab::platform
