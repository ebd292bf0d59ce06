// Scalar references of the elementwise kernels (ReLU, dropout mask) and of the dense layer, plus
// the dense layer through any GEMM block function (what the fast variant sets use).
#include <algorithm>

#include "kernels/variants.h"

namespace cnnlab::kernels {

void relu_forward_scalar(float* y, const float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_backward_scalar(float* dx, const float* dy, const float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void scale_by_mask_scalar(float* y, const float* x, const float* mask, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] * mask[i];
}

void dense_forward_scalar(float* y, const float* x, const float* w, const float* b, int batch,
                          int in, int out, ThreadPool* /*pool*/) {
  for (int n = 0; n < batch; ++n)
    for (int o = 0; o < out; ++o) {
      const float* xr = x + static_cast<size_t>(n) * in;
      const float* wr = w + static_cast<size_t>(o) * in;
      float sum = 0.0f;
      for (int i = 0; i < in; ++i) sum += xr[i] * wr[i];
      y[static_cast<size_t>(n) * out + o] = sum + (b ? b[o] : 0.0f);
    }
}

void dense_backward_scalar(float* dx, float* dw, float* db, const float* dy, const float* x,
                           const float* w, int batch, int in, int out, ThreadPool* /*pool*/) {
  for (int o = 0; o < out; ++o) {
    float* dwr = dw + static_cast<size_t>(o) * in;
    float bias_sum = 0.0f;
    for (int n = 0; n < batch; ++n) {
      const float g = dy[static_cast<size_t>(n) * out + o];
      const float* xr = x + static_cast<size_t>(n) * in;
      for (int i = 0; i < in; ++i) dwr[i] += g * xr[i];
      bias_sum += g;
    }
    if (db) db[o] += bias_sum;
  }
  if (!dx) return;
  for (int n = 0; n < batch; ++n) {
    float* dxr = dx + static_cast<size_t>(n) * in;
    std::fill(dxr, dxr + in, 0.0f);
    for (int o = 0; o < out; ++o) {
      const float g = dy[static_cast<size_t>(n) * out + o];
      const float* wr = w + static_cast<size_t>(o) * in;
      for (int i = 0; i < in; ++i) dxr[i] += g * wr[i];
    }
  }
}

void dense_forward_via_gemm(GemmBlockFn block, float* y, const float* x, const float* w,
                            const float* b, int batch, int in, int out, ThreadPool* pool) {
  // y (B, O) = x (B, I) @ w^T, w stored (O, I).
  gemm_parallel(block, y, x, w, batch, out, in, false, true, false, pool);
  if (!b) return;
  for (int n = 0; n < batch; ++n) {
    float* yr = y + static_cast<size_t>(n) * out;
    for (int o = 0; o < out; ++o) yr[o] += b[o];
  }
}

void dense_backward_via_gemm(GemmBlockFn block, float* dx, float* dw, float* db, const float* dy,
                             const float* x, const float* w, int batch, int in, int out,
                             ThreadPool* pool) {
  // dw (O, I) += dy^T (O, B) @ x (B, I).
  gemm_parallel(block, dw, dy, x, out, in, batch, true, false, true, pool);
  if (db)
    for (int n = 0; n < batch; ++n) {
      const float* dyr = dy + static_cast<size_t>(n) * out;
      for (int o = 0; o < out; ++o) db[o] += dyr[o];
    }
  // dx (B, I) = dy (B, O) @ w (O, I).
  if (dx) gemm_parallel(block, dx, dy, w, batch, in, out, false, false, false, pool);
}

}  // namespace cnnlab::kernels
