// THE one place that picks which kernel variant each entry point of kernels.h runs, per build:
//   - native: own AVX-512 8x32 GEMM (else AVX2+FMA 6x16, else Eigen) and the implicit-GEMM
//     convolution on the same tile, AVX-512 2x2 max pooling and Adam where available, portable
//     row-copy im2col/col2im, auto-vectorised loops;
//   - Emscripten with SIMD128 (__wasm_simd128__): the hand-written *_wasmsimd kernels
//     (4x8 GEMM tile, also the implicit convolution's) and the portable row-copy im2col/col2im;
//     never Eigen;
//   - anything else: the scalar references.
// Kernels without a specialised version fall back to the scalar one inside each table. Which
// convolution path (implicit GEMM or im2col + GEMM) a shape takes is decided at the end.
//
// [SECTION] index
//   variant sets (tables, kernel_sets(), gemm_variants())
//   entry points
//   threaded overloads
//   convolution: implicit GEMM or im2col, per shape
//   convolution: Winograd, per shape and pass
#include <algorithm>
#include <string>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "kernels/variants.h"

namespace cnnlab::kernels {

namespace {

constexpr KernelSet kScalarSet = {
    "scalar reference",
    gemm_scalar,
    "gemm_scalar",
    {"conv_4x16_scalar", conv_4x16_scalar, 4, 16, 256, conv_weight_grad_4x16_scalar},
    im2col_scalar,
    col2im_scalar,
    conv_output_from_gemm_scalar,
    conv_grad_to_gemm_scalar,
    maxpool2d_forward_scalar,
    maxpool2d_backward_scalar,
    avgpool2d_forward_scalar,
    avgpool2d_backward_scalar,
    relu_forward_scalar,
    relu_backward_scalar,
    scale_by_mask_scalar,
    softmax_xent_forward_scalar,
    softmax_xent_backward_scalar,
    sgd_update_scalar,
    adam_update_scalar,
    sum_squares_scalar,
    scale_scalar,
};

#if !defined(__EMSCRIPTEN__)
// GEMM: own AVX-512 kernel, else own AVX2+FMA kernel, else Eigen. Other kernels: AVX-512 where
// written, else the portable row-copy / auto-vectorised scalar loops.
#if defined(__AVX512F__)
#define CNNLAB_NATIVE(avx512, fallback) avx512
#define CNNLAB_NATIVE_GEMM gemm_8x32_avx512
#define CNNLAB_NATIVE_CONV \
  {"conv_8x32_avx512", conv_8x32_avx512, 8, 32, 256, conv_weight_grad_8x32_avx512}
#define CNNLAB_NATIVE_NAME "native (AVX-512 8x32 GEMM)"
#elif defined(__AVX2__) && defined(__FMA__)
#define CNNLAB_NATIVE(avx512, fallback) fallback
#define CNNLAB_NATIVE_GEMM gemm_6x16_avx2
#define CNNLAB_NATIVE_CONV \
  {"conv_6x16_avx2", conv_6x16_avx2, 6, 16, 256, conv_weight_grad_6x16_avx2}
#define CNNLAB_NATIVE_NAME "native (AVX2+FMA 6x16 GEMM)"
#else
#define CNNLAB_NATIVE(avx512, fallback) fallback
#define CNNLAB_NATIVE_GEMM gemm_eigen
#define CNNLAB_NATIVE_CONV \
  {"conv_4x16_scalar", conv_4x16_scalar, 4, 16, 256, conv_weight_grad_4x16_scalar}
#define CNNLAB_NATIVE_NAME "native (Eigen GEMM)"
#endif
#define CNNLAB_STR2(x) #x
#define CNNLAB_STR(x) CNNLAB_STR2(x)
constexpr KernelSet kNativeSet = {
    CNNLAB_NATIVE_NAME,
    CNNLAB_NATIVE_GEMM,
    CNNLAB_STR(CNNLAB_NATIVE_GEMM),
    CNNLAB_NATIVE_CONV,
    im2col_rowcopy,
    col2im_rowcopy,
    conv_output_from_gemm_scalar,
    conv_grad_to_gemm_lanes,
    CNNLAB_NATIVE(maxpool2d_forward_avx512, maxpool2d_forward_scalar),
    maxpool2d_backward_scalar,
    avgpool2d_forward_scalar,
    avgpool2d_backward_scalar,
    relu_forward_scalar,
    relu_backward_scalar,
    scale_by_mask_scalar,
    softmax_xent_forward_scalar,
    softmax_xent_backward_scalar,
    sgd_update_scalar,
    CNNLAB_NATIVE(adam_update_avx512, adam_update_scalar),
    sum_squares_scalar,
    scale_scalar,
};
#undef CNNLAB_NATIVE
#undef CNNLAB_NATIVE_GEMM
#undef CNNLAB_NATIVE_CONV
#undef CNNLAB_NATIVE_NAME
#undef CNNLAB_STR
#undef CNNLAB_STR2
constexpr KernelSet kSets[] = {kScalarSet, kNativeSet};
constexpr const KernelSet& kActive = kSets[1];
constexpr GemmVariant kGemmVariants[] = {
    {"gemm_scalar", gemm_scalar},
    {"gemm_4x16_scalar", gemm_4x16_scalar},
    {"gemm_eigen", gemm_eigen},
#if defined(__AVX2__) && defined(__FMA__)
    {"gemm_6x16_avx2", gemm_6x16_avx2},
#endif
#if defined(__AVX512F__)
    {"gemm_8x32_avx512", gemm_8x32_avx512},
#endif
};
constexpr ConvImplicitVariant kConvVariants[] = {
    {"conv_4x16_scalar", conv_4x16_scalar, 4, 16, 256, conv_weight_grad_4x16_scalar},
#if defined(__AVX2__) && defined(__FMA__)
    {"conv_6x16_avx2", conv_6x16_avx2, 6, 16, 256, conv_weight_grad_6x16_avx2},
#endif
#if defined(__AVX512F__)
    {"conv_8x32_avx512", conv_8x32_avx512, 8, 32, 256, conv_weight_grad_8x32_avx512},
#endif
};
#elif defined(__wasm_simd128__)
constexpr KernelSet kWasmSet = {
    "wasm simd128 (4x8 GEMM)",
    gemm_4x8_wasmsimd,
    "gemm_4x8_wasmsimd",
    {"conv_4x8_wasmsimd", conv_4x8_wasmsimd, 4, 8, 256, conv_weight_grad_4x8_wasmsimd},
    im2col_rowcopy,
    col2im_rowcopy,
    conv_output_from_gemm_wasmsimd,
    conv_grad_to_gemm_lanes,
    maxpool2d_forward_wasmsimd,
    maxpool2d_backward_scalar,
    avgpool2d_forward_scalar,
    avgpool2d_backward_scalar,
    relu_forward_wasmsimd,
    relu_backward_wasmsimd,
    scale_by_mask_wasmsimd,
    softmax_xent_forward_scalar,
    softmax_xent_backward_scalar,
    sgd_update_wasmsimd,
    adam_update_wasmsimd,
    sum_squares_scalar,
    scale_scalar,
};
constexpr KernelSet kSets[] = {kScalarSet, kWasmSet};
constexpr const KernelSet& kActive = kSets[1];
constexpr GemmVariant kGemmVariants[] = {
    {"gemm_scalar", gemm_scalar},
    {"gemm_4x16_scalar", gemm_4x16_scalar},
    {"gemm_4x16_wasmsimd", gemm_4x16_wasmsimd},
    {"gemm_4x8_wasmsimd", gemm_4x8_wasmsimd},
    {"gemm_2x16_wasmsimd", gemm_2x16_wasmsimd},
};
constexpr ConvImplicitVariant kConvVariants[] = {
    {"conv_4x16_scalar", conv_4x16_scalar, 4, 16, 256, conv_weight_grad_4x16_scalar},
    {"conv_4x8_wasmsimd", conv_4x8_wasmsimd, 4, 8, 256, conv_weight_grad_4x8_wasmsimd},
    {"conv_2x16_wasmsimd", conv_2x16_wasmsimd, 2, 16, 256, conv_weight_grad_2x16_wasmsimd},
};
#else
// Any other target (e.g. Emscripten without -msimd128): the scalar references throughout.
constexpr KernelSet kSets[] = {kScalarSet};
constexpr const KernelSet& kActive = kSets[0];
constexpr GemmVariant kGemmVariants[] = {
    {"gemm_scalar", gemm_scalar},
    {"gemm_4x16_scalar", gemm_4x16_scalar},
};
constexpr ConvImplicitVariant kConvVariants[] = {
    {"conv_4x16_scalar", conv_4x16_scalar, 4, 16, 256, conv_weight_grad_4x16_scalar},
};
#endif

}  // namespace

const KernelSet* kernel_sets(int* count) {
  *count = static_cast<int>(sizeof(kSets) / sizeof(kSets[0]));
  return kSets;
}
const KernelSet& active_kernel_set() { return kActive; }
const GemmVariant* gemm_variants(int* count) {
  *count = static_cast<int>(sizeof(kGemmVariants) / sizeof(kGemmVariants[0]));
  return kGemmVariants;
}

const ConvImplicitVariant* conv_implicit_variants(int* count) {
  *count = static_cast<int>(sizeof(kConvVariants) / sizeof(kConvVariants[0]));
  return kConvVariants;
}

const char* variant_name() { return kActive.name; }

// ---- [SECTION] entry points --------------------------------------------------------------------
void gemm(float* C, const float* A, const float* B, int M, int N, int K, bool trans_a,
          bool trans_b, bool accumulate, ThreadPool* pool) {
  gemm_parallel(kActive.gemm, C, A, B, M, N, K, trans_a, trans_b, accumulate, pool);
}
void im2col(float* col, const float* x, const ConvGeometry& g) {
  kActive.im2col(col, x, g, 0, g.batch);
}
void col2im(float* dx, const float* dcol, const ConvGeometry& g) {
  kActive.col2im(dx, dcol, g, 0, g.batch);
}
void conv_output_from_gemm(float* y, const float* yt, const float* bias, int batch, int out_channels,
                           int plane) {
  kActive.conv_output_from_gemm(y, yt, bias, batch, out_channels, plane, 0, out_channels);
}
void conv_grad_to_gemm(float* dyt, float* dbias, const float* dy, int batch, int out_channels,
                       int plane) {
  kActive.conv_grad_to_gemm(dyt, dbias, dy, batch, out_channels, plane, 0, out_channels);
}
void maxpool2d_forward(float* y, int32_t* argmax, const float* x, int batch, int channels,
                       int height, int width, int kernel, int stride, int out_h, int out_w) {
  kActive.maxpool2d_forward(y, argmax, x, batch, channels, height, width, kernel, stride, out_h,
                            out_w);
}
void maxpool2d_backward(float* dx, const float* dy, const int32_t* argmax, int batch, int channels,
                        int height, int width, int out_h, int out_w) {
  kActive.maxpool2d_backward(dx, dy, argmax, batch, channels, height, width, out_h, out_w);
}
void avgpool2d_forward(float* y, const float* x, int batch, int channels, int height, int width,
                       int kernel, int stride, int out_h, int out_w) {
  kActive.avgpool2d_forward(y, x, batch, channels, height, width, kernel, stride, out_h, out_w);
}
void avgpool2d_backward(float* dx, const float* dy, int batch, int channels, int height, int width,
                        int kernel, int stride, int out_h, int out_w) {
  kActive.avgpool2d_backward(dx, dy, batch, channels, height, width, kernel, stride, out_h, out_w);
}
void relu_forward(float* y, const float* x, size_t n) { kActive.relu_forward(y, x, n); }
void relu_backward(float* dx, const float* dy, const float* y, size_t n) {
  kActive.relu_backward(dx, dy, y, n);
}
void scale_by_mask(float* y, const float* x, const float* mask, size_t n) {
  kActive.scale_by_mask(y, x, mask, n);
}
void dense_forward(float* y, const float* x, const float* w, const float* b, int batch, int in,
                   int out, ThreadPool* pool) {
  dense_forward_via_gemm(kActive.gemm, y, x, w, b, batch, in, out, pool);
}
void dense_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                    const float* w, int batch, int in, int out, ThreadPool* pool) {
  dense_backward_via_gemm(kActive.gemm, dx, dw, db, dy, x, w, batch, in, out, pool);
}
void softmax_xent_forward(float* probs, float* losses, const float* logits, const int32_t* labels,
                          int batch, int classes) {
  kActive.softmax_xent_forward(probs, losses, logits, labels, batch, classes);
}
void softmax_xent_backward(float* dlogits, const float* probs, const int32_t* labels, int batch,
                           int classes) {
  kActive.softmax_xent_backward(dlogits, probs, labels, batch, classes);
}
void sgd_update(float* w, float* velocity, const float* g, size_t n, float lr, float momentum,
                bool nesterov, float l2) {
  kActive.sgd_update(w, velocity, g, n, lr, momentum, nesterov, l2);
}
void adam_update(float* w, float* m, float* v, const float* g, size_t n, float lr, float beta1,
                 float beta2, float eps, float bc1, float bc2, float l2, float decoupled_wd) {
  kActive.adam_update(w, m, v, g, n, lr, beta1, beta2, eps, bc1, bc2, l2, decoupled_wd);
}
double sum_squares(const float* x, size_t n) { return kActive.sum_squares(x, n); }
void scale(float* x, size_t n, float s) { kActive.scale(x, n, s); }
void min_max_sum(float* lo, float* hi, double* sum, const float* x, size_t n) {
  min_max_sum_lanes(lo, hi, sum, x, n);
}

