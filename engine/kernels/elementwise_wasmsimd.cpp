// WebAssembly SIMD128 versions of the memory-bound kernels: ReLU, dropout mask, the conv output
// regrouping with bias, 2x2 max pooling and the optimiser updates. Each computes exactly what its
// scalar reference computes (same comparisons, same operation order), four lanes at a time; the
// tails go through the reference.
#include "kernels/variants.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace cnnlab::kernels {

void relu_forward_wasmsimd(float* y, const float* x, size_t n) {
  // and(x, x > 0): NaN and -0 give +0, exactly as `x > 0 ? x : 0` (f32x4.max would keep NaN).
  const v128_t zero = wasm_f32x4_splat(0.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v128_t a = wasm_v128_load(x + i), b = wasm_v128_load(x + i + 4);
    wasm_v128_store(y + i, wasm_v128_and(a, wasm_f32x4_gt(a, zero)));
    wasm_v128_store(y + i + 4, wasm_v128_and(b, wasm_f32x4_gt(b, zero)));
  }
  if (i < n) relu_forward_scalar(y + i, x + i, n - i);
}

void relu_backward_wasmsimd(float* dx, const float* dy, const float* y, size_t n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  size_t i = 0;
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i),
                                          wasm_f32x4_gt(wasm_v128_load(y + i), zero)));
  if (i < n) relu_backward_scalar(dx + i, dy + i, y + i, n - i);
}

void scale_by_mask_wasmsimd(float* y, const float* x, const float* mask, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(y + i, wasm_f32x4_mul(wasm_v128_load(x + i), wasm_v128_load(mask + i)));
  if (i < n) scale_by_mask_scalar(y + i, x + i, mask + i, n - i);
}

void conv_output_from_gemm_wasmsimd(float* y, const float* yt, const float* bias, int batch,
                                    int out_channels, int plane, int channel_begin,
                                    int channel_end) {
  const size_t P = static_cast<size_t>(plane);
  const size_t cols = static_cast<size_t>(batch) * P;
  for (int b = 0; b < batch; ++b)
    for (int c = channel_begin; c < channel_end; ++c) {
      const float add = bias ? bias[c] : 0.0f;
      const v128_t add4 = wasm_f32x4_splat(add);
      const float* src = yt + static_cast<size_t>(c) * cols + b * P;
      float* dst = y + (static_cast<size_t>(b) * out_channels + c) * P;
      size_t p = 0;
      for (; p + 4 <= P; p += 4) wasm_v128_store(dst + p, wasm_f32x4_add(wasm_v128_load(src + p), add4));
      for (; p < P; ++p) dst[p] = src[p] + add;
    }
}

namespace {

// best/index take v (window position index pos) when v > best, or v is NaN and best is not.
inline void take_if_better(v128_t& best, v128_t& index, v128_t v, v128_t pos) {
  const v128_t take = wasm_v128_or(wasm_f32x4_gt(v, best),
                                   wasm_v128_and(wasm_f32x4_ne(v, v), wasm_f32x4_eq(best, best)));
  best = wasm_v128_bitselect(v, best, take);
  index = wasm_v128_bitselect(pos, index, take);
}

}  // namespace

