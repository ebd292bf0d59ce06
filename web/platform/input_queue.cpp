// InputQueue (see input_queue.h): pointer and key events handed to Dear ImGui a frame at a time.
#include "platform/input_queue.h"

namespace cnnlab::platform {

void InputQueue::mouse_move(float x, float y) {
  Event e{Kind::Move};
  e.a = x;
  e.b = y;
  events_.push_back(e);
}

void InputQueue::mouse_button(int button, bool down) {
  if (button < 0 || button >= PointerFrame::kButtons) return;
  Event e{Kind::Button};
  e.button = button;
  e.down = down;
  events_.push_back(e);
}

void InputQueue::wheel(float steps_x, float steps_y) {
  if (steps_x == 0.0f && steps_y == 0.0f) return;
  Event e{Kind::Wheel};
  e.a = steps_x;
  e.b = steps_y;
  events_.push_back(e);
}

void InputQueue::zoom(float factor) {
  if (!(factor > 0.0f) || factor == 1.0f) return;
  Event e{Kind::Zoom};
  e.a = factor;
  events_.push_back(e);
}

void InputQueue::key(int key, bool down) {
  if (key < 0 || key >= PointerFrame::kKeys) return;
  Event e{Kind::Button};
  e.button = key;
  e.down = down;
  key_events_.push_back(e);
}

PointerFrame InputQueue::next_frame() {
  // Keys: each key changes at most once a frame (a press and its release in different frames).
  bool key_changed[PointerFrame::kKeys] = {};
  while (!key_events_.empty()) {
    const Event& e = key_events_.front();
    const bool changes = state_.keys_down[e.button] != e.down;  // a repeat changes nothing
    if (changes && key_changed[e.button]) break;
    if (changes) key_changed[e.button] = true;
    state_.keys_down[e.button] = e.down;
    key_events_.pop_front();
  }

  state_.wheel_x = state_.wheel_y = 0.0f;
  state_.zoom = 1.0f;
  bool moved = false, button_changed = false;
  while (!events_.empty()) {
    const Event& e = events_.front();
    if (e.kind == Kind::Move) {
      if (button_changed) break;
      if (e.a != state_.x || e.b != state_.y) moved = true;
      state_.x = e.a;
      state_.y = e.b;
    } else if (e.kind == Kind::Button) {
      if (moved || button_changed) break;
      if (state_.down[e.button] != e.down) button_changed = true;
      state_.down[e.button] = e.down;
    } else if (e.kind == Kind::Wheel) {
      if (button_changed) break;
      state_.wheel_x += e.a;
      state_.wheel_y += e.b;
    } else {
      if (button_changed) break;
      state_.zoom *= e.a;
    }
    events_.pop_front();
  }
  return state_;
}

}  // namespace cnnlab::platform
