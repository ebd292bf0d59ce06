// TouchGestures: a finger on the lab's canvas turned into what Dear ImGui understands: the
// pointer with its left button, and wheel steps.
//
// Why: Dear ImGui 1.86 knows only a mouse. A browser turns a tap into emulated mouse events, but
// a finger that drags produces none, so on a phone sliders could not be dragged and panels could
// not be scrolled. The gestures, as on any touch screen:
//   - the finger resting: the pointer hovers there, so the control under it shows its tooltip;
//   - tap (the finger lifts within `slop` pixels of where it landed): a click there; held longer
//     than a long press (0.5 s) it was a look at the tooltip, and lifting clicks nothing;
//   - drag mostly sideways: a press where the finger landed, the pointer following the finger,
//     a release where it lifts (sliders, plots, the time and pixel pickers);
//   - drag mostly up or down: scrolling the panel under the finger, the content following the
//     finger (wheel steps of `pixels_per_wheel_step`, what one wheel notch scrolls in Dear ImGui);
//     no press, so nothing under the finger is clicked.
//   - a second finger while the first is down: a pinch. A drag under way is released first
//     (nothing is clicked); then the pointer sits between the two fingers and each change of
//     their distance is a zoom step (InputQueue::zoom: new distance / old), which the panel under
//     the pointer may use (the feature maps' size). Lifting either finger ends the pinch; the
//     other does nothing until it lifts too.
// When the finger lifts the pointer leaves (a finger does not hover): no tooltip or highlight
// stays behind. A third finger is ignored. Positions are the canvas'
// backbuffer pixels, like the mouse's. Uses neither ImGui nor the browser: tested natively.
#pragma once

#include "platform/input_queue.h"

namespace cnnlab::platform {

class TouchGestures {
 public:
  explicit TouchGestures(InputQueue* queue) : queue_(queue) {}

  // How far (pixels) a finger may move and still tap; how many pixels of finger movement are
  // one wheel step (Dear ImGui 1.86 scrolls 5 x the font size per step).
  void set_slop(float pixels) { slop_ = pixels; }
  void set_pixels_per_wheel_step(float pixels) { pixels_per_step_ = pixels > 1.0f ? pixels : 1.0f; }

  // seconds: a monotonic clock (long presses).
  void touch_start(int id, float x, float y, double seconds);
  void touch_move(int id, float x, float y);
  void touch_end(int id, float x, float y, double seconds);
  void touch_cancel(int id);  // the browser took the touch away: a drag is released, no click

  // kPinchEnded: one of the pinch's fingers lifted; the other is ignored until it lifts.
  enum class Gesture { kNone, kUndecided, kDrag, kScroll, kPinch, kPinchEnded };
  Gesture gesture() const { return gesture_; }
  static constexpr double kLongPressSeconds = 0.5;

 private:
  InputQueue* queue_;
  float slop_ = 10.0f;
  float pixels_per_step_ = 80.0f;
  Gesture gesture_ = Gesture::kNone;
  int finger_ = -1;              // the touch identifier being followed
  float start_x_ = 0, start_y_ = 0;
  float last_x_ = 0, last_y_ = 0;  // kScroll: where the last wheel steps were counted from
  double start_seconds_ = 0;
  float finger_x_ = 0, finger_y_ = 0;  // the first finger where it is now
  int second_ = -1;                    // a pinch's second finger (-1: none, or it lifted)
  float second_x_ = 0, second_y_ = 0;
  float pinch_distance_ = 0;           // the fingers' distance at the last zoom step

  void start_pinch(int id, float x, float y);
  void move_pinch(int id, float x, float y);
  void lift_pinch_finger(int id);
};

}  // namespace cnnlab::platform
