// Dense layer over kernels::dense_forward / dense_backward.
#include "layers/dense.h"

#include "kernels/kernels.h"

namespace cnnlab {

Dense::Dense(const LayerSpec& spec, const Shape& input) : Layer(spec, input) {
  weight_.name = "weight";
  weight_.value = Tensor(Shape{spec.units, input[0]});
  weight_.grad = Tensor(weight_.value.shape());
  bias_.name = "bias";
  bias_.value = Tensor(Shape{spec.units});
  bias_.grad = Tensor(bias_.value.shape());
}

void Dense::init(Rng& rng) {
  init_parameters(weight_.value, bias_.value, static_cast<size_t>(input_[0]), spec_.init, rng);
}

void Dense::forward(Tensor& y, const Tensor& x, RunContext& ctx) {
  const int batch = x.dim(0);
  y.resize(Shape{batch, spec_.units});
  kernels::dense_forward(y.data(), x.data(), weight_.value.data(), bias_.value.data(), batch,
                         input_[0], spec_.units, ctx.pool);
}

void Dense::backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                     RunContext& ctx) {
  if (dx) dx->resize(x.shape());
  kernels::dense_backward(dx ? dx->data() : nullptr, weight_.grad.data(), bias_.grad.data(),
                          dy.data(), x.data(), weight_.value.data(), x.dim(0), input_[0],
                          spec_.units, ctx.pool);
}

}  // namespace cnnlab
