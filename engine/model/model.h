// Model: a sequential network built from a ModelSpec and a seed. Owns its layers, every layer's
// output (activations, kept for backward and for the lab's feature-map display), the gradient
// buffers and the loss; all are reused across steps (no allocation once a batch size was seen).
//
// One training step:   model.forward(x, true, pool, &dropout_rng);
//                      LossResult r = model.loss_and_backward(labels, pool);
//                      optimizer.step(model.params());
// Evaluation:          LossResult r = model.evaluate(x, labels, pool);
// Prediction:          const Tensor& probs = model.predict(x, pool);   // (B, classes)
// Attribution:         model.predict(x, pool);                          // inference mode
//                      model.backward_from_logits(one_hot, &d_input, pool);  // d logit / d x
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"
#include "layers/layer.h"
#include "layers/loss.h"
#include "model/spec.h"

namespace cnnlab {

class ThreadPool;

// Per-layer statistics of the last step (like ConvNetJS's).
struct LayerStats {
  double forward_ms = 0.0;   // wall time of the layer's last forward
  double backward_ms = 0.0;  // wall time of the layer's last backward (0 until one ran)
  float act_min = 0.0f, act_max = 0.0f, act_mean = 0.0f;  // of the layer's output, last forward
  float grad_min = 0.0f, grad_max = 0.0f;  // of d loss / d output, last backward
  float weight_min = 0.0f, weight_max = 0.0f;            // of the layer's weights (0 if none)
  float weight_grad_min = 0.0f, weight_grad_max = 0.0f;  // of their gradients, last backward
};

class Model {
 public:
  // Validates the spec (Error as validate_model_spec) and initialises the weights from
  // Rng::stream(seed, RngStream::kInit), layer by layer in order.
  Model(const ModelSpec& spec, uint64_t seed);
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const ModelSpec& spec() const { return spec_; }
  uint64_t seed() const { return seed_; }
  const Shape& input_shape() const { return spec_.input; }  // (C, H, W)
  int num_classes() const { return num_classes_; }
  int num_layers() const { return static_cast<int>(layers_.size()); }
  Layer& layer(int i) { return *layers_.at(static_cast<size_t>(i)); }
  const Layer& layer(int i) const { return *layers_.at(static_cast<size_t>(i)); }
  const Shape& layer_output_shape(int i) const { return layer(i).output_shape(); }  // per sample
  size_t parameter_count() const;
  // Every trainable tensor in layer order, named "<layer index>.weight" / ".bias" (0-based).
  const std::vector<Param*>& params() { return params_; }
  std::vector<const Param*> params() const;
  // Re-draws all weights from a new seed (biases 0) and clears gradients.
  void reinitialize(uint64_t seed);
  void zero_grads();

  // x (B, C, H, W) matching input_shape(); returns the logits (B, classes). Keeps every layer's
  // output for backward and activation(i). Throws Error("model input", ...) on a wrong shape.
  // training: dropout active (needs dropout_rng). pool may be null.
  const Tensor& forward(const Tensor& x, bool training, ThreadPool* pool = nullptr,
                        Rng* dropout_rng = nullptr);
  // After forward: mean softmax cross-entropy against labels (B), number correct; then zeroes
  // the parameter gradients and back-propagates through every layer (gradients of the mean).
  LossResult loss_and_backward(const int32_t* labels, ThreadPool* pool = nullptr);
  // After forward (inference mode, for attribution): back-propagates d_logits (B, classes), the
  // gradient of some score of the logits (a one-hot row: one class's logit), through every
  // layer. Parameter gradients are zeroed and then hold that score's gradients. When d_input is
  // not null it receives d score / d x (B, C, H, W) for the last forward's x; when capture_layer
  // is a layer index, *d_captured receives d score / d (that layer's output), (B, ...).
  // Throws Error("model", ...) without a forward pass or on a d_logits of the wrong shape.
  void backward_from_logits(const Tensor& d_logits, Tensor* d_input, ThreadPool* pool = nullptr,
                            int capture_layer = -1, Tensor* d_captured = nullptr);
  // After forward: the loss only (no gradients).
  LossResult loss(const int32_t* labels);
  // Inference-mode forward + loss (for validation/test batches).
  LossResult evaluate(const Tensor& x, const int32_t* labels, ThreadPool* pool = nullptr);
  // Inference-mode forward; returns softmax probabilities (B, classes).
  const Tensor& predict(const Tensor& x, ThreadPool* pool = nullptr);
  // Softmax probabilities (B, classes) of the last loss/evaluate/predict.
  const Tensor& probabilities() const { return probs_; }

  const Tensor& input() const { return input_; }                        // last forward's x
  const Tensor& activation(int i) const { return acts_.at(static_cast<size_t>(i)); }  // (B, ...)
  const Tensor& logits() const { return acts_.back(); }
  const std::vector<LayerStats>& stats() const { return stats_; }
  // Activation/gradient/weight min-max statistics cost one pass over each buffer per step; the
  // benchmark turns them off (timings are always recorded). On by default.
  void set_collect_stats(bool on) { collect_stats_ = on; }

 private:
  void update_weight_stats(ThreadPool* pool);
  // Backward through layers n-1..0, starting from d loss / d logits already in
  // grads_[(n - 1) % 2]; see backward_from_logits for d_input and the capture.
  void backward_layers(ThreadPool* pool, Tensor* d_input, int capture_layer, Tensor* d_captured);

  ModelSpec spec_;
  uint64_t seed_ = 0;
  int num_classes_ = 0;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<Param*> params_;              // all parameters, layer order
  std::vector<std::vector<Param*>> layer_params_;  // per layer
  Tensor input_;                // copy of the last forward's x (B, C, H, W)
  std::vector<Tensor> acts_;    // acts_[i] = output of layer i
  Tensor grads_[2];             // ping-pong: d loss / d output of layer i lives in grads_[i % 2]
  SoftmaxCrossEntropy loss_;
  Tensor probs_;                // (B, classes)
  std::vector<LayerStats> stats_;
  bool training_ = false;
  bool have_forward_ = false;
  bool collect_stats_ = false;  // the lab turns them on; training runs and benchmarks skip them
};

}  // namespace cnnlab
