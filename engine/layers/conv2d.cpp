// Conv2D forward/backward over batch chunks (see conv2d.h).
#include "layers/conv2d.h"

#include <algorithm>

namespace cnnlab {

Conv2D::Conv2D(const LayerSpec& spec, const Shape& input) : Layer(spec, input) {
  const int k = spec.kernel;
  weight_.name = "weight";
  weight_.value = Tensor(Shape{spec.units, input[0], k, k});
  weight_.grad = Tensor(weight_.value.shape());
  bias_.name = "bias";
  bias_.value = Tensor(Shape{spec.units});
  bias_.grad = Tensor(bias_.value.shape());
  padding_ = conv_padding(spec, input[1], input[2]);
}

void Conv2D::init(Rng& rng) {
  const size_t fan_in = static_cast<size_t>(input_[0]) * spec_.kernel * spec_.kernel;
  init_parameters(weight_.value, bias_.value, fan_in, spec_.init, rng);
}

int Conv2D::chunk_images(int batch) const {
  const size_t per_image = static_cast<size_t>(input_[0]) * spec_.kernel * spec_.kernel *
                           static_cast<size_t>(output_[1]) * static_cast<size_t>(output_[2]) *
                           sizeof(float);
  const size_t fit = std::max<size_t>(1, kColumnBudgetBytes / per_image);
  return static_cast<int>(std::min<size_t>(fit, static_cast<size_t>(std::max(batch, 1))));
}

kernels::ConvGeometry Conv2D::geometry(int images) const {
  kernels::ConvGeometry g{};
  g.batch = images;
  g.channels = input_[0];
  g.height = input_[1];
  g.width = input_[2];
  g.kernel_h = g.kernel_w = spec_.kernel;
  g.stride = spec_.stride;
  g.pad_top = padding_.pad_top;
  g.pad_left = padding_.pad_left;
  g.out_h = padding_.out_h;
  g.out_w = padding_.out_w;
  return g;
}

void Conv2D::forward(Tensor& y, const Tensor& x, RunContext& ctx) {
  const int batch = x.dim(0), co = spec_.units;
  const int plane = output_[1] * output_[2];
  const int k_rows = input_[0] * spec_.kernel * spec_.kernel;
  const size_t in_image = input_.count(), out_image = output_.count();
  y.resize(batch_shape(batch, output_));
  const kernels::ConvGeometry whole = geometry(batch);
  if (kernels::conv_forward_uses_winograd(whole, co)) {
    packed_.resize(Shape{static_cast<int>(kernels::conv_winograd_scratch_floats(whole, co))});
    kernels::conv2d_forward_winograd(y.data(), packed_.data(), x.data(), weight_.value.data(),
                                     bias_.value.data(), whole, co, ctx.pool);
    return;
  }
  if (kernels::conv_forward_uses_implicit(whole, co)) {
    packed_.resize(Shape{static_cast<int>(kernels::conv_implicit_scratch_floats(whole, co))});
    kernels::conv2d_forward_implicit(y.data(), packed_.data(), x.data(), weight_.value.data(),
                                     bias_.value.data(), whole, co, ctx.pool);
    return;
  }
  const int chunk = chunk_images(batch);
  col_.resize(Shape{k_rows, chunk * plane});
  yt_.resize(Shape{co, chunk * plane});
  for (int b0 = 0; b0 < batch; b0 += chunk) {
    const int n = std::min(chunk, batch - b0);
    const kernels::ConvGeometry g = geometry(n);
    kernels::im2col(col_.data(), x.data() + b0 * in_image, g, ctx.pool);
    // yt (Co, n*P) = weight (Co, K) @ col (K, n*P)
    kernels::gemm(yt_.data(), weight_.value.data(), col_.data(), co, n * plane, k_rows, false,
                  false, false, ctx.pool);
    kernels::conv_output_from_gemm(y.data() + b0 * out_image, yt_.data(), bias_.value.data(), n,
                                   co, plane, ctx.pool);
  }
}

void Conv2D::backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                      RunContext& ctx) {
  const int batch = x.dim(0), co = spec_.units;
  const int plane = output_[1] * output_[2];
  const int k_rows = input_[0] * spec_.kernel * spec_.kernel;
  const size_t in_image = input_.count(), out_image = output_.count();
  if (dx) dx->resize(x.shape());
  // The weight gradient and dx by Winograd or without a column matrix where the dispatch picks
  // that; whatever remains goes below, per chunk of images, through im2col.
  const kernels::ConvGeometry whole = geometry(batch);
  const bool dw_winograd = kernels::conv_weight_grad_uses_winograd(whole, co);
  const bool dx_winograd = dx && kernels::conv_input_grad_uses_winograd(whole, co);
  const bool dw_implicit = !dw_winograd && kernels::conv_weight_grad_uses_implicit(whole, co);
  const bool dx_implicit = dx && !dx_winograd && kernels::conv_input_grad_uses_implicit(whole, co);
  // Done above: no column matrix needed below for these.
  const bool dw_done = dw_winograd || dw_implicit, dx_done = dx_winograd || dx_implicit;
  if (dw_winograd) {
    grad_partials_.resize(
        Shape{static_cast<int>(kernels::conv_weight_grad_winograd_scratch_floats(whole, co))});
    kernels::conv2d_weight_grad_winograd(weight_.grad.data(), bias_.grad.data(),
                                         grad_partials_.data(), dy.data(), x.data(), whole, co,
                                         ctx.pool);
  } else if (dw_implicit) {
    grad_partials_.resize(
        Shape{static_cast<int>(kernels::conv_weight_grad_scratch_floats(whole, co))});
    kernels::conv2d_weight_grad_implicit(weight_.grad.data(), bias_.grad.data(),
                                         grad_partials_.data(), dy.data(), x.data(), whole, co,
                                         ctx.pool);
  }
  if (dx_winograd) {
    packed_.resize(Shape{static_cast<int>(kernels::conv_winograd_scratch_floats(whole, co))});
    kernels::conv2d_input_grad_winograd(dx->data(), packed_.data(), dy.data(),
                                        weight_.value.data(), whole, co, ctx.pool);
  } else if (dx_implicit) {
    packed_.resize(Shape{static_cast<int>(kernels::conv_implicit_scratch_floats(whole, co))});
    kernels::conv2d_input_grad_implicit(dx->data(), packed_.data(), dy.data(),
                                        weight_.value.data(), whole, co, ctx.pool);
  }
  if (dw_done && (!dx || dx_done)) return;
  const int chunk = chunk_images(batch);
  col_.resize(Shape{k_rows, chunk * plane});
  yt_.resize(Shape{co, chunk * plane});
  for (int b0 = 0; b0 < batch; b0 += chunk) {
    const int n = std::min(chunk, batch - b0);
    const kernels::ConvGeometry g = geometry(n);
    // dyt (Co, n*P) from dy (n, Co, P); dbias += per-channel sums (unless summed above)
    kernels::conv_grad_to_gemm(yt_.data(), dw_done ? nullptr : bias_.grad.data(),
                               dy.data() + b0 * out_image, n, co, plane, ctx.pool);
    if (!dw_done) {
      kernels::im2col(col_.data(), x.data() + b0 * in_image, g, ctx.pool);
      // dweight (Co, K) += dyt (Co, n*P) @ col^T (n*P, K)
      kernels::gemm(weight_.grad.data(), yt_.data(), col_.data(), co, k_rows, n * plane, false,
                    true, true, ctx.pool);
    }
    if (dx && !dx_done) {
      // dcol (K, n*P) = weight^T (K, Co) @ dyt (Co, n*P), written over col (no longer needed)
      kernels::gemm(col_.data(), weight_.value.data(), yt_.data(), k_rows, n * plane, co, true,
                    false, false, ctx.pool);
      kernels::col2im(dx->data() + b0 * in_image, col_.data(), g, ctx.pool);
    }
  }
}

}  // namespace cnnlab
