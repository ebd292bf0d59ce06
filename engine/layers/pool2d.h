// MaxPool2D and AvgPool2D: valid windows (window k, stride s): (B, C, H, W) -> (B, C, OH, OW) with
// OH = (H - k) / s + 1. MaxPool keeps the argmax of its last forward for backward.
#pragma once

#include <vector>

#include "layers/layer.h"

namespace cnnlab {

class MaxPool2D : public Layer {
 public:
  using Layer::Layer;
  void forward(Tensor& y, const Tensor& x, RunContext& ctx) override;
  void backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                RunContext& ctx) override;

 private:
  std::vector<int32_t> argmax_;  // (B, C, OH, OW): index of the max in its input plane
};

class AvgPool2D : public Layer {
 public:
  using Layer::Layer;
  void forward(Tensor& y, const Tensor& x, RunContext& ctx) override;
  void backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                RunContext& ctx) override;
};

}  // namespace cnnlab
