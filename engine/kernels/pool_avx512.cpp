// Native max pooling, the 2x2 stride-2 case (every preset's pooling) with AVX-512: 16 outputs at
// a time from two input rows de-interleaved into the four window positions, the row's last < 16
// outputs with masked loads and stores (the `cnn` preset's second pooling has rows of 8 outputs:
// before, they went to the scalar loop, ~10 % of a k=5 step); other windows go to the scalar
// reference. Same tie (first maximum in window order) and NaN rules as the reference.
#include "kernels/variants.h"

#if defined(__AVX512F__)
#include <immintrin.h>

namespace cnnlab::kernels {

namespace {

// best/index take v (at window position index `pos`) when v > best, or v is NaN and best is not.
inline void take_if_better(__m512& best, __m512i& index, __m512 v, __m512i pos) {
  const __mmask16 greater = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
  const __mmask16 nan_over_number =
      _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) & _mm512_cmp_ps_mask(best, best, _CMP_ORD_Q);
  const __mmask16 take = greater | nan_over_number;
  best = _mm512_mask_mov_ps(best, take, v);
  index = _mm512_mask_mov_epi32(index, take, pos);
}

}  // namespace

void maxpool2d_forward_avx512(float* y, int32_t* argmax, const float* x, int batch, int channels,
                              int height, int width, int kernel, int stride, int out_h,
                              int out_w) {
  if (kernel != 2 || stride != 2) {
    maxpool2d_forward_scalar(y, argmax, x, batch, channels, height, width, kernel, stride, out_h,
                             out_w);
    return;
  }
  const size_t in_plane = static_cast<size_t>(height) * width;
  const size_t out_plane = static_cast<size_t>(out_h) * out_w;
  const size_t planes = static_cast<size_t>(batch) * channels;
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __m512i lane2 = _mm512_slli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                                            12, 13, 14, 15), 1);  // 2 * lane
  for (size_t p = 0; p < planes; ++p) {
    const float* xp = x + p * in_plane;
    float* yp = y + p * out_plane;
    int32_t* ap = argmax + p * out_plane;
    for (int oh = 0; oh < out_h; ++oh) {
      const float* r0 = xp + static_cast<size_t>(2 * oh) * width;
      const float* r1 = r0 + width;
      for (int ow = 0; ow < out_w; ow += 16) {
        // n outputs read 2n floats of each row: lo the first min(2n, 16), hi the rest. Masked
        // lanes read nothing (no access past the row) and are zero; their outputs are not stored.
        const int n = out_w - ow < 16 ? out_w - ow : 16;
        const __mmask16 out_mask = static_cast<__mmask16>((1u << n) - 1u);
        const __mmask16 lo_mask = n >= 8 ? __mmask16{0xFFFF}
                                         : static_cast<__mmask16>((1u << (2 * n)) - 1u);
        const __mmask16 hi_mask = n <= 8 ? __mmask16{0}
                                         : static_cast<__mmask16>((1u << (2 * n - 16)) - 1u);
        const __m512 lo0 = _mm512_maskz_loadu_ps(lo_mask, r0 + 2 * ow),
                     hi0 = _mm512_maskz_loadu_ps(hi_mask, r0 + 2 * ow + 16);
        const __m512 lo1 = _mm512_maskz_loadu_ps(lo_mask, r1 + 2 * ow),
                     hi1 = _mm512_maskz_loadu_ps(hi_mask, r1 + 2 * ow + 16);
        const __m512 a = _mm512_permutex2var_ps(lo0, even, hi0);
        const __m512 b = _mm512_permutex2var_ps(lo0, odd, hi0);
        const __m512 c = _mm512_permutex2var_ps(lo1, even, hi1);
        const __m512 d = _mm512_permutex2var_ps(lo1, odd, hi1);
        // Input index of position a: (2*oh) * width + 2 * (ow + lane).
        const __m512i base = _mm512_add_epi32(_mm512_set1_epi32(2 * oh * width + 2 * ow), lane2);
        __m512 best = a;
        __m512i index = base;
        take_if_better(best, index, b, _mm512_add_epi32(base, _mm512_set1_epi32(1)));
        take_if_better(best, index, c, _mm512_add_epi32(base, _mm512_set1_epi32(width)));
        take_if_better(best, index, d, _mm512_add_epi32(base, _mm512_set1_epi32(width + 1)));
        _mm512_mask_storeu_ps(yp + oh * out_w + ow, out_mask, best);
        _mm512_mask_storeu_epi32(ap + oh * out_w + ow, out_mask, index);
      }
    }
  }
}

}  // namespace cnnlab::kernels
#endif
