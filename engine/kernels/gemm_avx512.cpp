// Native GEMM: the packed driver (gemm_packed.h) with an AVX-512 8x32 register-blocked
// micro-kernel (16 zmm accumulators; per k two B vectors and eight broadcasts of A) and AVX-512
// transposing packs. Compiled only natively, and only does anything where __AVX512F__ is on.
#include "kernels/variants.h"

#if defined(__AVX512F__)
#include <immintrin.h>

#include "kernels/conv_implicit.h"
#include "kernels/gemm_packed.h"
#include "kernels/gemm_x86_pack.h"

namespace cnnlab::kernels {

namespace {

// dst[k * R + c] = src[k * ld + c], zero-padded to R columns (R = 8 or 32).
void pack_cols_avx512(float* dst, const float* src, size_t ld, int cols, int R, int kc) {
  if (R == 32) {
    const __mmask16 m0 = cols >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << cols) - 1);
    const __mmask16 m1 = cols >= 32   ? 0xFFFF
                         : cols > 16 ? static_cast<__mmask16>((1u << (cols - 16)) - 1)
                                     : 0;
    for (int k = 0; k < kc; ++k, src += ld, dst += 32) {
      _mm512_storeu_ps(dst, _mm512_maskz_loadu_ps(m0, src));
      _mm512_storeu_ps(dst + 16, _mm512_maskz_loadu_ps(m1, src + 16));
    }
  } else if (R == 8) {
    const __mmask8 m = cols >= 8 ? 0xFF : static_cast<__mmask8>((1u << cols) - 1);
    for (int k = 0; k < kc; ++k, src += ld, dst += 8)
      _mm256_storeu_ps(dst, _mm256_maskz_loadu_ps(m, src));
  } else {
    packed::pack_cols_kmajor(dst, src, ld, cols, R, kc);
  }
}

struct Avx512_8x32 {
  static constexpr int MR = 8, NR = 32, KC = 256, MC = 128, NC = 1024;
  // Read untransposed B in place while it is at most this big (fits L2): measured faster for
  // conv1's small-K products with cache-sized chunks, slower for multi-MB panels.
  static constexpr size_t kDirectBBytes = 3u << 19;  // 1.5 MB

  static void micro(int kc, const float* a, const float* b, size_t b_stride, float* c, size_t ldc,
                    int mr, int nr,
                    bool accumulate) {
    __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
    __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
    __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
    __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
    __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
    __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
    __m512 c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps();
    __m512 c70 = _mm512_setzero_ps(), c71 = _mm512_setzero_ps();
    for (int k = 0; k < kc; ++k, a += 8, b += b_stride) {
      const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
      __m512 x;
      x = _mm512_set1_ps(a[0]); c00 = _mm512_fmadd_ps(x, b0, c00); c01 = _mm512_fmadd_ps(x, b1, c01);
      x = _mm512_set1_ps(a[1]); c10 = _mm512_fmadd_ps(x, b0, c10); c11 = _mm512_fmadd_ps(x, b1, c11);
      x = _mm512_set1_ps(a[2]); c20 = _mm512_fmadd_ps(x, b0, c20); c21 = _mm512_fmadd_ps(x, b1, c21);
      x = _mm512_set1_ps(a[3]); c30 = _mm512_fmadd_ps(x, b0, c30); c31 = _mm512_fmadd_ps(x, b1, c31);
      x = _mm512_set1_ps(a[4]); c40 = _mm512_fmadd_ps(x, b0, c40); c41 = _mm512_fmadd_ps(x, b1, c41);
      x = _mm512_set1_ps(a[5]); c50 = _mm512_fmadd_ps(x, b0, c50); c51 = _mm512_fmadd_ps(x, b1, c51);
      x = _mm512_set1_ps(a[6]); c60 = _mm512_fmadd_ps(x, b0, c60); c61 = _mm512_fmadd_ps(x, b1, c61);
      x = _mm512_set1_ps(a[7]); c70 = _mm512_fmadd_ps(x, b0, c70); c71 = _mm512_fmadd_ps(x, b1, c71);
    }
    const __mmask16 m0 = nr >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32   ? 0xFFFF
                         : nr > 16 ? static_cast<__mmask16>((1u << (nr - 16)) - 1)
                                   : 0;
    const __m512 rows[8][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31},
                               {c40, c41}, {c50, c51}, {c60, c61}, {c70, c71}};
    for (int r = 0; r < mr; ++r) {
      float* cr = c + r * ldc;
      __m512 v0 = rows[r][0], v1 = rows[r][1];
      if (accumulate) {
        v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, cr));
        v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, cr + 16));
      }
      _mm512_mask_storeu_ps(cr, m0, v0);
      _mm512_mask_storeu_ps(cr + 16, m1, v1);
    }
  }
  static void pack_rows(float* dst, const float* src, size_t ld, int rows, int R, int kc) {
    x86::pack_rows_avx(dst, src, ld, rows, R, kc);
  }
  static void pack_cols(float* dst, const float* src, size_t ld, int cols, int R, int kc) {
    pack_cols_avx512(dst, src, ld, cols, R, kc);
  }
};

}  // namespace

void gemm_8x32_avx512(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M,
                      int N, int K, bool trans_a, bool trans_b, bool accumulate) {
  packed::gemm<Avx512_8x32>(C, ldc, A, lda, B, ldb, M, N, K, trans_a, trans_b, accumulate);
}
void conv_8x32_avx512(float* y, const float* x, const float* a_packed, const float* bias,
                      const ConvGeometry& g, int M, int image, int p_begin, int p_end) {
  implicit::conv_block<Avx512_8x32>(y, x, a_packed, bias, g, M, image, p_begin, p_end);
}
void conv_weight_grad_8x32_avx512(float* dw, const float* dy, const float* x,
                                  const ConvGeometry& g, int M, int image_begin, int image_end,
                                  int n_begin, int n_end) {
  implicit::conv_weight_grad_block<Avx512_8x32>(dw, dy, x, g, M, image_begin, image_end, n_begin,
                                                n_end);
}

}  // namespace cnnlab::kernels
#endif
