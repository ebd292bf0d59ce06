// The lab app's pointer queue (web/platform/input_queue.h): a move, press and release that arrive
// between two frames reach Dear ImGui in three frames (pointer on the target, press, release), so
// a quick click on a tab or menu is never seen as a press in the frame the pointer arrived; moves
// collapse, wheel steps add up, nothing is dropped or reordered.
#include <doctest/doctest.h>

#include "platform/input_queue.h"

using cnnlab::platform::InputQueue;
using cnnlab::platform::PointerFrame;

TEST_CASE("a click that arrives within one frame is spread over three frames") {
  InputQueue q;
  q.mouse_move(10, 10);
  CHECK(q.next_frame().x == 10);
  // The pointer jumps onto a tab and clicks before the next frame.
  q.mouse_move(200, 40);
  q.mouse_button(0, true);
  q.mouse_button(0, false);
  PointerFrame f = q.next_frame();
  CHECK(f.x == 200);
  CHECK(f.y == 40);
  CHECK_FALSE(f.down[0]);  // first: the pointer rests on the tab
  f = q.next_frame();
  CHECK(f.x == 200);
  CHECK(f.down[0]);        // then the press
  CHECK(q.pending());
  f = q.next_frame();
  CHECK_FALSE(f.down[0]);  // then the release
  CHECK_FALSE(q.pending());
}

TEST_CASE("a press without a move acts in the next frame; a move after a press waits") {
  InputQueue q;
  q.mouse_move(5, 5);
  q.next_frame();
  q.mouse_button(1, true);
  q.mouse_move(6, 7);  // dragging with the right button
  PointerFrame f = q.next_frame();
  CHECK(f.down[1]);
  CHECK(f.x == 5);
  f = q.next_frame();
  CHECK(f.x == 6);
  CHECK(f.y == 7);
  CHECK(f.down[1]);
}

TEST_CASE("consecutive moves collapse to the last; wheel steps add up and reset each frame") {
  InputQueue q;
  q.mouse_move(1, 1);
  q.mouse_move(2, 2);
  q.wheel(0, -1);
  q.mouse_move(3, 4);
  q.wheel(0.5f, -0.25f);
  PointerFrame f = q.next_frame();
  CHECK(f.x == 3);
  CHECK(f.y == 4);
  CHECK(f.wheel_y == doctest::Approx(-1.25));
  CHECK(f.wheel_x == doctest::Approx(0.5));
  CHECK_FALSE(q.pending());
  f = q.next_frame();
  CHECK(f.wheel_y == 0.0f);
  CHECK(f.x == 3);  // the position stays
}

TEST_CASE("a wheel step after a press waits for the next frame; unknown buttons are ignored") {
  InputQueue q;
  q.mouse_button(0, true);
  q.wheel(0, 2);
  q.mouse_button(9, true);
  q.mouse_button(-1, true);
  PointerFrame f = q.next_frame();
  CHECK(f.down[0]);
  CHECK(f.wheel_y == 0.0f);
  f = q.next_frame();
  CHECK(f.wheel_y == 2.0f);
  CHECK_FALSE(q.pending());
}

TEST_CASE("a double click's four button events each get a frame of their own") {
  InputQueue q;
  q.mouse_move(50, 50);
  q.next_frame();
  for (bool down : {true, false, true, false}) q.mouse_button(0, down);
  for (bool down : {true, false, true, false}) CHECK(q.next_frame().down[0] == down);
  CHECK_FALSE(q.pending());
}
