// TouchGestures (see touch_gestures.h): tap, sideways drag and scroll from one finger.
#include "platform/touch_gestures.h"

#include <cmath>

namespace cnnlab::platform {

void TouchGestures::touch_start(int id, float x, float y) {
  if (gesture_ != Gesture::kNone) return;  // a second finger
  gesture_ = Gesture::kUndecided;
  finger_ = id;
  start_x_ = last_x_ = x;
  start_y_ = last_y_ = y;
  // The pointer rests on the spot first: tabs and menus act on a press only where the pointer
  // already was in the frame before (input_queue.h).
  queue_->mouse_move(x, y);
}

void TouchGestures::touch_move(int id, float x, float y) {
  if (id != finger_) return;
  if (gesture_ == Gesture::kUndecided) {
    const float dx = x - start_x_, dy = y - start_y_;
    if (std::hypot(dx, dy) < slop_) return;
    if (std::fabs(dy) >= std::fabs(dx)) {
      gesture_ = Gesture::kScroll;  // counted from the landing spot: the content follows the finger
    } else {
      gesture_ = Gesture::kDrag;
      queue_->mouse_button(0, true);  // where the finger landed (the pointer is there)
    }
  }
  if (gesture_ == Gesture::kDrag) {
    queue_->mouse_move(x, y);
  } else if (gesture_ == Gesture::kScroll) {
    // A finger moving down pulls the content down, i.e. scrolls towards the top: +y in Dear
    // ImGui's wheel sense (and a finger moving right scrolls towards the left: +x).
    queue_->wheel((x - last_x_) / pixels_per_step_, (y - last_y_) / pixels_per_step_);
    last_x_ = x;
    last_y_ = y;
  }
}

void TouchGestures::touch_end(int id, float x, float y) {
  if (id != finger_) return;
  if (gesture_ == Gesture::kUndecided) {
    queue_->mouse_button(0, true);  // a tap: a click where the finger landed
    queue_->mouse_button(0, false);
  } else if (gesture_ == Gesture::kDrag) {
    queue_->mouse_move(x, y);
    queue_->mouse_button(0, false);
  } else if (gesture_ == Gesture::kScroll) {
    touch_move(id, x, y);  // the last bit of the movement
  }
  gesture_ = Gesture::kNone;
  finger_ = -1;
}

void TouchGestures::touch_cancel(int id) {
  if (id != finger_) return;
  if (gesture_ == Gesture::kDrag) queue_->mouse_button(0, false);
  gesture_ = Gesture::kNone;
  finger_ = -1;
}

}  // namespace cnnlab::platform
