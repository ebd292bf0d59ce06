// Conv2D: 2-D convolution as an implicit GEMM (no column matrix) or im2col + one GEMM per chunk of
// the batch, whichever kernels::conv_*_uses_implicit picks for the shape (per pass: forward,
// weight gradient, input gradient).
//   weight (Co, Ci, k, k) (PyTorch layout), bias (Co); input (B, Ci, H, W) -> output (B, Co, OH, OW).
// The im2col buffer is owned by the layer and covers a CHUNK of images at a time, sized so it stays
// under kColumnBudgetBytes (the browser has a small heap); weight gradients accumulate over chunks.
#pragma once

#include "kernels/kernels.h"
#include "layers/layer.h"

namespace cnnlab {

class Conv2D : public Layer {
 public:
  // 1 MB keeps a chunk's columns in L2 (measured: native 1,210 -> 1,520 images/s on one thread,
  // node GEMM 24 -> 40 GFLOP/s on the conv shapes) and the browser's heap small.
  static constexpr size_t kColumnBudgetBytes = 1u << 20;

  Conv2D(const LayerSpec& spec, const Shape& input);
  void init(Rng& rng) override;
  void forward(Tensor& y, const Tensor& x, RunContext& ctx) override;
  void backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                RunContext& ctx) override;
  std::vector<Param*> params() override { return {&weight_, &bias_}; }

  Param& weight() { return weight_; }
  Param& bias() { return bias_; }
  // Images per im2col chunk for a batch of `batch` (>= 1).
  int chunk_images(int batch) const;

 private:
  kernels::ConvGeometry geometry(int images) const;

  Param weight_, bias_;
  ConvPadding padding_;
  Tensor col_;  // (Ci*k*k, chunk*OH*OW); reused as dcol in backward
  Tensor yt_;   // (Co, chunk*OH*OW): GEMM output, or dy regrouped in backward
  Tensor packed_;  // the implicit GEMM's packed weights (kernels::conv_implicit_scratch_floats)
  Tensor grad_partials_;  // kernels::conv_weight_grad_scratch_floats (image groups' partial sums)
};

}  // namespace cnnlab
