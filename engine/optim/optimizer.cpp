// SGD, Adam and AdamW over kernels::sgd_update / adam_update, and gradient clipping.
#include "optim/optimizer.h"

#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "kernels/kernels.h"

namespace cnnlab {

static std::string num(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v));
  return buf;
}

void OptimizerConfig::validate() const {
  require(kind == "sgd" || kind == "adam" || kind == "adamw", "optimizer",
          "unknown optimizer '" + kind + "' (use sgd, adam or adamw)");
  require(std::isfinite(lr) && lr > 0.0f, "lr",
          "learning rate must be a finite number > 0, got " + num(lr));
  require(std::isfinite(momentum) && momentum >= 0.0f && momentum < 1.0f, "momentum",
          "must be in [0, 1), got " + num(momentum));
  require(!(nesterov && momentum == 0.0f) || kind != "sgd", "nesterov",
          "Nesterov momentum needs momentum > 0");
  require(std::isfinite(beta1) && beta1 >= 0.0f && beta1 < 1.0f, "beta1",
          "must be in [0, 1), got " + num(beta1));
  require(std::isfinite(beta2) && beta2 >= 0.0f && beta2 < 1.0f, "beta2",
          "must be in [0, 1), got " + num(beta2));
  require(std::isfinite(eps) && eps > 0.0f, "eps", "must be > 0, got " + num(eps));
  require(std::isfinite(weight_decay) && weight_decay >= 0.0f, "weightDecay",
          "must be a finite number >= 0, got " + num(weight_decay));
  require(std::isfinite(clip_norm) && clip_norm >= 0.0f, "clipNorm",
          "must be a finite number >= 0 (0 = off), got " + num(clip_norm));
}

bool OptimizerConfig::operator==(const OptimizerConfig& o) const {
  return kind == o.kind && lr == o.lr && momentum == o.momentum && nesterov == o.nesterov &&
         beta1 == o.beta1 && beta2 == o.beta2 && eps == o.eps && weight_decay == o.weight_decay &&
         clip_norm == o.clip_norm;
}

Optimizer::Optimizer(const OptimizerConfig& config) : config_(config) { config_.validate(); }

void Optimizer::set_lr(float lr) {
  OptimizerConfig c = config_;
  c.lr = lr;
  c.validate();
  config_ = c;
}

void Optimizer::ensure_state(const std::vector<Param*>& params) {
  const size_t slots = slot_names().size();
  if (state_.size() == params.size() * slots) {
    for (size_t i = 0; i < params.size(); ++i)
      for (size_t s = 0; s < slots; ++s)
        require(state_[i * slots + s].shape() == params[i]->value.shape(), "optimizer",
                "parameter " + params[i]->name + " changed shape since the last step");
    return;
  }
  require(state_.empty(), "optimizer", "the parameter list changed since the last step");
  for (Param* p : params)
    for (size_t s = 0; s < slots; ++s) state_.emplace_back(p->value.shape());
}

void Optimizer::step(const std::vector<Param*>& params) {
  ensure_state(params);
  double sum = 0.0;
  for (Param* p : params) sum += kernels::sum_squares(p->grad.data(), p->grad.size());
  last_grad_norm_ = std::sqrt(sum);
  if (config_.clip_norm > 0.0f && last_grad_norm_ > config_.clip_norm &&
      std::isfinite(last_grad_norm_)) {
    const float s = static_cast<float>(config_.clip_norm / last_grad_norm_);
    for (Param* p : params) kernels::scale(p->grad.data(), p->grad.size(), s);
  }
  ++steps_;
  update(params);
}

std::vector<std::pair<std::string, Tensor*>> Optimizer::state(const std::vector<Param*>& params) {
  ensure_state(params);
  const std::vector<std::string> slots = slot_names();
  std::vector<std::pair<std::string, Tensor*>> out;
  for (size_t i = 0; i < params.size(); ++i)
    for (size_t s = 0; s < slots.size(); ++s)
      out.emplace_back(params[i]->name + "." + slots[s], &state_[i * slots.size() + s]);
  return out;
}

void Optimizer::set_step_count(int64_t steps) {
  require(steps >= 0, "optimizer", "step count must be >= 0");
  steps_ = steps;
}

void Optimizer::reset() {
  state_.clear();
  steps_ = 0;
  last_grad_norm_ = 0.0;
}

namespace {

class Sgd : public Optimizer {
 public:
  using Optimizer::Optimizer;

 protected:
  std::vector<std::string> slot_names() const override { return {"velocity"}; }
  void update(const std::vector<Param*>& params) override {
    for (size_t i = 0; i < params.size(); ++i) {
      Param& p = *params[i];
      kernels::sgd_update(p.value.data(), slot(i, 0).data(), p.grad.data(), p.value.size(),
                          config_.lr, config_.momentum, config_.nesterov, config_.weight_decay);
    }
  }
};

class Adam : public Optimizer {
 public:
  Adam(const OptimizerConfig& config, bool decoupled) : Optimizer(config), decoupled_(decoupled) {}

 protected:
  std::vector<std::string> slot_names() const override { return {"m", "v"}; }
  void update(const std::vector<Param*>& params) override {
    // beta^t by repeated multiplication in double (no pow: identical on every C library),
    // incrementally from the previous step, or from scratch after set_step_count().
    if (power_steps_ + 1 == steps_) {
      b1t_ *= config_.beta1;
      b2t_ *= config_.beta2;
    } else {
      b1t_ = b2t_ = 1.0;
      for (int64_t t = 0; t < steps_; ++t) {
        b1t_ *= config_.beta1;
        b2t_ *= config_.beta2;
      }
    }
    power_steps_ = steps_;
    const float bc1 = static_cast<float>(1.0 - b1t_), bc2 = static_cast<float>(1.0 - b2t_);
    const float l2 = decoupled_ ? 0.0f : config_.weight_decay;
    const float decoupled_wd = decoupled_ ? config_.weight_decay : 0.0f;
    for (size_t i = 0; i < params.size(); ++i) {
      Param& p = *params[i];
      kernels::adam_update(p.value.data(), slot(i, 0).data(), slot(i, 1).data(), p.grad.data(),
                           p.value.size(), config_.lr, config_.beta1, config_.beta2, config_.eps,
                           bc1, bc2, l2, decoupled_wd);
    }
  }

 private:
  bool decoupled_;
  int64_t power_steps_ = 0;  // step count b1t_, b2t_ belong to
  double b1t_ = 1.0, b2t_ = 1.0;
};

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& config) {
  config.validate();
  if (config.kind == "sgd") return std::make_unique<Sgd>(config);
  return std::make_unique<Adam>(config, config.kind == "adamw");
}

}  // namespace cnnlab
