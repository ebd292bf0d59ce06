// RepaintCheck (repaint_check.h): a byte-wise comparison of two frames' descriptions.
#include "platform/repaint_check.h"

#include <cstring>

namespace cnnlab::platform {

void RepaintCheck::describe(const void* bytes, size_t size) {
  if (size == 0) return;
  const auto* first = static_cast<const uint8_t*>(bytes);
  current_.insert(current_.end(), first, first + size);
}

bool RepaintCheck::differs_from_painted() const {
  if (!have_painted_ || current_.size() != painted_.size()) return true;
  if (current_.empty()) return false;  // memcmp's pointers must not be null, even for 0 bytes
  return std::memcmp(current_.data(), painted_.data(), current_.size()) != 0;
}

void RepaintCheck::painted() {
  // Swap rather than copy: both buffers keep their capacity, so a frame allocates nothing.
  current_.swap(painted_);
  have_painted_ = true;
}

void RepaintCheck::forget() { have_painted_ = false; }

}  // namespace cnnlab::platform
