// Scalar references of the optimiser updates, the gradient-norm helpers and the statistics pass.
#include <algorithm>
#include <cmath>

#include "kernels/variants.h"

namespace cnnlab::kernels {

void sgd_update_scalar(float* w, float* velocity, const float* g, size_t n, float lr,
                       float momentum, bool nesterov, float l2) {
  for (size_t i = 0; i < n; ++i) {
    const float grad = g[i] + l2 * w[i];
    const float v = momentum * velocity[i] + grad;
    velocity[i] = v;
    w[i] -= lr * (nesterov ? grad + momentum * v : v);
  }
}

void adam_update_scalar(float* w, float* m, float* v, const float* g, size_t n, float lr,
                        float beta1, float beta2, float eps, float bc1, float bc2, float l2,
                        float decoupled_wd) {
  for (size_t i = 0; i < n; ++i) {
    const float grad = g[i] + l2 * w[i];
    const float mi = beta1 * m[i] + (1.0f - beta1) * grad;
    const float vi = beta2 * v[i] + (1.0f - beta2) * grad * grad;
    m[i] = mi;
    v[i] = vi;
    w[i] -= lr * (mi / bc1) / (std::sqrt(vi / bc2) + eps) + lr * decoupled_wd * w[i];
  }
}

double sum_squares_scalar(const float* x, size_t n) {
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return sum;
}

void scale_scalar(float* x, size_t n, float s) {
  for (size_t i = 0; i < n; ++i) x[i] *= s;
}

void min_max_sum_lanes(float* lo, float* hi, double* sum, const float* x, size_t n) {
  // 16 independent lanes so compilers vectorise; float partial sums are flushed into the double
  // total every block so long tensors keep their precision. `v < m ? v : m` skips NaN (the
  // comparison is false) like std::min(m, v).
  constexpr int kLanes = 16;
  constexpr size_t kBlock = 4096;
  float mins[kLanes], maxs[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    mins[l] = HUGE_VALF;
    maxs[l] = -HUGE_VALF;
  }
  double total = 0.0;
  size_t i = 0;
  while (i + kLanes <= n) {
    const size_t block_end = std::min(n, i + kBlock) / kLanes * kLanes;
    float sums[kLanes] = {};
    for (; i < block_end; i += kLanes)
      for (int l = 0; l < kLanes; ++l) {
        const float v = x[i + l];
        mins[l] = v < mins[l] ? v : mins[l];
        maxs[l] = v > maxs[l] ? v : maxs[l];
        sums[l] += v;
      }
    for (int l = 0; l < kLanes; ++l) total += sums[l];
  }
  float m = mins[0], M = maxs[0];
  for (int l = 1; l < kLanes; ++l) {
    m = mins[l] < m ? mins[l] : m;
    M = maxs[l] > M ? maxs[l] : M;
  }
  for (; i < n; ++i) {
    m = x[i] < m ? x[i] : m;
    M = x[i] > M ? x[i] : M;
    total += x[i];
  }
  *lo = m;
  *hi = M;
  *sum = total;
}

}  // namespace cnnlab::kernels
