// The parts of the lab app's platform layer that need no window, tested natively:
//   - the pointer queue (web/platform/input_queue.h): a move, press and release that arrive
//     between two frames reach Dear ImGui in three frames (pointer on the target, press,
//     release), so a quick click on a tab or menu is never seen as a press in the frame the
//     pointer arrived; moves collapse, wheel steps add up, nothing is dropped or reordered;
//   - the repaint check (web/platform/repaint_check.h): a frame is painted when any byte of its
//     description differs from the last painted frame's, and only then;
//   - touch gestures (web/platform/touch_gestures.h): a tap clicks, a sideways drag presses and
//     drags, an up-or-down drag scrolls without clicking, two fingers pinch (zoom steps).
#include <doctest/doctest.h>

#include <cfloat>
#include <cstdint>
#include <vector>

#include "platform/input_queue.h"
#include "platform/repaint_check.h"
#include "platform/touch_gestures.h"

using cnnlab::platform::InputQueue;
using cnnlab::platform::PointerFrame;
using cnnlab::platform::RepaintCheck;
using cnnlab::platform::TouchGestures;

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

// ---- Repaint check --------------------------------------------------------------------------------

namespace {
// Describes a frame as the app's main does: a few parts of different sizes.
void describe(RepaintCheck& check, const std::vector<float>& vertices, const std::vector<uint16_t>& indices,
              uint64_t texture_generation) {
  check.begin_frame();
  check.describe(vertices.data(), vertices.size() * sizeof(float));
  check.describe(indices.data(), indices.size() * sizeof(uint16_t));
  check.describe(&texture_generation, sizeof texture_generation);
}
}  // namespace

TEST_CASE("every press of a key within one frame is down for a frame and up before the next") {
  // Three Backspaces sent at once (an on-screen keyboard, a test's keyboard.press): each is seen.
  const int backspace = 259;  // GLFW_KEY_BACKSPACE
  InputQueue q;
  for (int i = 0; i < 3; ++i) {
    q.key(backspace, true);
    q.key(backspace, false);
  }
  q.key(-1, true);                       // ignored
  q.key(PointerFrame::kKeys, true);      // ignored
  int presses = 0;
  bool was_down = false;
  for (int frame = 0; frame < 10; ++frame) {
    const PointerFrame f = q.next_frame();
    if (f.keys_down[backspace] && !was_down) ++presses;
    was_down = f.keys_down[backspace];
  }
  CHECK(presses == 3);
  CHECK_FALSE(was_down);
  CHECK_FALSE(q.pending());
  // Other keys do not wait for it; a repeat while held changes nothing.
  q.key(backspace, true);
  q.key(backspace, true);
  q.key(65, true);
  PointerFrame f = q.next_frame();
  CHECK(f.keys_down[backspace]);
  CHECK(f.keys_down[65]);
  CHECK_FALSE(q.pending());
}

TEST_CASE("the first frame is painted, an identical next frame is not") {
  RepaintCheck check;
  const std::vector<float> vertices = {0, 0, 10, 0, 10, 10};
  const std::vector<uint16_t> indices = {0, 1, 2};
  describe(check, vertices, indices, 1);
  CHECK(check.differs_from_painted());  // nothing painted yet
  check.painted();
  describe(check, vertices, indices, 1);
  CHECK_FALSE(check.differs_from_painted());
  // Asking again without painting gives the same answer: the comparison changes nothing.
  CHECK_FALSE(check.differs_from_painted());
}

TEST_CASE("any changed byte, length or texture generation makes a frame differ") {
  RepaintCheck check;
  std::vector<float> vertices = {0, 0, 10, 0, 10, 10};
  std::vector<uint16_t> indices = {0, 1, 2};
  describe(check, vertices, indices, 7);
  check.painted();

  SUBCASE("one vertex moved by a fraction of a pixel") {
    vertices[4] = 10.25f;
    describe(check, vertices, indices, 7);
    CHECK(check.differs_from_painted());
  }
  SUBCASE("one more index") {
    indices.push_back(0);
    describe(check, vertices, indices, 7);
    CHECK(check.differs_from_painted());
  }
  SUBCASE("a texture was replaced") {
    describe(check, vertices, indices, 8);
    CHECK(check.differs_from_painted());
  }
  SUBCASE("the same bytes split differently between the parts still compare equal") {
    // The description is the bytes in order; main.cpp adds the parts' sizes to tell them apart.
    check.begin_frame();
    std::vector<uint8_t> all;
    const auto* v = reinterpret_cast<const uint8_t*>(vertices.data());
    const auto* i = reinterpret_cast<const uint8_t*>(indices.data());
    all.insert(all.end(), v, v + vertices.size() * sizeof(float));
    all.insert(all.end(), i, i + indices.size() * sizeof(uint16_t));
    const uint64_t generation = 7;
    const auto* g = reinterpret_cast<const uint8_t*>(&generation);
    all.insert(all.end(), g, g + sizeof generation);
    check.describe(all.data(), 5);
    check.describe(all.data() + 5, all.size() - 5);
    CHECK_FALSE(check.differs_from_painted());
  }
}

