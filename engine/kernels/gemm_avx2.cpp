// Native GEMM for x86-64 without AVX-512: the packed driver (gemm_packed.h) with an AVX2+FMA 6x16
// register-blocked micro-kernel (12 ymm accumulators; per k two B vectors and six broadcasts).
// Compiled only natively, and only does anything where __AVX2__ and __FMA__ are on.
#include "kernels/variants.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include "kernels/conv_implicit.h"
#include "kernels/gemm_packed.h"
#include "kernels/gemm_x86_pack.h"

namespace cnnlab::kernels {

namespace {

struct Avx2_6x16 {
  static constexpr int MR = 6, NR = 16, KC = 256, MC = 120, NC = 1024;
  // Read untransposed B in place while it is at most this big (fits L2): measured faster for
  // conv1's small-K products with cache-sized chunks, slower for multi-MB panels.
  static constexpr size_t kDirectBBytes = 3u << 19;  // 1.5 MB

  static void micro(int kc, const float* a, const float* b, size_t b_stride, float* c, size_t ldc,
                    int mr, int nr,
                    bool accumulate) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int k = 0; k < kc; ++k, a += 6, b += b_stride) {
      const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
      __m256 x;
      x = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
      x = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
      x = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
      x = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
      x = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);
      x = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51);
    }
    alignas(32) float tile[6][16];
    _mm256_store_ps(tile[0], c00); _mm256_store_ps(tile[0] + 8, c01);
    _mm256_store_ps(tile[1], c10); _mm256_store_ps(tile[1] + 8, c11);
    _mm256_store_ps(tile[2], c20); _mm256_store_ps(tile[2] + 8, c21);
    _mm256_store_ps(tile[3], c30); _mm256_store_ps(tile[3] + 8, c31);
    _mm256_store_ps(tile[4], c40); _mm256_store_ps(tile[4] + 8, c41);
    _mm256_store_ps(tile[5], c50); _mm256_store_ps(tile[5] + 8, c51);
    for (int r = 0; r < mr; ++r) {
      float* cr = c + r * ldc;
      if (nr == 16) {
        __m256 v0 = _mm256_load_ps(tile[r]), v1 = _mm256_load_ps(tile[r] + 8);
        if (accumulate) {
          v0 = _mm256_add_ps(v0, _mm256_loadu_ps(cr));
          v1 = _mm256_add_ps(v1, _mm256_loadu_ps(cr + 8));
        }
        _mm256_storeu_ps(cr, v0);
        _mm256_storeu_ps(cr + 8, v1);
      } else if (accumulate) {
        for (int j = 0; j < nr; ++j) cr[j] += tile[r][j];
      } else {
        for (int j = 0; j < nr; ++j) cr[j] = tile[r][j];
      }
    }
  }
  static void pack_rows(float* dst, const float* src, size_t ld, int rows, int R, int kc) {
    x86::pack_rows_avx(dst, src, ld, rows, R, kc);
  }
  static void pack_cols(float* dst, const float* src, size_t ld, int cols, int R, int kc) {
    packed::pack_cols_kmajor(dst, src, ld, cols, R, kc);
  }
};

}  // namespace

void gemm_6x16_avx2(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M,
                    int N, int K, bool trans_a, bool trans_b, bool accumulate) {
  packed::gemm<Avx2_6x16>(C, ldc, A, lda, B, ldb, M, N, K, trans_a, trans_b, accumulate);
}
void conv_6x16_avx2(float* y, const float* x, const float* a_packed, const float* bias,
                    const ConvGeometry& g, int M, int image, int p_begin, int p_end) {
  implicit::conv_block<Avx2_6x16>(y, x, a_packed, bias, g, M, image, p_begin, p_end);
}
void conv_weight_grad_6x16_avx2(float* dw, const float* dy, const float* x,
                                const ConvGeometry& g, int M, int image_begin, int image_end,
                                int n_begin, int n_end) {
  implicit::conv_weight_grad_block<Avx2_6x16>(dw, dy, x, g, M, image_begin, image_end, n_begin,
                                              n_end);
}

}  // namespace cnnlab::kernels
#endif
