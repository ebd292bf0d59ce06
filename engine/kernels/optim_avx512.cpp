// Native optimiser updates with AVX-512 (the compiler does not vectorise sqrt/div loops without
// -fno-math-errno). Same arithmetic as the scalar references, lane by lane.
#include "kernels/variants.h"

#if defined(__AVX512F__)
// GCC 12 warns about the unused pass-through operand inside _mm512_sqrt_ps (false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cmath>

namespace cnnlab::kernels {

void adam_update_avx512(float* w, float* m, float* v, const float* g, size_t n, float lr,
                        float beta1, float beta2, float eps, float bc1, float bc2, float l2,
                        float decoupled_wd) {
  const __m512 vb1 = _mm512_set1_ps(beta1), vb2 = _mm512_set1_ps(beta2);
  const __m512 va1 = _mm512_set1_ps(1.0f - beta1), va2 = _mm512_set1_ps(1.0f - beta2);
  const __m512 vbc1 = _mm512_set1_ps(bc1), vbc2 = _mm512_set1_ps(bc2);
  const __m512 veps = _mm512_set1_ps(eps), vlr = _mm512_set1_ps(lr), vl2 = _mm512_set1_ps(l2);
  const __m512 vwd = _mm512_set1_ps(lr * decoupled_wd);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 wi = _mm512_loadu_ps(w + i);
    // Written as separate multiply and add (no FMA contraction) to round like the reference.
    const __m512 grad = _mm512_add_ps(_mm512_loadu_ps(g + i), _mm512_mul_ps(vl2, wi));
    const __m512 mi = _mm512_add_ps(_mm512_mul_ps(vb1, _mm512_loadu_ps(m + i)),
                                    _mm512_mul_ps(va1, grad));
    const __m512 vi = _mm512_add_ps(_mm512_mul_ps(vb2, _mm512_loadu_ps(v + i)),
                                    _mm512_mul_ps(_mm512_mul_ps(va2, grad), grad));
    _mm512_storeu_ps(m + i, mi);
    _mm512_storeu_ps(v + i, vi);
    const __m512 step = _mm512_div_ps(
        _mm512_mul_ps(vlr, _mm512_div_ps(mi, vbc1)),
        _mm512_add_ps(_mm512_sqrt_ps(_mm512_div_ps(vi, vbc2)), veps));
    _mm512_storeu_ps(w + i, _mm512_sub_ps(wi, _mm512_add_ps(step, _mm512_mul_ps(vwd, wi))));
  }
  if (i < n)
    adam_update_scalar(w + i, m + i, v + i, g + i, n - i, lr, beta1, beta2, eps, bc1, bc2, l2,
                       decoupled_wd);
}

}  // namespace cnnlab::kernels
#endif
