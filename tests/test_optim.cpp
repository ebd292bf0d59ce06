// Optimisers: one and two steps worked out by hand for SGD (momentum, Nesterov, L2), Adam (L2)
// and AdamW (decoupled decay), gradient clipping, state access and config validation; the
// learning-rate schedules' rates at chosen steps, worked out by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "layers/layer.h"
#include "optim/lr_schedule.h"
#include "optim/optimizer.h"

using namespace cnnlab;

namespace {

// One scalar parameter with value w and gradient g.
struct Scalar {
  Param p;
  Scalar(float w, float g) {
    p.name = "0.weight";
    p.value = Tensor(Shape{1});
    p.grad = Tensor(Shape{1});
    p.value[0] = w;
    p.grad[0] = g;
  }
  float w() const { return p.value[0]; }
  void set_grad(float g) { p.grad[0] = g; }
};

OptimizerConfig config(const char* kind, float lr) {
  OptimizerConfig c;
  c.kind = kind;
  c.lr = lr;
  return c;
}

}  // namespace

TEST_CASE("SGD with momentum, Nesterov and L2 weight decay: steps by hand") {
  {
    Scalar s(1.0f, 0.5f);
    OptimizerConfig c = config("sgd", 0.1f);
    c.momentum = 0.9f;
    auto opt = make_optimizer(c);
    opt->step({&s.p});  // v = 0.5; w = 1 - 0.1 * 0.5
    CHECK(s.w() == doctest::Approx(0.95));
    opt->step({&s.p});  // v = 0.9 * 0.5 + 0.5 = 0.95; w = 0.95 - 0.095
    CHECK(s.w() == doctest::Approx(0.855));
    CHECK(opt->step_count() == 2);
  }
  {
    Scalar s(1.0f, 0.5f);
    OptimizerConfig c = config("sgd", 0.1f);
    c.nesterov = true;
    auto opt = make_optimizer(c);
    opt->step({&s.p});  // v = 0.5; w -= 0.1 * (0.5 + 0.9 * 0.5)
    CHECK(s.w() == doctest::Approx(0.905));
    opt->step({&s.p});  // v = 0.95; w -= 0.1 * (0.5 + 0.9 * 0.95)
    CHECK(s.w() == doctest::Approx(0.7695));
  }
  {
    Scalar s(2.0f, 0.5f);
    OptimizerConfig c = config("sgd", 0.1f);
    c.momentum = 0.0f;
    c.weight_decay = 0.25f;
    auto opt = make_optimizer(c);
    opt->step({&s.p});  // g' = 0.5 + 0.25 * 2 = 1; w = 2 - 0.1
    CHECK(s.w() == doctest::Approx(1.9));
  }
}

TEST_CASE("Adam and AdamW: steps by hand, bias correction, L2 vs decoupled decay") {
  {
    Scalar s(1.0f, 0.5f);
    auto opt = make_optimizer(config("adam", 0.1f));
    opt->step({&s.p});  // m^ = 0.5, v^ = 0.25: w -= 0.1 * 0.5 / 0.5
    CHECK(s.w() == doctest::Approx(0.9).epsilon(1e-6));
    s.set_grad(-1.0f);
    opt->step({&s.p});
    // m = 0.9*0.05 - 0.1 = -0.055, v = 0.999*0.00025 + 0.001 = 0.00124975
    const double m_hat = -0.055 / (1 - 0.81), v_hat = 0.00124975 / (1 - 0.998001);
    CHECK(s.w() == doctest::Approx(0.9 - 0.1 * m_hat / (std::sqrt(v_hat) + 1e-8)).epsilon(1e-5));
    CHECK(s.w() == doctest::Approx(0.93661).epsilon(1e-4));
  }
  {
    // Adam with L2: the decay enters the gradient: g' = -0.1 + 0.1 * 1 = 0, so nothing moves.
    Scalar s(1.0f, -0.1f);
    OptimizerConfig c = config("adam", 0.1f);
    c.weight_decay = 0.1f;
    make_optimizer(c)->step({&s.p});
    CHECK(s.w() == doctest::Approx(1.0));
  }
  {
    // AdamW: decoupled: w -= 0.1 * (-0.1 / 0.1) + 0.1 * 0.1 * 1 -> 1 + 0.1 - 0.01
    Scalar s(1.0f, -0.1f);
    OptimizerConfig c = config("adamw", 0.1f);
    c.weight_decay = 0.1f;
    make_optimizer(c)->step({&s.p});
    CHECK(s.w() == doctest::Approx(1.09).epsilon(1e-5));
  }
}

