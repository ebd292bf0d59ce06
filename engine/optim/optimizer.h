// Optimisers: SGD (momentum, Nesterov, L2 weight decay), Adam (L2) and AdamW (decoupled weight
// decay), with optional global-norm gradient clipping. All updates go through kernels::sgd_update
// and kernels::adam_update. The state tensors (velocity; first and second moments) are exposed
// so the model file can save and restore them for pause/resume.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "core/param.h"

namespace cnnlab {

struct OptimizerConfig {
  std::string kind = "adam";  // "sgd", "adam" or "adamw"
  float lr = 1e-3f;
  float momentum = 0.9f;      // SGD only
  bool nesterov = false;      // SGD only
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;  // Adam/AdamW
  float weight_decay = 0.0f;  // L2 for sgd/adam, decoupled for adamw
  float clip_norm = 0.0f;     // > 0: scale gradients so their global L2 norm is at most this

  // Throws Error(key, reason) for nonsense, naming the field by its JSON key (lr, weightDecay,
  // clipNorm; "optimizer" for the kind, as SessionOptions calls it): unknown kind, lr <= 0 or
  // not finite, momentum/betas outside [0, 1), eps <= 0, negative weight decay or clip norm,
  // nesterov without momentum.
  void validate() const;
  bool operator==(const OptimizerConfig& o) const;
};

class Optimizer {
 public:
  explicit Optimizer(const OptimizerConfig& config);  // validates
  virtual ~Optimizer() = default;

  const OptimizerConfig& config() const { return config_; }
  // Changes the learning rate (schedules); validated like the config.
  void set_lr(float lr);

  // One update of params from their grads (clipped first when clip_norm > 0). The parameter
  // list must be the same (same order and shapes) at every call; state is created on the first.
  void step(const std::vector<Param*>& params);
  // Number of steps taken (Adam's bias correction uses it).
  int64_t step_count() const { return steps_; }
  // Global gradient L2 norm seen by the last step (before clipping).
  double last_grad_norm() const { return last_grad_norm_; }

  // State for the model file: creates zeroed state tensors matching params when there are none,
  // then lists them as ("<param name>.<slot>", tensor): slot "velocity" (SGD) or "m", "v" (Adam).
  std::vector<std::pair<std::string, Tensor*>> state(const std::vector<Param*>& params);
  // Restores the step count after loading state tensors.
  void set_step_count(int64_t steps);
  // Forgets all state (fresh start).
  void reset();
  // State slots per parameter: {"velocity"} (SGD) or {"m", "v"} (Adam, AdamW).
  virtual std::vector<std::string> slot_names() const = 0;
  // The state tensors as they are (empty before the first step or state() call):
  // slot_names().size() per parameter, in parameter order.
  const std::vector<Tensor>& state_tensors() const { return state_; }

 protected:
  virtual void update(const std::vector<Param*>& params) = 0;
  void ensure_state(const std::vector<Param*>& params);
  Tensor& slot(size_t param, size_t slot) { return state_[param * slot_names().size() + slot]; }

  OptimizerConfig config_;
  int64_t steps_ = 0;
  double last_grad_norm_ = 0.0;
  std::vector<Tensor> state_;  // slot_names().size() tensors per parameter, in parameter order
};

// Throws Error for an invalid config.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& config);

}  // namespace cnnlab
