// Native GEMM: the packed driver (gemm_packed.h) with an AVX-512 8x32 register-blocked
// micro-kernel (16 zmm accumulators; per k two B vectors and eight broadcasts of A) and AVX-512
// transposing packs. Compiled only natively, and only does anything where __AVX512F__ is on.
#include "kernels/variants.h"

#if defined(__AVX512F__)
#include <immintrin.h>

#include "kernels/gemm_packed.h"

namespace cnnlab::kernels {

namespace {

// 8x8 transpose of rows r0..r7 (8 floats each) into columns, AVX2 shuffles.
inline void transpose8x8(__m256& r0, __m256& r1, __m256& r2, __m256& r3, __m256& r4, __m256& r5,
                         __m256& r6, __m256& r7) {
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r0 = _mm256_permute2f128_ps(s0, s4, 0x20);
  r1 = _mm256_permute2f128_ps(s1, s5, 0x20);
  r2 = _mm256_permute2f128_ps(s2, s6, 0x20);
  r3 = _mm256_permute2f128_ps(s3, s7, 0x20);
  r4 = _mm256_permute2f128_ps(s0, s4, 0x31);
  r5 = _mm256_permute2f128_ps(s1, s5, 0x31);
  r6 = _mm256_permute2f128_ps(s2, s6, 0x31);
  r7 = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// dst[k * R + r] = src[r * ld + k]: 8-row groups are transposed 8x8 at a time; partial groups
// and the k tail go through the generic loop.
void pack_rows_avx(float* dst, const float* src, size_t ld, int rows, int R, int kc) {
  const int full_groups = rows / 8;
  const int k8 = kc / 8 * 8;
  for (int g = 0; g < full_groups; ++g) {
    const float* s = src + static_cast<size_t>(g) * 8 * ld;
    float* d = dst + g * 8;
    for (int k = 0; k < k8; k += 8) {
      __m256 r0 = _mm256_loadu_ps(s + 0 * ld + k), r1 = _mm256_loadu_ps(s + 1 * ld + k);
      __m256 r2 = _mm256_loadu_ps(s + 2 * ld + k), r3 = _mm256_loadu_ps(s + 3 * ld + k);
      __m256 r4 = _mm256_loadu_ps(s + 4 * ld + k), r5 = _mm256_loadu_ps(s + 5 * ld + k);
      __m256 r6 = _mm256_loadu_ps(s + 6 * ld + k), r7 = _mm256_loadu_ps(s + 7 * ld + k);
      transpose8x8(r0, r1, r2, r3, r4, r5, r6, r7);
      float* o = d + static_cast<size_t>(k) * R;
      _mm256_storeu_ps(o + 0 * R, r0);
      _mm256_storeu_ps(o + 1 * R, r1);
      _mm256_storeu_ps(o + 2 * R, r2);
      _mm256_storeu_ps(o + 3 * R, r3);
      _mm256_storeu_ps(o + 4 * R, r4);
      _mm256_storeu_ps(o + 5 * R, r5);
      _mm256_storeu_ps(o + 6 * R, r6);
      _mm256_storeu_ps(o + 7 * R, r7);
    }
    for (int k = k8; k < kc; ++k)
      for (int r = 0; r < 8; ++r) d[static_cast<size_t>(k) * R + r] = s[r * ld + k];
  }
  const int done = full_groups * 8;
  for (int k = 0; k < kc; ++k) {
    float* d = dst + static_cast<size_t>(k) * R;
    for (int r = done; r < rows; ++r) d[r] = src[static_cast<size_t>(r) * ld + k];
    for (int r = rows > done ? rows : done; r < R; ++r) d[r] = 0.0f;
  }
}

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

  static void micro(int kc, const float* a, const float* b, float* c, size_t ldc, int mr, int nr,
                    bool accumulate) {
    __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
    __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
    __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
    __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
    __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
    __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
    __m512 c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps();
    __m512 c70 = _mm512_setzero_ps(), c71 = _mm512_setzero_ps();
    for (int k = 0; k < kc; ++k, a += 8, b += 32) {
      const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
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
    pack_rows_avx(dst, src, ld, rows, R, kc);
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

}  // namespace cnnlab::kernels
#endif
