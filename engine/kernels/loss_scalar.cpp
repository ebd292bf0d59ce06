// Scalar softmax cross-entropy (the only variant: it runs on (B, 10) logits, never a hot spot).
#include <cmath>

#include "kernels/variants.h"

namespace cnnlab::kernels {

void softmax_xent_forward_scalar(float* probs, float* losses, const float* logits,
                                 const int32_t* labels, int batch, int classes) {
  for (int n = 0; n < batch; ++n) {
    const float* z = logits + static_cast<size_t>(n) * classes;
    float* p = probs + static_cast<size_t>(n) * classes;
    // Subtracting the maximum keeps exp() finite; the loss is logsumexp - z[label], which stays
    // finite even when the label's probability underflows to 0.
    float max_z = z[0];
    for (int k = 1; k < classes; ++k) max_z = std::fmax(max_z, z[k]);
    double sum = 0.0;
    for (int k = 0; k < classes; ++k) {
      p[k] = std::exp(z[k] - max_z);
      sum += p[k];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int k = 0; k < classes; ++k) p[k] *= inv;
    losses[n] = static_cast<float>(std::log(sum)) + max_z - z[labels[n]];
  }
}

void softmax_xent_backward_scalar(float* dlogits, const float* probs, const int32_t* labels,
                                  int batch, int classes) {
  const float inv_batch = 1.0f / static_cast<float>(batch);
  for (int n = 0; n < batch; ++n) {
    const float* p = probs + static_cast<size_t>(n) * classes;
    float* d = dlogits + static_cast<size_t>(n) * classes;
    for (int k = 0; k < classes; ++k) d[k] = p[k] * inv_batch;
    d[labels[n]] -= inv_batch;
  }
}

}  // namespace cnnlab::kernels
