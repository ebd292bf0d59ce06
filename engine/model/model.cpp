// Model: forward, loss and backward through the layer list, with per-layer timing and statistics.
#include "model/model.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "kernels/kernels.h"

namespace cnnlab {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// One vectorised (and, with a pool, threaded) pass over t for the per-layer statistics.
void min_max_mean(const Tensor& t, float& lo, float& hi, float* mean, ThreadPool* pool) {
  if (t.empty()) {
    lo = hi = 0.0f;
    if (mean) *mean = 0.0f;
    return;
  }
  double sum = 0.0;
  kernels::min_max_sum(&lo, &hi, &sum, t.data(), t.size(), pool);
  if (mean) *mean = static_cast<float>(sum / static_cast<double>(t.size()));
}

}  // namespace

Model::Model(const ModelSpec& spec, uint64_t seed) : spec_(spec) {
  validate_model_spec(spec_);
  Shape current = spec_.input;
  for (size_t i = 0; i < spec_.layers.size(); ++i) {
    layers_.push_back(make_layer(spec_.layers[i], current));
    layer_params_.push_back(layers_.back()->params());
    for (Param* p : layer_params_.back()) {
      p->name = std::to_string(i) + "." + p->name;
      params_.push_back(p);
    }
    current = layers_.back()->output_shape();
  }
  num_classes_ = current[0];
  acts_.resize(layers_.size());
  stats_.resize(layers_.size());
  reinitialize(seed);
}

size_t Model::parameter_count() const {
  size_t n = 0;
  for (const auto& l : layers_) n += l->parameter_count();
  return n;
}

std::vector<const Param*> Model::params() const {
  return std::vector<const Param*>(params_.begin(), params_.end());
}

void Model::reinitialize(uint64_t seed) {
  seed_ = seed;
  Rng rng = Rng::stream(seed, RngStream::kInit);
  for (auto& l : layers_) l->init(rng);
  zero_grads();
  update_weight_stats(nullptr);
}

void Model::zero_grads() {
  for (Param* p : params_) p->grad.zero();
}

void Model::update_weight_stats(ThreadPool* pool) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    const std::vector<Param*>& ps = layer_params_[i];
    LayerStats& s = stats_[i];
    if (ps.empty()) continue;
    min_max_mean(ps[0]->value, s.weight_min, s.weight_max, nullptr, pool);
    min_max_mean(ps[0]->grad, s.weight_grad_min, s.weight_grad_max, nullptr, pool);
  }
}

const Tensor& Model::forward(const Tensor& x, bool training, ThreadPool* pool, Rng* dropout_rng) {
  const Shape& in = spec_.input;
  require(x.shape().rank == 4 && x.dim(0) >= 1 && x.dim(1) == in[0] && x.dim(2) == in[1] &&
              x.dim(3) == in[2],
          "model input",
          "expected a batch (B, " + std::to_string(in[0]) + ", " + std::to_string(in[1]) + ", " +
              std::to_string(in[2]) + ") with B >= 1, got " + x.shape().str());
  input_ = x;
  training_ = training;
  RunContext ctx{training, pool, dropout_rng};
  const Tensor* current = &input_;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Clock::time_point start = Clock::now();
    layers_[i]->forward(acts_[i], *current, ctx);
    LayerStats& s = stats_[i];
    s.forward_ms = ms_since(start);
    if (collect_stats_) min_max_mean(acts_[i], s.act_min, s.act_max, &s.act_mean, pool);
    current = &acts_[i];
  }
  have_forward_ = true;
  return acts_.back();
}

LossResult Model::loss(const int32_t* labels) {
  require(have_forward_, "model", "loss needs a forward pass first");
  LossResult r = loss_.forward(acts_.back(), labels);
  probs_ = loss_.probabilities();
  return r;
}

LossResult Model::loss_and_backward(const int32_t* labels, ThreadPool* pool) {
  LossResult r = loss(labels);
  zero_grads();
  loss_.backward(grads_[(layers_.size() - 1) % 2], labels);
  backward_layers(pool, nullptr, -1, nullptr);
  return r;
}

void Model::backward_from_logits(const Tensor& d_logits, Tensor* d_input, ThreadPool* pool,
                                 int capture_layer, Tensor* d_captured) {
  require(have_forward_, "model", "backward needs a forward pass first");
  const Shape expected = acts_.back().shape();
  require(d_logits.shape() == expected, "model",
          "the gradient of the logits must have their shape " + expected.str() + ", got " +
              d_logits.shape().str());
  require(capture_layer < num_layers() && (capture_layer < 0 || d_captured != nullptr), "model",
          "cannot capture the gradient of layer " + std::to_string(capture_layer));
  zero_grads();
  grads_[(layers_.size() - 1) % 2] = d_logits;
  backward_layers(pool, d_input, capture_layer, d_captured);
}

void Model::backward_layers(ThreadPool* pool, Tensor* d_input, int capture_layer,
                            Tensor* d_captured) {
  RunContext ctx{training_, pool, nullptr};
  const size_t n = layers_.size();
  for (size_t i = n; i-- > 0;) {
    const Tensor& dy = grads_[i % 2];
    if (static_cast<int>(i) == capture_layer) *d_captured = dy;
    Tensor* dx = i > 0 ? &grads_[(i + 1) % 2] : d_input;
    const Tensor& x = i > 0 ? acts_[i - 1] : input_;
    const Clock::time_point start = Clock::now();
    layers_[i]->backward(dx, dy, x, acts_[i], ctx);
    LayerStats& s = stats_[i];
    s.backward_ms = ms_since(start);
    if (collect_stats_) min_max_mean(dy, s.grad_min, s.grad_max, nullptr, pool);
  }
  if (collect_stats_) update_weight_stats(pool);
}

LossResult Model::evaluate(const Tensor& x, const int32_t* labels, ThreadPool* pool) {
  forward(x, false, pool, nullptr);
  return loss(labels);
}

const Tensor& Model::predict(const Tensor& x, ThreadPool* pool) {
  forward(x, false, pool, nullptr);
  SoftmaxCrossEntropy::softmax(probs_, acts_.back());
  return probs_;
}

}  // namespace cnnlab
