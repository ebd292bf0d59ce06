// Pooling layers: thin wrappers over kernels::maxpool2d_* / avgpool2d_*.
#include "layers/pool2d.h"

#include "kernels/kernels.h"

namespace cnnlab {

void MaxPool2D::forward(Tensor& y, const Tensor& x, RunContext& ctx) {
  const int batch = x.dim(0);
  y.resize(batch_shape(batch, output_));
  argmax_.resize(y.size());
  kernels::maxpool2d_forward(y.data(), argmax_.data(), x.data(), batch, input_[0], input_[1],
                             input_[2], spec_.kernel, spec_.stride, output_[1], output_[2], ctx.pool);
}

void MaxPool2D::backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                         RunContext& ctx) {
  if (!dx) return;
  dx->resize(x.shape());
  kernels::maxpool2d_backward(dx->data(), dy.data(), argmax_.data(), x.dim(0), input_[0],
                              input_[1], input_[2], output_[1], output_[2], ctx.pool);
}

void AvgPool2D::forward(Tensor& y, const Tensor& x, RunContext& ctx) {
  const int batch = x.dim(0);
  y.resize(batch_shape(batch, output_));
  kernels::avgpool2d_forward(y.data(), x.data(), batch, input_[0], input_[1], input_[2],
                             spec_.kernel, spec_.stride, output_[1], output_[2]);
}

void AvgPool2D::backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                         RunContext& ctx) {
  if (!dx) return;
  dx->resize(x.shape());
  kernels::avgpool2d_backward(dx->data(), dy.data(), x.dim(0), input_[0], input_[1], input_[2],
                              spec_.kernel, spec_.stride, output_[1], output_[2]);
}

}  // namespace cnnlab
