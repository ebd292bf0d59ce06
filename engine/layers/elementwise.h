// Shape-preserving layers without weights: ReLU, Dropout (inverted, train-only) and Flatten
// ((B, C, H, W) -> (B, C*H*W) in C, H, W order, as PyTorch's nn.Flatten).
#pragma once

#include "layers/layer.h"

namespace cnnlab {

class ReLU : public Layer {
 public:
  using Layer::Layer;
  void forward(Tensor& y, const Tensor& x, RunContext& ctx) override;
  void backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                RunContext& ctx) override;
};

// Training: y = x * mask with mask 0 (probability rate) or 1 / (1 - rate), drawn from
// ctx.dropout_rng in element order. Inference: y = x.
class Dropout : public Layer {
 public:
  using Layer::Layer;
  void forward(Tensor& y, const Tensor& x, RunContext& ctx) override;
  void backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                RunContext& ctx) override;

 private:
  Tensor mask_;                 // (B, ...) of the last training forward
  bool mask_active_ = false;    // whether the last forward applied a mask
};

class Flatten : public Layer {
 public:
  using Layer::Layer;
  void forward(Tensor& y, const Tensor& x, RunContext& ctx) override;
  void backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                RunContext& ctx) override;
};

}  // namespace cnnlab
