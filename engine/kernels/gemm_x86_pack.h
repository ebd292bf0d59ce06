// Packing helpers shared by the x86 GEMM variants (gemm_avx2.cpp, gemm_avx512.cpp): a transposing
// pack built on 8x8 AVX transposes. Include only from files compiled with AVX enabled.
#pragma once

#include <immintrin.h>

#include <cstddef>

namespace cnnlab::kernels::x86 {

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
inline void pack_rows_avx(float* dst, const float* src, size_t ld, int rows, int R, int kc) {
  // With R a multiple of 8 the last, partial group is transposed too, its missing rows read as
  // zero vectors (no scalar padding loop): this matters for a small-N weight gradient such as
  // conv1's (27 rows padded to 32), where packing is as costly as the arithmetic.
  const int groups = R % 8 == 0 ? R / 8 : rows / 8;
  const int k8 = kc / 8 * 8;
  const __m256 zero = _mm256_setzero_ps();
  for (int g = 0; g < groups; ++g) {
    const int live = rows - 8 * g < 0 ? 0 : (rows - 8 * g > 8 ? 8 : rows - 8 * g);
    const float* s = src + static_cast<size_t>(g) * 8 * ld;
    float* d = dst + g * 8;
    // Row r of the group, or zeros past the last row.
    auto row = [&](int r, int k) { return r < live ? _mm256_loadu_ps(s + r * ld + k) : zero; };
    for (int k = 0; k < k8; k += 8) {
      __m256 r0 = row(0, k), r1 = row(1, k), r2 = row(2, k), r3 = row(3, k);
      __m256 r4 = row(4, k), r5 = row(5, k), r6 = row(6, k), r7 = row(7, k);
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
      for (int r = 0; r < 8; ++r) d[static_cast<size_t>(k) * R + r] = r < live ? s[r * ld + k] : 0.0f;
  }
  const int done = groups * 8;
  if (done >= R) return;
  for (int k = 0; k < kc; ++k) {
    float* d = dst + static_cast<size_t>(k) * R;
    for (int r = done; r < rows; ++r) d[r] = src[static_cast<size_t>(r) * ld + k];
    for (int r = rows > done ? rows : done; r < R; ++r) d[r] = 0.0f;
  }
}

}  // namespace cnnlab::kernels::x86