// ---- [SECTION] threaded overloads ----------------------------------------------------------------
namespace {

// Below this many floats touched, waking the pool costs more than the split saves.
constexpr size_t kMinParallelFloats = size_t{1} << 15;

// Runs fn(task, begin, end) over [0, count) split into one contiguous range per thread (ranges
// are multiples of `align`; task numbers the ranges in order, < pool->threads()), or inline as
// task 0 when there is no pool, one thread or little work.
template <typename F>
void split_range_tasks(ThreadPool* pool, size_t count, size_t floats, size_t align, F&& fn) {
  const int threads = pool ? pool->threads() : 1;
  if (threads <= 1 || count < 2 || floats < kMinParallelFloats) {
    fn(0, size_t{0}, count);
    return;
  }
  const size_t tasks = std::min(static_cast<size_t>(threads), count);
  size_t per_task = (count + tasks - 1) / tasks;
  per_task = (per_task + align - 1) / align * align;
  pool->parallel_for(static_cast<int>(tasks), [&](int t) {
    const size_t begin = std::min(count, static_cast<size_t>(t) * per_task);
    const size_t end = std::min(count, begin + per_task);
    if (begin < end) fn(t, begin, end);
  });
}

// The same for work whose result does not depend on the split (everything but min_max_sum's
// partial sums): up to 4 ranges per thread of >= 2^14 floats each, claimed as threads come free,
// so a thread descheduled by a busy machine or browser holds up one small range, not half the
// work (see gemm_parallel).
template <typename F>
void split_range(ThreadPool* pool, size_t count, size_t floats, size_t align, F&& fn) {
  const size_t threads = pool ? static_cast<size_t>(pool->threads()) : 1;
  if (threads <= 1 || count < 2 || floats < kMinParallelFloats) {
    fn(size_t{0}, count);
    return;
  }
  const size_t wanted = std::max(threads, std::min(threads * 4, floats / (kMinParallelFloats / 2)));
  const size_t tasks = std::min(wanted, count);
  size_t per_task = (count + tasks - 1) / tasks;
  per_task = (per_task + align - 1) / align * align;
  pool->parallel_for(static_cast<int>((count + per_task - 1) / per_task), [&](int t) {
    const size_t begin = std::min(count, static_cast<size_t>(t) * per_task);
    const size_t end = std::min(count, begin + per_task);
    if (begin < end) fn(begin, end);
  });
}

// One image (a large kernel's im2col chunk) is split by channels instead: with batch 1 a
// sub-geometry of channels [c0, c1) reads planes c0.. of x and writes rows c0*KH*KW.. of col.
ConvGeometry channel_range(const ConvGeometry& g, size_t c0, size_t c1) {
  ConvGeometry sub = g;
  sub.channels = static_cast<int>(c1 - c0);
  return sub;
}

}  // namespace

