// DrawListMerger: hands the OpenGL3 backend one draw list per frame instead of one per window.
//
// Why: Dear ImGui 1.86's OpenGL3 backend uploads each window's draw list into the SAME vertex and
// index buffers (glBufferSubData at offset 0) and draws it before the next list overwrites them.
// A WebGL implementation on Vulkan (ANGLE, which is what Chromium uses, including its software
// renderer SwiftShader) cannot overwrite a buffer that queued draws still read without ending the
// render pass, so every list costs a full store and reload of the framebuffer. With ~10 windows
// and child windows, that made a frame of the lab about 5x slower than its draw calls warrant in
// headless Chromium. Merged, a frame uploads its vertices once.
//
// The merged list rebases indices (ImDrawIdx is 16-bit and WebGL2 has no base-vertex draw), so
// lists are merged only while the merged vertex count fits an index; a frame with more vertices
// than that simply gets a few merged lists.
#pragma once

#include <vector>

#include "imgui.h"

namespace cnnlab::platform {

class DrawListMerger {
 public:
  // The frame's draw data with its lists merged; valid until the next call. `source` is
  // ImGui::GetDrawData() after ImGui::Render().
  ImDrawData* merge(ImDrawData* source);

 private:
  std::vector<ImDrawList*> lists_;  // owned; reused across frames so their buffers keep capacity
  std::vector<ImDrawList*> pointers_;
  ImDrawData merged_;

  ImDrawList* list(size_t index);

 public:
  DrawListMerger() = default;
  ~DrawListMerger();
  DrawListMerger(const DrawListMerger&) = delete;
  DrawListMerger& operator=(const DrawListMerger&) = delete;
};

}  // namespace cnnlab::platform
