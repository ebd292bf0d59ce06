// DrawListMerger (see draw_merge.h): concatenates ImGui's draw lists, rebasing indices and
// command offsets, so the renderer uploads one vertex buffer per frame.
#include "platform/draw_merge.h"

#include <limits>

namespace cnnlab::platform {

DrawListMerger::~DrawListMerger() {
  for (ImDrawList* l : lists_) IM_DELETE(l);
}

ImDrawList* DrawListMerger::list(size_t index) {
  while (lists_.size() <= index) lists_.push_back(IM_NEW(ImDrawList)(ImGui::GetDrawListSharedData()));
  ImDrawList* l = lists_[index];
  l->CmdBuffer.resize(0);
  l->IdxBuffer.resize(0);
  l->VtxBuffer.resize(0);
  l->Flags = ImDrawListFlags_None;
  return l;
}

ImDrawData* DrawListMerger::merge(ImDrawData* source) {
  if (!source || !source->Valid || source->CmdListsCount <= 1) return source;
  // Indices are ImDrawIdx (16-bit by default): a merged list holds at most this many vertices.
  constexpr size_t kMaxVertices = size_t(std::numeric_limits<ImDrawIdx>::max()) + 1;
  pointers_.clear();
  ImDrawList* out = nullptr;
  for (int i = 0; i < source->CmdListsCount; ++i) {
    const ImDrawList* in = source->CmdLists[i];
    for (const ImDrawCmd& cmd : in->CmdBuffer)
      if (cmd.UserCallback != nullptr) return source;  // callbacks expect their own list: leave as is
    if (in->VtxBuffer.Size == 0) continue;
    if (!out || size_t(out->VtxBuffer.Size) + size_t(in->VtxBuffer.Size) > kMaxVertices) {
      if (size_t(in->VtxBuffer.Size) > kMaxVertices) return source;  // cannot happen with 16-bit lists
      out = list(pointers_.size());
      pointers_.push_back(out);
    }
    const unsigned vertex_base = static_cast<unsigned>(out->VtxBuffer.Size);
    const unsigned index_base = static_cast<unsigned>(out->IdxBuffer.Size);
    out->Flags = in->Flags;
    out->VtxBuffer.reserve(out->VtxBuffer.Size + in->VtxBuffer.Size);
    for (const ImDrawVert& v : in->VtxBuffer) out->VtxBuffer.push_back(v);
    out->IdxBuffer.reserve(out->IdxBuffer.Size + in->IdxBuffer.Size);
    for (const ImDrawIdx index : in->IdxBuffer)
      out->IdxBuffer.push_back(static_cast<ImDrawIdx>(index + vertex_base));
    for (ImDrawCmd cmd : in->CmdBuffer) {
      if (cmd.ElemCount == 0) continue;
      // Vertices were rebased into the indices, so a command's own vertex offset folds in too.
      cmd.IdxOffset += index_base;
      if (cmd.VtxOffset != 0) {
        // Lists only carry a vertex offset when the backend supports it (not WebGL2); bail out
        // rather than draw wrongly.
        return source;
      }
      out->CmdBuffer.push_back(cmd);
    }
  }
  merged_ = ImDrawData();
  merged_.Valid = true;
  merged_.CmdLists = pointers_.data();
  merged_.CmdListsCount = static_cast<int>(pointers_.size());
  merged_.TotalVtxCount = source->TotalVtxCount;
  merged_.TotalIdxCount = source->TotalIdxCount;
  merged_.DisplayPos = source->DisplayPos;
  merged_.DisplaySize = source->DisplaySize;
  merged_.FramebufferScale = source->FramebufferScale;
  return &merged_;
}

}  // namespace cnnlab::platform
