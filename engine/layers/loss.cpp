// Softmax cross-entropy over kernels::softmax_xent_forward / backward.
#include "layers/loss.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "kernels/kernels.h"

namespace cnnlab {

static void check_labels(const int32_t* labels, int batch, int classes) {
  for (int b = 0; b < batch; ++b)
    require(labels[b] >= 0 && labels[b] < classes, "labels",
            "label " + std::to_string(labels[b]) + " of sample " + std::to_string(b) +
                " is outside 0.." + std::to_string(classes - 1));
}

int SoftmaxCrossEntropy::argmax(const float* row, int classes) {
  int best = 0;
  for (int k = 1; k < classes; ++k)
    if (row[k] > row[best]) best = k;
  return best;
}

LossResult SoftmaxCrossEntropy::forward(const Tensor& logits, const int32_t* labels) {
  require(logits.shape().rank == 2, "loss", "logits must be (batch, classes), got " +
                                                logits.shape().str());
  const int batch = logits.dim(0), classes = logits.dim(1);
  check_labels(labels, batch, classes);
  probs_.resize(logits.shape());
  losses_.resize(Shape{batch});
  kernels::softmax_xent_forward(probs_.data(), losses_.data(), logits.data(), labels, batch,
                                classes);
  LossResult r;
  r.count = batch;
  double sum = 0.0;
  for (int b = 0; b < batch; ++b) {
    sum += losses_[static_cast<size_t>(b)];
    r.correct += argmax(probs_.data() + static_cast<size_t>(b) * classes, classes) == labels[b];
  }
  r.loss = batch ? sum / batch : 0.0;
  return r;
}

void SoftmaxCrossEntropy::backward(Tensor& dlogits, const int32_t* labels) const {
  dlogits.resize(probs_.shape());
  kernels::softmax_xent_backward(dlogits.data(), probs_.data(), labels, probs_.dim(0),
                                 probs_.dim(1));
}

void SoftmaxCrossEntropy::softmax(Tensor& probs, const Tensor& logits) {
  const int batch = logits.dim(0), classes = logits.dim(1);
  probs.resize(logits.shape());
  for (int b = 0; b < batch; ++b) {
    const float* z = logits.data() + static_cast<size_t>(b) * classes;
    float* p = probs.data() + static_cast<size_t>(b) * classes;
    float zmax = z[0];
    for (int k = 1; k < classes; ++k) zmax = std::max(zmax, z[k]);
    double sum = 0.0;
    for (int k = 0; k < classes; ++k) {
      p[k] = std::exp(z[k] - zmax);
      sum += p[k];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int k = 0; k < classes; ++k) p[k] *= inv;
  }
}

}  // namespace cnnlab
