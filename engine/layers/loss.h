// Softmax cross-entropy: the loss every model trains with. Mean over the batch.
#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace cnnlab {

struct LossResult {
  double loss = 0.0;  // mean cross-entropy over the batch (NaN/inf when the logits are)
  int correct = 0;    // samples whose arg-max class equals the label
  int count = 0;      // batch size
  double accuracy() const { return count ? static_cast<double>(correct) / count : 0.0; }
};

class SoftmaxCrossEntropy {
 public:
  // probs (B, K) = softmax(logits (B, K)); returns the mean loss and correct count. Labels must
  // be in [0, K) (Error "labels" otherwise).
  LossResult forward(const Tensor& logits, const int32_t* labels /* (B) */);
  // dlogits (B, K) = gradient of the mean loss, from the last forward's probabilities.
  void backward(Tensor& dlogits, const int32_t* labels /* (B) */) const;
  const Tensor& probabilities() const { return probs_; }

  // probs (B, K) = softmax(logits (B, K)), numerically stable, without labels (prediction).
  static void softmax(Tensor& probs, const Tensor& logits);
  // Index of the largest value in row (K) (the first one on ties).
  static int argmax(const float* row, int classes);

 private:
  Tensor probs_;   // (B, K)
  Tensor losses_;  // (B)
};

}  // namespace cnnlab
