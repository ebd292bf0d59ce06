// Param: a trainable tensor and its gradient, the unit layers expose and optimisers update.
// In core (not layers/) so that the optimiser depends on it without depending on the layers.
#pragma once

#include <string>

#include "core/tensor.h"

namespace cnnlab {

// A trainable tensor and its gradient (same shape). name: "weight"/"bias" inside a layer; the Model
// renames them "<layer index>.weight" (0-based, every layer counted, as torch.nn.Sequential).
struct Param {
  std::string name;
  Tensor value, grad;
};

}  // namespace cnnlab