void im2col(float* col, const float* x, const ConvGeometry& g, ThreadPool* pool) {
  const size_t floats = static_cast<size_t>(g.col_rows()) * g.col_cols();
  if (g.batch == 1) {
    const size_t taps = static_cast<size_t>(g.kernel_h) * g.kernel_w, cols = g.col_cols();
    const size_t in_plane = static_cast<size_t>(g.height) * g.width;
    split_range(pool, g.channels, floats, 1, [&](size_t c0, size_t c1) {
      kActive.im2col(col + c0 * taps * cols, x + c0 * in_plane, channel_range(g, c0, c1), 0, 1);
    });
    return;
  }
  split_range(pool, g.batch, floats, 1, [&](size_t b0, size_t b1) {
    kActive.im2col(col, x, g, static_cast<int>(b0), static_cast<int>(b1));
  });
}
void col2im(float* dx, const float* dcol, const ConvGeometry& g, ThreadPool* pool) {
  const size_t floats = static_cast<size_t>(g.col_rows()) * g.col_cols();
  if (g.batch == 1) {
    const size_t taps = static_cast<size_t>(g.kernel_h) * g.kernel_w, cols = g.col_cols();
    const size_t in_plane = static_cast<size_t>(g.height) * g.width;
    split_range(pool, g.channels, floats, 1, [&](size_t c0, size_t c1) {
      kActive.col2im(dx + c0 * in_plane, dcol + c0 * taps * cols, channel_range(g, c0, c1), 0, 1);
    });
    return;
  }
  split_range(pool, g.batch, floats, 1, [&](size_t b0, size_t b1) {
    kActive.col2im(dx, dcol, g, static_cast<int>(b0), static_cast<int>(b1));
  });
}
void conv_output_from_gemm(float* y, const float* yt, const float* bias, int batch, int out_channels,
                           int plane, ThreadPool* pool) {
  const size_t floats = static_cast<size_t>(batch) * out_channels * plane;
  split_range(pool, out_channels, floats, 1, [&](size_t c0, size_t c1) {
    kActive.conv_output_from_gemm(y, yt, bias, batch, out_channels, plane, static_cast<int>(c0),
                                  static_cast<int>(c1));
  });
}
void conv_grad_to_gemm(float* dyt, float* dbias, const float* dy, int batch, int out_channels,
                       int plane, ThreadPool* pool) {
  const size_t floats = static_cast<size_t>(batch) * out_channels * plane;
  split_range(pool, out_channels, floats, 1, [&](size_t c0, size_t c1) {
    kActive.conv_grad_to_gemm(dyt, dbias, dy, batch, out_channels, plane, static_cast<int>(c0),
                              static_cast<int>(c1));
  });
}
void maxpool2d_forward(float* y, int32_t* argmax, const float* x, int batch, int channels,
                       int height, int width, int kernel, int stride, int out_h, int out_w,
                       ThreadPool* pool) {
  // Planes are independent: each range runs as a "batch" of one image with that many channels.
  const size_t in_plane = static_cast<size_t>(height) * width;
  const size_t out_plane = static_cast<size_t>(out_h) * out_w;
  const size_t planes = static_cast<size_t>(batch) * channels;
  split_range(pool, planes, planes * in_plane, 1, [&](size_t p0, size_t p1) {
    kActive.maxpool2d_forward(y + p0 * out_plane, argmax + p0 * out_plane, x + p0 * in_plane, 1,
                              static_cast<int>(p1 - p0), height, width, kernel, stride, out_h,
                              out_w);
  });
}
void maxpool2d_backward(float* dx, const float* dy, const int32_t* argmax, int batch, int channels,
                        int height, int width, int out_h, int out_w, ThreadPool* pool) {
  const size_t in_plane = static_cast<size_t>(height) * width;
  const size_t out_plane = static_cast<size_t>(out_h) * out_w;
  const size_t planes = static_cast<size_t>(batch) * channels;
  split_range(pool, planes, planes * in_plane, 1, [&](size_t p0, size_t p1) {
    kActive.maxpool2d_backward(dx + p0 * in_plane, dy + p0 * out_plane, argmax + p0 * out_plane, 1,
                               static_cast<int>(p1 - p0), height, width, out_h, out_w);
  });
}
void relu_forward(float* y, const float* x, size_t n, ThreadPool* pool) {
  split_range(pool, n, n, 64, [&](size_t i0, size_t i1) {
    kActive.relu_forward(y + i0, x + i0, i1 - i0);
  });
}
void relu_backward(float* dx, const float* dy, const float* y, size_t n, ThreadPool* pool) {
  split_range(pool, n, n, 64, [&](size_t i0, size_t i1) {
    kActive.relu_backward(dx + i0, dy + i0, y + i0, i1 - i0);
  });
}
void min_max_sum(float* lo, float* hi, double* sum, const float* x, size_t n, ThreadPool* pool) {
  // One partial result per range (at most one per thread), combined in range order.
  constexpr int kMaxParts = 16;
  float los[kMaxParts], his[kMaxParts];
  double sums[kMaxParts];
  bool used[kMaxParts] = {};
  ThreadPool* split_pool = pool && pool->threads() <= kMaxParts ? pool : nullptr;
  split_range_tasks(split_pool, n, n, 64, [&](int part, size_t i0, size_t i1) {
    min_max_sum_lanes(&los[part], &his[part], &sums[part], x + i0, i1 - i0);
    used[part] = true;
  });
  bool first = true;
  for (int p = 0; p < kMaxParts; ++p) {
    if (!used[p]) continue;
    if (first) {
      *lo = los[p];
      *hi = his[p];
      *sum = sums[p];
      first = false;
    } else {
      *lo = los[p] < *lo ? los[p] : *lo;
      *hi = his[p] > *hi ? his[p] : *hi;
      *sum += sums[p];
    }
  }
}

