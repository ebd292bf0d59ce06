// Dense (fully connected, PyTorch layout): weight (out, in), bias (out); (B, in) -> (B, out).
#pragma once

#include "layers/layer.h"

namespace cnnlab {

class Dense : public Layer {
 public:
  Dense(const LayerSpec& spec, const Shape& input);
  void init(Rng& rng) override;
  void forward(Tensor& y, const Tensor& x, RunContext& ctx) override;
  void backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                RunContext& ctx) override;
  std::vector<Param*> params() override { return {&weight_, &bias_}; }

  Param& weight() { return weight_; }
  Param& bias() { return bias_; }

 private:
  Param weight_, bias_;
};

}  // namespace cnnlab
