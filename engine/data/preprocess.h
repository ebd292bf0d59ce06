// Preprocess: how uint8 pixels become the float input of a model. Recorded in the model file, so
// a saved model classifies new images exactly as it was trained.
//   x = pixel / 255                          (the seeds' preprocessing, the default)
//   x = (pixel / 255 - mean[c]) / std[c]     (optional per-channel standardisation)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace cnnlab {

struct Preprocess {
  bool standardize = false;
  std::array<float, 3> mean{0.0f, 0.0f, 0.0f};  // per channel, of pixel / 255
  std::array<float, 3> std{1.0f, 1.0f, 1.0f};

  // out (C, H, W) floats from in (C, H, W) uint8; plane = H * W; channels <= 3.
  void apply(float* out, const uint8_t* in, int channels, size_t plane) const {
    for (int c = 0; c < channels; ++c) {
      const float scale = standardize ? 1.0f / (255.0f * std[static_cast<size_t>(c)]) : 1.0f / 255.0f;
      const float shift = standardize ? -mean[static_cast<size_t>(c)] / std[static_cast<size_t>(c)] : 0.0f;
      const uint8_t* src = in + static_cast<size_t>(c) * plane;
      float* dst = out + static_cast<size_t>(c) * plane;
      for (size_t i = 0; i < plane; ++i) dst[i] = static_cast<float>(src[i]) * scale + shift;
    }
  }
};

}  // namespace cnnlab