TEST_CASE("Global-norm gradient clipping scales all gradients together") {
  Scalar a(0.0f, 3.0f), b(0.0f, 4.0f);
  OptimizerConfig c = config("sgd", 1.0f);
  c.momentum = 0.0f;
  c.clip_norm = 1.0f;
  auto opt = make_optimizer(c);
  opt->step({&a.p, &b.p});
  CHECK(opt->last_grad_norm() == doctest::Approx(5.0));
  CHECK(a.w() == doctest::Approx(-0.6));
  CHECK(b.w() == doctest::Approx(-0.8));
  // under the limit: untouched
  a.set_grad(0.3f);
  b.set_grad(0.4f);
  opt->step({&a.p, &b.p});
  CHECK(a.w() == doctest::Approx(-0.9));
  CHECK(b.w() == doctest::Approx(-1.2));
}

TEST_CASE("Optimizer state is exposed for the model file and restored by step count") {
  Scalar a(1.0f, 0.5f), b(2.0f, -0.5f);
  b.p.name = "3.bias";
  auto adam = make_optimizer(config("adam", 0.01f));
  CHECK(adam->state_tensors().empty());
  adam->step({&a.p, &b.p});
  auto state = adam->state({&a.p, &b.p});
  REQUIRE(state.size() == 4);
  CHECK(state[0].first == "0.weight.m");
  CHECK(state[3].first == "3.bias.v");
  CHECK((*state[0].second)[0] == doctest::Approx(0.05));
  CHECK(adam->slot_names() == std::vector<std::string>{"m", "v"});

  // a copy of the state plus the step count continues identically
  auto resumed = make_optimizer(config("adam", 0.01f));
  Scalar a2 = a, b2 = b;
  auto state2 = resumed->state({&a2.p, &b2.p});
  for (size_t i = 0; i < state.size(); ++i) *state2[i].second = *state[i].second;
  resumed->set_step_count(adam->step_count());
  adam->step({&a.p, &b.p});
  resumed->step({&a2.p, &b2.p});
  CHECK(a.w() == a2.w());
  CHECK(b.w() == b2.w());

  auto sgd = make_optimizer(config("sgd", 0.1f));
  CHECK(sgd->state({&a.p})[0].first == "0.weight.velocity");
  Scalar other(0.0f, 0.0f);
  CHECK_THROWS_AS(sgd->step({&a.p, &other.p}), Error);  // parameter list changed
  sgd->reset();
  CHECK(sgd->step_count() == 0);
  sgd->step({&a.p, &other.p});
  CHECK(sgd->step_count() == 1);
}

TEST_CASE("Optimizer config validation names the field") {
  auto bad = [](OptimizerConfig c, const char* message) {
    INFO(message);
    CHECK_THROWS_WITH_AS(c.validate(), doctest::Contains(message), Error);
    CHECK_THROWS_AS(make_optimizer(c), Error);
  };
  OptimizerConfig c;
  CHECK_NOTHROW(c.validate());
  c.kind = "rmsprop";
  bad(c, "unknown optimizer 'rmsprop'");
  c = OptimizerConfig{};
  c.lr = -0.1f;
  bad(c, "lr: learning rate must be a finite number > 0, got -0.1");
  c.lr = 0.0f;
  bad(c, "lr: ");
  c.lr = std::numeric_limits<float>::quiet_NaN();
  bad(c, "lr: ");
  c = OptimizerConfig{};
  c.momentum = 1.0f;
  bad(c, "momentum: ");
  c = OptimizerConfig{};
  c.beta2 = 1.0f;
  bad(c, "beta2: ");
  c = OptimizerConfig{};
  c.eps = 0.0f;
  bad(c, "eps: ");
  c = OptimizerConfig{};
  c.weight_decay = -1.0f;
  bad(c, "weightDecay: ");
  c = OptimizerConfig{};
  c.clip_norm = std::numeric_limits<float>::infinity();
  bad(c, "clipNorm: ");
  c = config("sgd", 0.1f);
  c.momentum = 0.0f;
  c.nesterov = true;
  bad(c, "Nesterov momentum needs momentum > 0");

  auto opt = make_optimizer(config("adamw", 0.1f));
  CHECK_THROWS_AS(opt->set_lr(-1.0f), Error);
  opt->set_lr(0.05f);
  CHECK(opt->config().lr == 0.05f);
}

