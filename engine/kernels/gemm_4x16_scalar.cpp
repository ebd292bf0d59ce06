// The packed GEMM driver (gemm_packed.h) with a plain C++ 4x16 micro-kernel: the same structure
// as the SIMD variants, compiled on every build so the packing and edge handling are tested
// everywhere, and a portable fallback that compilers can auto-vectorise.
#include "kernels/conv_implicit.h"
#include "kernels/gemm_packed.h"
#include "kernels/variants.h"

namespace cnnlab::kernels {

namespace {

struct Scalar4x16 {
  static constexpr int MR = 4, NR = 16, KC = 256, MC = 128, NC = 1024;
  // Always reads untransposed B in place, so the tests cover that path on every build.
  static constexpr size_t kDirectBBytes = ~size_t{0};

  // C tile (mr, nr; ldc) (+)= Ap (kc, MR) k-major sliver @ B (kc, NR; rows b_stride apart).
  static void micro(int kc, const float* a, const float* b, size_t b_stride, float* c, size_t ldc,
                    int mr, int nr,
                    bool accumulate) {
    float acc[MR][NR] = {};
    for (int k = 0; k < kc; ++k, a += MR, b += b_stride)
      for (int r = 0; r < MR; ++r)
        for (int j = 0; j < NR; ++j) acc[r][j] += a[r] * b[j];
    for (int r = 0; r < mr; ++r) {
      float* cr = c + r * ldc;
      if (accumulate)
        for (int j = 0; j < nr; ++j) cr[j] += acc[r][j];
      else
        for (int j = 0; j < nr; ++j) cr[j] = acc[r][j];
    }
  }
  static void pack_rows(float* dst, const float* src, size_t ld, int rows, int R, int kc) {
    packed::pack_rows_kmajor(dst, src, ld, rows, R, kc);
  }
  static void pack_cols(float* dst, const float* src, size_t ld, int cols, int R, int kc) {
    packed::pack_cols_kmajor(dst, src, ld, cols, R, kc);
  }
};

}  // namespace

void gemm_4x16_scalar(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M,
                      int N, int K, bool trans_a, bool trans_b, bool accumulate) {
  packed::gemm<Scalar4x16>(C, ldc, A, lda, B, ldb, M, N, K, trans_a, trans_b, accumulate);
}
void conv_4x16_scalar(float* y, const float* x, const float* a_packed, const float* bias,
                      const ConvGeometry& g, int M, int image, int p_begin, int p_end) {
  implicit::conv_block<Scalar4x16>(y, x, a_packed, bias, g, M, image, p_begin, p_end);
}
void conv_weight_grad_4x16_scalar(float* dw, const float* dy, const float* x,
                                  const ConvGeometry& g, int M, int image_begin, int image_end,
                                  int n_begin, int n_end) {
  implicit::conv_weight_grad_block<Scalar4x16>(dw, dy, x, g, M, image_begin, image_end, n_begin,
                                               n_end);
}

}  // namespace cnnlab::kernels
