// The engine's compute kernels: the entry points layers and optimisers call.
//
// Conventions (after karpathy/llm.c):
//   - free functions on raw pointers: outputs first, then inputs, then sizes;
//   - every buffer argument carries its shape in a comment;
//   - kernels never allocate and never know about layers;
//   - `_backward` ACCUMULATES (+=) into parameter gradients (dweight, dbias) so that callers can
//     sum over chunks of a batch; input gradients (dx) are OVERWRITTEN unless stated otherwise.
//
// Each entry point below forwards to one variant chosen in dispatch.cpp (the one place that
// picks): a scalar reference (`*_scalar`, always compiled, the ground truth in tests), a native
// variant (Eigen or hand-vectorised) and a WebAssembly SIMD variant (`*_wasmsimd`). The variants
// are declared in variants.h for tests and benchmarks; layers only ever call what is here.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace cnnlab {
class ThreadPool;
}

namespace cnnlab::kernels {

// Name of the variant set this build dispatches to, e.g. "native (Eigen, AVX2+FMA)", "wasm simd128".
const char* variant_name();

// ---- GEMM ---------------------------------------------------------------------------------------
// C (M, N) = op(A) (M, K) @ op(B) (K, N)   (+ C when accumulate)
// A is stored (M, K) row-major, or (K, M) when trans_a; B is stored (K, N), or (N, K) when trans_b.
// All matrices are dense row-major (leading dimension = number of columns as stored).
// pool may be null (single thread); the output is split across the pool's threads.
void gemm(float* C, const float* A, const float* B, int M, int N, int K, bool trans_a,
          bool trans_b, bool accumulate, ThreadPool* pool);

// ---- Convolution helpers (im2col + GEMM) --------------------------------------------------------
// Geometry of one conv2d call. pad_top/pad_left may differ from bottom/right for `same` padding
// with an even kernel (extra row/column at bottom/right, as TensorFlow); out_h/out_w are given.
struct ConvGeometry {
  int batch, channels, height, width;  // input (B, C, H, W)
  int kernel_h, kernel_w, stride;
  int pad_top, pad_left;
  int out_h, out_w;
  int col_rows() const { return channels * kernel_h * kernel_w; }         // K of the GEMM
  int col_cols() const { return batch * out_h * out_w; }                  // N of the GEMM
};

// One (kh, kw) row of a stride-1 `same` im2col (out_w == width) as a shifted copy of the input
// plane: output pixel q reads input index q + shift. Only pixels [copy_begin, copy_end) (the
// output rows [row_begin, row_end) that have an input row) are copied, the rest is zero; of the
// copied rows, the |dw| columns at the right (dw > 0) or left (dw < 0) read the neighbouring row
// and must be zeroed too. Shared by im2col_shifted_planes and the implicit GEMM's packing.
struct ShiftedRow {
  int dw;
  int row_begin, row_end;
  long shift, copy_begin, copy_end;
};
inline ShiftedRow shifted_row(const ConvGeometry& g, int kh, int kw) {
  const int W = g.width;
  const long in_plane = static_cast<long>(g.height) * W;
  ShiftedRow r;
  const int dh = kh - g.pad_top;
  r.dw = kw - g.pad_left;
  r.row_begin = dh < 0 ? -dh : 0;
  r.row_end = std::max(r.row_begin, std::min(g.out_h, g.height - dh));
  r.shift = static_cast<long>(dh) * W + r.dw;
  const long d0 = static_cast<long>(r.row_begin) * W, d1 = static_cast<long>(r.row_end) * W;
  r.copy_begin = std::min(d1, std::max(d0, -r.shift));
  r.copy_end = std::max(r.copy_begin, std::min(d1, in_plane - r.shift));
  return r;
}

// col (C*KH*KW, B*OH*OW): row r = (c*KH + kh)*KW + kw, column = (b*OH + oh)*OW + ow;
// zero where the window falls in padding.
void im2col(float* col, const float* x /* (B, C, H, W) */, const ConvGeometry& g);
// dx (B, C, H, W) = col2im(dcol): sums each column entry back into the input pixel it came from.
// Overwrites dx.
void col2im(float* dx, const float* dcol /* (C*KH*KW, B*OH*OW) */, const ConvGeometry& g);

// y (B, Co, P) = yt (Co, B*P) transposed per image, plus bias (Co) per channel. P = OH*OW.
void conv_output_from_gemm(float* y, const float* yt, const float* bias, int batch, int out_channels,
                           int plane);
// dyt (Co, B*P) = dy (B, Co, P) regrouped for the weight-gradient GEMM; dbias (Co) += sums.
void conv_grad_to_gemm(float* dyt, float* dbias, const float* dy, int batch, int out_channels,
                       int plane);

// ---- Convolution without a column matrix (implicit GEMM) --------------------------------------
// The GEMM's B panels are packed straight from the image and its tiles stored straight into the
// (B, Co, OH, OW) output: no im2col / col2im pass and no regrouping. Which path a conv2d layer
// takes for a shape (these calls, or im2col + gemm + the helpers above) is decided here, in
// dispatch.cpp, from measurements; g.batch is the number of images of the call.
bool conv_forward_uses_implicit(const ConvGeometry& g, int out_channels);
// Only for stride 1 (dx is then a stride-1 convolution of dy); false otherwise.
bool conv_input_grad_uses_implicit(const ConvGeometry& g, int out_channels);
// Floats of scratch (the packed weights) the two calls below need for g and out_channels.
size_t conv_implicit_scratch_floats(const ConvGeometry& g, int out_channels);
// y (B, Co, OH, OW) = conv(x (B, C, H, W), w (Co, C, KH, KW)) + bias (Co; may be null).
// Overwrites y. scratch: conv_implicit_scratch_floats(g, Co) floats.
void conv2d_forward_implicit(float* y, float* scratch, const float* x, const float* w,
                             const float* bias, const ConvGeometry& g, int out_channels,
                             ThreadPool* pool);
// dx (B, C, H, W) = the input gradient of that convolution for dy (B, Co, OH, OW); overwrites dx.
// g.stride must be 1 (throws Error otherwise: use im2col's path, gemm + col2im).
void conv2d_input_grad_implicit(float* dx, float* scratch, const float* dy, const float* w,
                                const ConvGeometry& g, int out_channels, ThreadPool* pool);
bool conv_weight_grad_uses_implicit(const ConvGeometry& g, int out_channels);
// Floats of scratch conv2d_weight_grad_implicit needs (partial sums of image groups; may be 0).
size_t conv_weight_grad_scratch_floats(const ConvGeometry& g, int out_channels);
// dweight (Co, C, KH, KW) += dy (B, Co, OH, OW) correlated with x (B, C, H, W); dbias (Co) +=
// sums of dy (skipped when null). The same sums on any number of threads.
void conv2d_weight_grad_implicit(float* dweight, float* dbias, float* scratch, const float* dy,
                                 const float* x, const ConvGeometry& g, int out_channels,
                                 ThreadPool* pool);

// ---- Winograd convolution (8 x 8 tiles: F(6x6, 3x3), F(4x4, 5x5), F(2x2, 7x7); stride 1) -------
// Fewer multiply-adds than any GEMM form of the convolution for large kernels with enough
// channels, at the cost of transforms and of rounding in them (about 1e-6 of the outputs'
// magnitude). dispatch.cpp decides per shape and pass, from measurements; these calls come first
// in a conv2d layer, the implicit GEMM and im2col after them.
bool conv_forward_uses_winograd(const ConvGeometry& g, int out_channels);
bool conv_input_grad_uses_winograd(const ConvGeometry& g, int out_channels);
bool conv_weight_grad_uses_winograd(const ConvGeometry& g, int out_channels);
// Multiply-adds the forward pass of g does in this build: the Winograd path's per-bin products
// where it takes the shape (fewer than the direct form's), B*OH*OW*Co*C*KH*KW otherwise. For
// estimates of time; the lab's "MACs" stay the direct form's, the same in every build.
uint64_t conv_forward_multiply_adds(const ConvGeometry& g, int out_channels);
// Floats of scratch the forward and input-gradient calls need (the transformed weights and a
// channels-last copy of x or dy).
size_t conv_winograd_scratch_floats(const ConvGeometry& g, int out_channels);
// Floats of scratch the weight-gradient call needs (partial sums of 8 groups of images).
size_t conv_weight_grad_winograd_scratch_floats(const ConvGeometry& g, int out_channels);
// As conv2d_forward_implicit / conv2d_input_grad_implicit / conv2d_weight_grad_implicit.
void conv2d_forward_winograd(float* y, float* scratch, const float* x, const float* w,
                             const float* bias, const ConvGeometry& g, int out_channels,
                             ThreadPool* pool);
void conv2d_input_grad_winograd(float* dx, float* scratch, const float* dy, const float* w,
                                const ConvGeometry& g, int out_channels, ThreadPool* pool);
void conv2d_weight_grad_winograd(float* dweight, float* dbias, float* scratch, const float* dy,
                                 const float* x, const ConvGeometry& g, int out_channels,
                                 ThreadPool* pool);

// ---- Pooling (valid windows only: OH = (H - K) / stride + 1) -----------------------------------
void maxpool2d_forward(float* y /* (B, C, OH, OW) */, int32_t* argmax /* (B, C, OH, OW) index into
                       the input plane */, const float* x /* (B, C, H, W) */, int batch,
                       int channels, int height, int width, int kernel, int stride, int out_h,
                       int out_w);
// dx (B, C, H, W) is overwritten (zeroed, then scattered into).
void maxpool2d_backward(float* dx, const float* dy /* (B, C, OH, OW) */,
                        const int32_t* argmax /* (B, C, OH, OW) */, int batch, int channels,
                        int height, int width, int out_h, int out_w);
void avgpool2d_forward(float* y /* (B, C, OH, OW) */, const float* x /* (B, C, H, W) */, int batch,
                       int channels, int height, int width, int kernel, int stride, int out_h,
                       int out_w);
void avgpool2d_backward(float* dx /* (B, C, H, W), overwritten */,
                        const float* dy /* (B, C, OH, OW) */, int batch, int channels, int height,
                        int width, int kernel, int stride, int out_h, int out_w);

// ---- Elementwise --------------------------------------------------------------------------------
void relu_forward(float* y, const float* x, size_t n);               // y (n) = max(x, 0)
void relu_backward(float* dx, const float* dy, const float* y, size_t n);  // dx = dy * (y > 0)
// y = x * mask, where mask holds 0 or 1/(1-rate) (inverted dropout); dx = dy * mask likewise.
void scale_by_mask(float* y, const float* x, const float* mask, size_t n);

// ---- Dense (fully connected, PyTorch layout) ---------------------------------------------------
// y (B, O) = x (B, I) @ w^T + b; w (O, I), b (O).
void dense_forward(float* y, const float* x, const float* w, const float* b, int batch, int in,
                   int out, ThreadPool* pool);
// dw (O, I) += dy^T @ x; db (O) += column sums of dy; dx (B, I) = dy @ w (skipped when dx null).
void dense_backward(float* dx, float* dw, float* db, const float* dy /* (B, O) */,
                    const float* x /* (B, I) */, const float* w /* (O, I) */, int batch, int in,
                    int out, ThreadPool* pool);

// ---- Loss ---------------------------------------------------------------------------------------
// probs (B, K) = softmax(logits (B, K)); losses (B) = -log probs[label]. Numerically stable.
void softmax_xent_forward(float* probs, float* losses, const float* logits,
                          const int32_t* labels /* (B) */, int batch, int classes);
// dlogits (B, K) = (probs - onehot(label)) / B  (gradient of the MEAN loss). Overwrites.
void softmax_xent_backward(float* dlogits, const float* probs, const int32_t* labels, int batch,
                           int classes);

// ---- Optimiser updates (n parameters, in place) ------------------------------------------------
// SGD with momentum: g' = g + l2*w; v = momentum*v + g'; w -= lr * (nesterov ? g' + momentum*v : v).
void sgd_update(float* w, float* velocity, const float* g, size_t n, float lr, float momentum,
                bool nesterov, float l2);
// Adam/AdamW: g' = g + l2*w; m = b1 m + (1-b1) g'; v = b2 v + (1-b2) g'^2;
// w -= lr * (m / bc1) / (sqrt(v / bc2) + eps) + lr * decoupled_wd * w
// bc1 = 1 - b1^t, bc2 = 1 - b2^t are computed by the caller (the optimiser knows t).
void adam_update(float* w, float* m, float* v, const float* g, size_t n, float lr, float beta1,
                 float beta2, float eps, float bc1, float bc2, float l2, float decoupled_wd);

// Sum of squares of n floats (for gradient-norm clipping), accumulated in double.
double sum_squares(const float* x, size_t n);
// x *= s
void scale(float* x, size_t n, float s);
// Minimum, maximum and sum of n >= 1 floats (per-layer activation/gradient statistics), in one
// vectorised pass; the sum is accumulated in double across blocks. NaNs are skipped by min/max
// (only NaNs: lo = +inf, hi = -inf) but make the sum NaN.
void min_max_sum(float* lo, float* hi, double* sum, const float* x, size_t n);

// ---- Threaded overloads of the memory-bound kernels ---------------------------------------------
// Same contracts and bit-identical results as the calls above, with the work split over the pool
// (by image, channel, plane or element range; pool may be null). At batch 64 these passes are a
// third of a native training step when they run on one thread, so layers should pass ctx.pool.
void im2col(float* col, const float* x, const ConvGeometry& g, ThreadPool* pool);
void col2im(float* dx, const float* dcol, const ConvGeometry& g, ThreadPool* pool);
void conv_output_from_gemm(float* y, const float* yt, const float* bias, int batch, int out_channels,
                           int plane, ThreadPool* pool);
void conv_grad_to_gemm(float* dyt, float* dbias, const float* dy, int batch, int out_channels,
                       int plane, ThreadPool* pool);
void maxpool2d_forward(float* y, int32_t* argmax, const float* x, int batch, int channels,
                       int height, int width, int kernel, int stride, int out_h, int out_w,
                       ThreadPool* pool);
void maxpool2d_backward(float* dx, const float* dy, const int32_t* argmax, int batch, int channels,
                        int height, int width, int out_h, int out_w, ThreadPool* pool);
void relu_forward(float* y, const float* x, size_t n, ThreadPool* pool);
void relu_backward(float* dx, const float* dy, const float* y, size_t n, ThreadPool* pool);
void min_max_sum(float* lo, float* hi, double* sum, const float* x, size_t n, ThreadPool* pool);

}  // namespace cnnlab::kernels
