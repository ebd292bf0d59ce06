// ReLU, Dropout and Flatten.
#include "layers/elementwise.h"

#include <algorithm>

#include "core/error.h"
#include "kernels/kernels.h"

namespace cnnlab {

void ReLU::forward(Tensor& y, const Tensor& x, RunContext& ctx) {
  y.resize(x.shape());
  kernels::relu_forward(y.data(), x.data(), x.size(), ctx.pool);
}

void ReLU::backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                    RunContext& ctx) {
  if (!dx) return;
  dx->resize(x.shape());
  kernels::relu_backward(dx->data(), dy.data(), y.data(), x.size(), ctx.pool);
}

void Dropout::forward(Tensor& y, const Tensor& x, RunContext& ctx) {
  y.resize(x.shape());
  mask_active_ = ctx.training && spec_.rate > 0.0f;
  if (!mask_active_) {
    std::copy(x.data(), x.data() + x.size(), y.data());
    return;
  }
  require(ctx.dropout_rng != nullptr, "dropout", "training needs a dropout random generator");
  mask_.resize(x.shape());
  const float keep_scale = 1.0f / (1.0f - spec_.rate);
  Rng& rng = *ctx.dropout_rng;
  for (size_t i = 0; i < mask_.size(); ++i)
    mask_[i] = rng.uniform() < spec_.rate ? 0.0f : keep_scale;
  kernels::scale_by_mask(y.data(), x.data(), mask_.data(), x.size());
}

void Dropout::backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                       RunContext& ctx) {
  if (!dx) return;
  dx->resize(x.shape());
  if (mask_active_)
    kernels::scale_by_mask(dx->data(), dy.data(), mask_.data(), x.size());
  else
    std::copy(dy.data(), dy.data() + dy.size(), dx->data());
}

void Flatten::forward(Tensor& y, const Tensor& x, RunContext& ctx) {
  y.resize(Shape{x.dim(0), static_cast<int>(output_[0])});
  std::copy(x.data(), x.data() + x.size(), y.data());
}

void Flatten::backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                       RunContext& ctx) {
  if (!dx) return;
  dx->resize(x.shape());
  std::copy(dy.data(), dy.data() + dy.size(), dx->data());
}

}  // namespace cnnlab
