// RepaintCheck: whether a frame would paint exactly what the screen already shows.
//
// Why: while a network trains, the lab draws 25 frames a second so the curves and the progress
// move smoothly, but the trainer's reports arrive about 10 times a second: most frames would
// paint the same pixels again. Where WebGL is rasterised on the CPU (software WebGL on machines
// without a usable GPU, and headless Chromium) painting a 1280x800 frame costs several
// milliseconds that the training worker could use, and on a laptop it costs battery. Dear ImGui's
// own examples leave this to the application; here each frame is described by its bytes (the
// merged draw lists, the clear colour, the framebuffer size and the textures' generation) and is
// painted only when the description differs from the last painted frame's. A WebGL canvas that
// is not drawn to keeps showing its last frame, so skipping is invisible.
//
// Uses neither Dear ImGui nor OpenGL (main.cpp describes the frame): tested natively on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cnnlab::platform {

class RepaintCheck {
 public:
  // Starts describing a new frame.
  void begin_frame() { current_.clear(); }
  // Appends `size` bytes of the frame's description (vertices, indices, draw commands, ...).
  void describe(const void* bytes, size_t size);
  // True when the frame described since begin_frame differs from the last painted one (or
  // nothing was painted yet, or forget() was called since).
  bool differs_from_painted() const;
  // The frame just described was painted: later frames are compared with it.
  void painted();
  // The screen's content is unknown (a new context, a resize the description does not cover):
  // the next frame paints.
  void forget();

 private:
  std::vector<uint8_t> current_;  // this frame's description
  std::vector<uint8_t> painted_;  // the last painted frame's description
  bool have_painted_ = false;
};

}  // namespace cnnlab::platform
