// TouchGestures (see touch_gestures.h): tap, sideways drag and scroll from one finger.
#include "platform/touch_gestures.h"

#include <cfloat>
#include <cmath>

namespace cnnlab::platform {

void TouchGestures::touch_start(int id, float x, float y, double seconds) {
  if (gesture_ == Gesture::kUndecided || gesture_ == Gesture::kDrag ||
      gesture_ == Gesture::kScroll) {
    start_pinch(id, x, y);  // a second finger
    return;
  }
  if (gesture_ != Gesture::kNone) return;  // a third finger, or one during a pinch's end
  gesture_ = Gesture::kUndecided;
  finger_ = id;
  start_x_ = last_x_ = finger_x_ = x;
  start_y_ = last_y_ = finger_y_ = y;
  start_seconds_ = seconds;
  // The pointer rests on the spot first: tabs and menus act on a press only where the pointer
  // already was in the frame before (input_queue.h).
  queue_->mouse_move(x, y);
}

void TouchGestures::touch_move(int id, float x, float y) {
  if (gesture_ == Gesture::kPinch) {
    move_pinch(id, x, y);
    return;
  }
  if (id != finger_ || gesture_ == Gesture::kPinchEnded) return;
  finger_x_ = x;
  finger_y_ = y;
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

void TouchGestures::touch_end(int id, float x, float y, double seconds) {
  if (gesture_ == Gesture::kPinch || gesture_ == Gesture::kPinchEnded) {
    lift_pinch_finger(id);
    return;
  }
  if (id != finger_) return;
  if (gesture_ == Gesture::kUndecided) {
    if (seconds - start_seconds_ < kLongPressSeconds) {
      queue_->mouse_button(0, true);  // a tap: a click where the finger landed
      queue_->mouse_button(0, false);
    }
  } else if (gesture_ == Gesture::kDrag) {
    queue_->mouse_move(x, y);
    queue_->mouse_button(0, false);
  } else if (gesture_ == Gesture::kScroll) {
    touch_move(id, x, y);  // the last bit of the movement
  }
  queue_->mouse_move(-FLT_MAX, -FLT_MAX);  // the finger is gone: nothing stays hovered
  gesture_ = Gesture::kNone;
  finger_ = -1;
}

void TouchGestures::touch_cancel(int id) {
  if (gesture_ == Gesture::kPinch || gesture_ == Gesture::kPinchEnded) {
    lift_pinch_finger(id);
    return;
  }
  if (id != finger_) return;
  if (gesture_ == Gesture::kDrag) queue_->mouse_button(0, false);
  queue_->mouse_move(-FLT_MAX, -FLT_MAX);
  gesture_ = Gesture::kNone;
  finger_ = -1;
}

void TouchGestures::start_pinch(int id, float x, float y) {
  if (gesture_ == Gesture::kDrag) queue_->mouse_button(0, false);  // where the drag had got to
  gesture_ = Gesture::kPinch;
  second_ = id;
  second_x_ = x;
  second_y_ = y;
  pinch_distance_ = std::hypot(x - finger_x_, y - finger_y_);
  queue_->mouse_move((finger_x_ + x) * 0.5f, (finger_y_ + y) * 0.5f);
}

void TouchGestures::move_pinch(int id, float x, float y) {
  if (id == finger_) {
    finger_x_ = x;
    finger_y_ = y;
  } else if (id == second_) {
    second_x_ = x;
    second_y_ = y;
  } else {
    return;
  }
  queue_->mouse_move((finger_x_ + second_x_) * 0.5f, (finger_y_ + second_y_) * 0.5f);
  const float distance = std::hypot(second_x_ - finger_x_, second_y_ - finger_y_);
  // Fingers landing on one spot have no distance to compare with: the next move sets it.
  if (pinch_distance_ > 1.0f && distance > 1.0f) queue_->zoom(distance / pinch_distance_);
  pinch_distance_ = distance;
}

void TouchGestures::lift_pinch_finger(int id) {
  if (id == finger_) finger_ = -1;
  else if (id == second_) second_ = -1;
  else return;
  gesture_ = Gesture::kPinchEnded;
  if (finger_ >= 0 || second_ >= 0) return;
  queue_->mouse_move(-FLT_MAX, -FLT_MAX);  // both fingers gone: nothing stays hovered
  gesture_ = Gesture::kNone;
}

}  // namespace cnnlab::platform
