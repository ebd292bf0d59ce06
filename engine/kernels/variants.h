// Every kernel variant compiled in this build, for tests and benchmarks (layers call kernels.h).
//
// A variant set is a table of function pointers, one per kernel, for one instruction set:
//   - `scalar`  : plain C++ loops, always compiled, the ground truth of the tests;
//   - `native`  : the fast native kernels (own AVX-512/AVX2 GEMM, auto-vectorised loops);
//   - `wasmsimd`: hand-written WebAssembly SIMD128 kernels (Emscripten only).
// dispatch.cpp owns the tables and picks the active one (see kernel_sets() / active_kernel_set()).
//
// [SECTION] index
//   GEMM block functions and the parallel splitter
//   Scalar references
//   Native variants (not under Emscripten)
//   WebAssembly SIMD variants (Emscripten only)
//   Variant sets
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels.h"

namespace cnnlab::kernels {

// ---- [SECTION] GEMM block functions and the parallel splitter ----------------------------------
// A single-threaded GEMM on a sub-block with explicit leading dimensions (row strides):
// C (M, N; ldc) = op(A) (M, K) @ op(B) (K, N)  (+ C when accumulate).
// A stored (M, K; lda) or (K, M; lda) when trans_a; B stored (K, N; ldb) or (N, K; ldb) when trans_b.
using GemmBlockFn = void (*)(float* C, int ldc, const float* A, int lda, const float* B, int ldb,
                             int M, int N, int K, bool trans_a, bool trans_b, bool accumulate);

// Splits C's columns (or rows, when N is small) into tasks over the pool and runs `block` on each;
// pool may be null. The split is by OUTPUT only, so results do not depend on the thread count.
void gemm_parallel(GemmBlockFn block, float* C, const float* A, const float* B, int M, int N,
                   int K, bool trans_a, bool trans_b, bool accumulate, ThreadPool* pool);

// ---- [SECTION] Scalar references ---------------------------------------------------------------
void gemm_scalar(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M, int N,
                 int K, bool trans_a, bool trans_b, bool accumulate);
// The packed, register-blocked GEMM with a 4x16 plain-C++ micro-kernel: the same structure as
// the SIMD variants, used to test the packing and edge handling on every build.
void gemm_4x16_scalar(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M,
                      int N, int K, bool trans_a, bool trans_b, bool accumulate);

// The conv helpers take a range so the entry points can split them over a ThreadPool: im2col /
// col2im handle images [image_begin, image_end) of g.batch (col2im zeroes only those images of
// dx); the regroupings handle output channels [channel_begin, channel_end) of out_channels.
void im2col_scalar(float* col, const float* x, const ConvGeometry& g, int image_begin,
                   int image_end);
void col2im_scalar(float* dx, const float* dcol, const ConvGeometry& g, int image_begin,
                   int image_end);
void conv_output_from_gemm_scalar(float* y, const float* yt, const float* bias, int batch,
                                  int out_channels, int plane, int channel_begin,
                                  int channel_end);
void conv_grad_to_gemm_scalar(float* dyt, float* dbias, const float* dy, int batch,
                              int out_channels, int plane, int channel_begin, int channel_end);

void maxpool2d_forward_scalar(float* y, int32_t* argmax, const float* x, int batch, int channels,
                              int height, int width, int kernel, int stride, int out_h, int out_w);
void maxpool2d_backward_scalar(float* dx, const float* dy, const int32_t* argmax, int batch,
                               int channels, int height, int width, int out_h, int out_w);
// Outputs [ow_begin, out_w) of output row oh in one plane, by the reference's rule: the
// reference's inner loop and the SIMD variants' tail. y_row, argmax_row: (out_w) (the row);
// x_plane: (H, W) with W = width; argmax holds the index into x_plane.
void maxpool2d_row_scalar(float* y_row, int32_t* argmax_row, const float* x_plane, int width,
                          int kernel, int stride, int oh, int ow_begin, int out_w);
void avgpool2d_forward_scalar(float* y, const float* x, int batch, int channels, int height,
                              int width, int kernel, int stride, int out_h, int out_w);
void avgpool2d_backward_scalar(float* dx, const float* dy, int batch, int channels, int height,
                               int width, int kernel, int stride, int out_h, int out_w);

void relu_forward_scalar(float* y, const float* x, size_t n);
void relu_backward_scalar(float* dx, const float* dy, const float* y, size_t n);
void scale_by_mask_scalar(float* y, const float* x, const float* mask, size_t n);

// Plain loops (single-threaded; pool ignored) — the references for dense layers.
void dense_forward_scalar(float* y, const float* x, const float* w, const float* b, int batch,
                          int in, int out, ThreadPool* pool);
void dense_backward_scalar(float* dx, float* dw, float* db, const float* dy, const float* x,
                           const float* w, int batch, int in, int out, ThreadPool* pool);

void softmax_xent_forward_scalar(float* probs, float* losses, const float* logits,
                                 const int32_t* labels, int batch, int classes);
void softmax_xent_backward_scalar(float* dlogits, const float* probs, const int32_t* labels,
                                  int batch, int classes);

void sgd_update_scalar(float* w, float* velocity, const float* g, size_t n, float lr,
                       float momentum, bool nesterov, float l2);
void adam_update_scalar(float* w, float* m, float* v, const float* g, size_t n, float lr,
                        float beta1, float beta2, float eps, float bc1, float bc2, float l2,
                        float decoupled_wd);
double sum_squares_scalar(const float* x, size_t n);
void scale_scalar(float* x, size_t n, float s);
// min/max/sum in 16 vectorisable lanes (portable; every build dispatches to it).
void min_max_sum_lanes(float* lo, float* hi, double* sum, const float* x, size_t n);

// Portable fast im2col / col2im: per output row, the in-bounds span is computed once and copied
// (or added) without per-pixel bounds tests; compilers vectorise the stride-1 inner loops.
void im2col_rowcopy(float* col, const float* x, const ConvGeometry& g, int image_begin,
                    int image_end);
void col2im_rowcopy(float* dx, const float* dcol, const ConvGeometry& g, int image_begin,
                    int image_end);
// conv_grad_to_gemm with 16 partial bias sums per channel (vectorisable).
void conv_grad_to_gemm_lanes(float* dyt, float* dbias, const float* dy, int batch,
                             int out_channels, int plane, int channel_begin, int channel_end);

// ---- Implicit-GEMM convolution (conv_implicit.h): no column matrix in memory ----------------
// One tile's block: y (M, P) of image `image` (y: (B, M, OH, OW)), output pixels
// [p_begin, p_end), = A @ the im2col columns of x (B, C, H, W) (+ bias (M) when not null), A
// (M, C*KH*KW) packed by pack_conv_weights with the variant's mr and kc. Overwrites.
using ConvBlockFn = void (*)(float* y, const float* x, const float* a_packed, const float* bias,
                             const ConvGeometry& g, int M, int image, int p_begin, int p_end);
// One tile's weight-gradient block: dw (M, K) += sum over images [image_begin, image_end) of
// dy_b (M, P) @ im2col(x_b)^T, for dw's columns [n_begin, n_end). dy (B, M, OH, OW), x of g.
using ConvWeightGradBlockFn = void (*)(float* dw, const float* dy, const float* x,
                                       const ConvGeometry& g, int M, int image_begin,
                                       int image_end, int n_begin, int n_end);
struct ConvImplicitVariant {
  const char* name;  // conv_<MR>x<NR>_<isa>, the tile of the GEMM micro-kernel it reuses
  ConvBlockFn block;
  int mr, nr, kc;  // register tile rows / columns, depth block of the packed weights
  ConvWeightGradBlockFn weight_grad;  // the same tile's weight-gradient block
};
// Floats of packed weights for A (rows, depth) with row tile mr: round_up(rows, mr) * depth.
size_t conv_packed_weights_floats(int rows, int depth, int mr);
// a_packed = A packed in depth blocks (implicit::depth_blocks(K, kc)) of mr-row slivers, k-major.
// Forward: A = w (Co, C*KH*KW); for_input_gradient: A (C, Co*KH*KW) = w with out and in channels
// swapped and the kernel flipped (a stride-1 convolution of dy gives dx). w: (Co, C, KH, KW).
void pack_conv_weights(float* a_packed, const float* w, int out_channels, int channels,
                       int kernel_h, int kernel_w, int mr, int kc, bool for_input_gradient);
// The same, one depth block a task over the pool (may be null).
void pack_conv_weights(float* a_packed, const float* w, int out_channels, int channels,
                       int kernel_h, int kernel_w, int mr, int kc, bool for_input_gradient,
                       ThreadPool* pool);
// The geometry of dx as a stride-1 convolution of dy (g must have stride 1): dy's Co channels of
// (OH, OW) in, (H, W) out, padding KH-1-pad_top / KW-1-pad_left.
ConvGeometry input_gradient_geometry(const ConvGeometry& g, int out_channels);
// Runs `block` over every image of g and pixel ranges of nr-wide slivers, split over the pool
// (pool may be null); results do not depend on the split.
void conv_implicit_parallel(ConvBlockFn block, int nr, float* y, const float* x,
                            const float* a_packed, const float* bias, const ConvGeometry& g,
                            int rows, ThreadPool* pool);
// Image groups the weight gradient sums separately (then adds in order): a function of the shape
// only, never of the thread count, so results are the same on any number of threads.
int conv_weight_grad_groups(const ConvGeometry& g);
// dw (M, K) += the weight gradient over all g.batch images, split over the pool.
// scratch: (conv_weight_grad_groups(g) - 1) * M * K floats (the later groups' partial sums).
void conv_weight_grad_parallel(ConvWeightGradBlockFn block, int nr, float* dw, float* scratch,
                               const float* dy, const float* x, const ConvGeometry& g, int M,
                               ThreadPool* pool);
// Winograd convolution F(m x m, k x k) on 8 x 8 tiles (conv_winograd.cpp), on the given GEMM
// block for its per-bin products. Takes stride 1 and square kernels of 3, 5 or 7 with channel
// counts whose runs of tiles fit its per-thread buffers (winograd_supports); any padding.
bool winograd_supports(const ConvGeometry& g, int out_channels);
// Multiply-adds of the forward pass's per-bin products for g (tiles x bins x C x Co).
uint64_t winograd_multiply_adds(const ConvGeometry& g, int out_channels);
// Floats of scratch: the transformed weights (64 x Co x C), for the forward and input gradient.
size_t winograd_weights_floats(const ConvGeometry& g, int out_channels);
// Floats of scratch for the weight gradient: 8 image groups' partial sums (64 x Co x C each).
size_t winograd_weight_grad_floats(const ConvGeometry& g, int out_channels);
// y (B, Co, OH, OW) = conv(x (B, C, H, W), w (Co, C, k, k)) + bias (Co; may be null); overwrites.
void conv2d_forward_winograd(GemmBlockFn gemm, float* y, float* scratch, const float* x,
                             const float* w, const float* bias, const ConvGeometry& g,
                             int out_channels, ThreadPool* pool);
// dx (B, C, H, W) = the input gradient for dy (B, Co, OH, OW); overwrites dx. Needs
// winograd_supports(input_gradient_geometry(g, Co), C).
void conv2d_input_grad_winograd(GemmBlockFn gemm, float* dx, float* scratch, const float* dy,
                                const float* w, const ConvGeometry& g, int out_channels,
                                ThreadPool* pool);
// dweight (Co, C, k, k) += dy (B, Co, OH, OW) correlated with x (B, C, H, W); the same sums on
// any number of threads.
void conv2d_weight_grad_winograd(GemmBlockFn gemm, float* dweight, float* scratch,
                                 const float* dy, const float* x, const ConvGeometry& g,
                                 int out_channels, ThreadPool* pool);
// dbias (Co) += per-channel sums of dy (B, Co, P) over channels [channel_begin, channel_end), in
// conv_grad_to_gemm_lanes' order (the same sums as it gives for one chunk of all B images).
void conv_bias_grad_lanes(float* dbias, const float* dy, int batch, int out_channels, int plane,
                          int channel_begin, int channel_end);
void conv_4x16_scalar(float* y, const float* x, const float* a_packed, const float* bias,
                      const ConvGeometry& g, int M, int image, int p_begin, int p_end);
void conv_weight_grad_4x16_scalar(float* dw, const float* dy, const float* x,
                                  const ConvGeometry& g, int M, int image_begin, int image_end,
                                  int n_begin, int n_end);

// Dense layers through a GEMM block function (+ bias / bias-gradient loops); the fast sets use these.
void dense_forward_via_gemm(GemmBlockFn block, float* y, const float* x, const float* w,
                            const float* b, int batch, int in, int out, ThreadPool* pool);
void dense_backward_via_gemm(GemmBlockFn block, float* dx, float* dw, float* db, const float* dy,
                             const float* x, const float* w, int batch, int in, int out,
                             ThreadPool* pool);

// ---- [SECTION] Native variants (not under Emscripten) ------------------------------------------
#if !defined(__EMSCRIPTEN__)
// Eigen::Map products (no Eigen threading: gemm_parallel splits).
void gemm_eigen(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M, int N,
                int K, bool trans_a, bool trans_b, bool accumulate);
#if defined(__AVX512F__)
// Packed GEMM with an AVX-512 8x32 register-blocked micro-kernel.
void gemm_8x32_avx512(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M,
                      int N, int K, bool trans_a, bool trans_b, bool accumulate);
void conv_8x32_avx512(float* y, const float* x, const float* a_packed, const float* bias,
                      const ConvGeometry& g, int M, int image, int p_begin, int p_end);
void conv_weight_grad_8x32_avx512(float* dw, const float* dy, const float* x,
                                  const ConvGeometry& g, int M, int image_begin, int image_end,
                                  int n_begin, int n_end);
// 2x2 stride-2 max pooling 16 outputs at a time (other windows: the scalar reference).
void maxpool2d_forward_avx512(float* y, int32_t* argmax, const float* x, int batch, int channels,
                              int height, int width, int kernel, int stride, int out_h, int out_w);
void adam_update_avx512(float* w, float* m, float* v, const float* g, size_t n, float lr,
                        float beta1, float beta2, float eps, float bc1, float bc2, float l2,
                        float decoupled_wd);
#endif
#if defined(__AVX2__) && defined(__FMA__)
// Packed GEMM with an AVX2+FMA 6x16 register-blocked micro-kernel.
void gemm_6x16_avx2(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M,
                    int N, int K, bool trans_a, bool trans_b, bool accumulate);
void conv_6x16_avx2(float* y, const float* x, const float* a_packed, const float* bias,
                    const ConvGeometry& g, int M, int image, int p_begin, int p_end);
void conv_weight_grad_6x16_avx2(float* dw, const float* dy, const float* x,
                                const ConvGeometry& g, int M, int image_begin, int image_end,
                                int n_begin, int n_end);
#endif
#endif

// ---- [SECTION] WebAssembly SIMD variants (Emscripten only) -------------------------------------
#if defined(__wasm_simd128__)
// Packed GEMMs with MR x NR register tiles (NR/4 v128 per row); all edge sizes handled.
void gemm_4x8_wasmsimd(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M,
                       int N, int K, bool trans_a, bool trans_b, bool accumulate);
void gemm_4x16_wasmsimd(float* C, int ldc, const float* A, int lda, const float* B, int ldb,
                        int M, int N, int K, bool trans_a, bool trans_b, bool accumulate);
void gemm_2x16_wasmsimd(float* C, int ldc, const float* A, int lda, const float* B, int ldb,
                        int M, int N, int K, bool trans_a, bool trans_b, bool accumulate);
void conv_4x8_wasmsimd(float* y, const float* x, const float* a_packed, const float* bias,
                       const ConvGeometry& g, int M, int image, int p_begin, int p_end);
void conv_2x16_wasmsimd(float* y, const float* x, const float* a_packed, const float* bias,
                        const ConvGeometry& g, int M, int image, int p_begin, int p_end);
void conv_weight_grad_4x8_wasmsimd(float* dw, const float* dy, const float* x,
                                   const ConvGeometry& g, int M, int image_begin, int image_end,
                                   int n_begin, int n_end);
void conv_weight_grad_2x16_wasmsimd(float* dw, const float* dy, const float* x,
                                    const ConvGeometry& g, int M, int image_begin, int image_end,
                                    int n_begin, int n_end);
// 2x2 stride-2 max pooling 4 outputs at a time (other windows: the scalar reference).
void maxpool2d_forward_wasmsimd(float* y, int32_t* argmax, const float* x, int batch,
                                int channels, int height, int width, int kernel, int stride,
                                int out_h, int out_w);
void relu_forward_wasmsimd(float* y, const float* x, size_t n);
void relu_backward_wasmsimd(float* dx, const float* dy, const float* y, size_t n);
void scale_by_mask_wasmsimd(float* y, const float* x, const float* mask, size_t n);
void conv_output_from_gemm_wasmsimd(float* y, const float* yt, const float* bias, int batch,
                                    int out_channels, int plane, int channel_begin,
                                    int channel_end);
void sgd_update_wasmsimd(float* w, float* velocity, const float* g, size_t n, float lr,
                         float momentum, bool nesterov, float l2);
void adam_update_wasmsimd(float* w, float* m, float* v, const float* g, size_t n, float lr,
                          float beta1, float beta2, float eps, float bc1, float bc2, float l2,
                          float decoupled_wd);
#endif

// ---- [SECTION] Variant sets --------------------------------------------------------------------
// One table per instruction set. Kernels without a specialised version point at the scalar one.
struct KernelSet {
  const char* name;
  GemmBlockFn gemm;
  const char* gemm_name;
  ConvImplicitVariant conv_implicit;
  void (*im2col)(float*, const float*, const ConvGeometry&, int, int);
  void (*col2im)(float*, const float*, const ConvGeometry&, int, int);
  void (*conv_output_from_gemm)(float*, const float*, const float*, int, int, int, int, int);
  void (*conv_grad_to_gemm)(float*, float*, const float*, int, int, int, int, int);
  void (*maxpool2d_forward)(float*, int32_t*, const float*, int, int, int, int, int, int, int, int);
  void (*maxpool2d_backward)(float*, const float*, const int32_t*, int, int, int, int, int, int);
  void (*avgpool2d_forward)(float*, const float*, int, int, int, int, int, int, int, int);
  void (*avgpool2d_backward)(float*, const float*, int, int, int, int, int, int, int, int);
  void (*relu_forward)(float*, const float*, size_t);
  void (*relu_backward)(float*, const float*, const float*, size_t);
  void (*scale_by_mask)(float*, const float*, const float*, size_t);
  void (*softmax_xent_forward)(float*, float*, const float*, const int32_t*, int, int);
  void (*softmax_xent_backward)(float*, const float*, const int32_t*, int, int);
  void (*sgd_update)(float*, float*, const float*, size_t, float, float, bool, float);
  void (*adam_update)(float*, float*, float*, const float*, size_t, float, float, float, float,
                      float, float, float, float);
  double (*sum_squares)(const float*, size_t);
  void (*scale)(float*, size_t, float);
};

// Every set compiled in this build (the scalar set first); count written to *count.
const KernelSet* kernel_sets(int* count);
// The set the entry points of kernels.h dispatch to.
const KernelSet& active_kernel_set();

// Every GEMM block function compiled in this build, by name (for tests and bench_gemm).
struct GemmVariant {
  const char* name;
  GemmBlockFn fn;
};
const GemmVariant* gemm_variants(int* count);
// Every implicit-GEMM convolution tile compiled in this build (for tests and benchmarks).
const ConvImplicitVariant* conv_implicit_variants(int* count);

}  // namespace cnnlab::kernels