TEST_CASE("a frame is compared with the last painted one, not the last described one") {
  RepaintCheck check;
  const std::vector<float> a = {1, 2, 3}, b = {1, 2, 4};
  const std::vector<uint16_t> indices = {0, 1, 2};
  describe(check, a, indices, 0);
  check.painted();
  describe(check, b, indices, 0);  // differs, but the caller did not paint it
  CHECK(check.differs_from_painted());
  describe(check, a, indices, 0);  // the screen still shows a
  CHECK_FALSE(check.differs_from_painted());
  describe(check, b, indices, 0);
  check.painted();
  describe(check, a, indices, 0);
  CHECK(check.differs_from_painted());
}

TEST_CASE("forget makes the next frame paint; empty frames compare equal") {
  RepaintCheck check;
  check.begin_frame();
  CHECK(check.differs_from_painted());
  check.painted();
  check.begin_frame();
  CHECK_FALSE(check.differs_from_painted());  // two empty descriptions
  check.forget();
  CHECK(check.differs_from_painted());
  check.painted();
  check.begin_frame();
  CHECK_FALSE(check.differs_from_painted());
}

// ---- Touch gestures -------------------------------------------------------------------------------

namespace {
// The frames a queue hands out until it is empty (at most 20).
std::vector<PointerFrame> drain(InputQueue& q) {
  std::vector<PointerFrame> frames;
  while (q.pending() && frames.size() < 20) frames.push_back(q.next_frame());
  return frames;
}
float total_wheel_y(const std::vector<PointerFrame>& frames) {
  float sum = 0;
  for (const PointerFrame& f : frames) sum += f.wheel_y;
  return sum;
}
bool ever_pressed(const std::vector<PointerFrame>& frames) {
  for (const PointerFrame& f : frames)
    if (f.down[0]) return true;
  return false;
}
}  // namespace

TEST_CASE("a tap is a click where the finger landed, the pointer resting there first") {
  InputQueue q;
  TouchGestures touch(&q);
  touch.touch_start(7, 100, 200, 10.0);
  touch.touch_move(7, 103, 198);  // within the slop: still a tap
  touch.touch_end(7, 103, 198, 10.1);
  const std::vector<PointerFrame> f = drain(q);
  REQUIRE(f.size() == 4);
  CHECK((f[0].x == 100 && f[0].y == 200 && !f[0].down[0]));  // hover first
  CHECK((f[1].x == 100 && f[1].y == 200 && f[1].down[0]));   // press at the landing spot
  CHECK((f[2].x == 100 && !f[2].down[0]));                    // release: a click
  CHECK(f[3].x == -FLT_MAX);                                  // then the pointer leaves
  CHECK(total_wheel_y(f) == 0.0f);
  CHECK(touch.gesture() == TouchGestures::Gesture::kNone);
}

TEST_CASE("a sideways drag presses where the finger landed and drags the pointer along") {
  InputQueue q;
  TouchGestures touch(&q);
  touch.touch_start(1, 50, 300, 0.0);
  touch.touch_move(1, 80, 305);
  CHECK(touch.gesture() == TouchGestures::Gesture::kDrag);
  touch.touch_move(1, 140, 310);
  touch.touch_end(1, 150, 310, 0.3);
  const std::vector<PointerFrame> f = drain(q);
  // The press happens at the landing spot, with the pointer still there.
  size_t press = 0;
  while (press < f.size() && !f[press].down[0]) ++press;
  REQUIRE(press < f.size());
  CHECK(f[press].x == 50);
  CHECK(f[press].y == 300);
  // Then the pointer follows with the button held, is released at the end, and leaves.
  REQUIRE(f.size() >= 2);
  CHECK(f[f.size() - 2].x == 150);
  CHECK_FALSE(f[f.size() - 2].down[0]);
  CHECK(f.back().x == -FLT_MAX);
  bool moved_while_down = false;
  for (size_t i = press; i < f.size(); ++i) moved_while_down |= (f[i].down[0] && f[i].x > 50);
  CHECK(moved_while_down);
  CHECK(total_wheel_y(f) == 0.0f);
}

TEST_CASE("an up-or-down drag scrolls with the finger and clicks nothing") {
  InputQueue q;
  TouchGestures touch(&q);
  touch.set_pixels_per_wheel_step(80);
  touch.touch_start(3, 200, 600, 0.0);
  touch.touch_move(3, 204, 560);
  CHECK(touch.gesture() == TouchGestures::Gesture::kScroll);
  touch.touch_move(3, 206, 440);
  touch.touch_end(3, 206, 440, 0.2);
  const std::vector<PointerFrame> f = drain(q);
  CHECK_FALSE(ever_pressed(f));
  // The finger moved up by 160 pixels: the content follows it up, i.e. two wheel steps towards
  // the bottom (negative in Dear ImGui's sense), counted from where the finger landed.
  CHECK(total_wheel_y(f) == doctest::Approx(-2.0f));
}