// ---- [SECTION] convolution: implicit GEMM or im2col, per shape -------------------------------
// Measured per layer on the `cnn` preset's shapes (batch 64, native, 2 threads, a busy machine):
// the implicit forward with the shifted-plane packing (stride 1, `same` width) took 25-35 % less
// time than im2col + GEMM + regrouping for k=3..7; its general per-pixel packing (stride 2,
// `valid`) was slower than im2col's, so those shapes keep the column matrix. The input gradient
// packs dy for a product with only C rows: with few input channels (conv1: 3) the packing
// outweighs the product.
namespace {
bool implicit_packs_fast(const ConvGeometry& g) {
  return g.stride == 1 && g.out_w == g.width && g.kernel_w <= g.width && g.col_rows() > 0;
}
}  // namespace
bool conv_forward_uses_implicit(const ConvGeometry& g, int out_channels) {
  return out_channels > 0 && implicit_packs_fast(g);
}
bool conv_input_grad_uses_implicit(const ConvGeometry& g, int out_channels) {
  return g.stride == 1 && out_channels > 0 && g.channels >= 8 &&
         implicit_packs_fast(input_gradient_geometry(g, out_channels));
}
size_t conv_implicit_scratch_floats(const ConvGeometry& g, int out_channels) {
  const int taps = g.kernel_h * g.kernel_w, mr = kActive.conv_implicit.mr;
  return std::max(conv_packed_weights_floats(out_channels, g.channels * taps, mr),
                  conv_packed_weights_floats(g.channels, out_channels * taps, mr));
}
void conv2d_forward_implicit(float* y, float* scratch, const float* x, const float* w,
                             const float* bias, const ConvGeometry& g, int out_channels,
                             ThreadPool* pool) {
  const ConvImplicitVariant& v = kActive.conv_implicit;
  pack_conv_weights(scratch, w, out_channels, g.channels, g.kernel_h, g.kernel_w, v.mr, v.kc,
                    false, pool);
  conv_implicit_parallel(v.block, v.nr, y, x, scratch, bias, g, out_channels, pool);
}
void conv2d_input_grad_implicit(float* dx, float* scratch, const float* dy, const float* w,
                                const ConvGeometry& g, int out_channels, ThreadPool* pool) {
  require(g.stride == 1, "conv2d input gradient",
          "the implicit-GEMM path needs stride 1 (got " + std::to_string(g.stride) + ")");
  const ConvImplicitVariant& v = kActive.conv_implicit;
  pack_conv_weights(scratch, w, out_channels, g.channels, g.kernel_h, g.kernel_w, v.mr, v.kc,
                    true, pool);
  conv_implicit_parallel(v.block, v.nr, dx, dy, scratch, nullptr,
                         input_gradient_geometry(g, out_channels), g.channels, pool);
}
namespace {
// dbias (Co) += per-channel sums of dy (B, Co, OH, OW), channels split over the pool.
void conv_bias_grad(float* dbias, const float* dy, const ConvGeometry& g, int out_channels,
                    ThreadPool* pool) {
  const int plane = g.out_h * g.out_w;
  const size_t floats = static_cast<size_t>(g.batch) * out_channels * plane;
  split_range(pool, out_channels, floats, 1, [&](size_t c0, size_t c1) {
    conv_bias_grad_lanes(dbias, dy, g.batch, out_channels, plane, static_cast<int>(c0),
                         static_cast<int>(c1));
  });
}
}  // namespace
bool conv_weight_grad_uses_implicit(const ConvGeometry& g, int out_channels) {
  return out_channels > 0 && implicit_packs_fast(g);
}
size_t conv_weight_grad_scratch_floats(const ConvGeometry& g, int out_channels) {
  return static_cast<size_t>(conv_weight_grad_groups(g) - 1) * out_channels * g.col_rows();
}
void conv2d_weight_grad_implicit(float* dweight, float* dbias, float* scratch, const float* dy,
                                 const float* x, const ConvGeometry& g, int out_channels,
                                 ThreadPool* pool) {
  const ConvImplicitVariant& v = kActive.conv_implicit;
  conv_weight_grad_parallel(v.weight_grad, v.nr, dweight, scratch, dy, x, g, out_channels, pool);
  if (dbias) conv_bias_grad(dbias, dy, g, out_channels, pool);
}

