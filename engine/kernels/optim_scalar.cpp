// Scalar references of the optimiser updates and the gradient-norm helpers.
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

}  // namespace cnnlab::kernels