TEST_CASE("a cancelled drag releases the button without a tap") {
  InputQueue q;
  TouchGestures touch(&q);
  touch.touch_start(1, 10, 10, 0.0);
  touch.touch_move(1, 60, 12);     // sideways: a drag
  touch.touch_cancel(1);
  const std::vector<PointerFrame> f = drain(q);
  CHECK(total_wheel_y(f) == 0.0f);
  CHECK_FALSE(f.back().down[0]);
  CHECK(f.back().x == -FLT_MAX);
  // After the cancel a new touch starts a new gesture.
  touch.touch_start(4, 20, 20, 1.0);
  CHECK(touch.gesture() == TouchGestures::Gesture::kUndecided);
}

namespace {
float total_zoom(const std::vector<PointerFrame>& frames) {
  float product = 1.0f;
  for (const PointerFrame& f : frames) product *= f.zoom;
  return product;
}
}  // namespace

TEST_CASE("two fingers spreading apart zoom in between them, clicking and scrolling nothing") {
  InputQueue q;
  TouchGestures touch(&q);
  touch.touch_start(1, 100, 400, 0.0);
  touch.touch_start(2, 200, 400, 0.0);  // 100 px apart
  CHECK(touch.gesture() == TouchGestures::Gesture::kPinch);
  touch.touch_move(1, 75, 400);
  touch.touch_move(2, 225, 400);        // 150 px apart
  touch.touch_move(1, 50, 400);
  touch.touch_move(2, 250, 400);        // 200 px apart
  const std::vector<PointerFrame> spread = drain(q);
  CHECK(total_zoom(spread) == doctest::Approx(2.0f));
  CHECK_FALSE(ever_pressed(spread));
  CHECK(total_wheel_y(spread) == 0.0f);
  CHECK((spread.back().x == 150 && spread.back().y == 400));  // between the fingers
  // Closing them again zooms out; a third finger changes nothing.
  touch.touch_start(3, 10, 10, 0.1);
  touch.touch_move(3, 10, 300);
  touch.touch_move(1, 100, 400);        // 150 px apart: 0.75 of 200
  CHECK(total_zoom(drain(q)) == doctest::Approx(0.75f));
  // One finger lifts: the pinch is over, the other finger neither scrolls nor clicks.
  touch.touch_end(1, 100, 400, 0.2);
  CHECK(touch.gesture() == TouchGestures::Gesture::kPinchEnded);
  touch.touch_move(2, 225, 100);
  touch.touch_end(2, 225, 100, 0.3);
  const std::vector<PointerFrame> end = drain(q);
  CHECK_FALSE(ever_pressed(end));
  CHECK(total_wheel_y(end) == 0.0f);
  CHECK(total_zoom(end) == 1.0f);
  CHECK(end.back().x == -FLT_MAX);
  CHECK(touch.gesture() == TouchGestures::Gesture::kNone);
}

TEST_CASE("a second finger during a sideways drag releases the drag, then pinches") {
  InputQueue q;
  TouchGestures touch(&q);
  touch.touch_start(1, 100, 100, 0.0);
  touch.touch_move(1, 140, 102);        // a drag: pressed
  CHECK(touch.gesture() == TouchGestures::Gesture::kDrag);
  touch.touch_start(2, 140, 202, 0.1);  // 100 px below the first
  touch.touch_move(2, 140, 252);        // 150 px apart
  const std::vector<PointerFrame> f = drain(q);
  CHECK_FALSE(f.back().down[0]);        // the drag was released
  CHECK(total_zoom(f) == doctest::Approx(1.5f));
  // The zoom comes after the release, never while the button is down.
  for (const PointerFrame& frame : f) CHECK((frame.zoom == 1.0f || !frame.down[0]));
}

TEST_CASE("a finger resting on a control hovers it (its tooltip shows); a long press clicks nothing") {
  InputQueue q;
  TouchGestures touch(&q);
  touch.touch_start(5, 40, 50, 3.0);
  PointerFrame resting = q.next_frame();
  CHECK((resting.x == 40 && resting.y == 50 && !resting.down[0]));
  touch.touch_end(5, 41, 50, 3.0 + TouchGestures::kLongPressSeconds + 0.1);
  const std::vector<PointerFrame> f = drain(q);
  CHECK_FALSE(ever_pressed(f));
  REQUIRE_FALSE(f.empty());
  CHECK(f.back().x == -FLT_MAX);
}