// ---- [SECTION] convolution: Winograd, per shape and pass -----------------------------------------
// Winograd where its transforms cost less than the multiply-adds they save: both channel counts
// of at least 16 (conv1, 3 input channels, keeps the implicit GEMM: in WebAssembly Winograd made
// the k=7 `cnn` train at 0.83x with it) and, per pass, kernels of at least the size below.
// Measured with `cnnlab bench --models cnn3,cnn5,cnn7` (the `cnn` preset, batch 64, against the
// implicit GEMM): in WebAssembly (node, 1 thread) training at 1.3x (k=3), 2.0x (k=5) and 2.0x
// (k=7); natively (AVX-512, 1 thread) 1.5x (k=5) and 1.8x (k=7), while k=3 trained no faster
// (0.93-1.05x by pass), so 3x3 layers keep the implicit GEMM there and their results stay
// exactly as before.
namespace {
struct WinogradPolicy {
  int forward_kernel, input_grad_kernel, weight_grad_kernel;  // smallest kernel per pass
  int in_channels, out_channels;                              // fewest channels
};
#if defined(__EMSCRIPTEN__)
constexpr WinogradPolicy kWinograd = {3, 3, 3, 16, 16};
#else
constexpr WinogradPolicy kWinograd = {5, 5, 5, 16, 16};
#endif
bool winograd_pays(const ConvGeometry& g, int out_channels, int min_kernel) {
  return g.kernel_h >= min_kernel && g.channels >= kWinograd.in_channels &&
         out_channels >= kWinograd.out_channels && winograd_supports(g, out_channels);
}
}  // namespace
bool conv_forward_uses_winograd(const ConvGeometry& g, int out_channels) {
  return winograd_pays(g, out_channels, kWinograd.forward_kernel);
}
bool conv_input_grad_uses_winograd(const ConvGeometry& g, int out_channels) {
  return g.stride == 1 && winograd_pays(input_gradient_geometry(g, out_channels), g.channels,
                                        kWinograd.input_grad_kernel);
}
bool conv_weight_grad_uses_winograd(const ConvGeometry& g, int out_channels) {
  return winograd_pays(g, out_channels, kWinograd.weight_grad_kernel);
}
uint64_t conv_forward_multiply_adds(const ConvGeometry& g, int out_channels) {
  if (conv_forward_uses_winograd(g, out_channels)) return winograd_multiply_adds(g, out_channels);
  return static_cast<uint64_t>(g.batch) * g.out_h * g.out_w * static_cast<uint64_t>(out_channels) *
         static_cast<uint64_t>(g.col_rows());
}
size_t conv_winograd_scratch_floats(const ConvGeometry& g, int out_channels) {
  size_t floats = winograd_weights_floats(g, out_channels);
  if (g.stride == 1)
    floats = std::max(floats, winograd_weights_floats(input_gradient_geometry(g, out_channels),
                                                      g.channels));
  return floats;
}
size_t conv_weight_grad_winograd_scratch_floats(const ConvGeometry& g, int out_channels) {
  return winograd_weight_grad_floats(g, out_channels);
}
void conv2d_forward_winograd(float* y, float* scratch, const float* x, const float* w,
                             const float* bias, const ConvGeometry& g, int out_channels,
                             ThreadPool* pool) {
  conv2d_forward_winograd(kActive.gemm, y, scratch, x, w, bias, g, out_channels, pool);
}
void conv2d_input_grad_winograd(float* dx, float* scratch, const float* dy, const float* w,
                                const ConvGeometry& g, int out_channels, ThreadPool* pool) {
  conv2d_input_grad_winograd(kActive.gemm, dx, scratch, dy, w, g, out_channels, pool);
}
void conv2d_weight_grad_winograd(float* dweight, float* dbias, float* scratch, const float* dy,
                                 const float* x, const ConvGeometry& g, int out_channels,
                                 ThreadPool* pool) {
  conv2d_weight_grad_winograd(kActive.gemm, dweight, scratch, dy, x, g, out_channels, pool);
  if (dbias) conv_bias_grad(dbias, dy, g, out_channels, pool);
}

}  // namespace cnnlab::kernels