TEST_CASE("Learning-rate schedules: constant, step and cosine rates at chosen steps") {
  // 10 steps an epoch, 4 epochs: 40 steps.
  LrSchedule s;
  CHECK(s.kind == LrScheduleKind::kConstant);  // the default changes nothing
  for (int64_t step : {0, 9, 10, 39, 500}) CHECK(scheduled_lr(s, 0.1f, step, 10, 4) == 0.1f);

  // step: x0.5 every 2 epochs; epoch = step / 10.
  s.kind = LrScheduleKind::kStep;
  s.step_epochs = 2;
  s.gamma = 0.5f;
  CHECK(scheduled_lr(s, 0.1f, 0, 10, 4) == doctest::Approx(0.1));
  CHECK(scheduled_lr(s, 0.1f, 19, 10, 4) == doctest::Approx(0.1));    // epoch 1: no drop yet
  CHECK(scheduled_lr(s, 0.1f, 20, 10, 4) == doctest::Approx(0.05));   // epoch 2: one drop
  CHECK(scheduled_lr(s, 0.1f, 39, 10, 4) == doctest::Approx(0.05));   // epoch 3
  CHECK(scheduled_lr(s, 0.1f, 40, 10, 4) == doctest::Approx(0.025));  // epoch 4: two drops
  CHECK(scheduled_lr(s, 0.1f, 65, 10, 4) == doctest::Approx(0.0125)); // epoch 6: three
  s.step_epochs = 1;
  s.gamma = 0.1f;
  CHECK(scheduled_lr(s, 1.0f, 35, 10, 4) == doctest::Approx(0.001));  // epoch 3: 1 * 0.1^3

  // cosine from 0.1 to 0.02 over 2 epochs of 10 steps: 0.02 + 0.08 * (1 + cos(pi * step / 20)) / 2.
  s = LrSchedule{};
  s.kind = LrScheduleKind::kCosine;
  s.min_lr = 0.02f;
  CHECK(scheduled_lr(s, 0.1f, 0, 10, 2) == doctest::Approx(0.1));
  CHECK(scheduled_lr(s, 0.1f, 5, 10, 2) == doctest::Approx(0.0882843).epsilon(1e-5));   // cos(pi/4)
  CHECK(scheduled_lr(s, 0.1f, 10, 10, 2) == doctest::Approx(0.06));                     // halfway
  CHECK(scheduled_lr(s, 0.1f, 15, 10, 2) == doctest::Approx(0.0317157).epsilon(1e-5));  // cos(3pi/4)
  CHECK(scheduled_lr(s, 0.1f, 19, 10, 2) > 0.02f);  // the last step: just above the floor
  CHECK(scheduled_lr(s, 0.1f, 20, 10, 2) == doctest::Approx(0.02));  // past the end: the floor
  // Decreasing step by step.
  for (int64_t step = 1; step < 20; ++step)
    CHECK(scheduled_lr(s, 0.1f, step, 10, 2) < scheduled_lr(s, 0.1f, step - 1, 10, 2));

  // A rate that would round to 0 stays > 0 (the optimiser refuses 0).
  s = LrSchedule{};
  s.kind = LrScheduleKind::kStep;
  s.step_epochs = 1;
  s.gamma = 1e-20f;
  CHECK(scheduled_lr(s, 0.1f, 50, 10, 10) > 0.0f);
  s = LrSchedule{};
  s.kind = LrScheduleKind::kCosine;
  CHECK(scheduled_lr(s, 0.1f, 10, 10, 1) > 0.0f);
}

TEST_CASE("Learning-rate schedule names and validation name the field") {
  for (const std::string& name : lr_schedule_names()) {
    LrScheduleKind kind = LrScheduleKind::kConstant;
    REQUIRE(lr_schedule_from_name(name, &kind));
    CHECK(name == lr_schedule_name(kind));
  }
  LrScheduleKind kind = LrScheduleKind::kStep;
  CHECK_FALSE(lr_schedule_from_name("linear", &kind));
  CHECK(kind == LrScheduleKind::kStep);  // unchanged

  auto bad = [](LrSchedule s, float lr, const char* message) {
    INFO(message);
    CHECK_THROWS_WITH_AS(s.validate(lr), doctest::Contains(message), Error);
  };
  LrSchedule s;
  CHECK_NOTHROW(s.validate(0.1f));
  s.step_epochs = 0;
  bad(s, 0.1f, "lrStepEpochs: ");
  s = LrSchedule{};
  s.gamma = 0.0f;
  bad(s, 0.1f, "lrGamma: ");
  s.gamma = 1.5f;
  bad(s, 0.1f, "lrGamma: ");
  s.gamma = std::numeric_limits<float>::quiet_NaN();
  bad(s, 0.1f, "lrGamma: ");
  s = LrSchedule{};
  s.min_lr = -0.001f;
  bad(s, 0.1f, "lrMin: ");
  // The floor must be below the rate only for cosine, the schedule that uses it.
  s.min_lr = 0.5f;
  CHECK_NOTHROW(s.validate(0.1f));
  s.kind = LrScheduleKind::kCosine;
  bad(s, 0.1f, "lrMin: the cosine schedule goes from the learning rate down to lrMin");
}