void maxpool2d_forward_wasmsimd(float* y, int32_t* argmax, const float* x, int batch,
                                int channels, int height, int width, int kernel, int stride,
                                int out_h, int out_w) {
  if (kernel != 2 || stride != 2) {
    maxpool2d_forward_scalar(y, argmax, x, batch, channels, height, width, kernel, stride, out_h,
                             out_w);
    return;
  }
  const size_t in_plane = static_cast<size_t>(height) * width;
  const size_t out_plane = static_cast<size_t>(out_h) * out_w;
  const size_t planes = static_cast<size_t>(batch) * channels;
  const v128_t lane2 = wasm_i32x4_make(0, 2, 4, 6);
  const v128_t one = wasm_i32x4_splat(1), down = wasm_i32x4_splat(width),
               down_right = wasm_i32x4_splat(width + 1);
  for (size_t p = 0; p < planes; ++p) {
    const float* xp = x + p * in_plane;
    float* yp = y + p * out_plane;
    int32_t* ap = argmax + p * out_plane;
    for (int oh = 0; oh < out_h; ++oh) {
      const float* r0 = xp + static_cast<size_t>(2 * oh) * width;
      const float* r1 = r0 + width;
      int ow = 0;
      for (; ow + 4 <= out_w; ow += 4) {
        const v128_t lo0 = wasm_v128_load(r0 + 2 * ow), hi0 = wasm_v128_load(r0 + 2 * ow + 4);
        const v128_t lo1 = wasm_v128_load(r1 + 2 * ow), hi1 = wasm_v128_load(r1 + 2 * ow + 4);
        const v128_t a = wasm_i32x4_shuffle(lo0, hi0, 0, 2, 4, 6);
        const v128_t b = wasm_i32x4_shuffle(lo0, hi0, 1, 3, 5, 7);
        const v128_t c = wasm_i32x4_shuffle(lo1, hi1, 0, 2, 4, 6);
        const v128_t d = wasm_i32x4_shuffle(lo1, hi1, 1, 3, 5, 7);
        const v128_t base = wasm_i32x4_add(wasm_i32x4_splat(2 * oh * width + 2 * ow), lane2);
        v128_t best = a, index = base;
        take_if_better(best, index, b, wasm_i32x4_add(base, one));
        take_if_better(best, index, c, wasm_i32x4_add(base, down));
        take_if_better(best, index, d, wasm_i32x4_add(base, down_right));
        wasm_v128_store(yp + oh * out_w + ow, best);
        wasm_v128_store(ap + oh * out_w + ow, index);
      }
      maxpool2d_row_scalar(yp + oh * out_w, ap + oh * out_w, xp, width, 2, 2, oh, ow, out_w);
    }
  }
}

void sgd_update_wasmsimd(float* w, float* velocity, const float* g, size_t n, float lr,
                         float momentum, bool nesterov, float l2) {
  const v128_t vlr = wasm_f32x4_splat(lr), vmom = wasm_f32x4_splat(momentum),
               vl2 = wasm_f32x4_splat(l2);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t wi = wasm_v128_load(w + i);
    const v128_t grad = wasm_f32x4_add(wasm_v128_load(g + i), wasm_f32x4_mul(vl2, wi));
    const v128_t v = wasm_f32x4_add(wasm_f32x4_mul(vmom, wasm_v128_load(velocity + i)), grad);
    wasm_v128_store(velocity + i, v);
    const v128_t step = nesterov ? wasm_f32x4_add(grad, wasm_f32x4_mul(vmom, v)) : v;
    wasm_v128_store(w + i, wasm_f32x4_sub(wi, wasm_f32x4_mul(vlr, step)));
  }
  if (i < n) sgd_update_scalar(w + i, velocity + i, g + i, n - i, lr, momentum, nesterov, l2);
}

void adam_update_wasmsimd(float* w, float* m, float* v, const float* g, size_t n, float lr,
                          float beta1, float beta2, float eps, float bc1, float bc2, float l2,
                          float decoupled_wd) {
  const v128_t vb1 = wasm_f32x4_splat(beta1), vb2 = wasm_f32x4_splat(beta2);
  const v128_t va1 = wasm_f32x4_splat(1.0f - beta1), va2 = wasm_f32x4_splat(1.0f - beta2);
  const v128_t vbc1 = wasm_f32x4_splat(bc1), vbc2 = wasm_f32x4_splat(bc2);
  const v128_t veps = wasm_f32x4_splat(eps), vlr = wasm_f32x4_splat(lr), vl2 = wasm_f32x4_splat(l2);
  const v128_t vwd = wasm_f32x4_splat(lr * decoupled_wd);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t wi = wasm_v128_load(w + i);
    const v128_t grad = wasm_f32x4_add(wasm_v128_load(g + i), wasm_f32x4_mul(vl2, wi));
    const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(vb1, wasm_v128_load(m + i)),
                                     wasm_f32x4_mul(va1, grad));
    const v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(vb2, wasm_v128_load(v + i)),
                                     wasm_f32x4_mul(wasm_f32x4_mul(va2, grad), grad));
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
    const v128_t step =
        wasm_f32x4_div(wasm_f32x4_mul(vlr, wasm_f32x4_div(mi, vbc1)),
                       wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, vbc2)), veps));
    wasm_v128_store(w + i, wasm_f32x4_sub(wi, wasm_f32x4_add(step, wasm_f32x4_mul(vwd, wi))));
  }
  if (i < n)
    adam_update_scalar(w + i, m + i, v + i, g + i, n - i, lr, beta1, beta2, eps, bc1, bc2, l2,
                       decoupled_wd);
}

}  // namespace cnnlab::kernels
#endif
