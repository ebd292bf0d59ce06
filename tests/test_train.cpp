// Trainer, Evaluator and metrics: learning a tiny synthetic problem, determinism, pause/resume
// giving the same weights as an uninterrupted run, the NaN guard, early stopping with best-weight
// restore, settings validation, and hand-computed precision/recall/F1.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "core/error.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "data/dataset.h"
#include "model/model.h"
#include "model/spec.h"
#include "train/history_csv.h"
#include "train/metrics.h"
#include "train/trainer.h"

using namespace cnnlab;

namespace {

// Two classes of 8x8 grey images: a bright horizontal bar (0) or a vertical bar (1) at a random
// position, on noise. With random_labels the labels carry no information (for early stopping).
Dataset bars(int n, uint64_t seed, bool random_labels = false) {
  Dataset d;
  d.name = "bars";
  d.class_names = {"horizontal", "vertical"};
  d.channels = 1;
  d.height = d.width = 8;
  Rng rng(seed);
  d.pixels.resize(static_cast<size_t>(n) * 64);
  d.labels.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int label = i % 2, pos = static_cast<int>(rng.below(8));
    uint8_t* img = d.pixels.data() + static_cast<size_t>(i) * 64;
    for (int p = 0; p < 64; ++p) img[p] = static_cast<uint8_t>(rng.below(60));
    for (int t = 0; t < 8; ++t) img[label == 0 ? pos * 8 + t : t * 8 + pos] = 230;
    d.labels[static_cast<size_t>(i)] =
        static_cast<uint8_t>(random_labels ? rng.below(2) : static_cast<uint32_t>(label));
  }
  return d;
}

ModelSpec small_cnn() {
  return parse_model_spec("conv2d 4 k=3 pad=same; relu; maxpool2d 2; flatten; dense 2",
                          Shape{1, 8, 8}, 2);
}

std::vector<float> weights_of(Model& m) {
  std::vector<float> out;
  for (Param* p : m.params()) out.insert(out.end(), p->value.data(), p->value.data() + p->value.size());
  return out;
}

TrainConfig quick_config() {
  TrainConfig c;
  c.epochs = 3;
  c.batch_size = 16;
  c.val_fraction = 0.25f;
  c.optimizer.lr = 0.01f;
  c.seed = 5;
  return c;
}

}  // namespace

TEST_CASE("Trainer learns horizontal vs vertical bars and records its history") {
  Dataset data = bars(256, 1);
  Model model(small_cnn(), 5);
  TrainConfig config = quick_config();
  config.epochs = 6;
  Trainer trainer(model, data, config, nullptr);
  CHECK(trainer.split().train.size() == 192);
  CHECK(trainer.split().val.size() == 64);
  CHECK(trainer.batches_per_epoch() == 12);
  int units = 0;
  while (trainer.step()) ++units;
  CHECK(trainer.done());
  CHECK_FALSE(trainer.failed());
  // Each epoch: 12 training batches + 1 validation batch (64 <= eval batch 256).
  CHECK(trainer.global_step() == 12 * static_cast<int64_t>(trainer.history().size()));
  CHECK(trainer.steps().size() == static_cast<size_t>(trainer.global_step()));
  REQUIRE(!trainer.history().empty());
  const EpochRecord& last = trainer.history().back();
  CHECK(last.val_accuracy > 0.95);
  CHECK(last.train_loss < trainer.history().front().train_loss);
  CHECK(trainer.progress() == 1.0);

  Dataset test = bars(100, 99);
  ConfusionMatrix m = evaluate(model, test, trainer.preprocess(), nullptr, 32);
  CHECK(m.total() == 100);
  CHECK(m.accuracy() > 0.95);
}

TEST_CASE("Same seed, same weights; 1 and 2 threads give bit-identical weights") {
  Dataset data = bars(128, 2);
  Model a(small_cnn(), 11), b(small_cnn(), 11);
  Trainer ta(a, data, quick_config(), nullptr), tb(b, data, quick_config(), nullptr);
  for (int i = 0; i < 10; ++i) {
    ta.step();
    tb.step();
  }
  CHECK(weights_of(a) == weights_of(b));

  // Every kernel splits work by output (rows, columns, images or fixed image groups), never
  // along a summed dimension by thread count, so the sums are the same to the last bit. The
  // second model's convolutions are large enough to be split over the pool; the third's 7x7 and
  // 5x5 layers (16 channels in and out) take the Winograd path in every build.
  ThreadPool pool(2);
  const ModelSpec wider = parse_model_spec(
      "conv2d 16 k=5 pad=same; relu; conv2d 16 k=3 pad=same; relu; maxpool2d 2; flatten; dense 2",
      Shape{1, 8, 8}, 2);
  const ModelSpec large_kernels = parse_model_spec(
      "conv2d 16 k=3 pad=same; relu; conv2d 16 k=7 pad=same; relu; conv2d 16 k=5 pad=same; relu; "
      "maxpool2d 2; flatten; dense 2",
      Shape{1, 8, 8}, 2);
  kernels::ConvGeometry seven{};  // the 7x7 layer at the training batch
  seven.batch = quick_config().batch_size;
  seven.channels = 16;
  seven.height = seven.width = seven.out_h = seven.out_w = 8;
  seven.kernel_h = seven.kernel_w = 7;
  seven.stride = 1;
  seven.pad_top = seven.pad_left = 3;
  REQUIRE(kernels::conv_forward_uses_winograd(seven, 16));
  REQUIRE(kernels::conv_weight_grad_uses_winograd(seven, 16));
  for (const ModelSpec& spec : {small_cnn(), wider, large_kernels}) {
    Model one(spec, 11), two(spec, 11);
    Trainer t_one(one, data, quick_config(), nullptr), t_two(two, data, quick_config(), &pool);
    for (int i = 0; i < 10; ++i) {
      t_one.step();
      t_two.step();
    }
    CHECK(weights_of(two) == weights_of(one));
  }
}

TEST_CASE("Pause and resume continue exactly like an uninterrupted run") {
  Dataset data = bars(128, 3);
  TrainConfig config = quick_config();
  Model straight(small_cnn(), 21);
  Trainer t_straight(straight, data, config, nullptr);
  for (int i = 0; i < 20; ++i) t_straight.step();

  Model first(small_cnn(), 21);
  Trainer t_first(first, data, config, nullptr);
  for (int i = 0; i < 7; ++i) t_first.step();
  const nlohmann::json state = t_first.state();
  // A new model and trainer, as after loading a saved model: weights and optimiser tensors
  // copied, the state restored through text, as in a file; then 13 more steps.
  auto resume = [&](const nlohmann::json& saved) {
    Model second(small_cnn(), 999);
    Trainer t_second(second, data, config, nullptr);
    std::vector<Param*> p1 = first.params(), p2 = second.params();
    for (size_t i = 0; i < p1.size(); ++i) p2[i]->value = p1[i]->value;
    auto s1 = t_first.optimizer().state(p1);
    auto s2 = t_second.optimizer().state(p2);
    REQUIRE(s1.size() == s2.size());
    for (size_t i = 0; i < s1.size(); ++i) *s2[i].second = *s1[i].second;
    t_second.restore(nlohmann::json::parse(saved.dump()));
    CHECK(t_second.global_step() == t_first.global_step());
    for (int i = 7; i < 20; ++i) t_second.step();
    CHECK(t_second.history().size() == t_straight.history().size());
    return weights_of(second);
  };
  CHECK(resume(state) == weights_of(straight));

  // The state as files written before the one spelling hold it: the same settings, so restore
  // accepts it (it refuses another batch or validation fraction) and continues the same way.
  nlohmann::json old = state;
  nlohmann::json& c = old["config"];
  for (const auto& renamed : {std::pair{"batch", "batch_size"},
                              std::pair{"valFraction", "val_fraction"},
                              std::pair{"evalBatch", "eval_batch_size"}}) {
    REQUIRE(c.contains(renamed.first));
    c[renamed.second] = c[renamed.first];
    c.erase(renamed.first);
  }
  c["optimizer"]["weight_decay"] = c["optimizer"]["weightDecay"];
  c["optimizer"].erase("weightDecay");
  c["optimizer"]["clip_norm"] = c["optimizer"]["clipNorm"];
  c["optimizer"].erase("clipNorm");
  CHECK(TrainConfig::from_json(c).to_json() == state["config"]);
  CHECK(resume(old) == weights_of(straight));
}

TEST_CASE("The optimiser updates with the scheduled rate, and a resumed run continues the schedule") {
  Dataset data = bars(128, 3);
  TrainConfig config = quick_config();  // 96 training images, batch 16: 6 steps an epoch
  config.optimizer.kind = "sgd";
  config.optimizer.momentum = 0.0f;  // w' = w - lr * g: the step's size shows the rate
  config.lr_schedule.kind = LrScheduleKind::kStep;
  config.lr_schedule.step_epochs = 1;
  config.lr_schedule.gamma = 0.5f;
  Model model(small_cnn(), 21);
  Trainer trainer(model, data, config, nullptr);
  REQUIRE(trainer.batches_per_epoch() == 6);
  Param& bias = *model.params().back();  // the dense layer's bias: no NaN-prone sums
  int checked = 0;
  while (trainer.global_step() < 15) {
    if (trainer.phase() != TrainPhase::kTraining) {
      trainer.step();
      continue;
    }
    const int64_t step = trainer.global_step();
    const float expected_lr = config.optimizer.lr * (step < 6 ? 1.0f : step < 12 ? 0.5f : 0.25f);
    CHECK(trainer.current_lr() == doctest::Approx(expected_lr));
    const Tensor before = bias.value;
    trainer.step();
    CHECK(trainer.optimizer().config().lr == doctest::Approx(expected_lr));
    for (size_t i = 0; i < bias.value.size(); ++i) {
      if (bias.grad[i] == 0.0f) continue;
      CHECK((before[i] - bias.value[i]) / bias.grad[i] == doctest::Approx(expected_lr).epsilon(1e-3));
      ++checked;
    }
  }
  CHECK(checked > 10);
  // The run's own settings keep the base rate (what is saved and shown), not the decayed one.
  CHECK(trainer.config().optimizer.lr == config.optimizer.lr);

  // Cosine, paused after 7 steps and resumed from a saved state: the same weights as straight on.
  config = quick_config();
  config.lr_schedule.kind = LrScheduleKind::kCosine;
  config.lr_schedule.min_lr = 0.001f;
  Model straight(small_cnn(), 21), first(small_cnn(), 21), second(small_cnn(), 999);
  Trainer t_straight(straight, data, config, nullptr);
  for (int i = 0; i < 20; ++i) t_straight.step();
  Trainer t_first(first, data, config, nullptr);
  for (int i = 0; i < 7; ++i) t_first.step();
  const nlohmann::json saved = nlohmann::json::parse(t_first.state().dump());
  CHECK(TrainConfig::from_json(saved["config"]).lr_schedule == config.lr_schedule);
  // As cnnlab train --resume does: the settings from the saved state.
  Trainer t_second(second, data, TrainConfig::from_json(saved["config"]), nullptr);
  std::vector<Param*> p1 = first.params(), p2 = second.params();
  for (size_t i = 0; i < p1.size(); ++i) p2[i]->value = p1[i]->value;
  auto s1 = t_first.optimizer().state(p1);
  auto s2 = t_second.optimizer().state(p2);
  for (size_t i = 0; i < s1.size(); ++i) *s2[i].second = *s1[i].second;
  t_second.restore(saved);
  CHECK(t_second.current_lr() == t_first.current_lr());
  CHECK(t_second.current_lr() < config.optimizer.lr);
  for (int i = 7; i < 20; ++i) t_second.step();
  CHECK(weights_of(second) == weights_of(straight));

  // A saved state from before schedules (no lrSchedule) trains at a constant rate.
  nlohmann::json old = saved["config"];
  old.erase("lrSchedule");
  CHECK(TrainConfig::from_json(old).lr_schedule == LrSchedule{});
}

TEST_CASE("A saved training state with a number out of range is refused naming the field") {
  Dataset data = bars(128, 3);
  const TrainConfig config = quick_config();
  Model model(small_cnn(), 21);
  Trainer trainer(model, data, config, nullptr);
  for (int i = 0; i < 7; ++i) trainer.step();
  const nlohmann::json state = nlohmann::json::parse(trainer.state().dump());
  // The state as written restores; each change below is refused by restore() with the file's
  // name and the field, before any of it is used.
  {
    Model again(small_cnn(), 21);
    Trainer t(again, data, config, nullptr);
    CHECK_NOTHROW(t.restore(state, "run/model.cnnlab training_state"));
  }
  auto refusal = [&](const nlohmann::json& bad) {
    Model again(small_cnn(), 21);
    Trainer t(again, data, config, nullptr);
    try {
      t.restore(nlohmann::json::parse(bad.dump()), "run/model.cnnlab training_state");
    } catch (const Error& e) {
      CHECK(e.where() == "run/model.cnnlab training_state");
      return std::string(e.problem());
    }
    return std::string("accepted");
  };
  auto with = [&](const char* key, const nlohmann::json& value) {
    nlohmann::json bad = state;
    bad[key] = value;
    return refusal(bad);
  };
  CHECK(with("epoch", 1e300) == "field 'epoch' is out of range (1e+300)");
  CHECK(with("epoch", -1) == "field 'epoch' must be between 0 and the run's 3 epochs, got -1");
  CHECK(with("epoch", 4) == "field 'epoch' must be between 0 and the run's 3 epochs, got 4");
  CHECK(with("batch", -1) == "field 'batch' is out of range (-1)");
  CHECK(with("batch", 2.5e19) == "field 'batch' is out of range (2.5e+19)");
  CHECK(with("global_step", 1e19) == "field 'global_step' is out of range (1e+19)");
  CHECK(with("global_step", -5) == "field 'global_step' must be >= 0, got -5");
  CHECK(with("bad_epochs", 3000000000LL) == "field 'bad_epochs' is out of range (3000000000)");
  CHECK(with("best_epoch", 9) == "field 'best_epoch' must be between 0 and 'epoch', got 9");
  CHECK(with("dropout_rng", {-1, 2}) == "field 'dropout_rng' item 0 is out of range (-1)");
  CHECK(with("epoch_sums", {1.0, 2.0, -3.0, 0.5}) ==
        "field 'epoch_sums' must hold counts and seconds >= 0, got [1.0,2.0,-3.0,0.5]");
  CHECK(with("epoch_sums", {1.0, 2.0, 1.0, 0.5}) ==
        "field 'epoch_sums' counts more correct images than seen");
  nlohmann::json bad_step = state;
  bad_step["steps"]["loss"][2] = 1e39;  // past float: an undefined conversion before
  CHECK(refusal(bad_step) == "steps field 'loss' item 2 is out of range (1e+39)");
  // A loss written as null (it was NaN) comes back as NaN: a diverged run still resumes.
  nlohmann::json nan_step = state;
  nan_step["steps"]["loss"][2] = nullptr;
  CHECK(refusal(nan_step) == "accepted");
  nlohmann::json bad_config = state;
  bad_config["config"]["epochs"] = 1000000000000LL;
  CHECK(refusal(bad_config) ==
        "config: training settings: field 'epochs' is out of range (1000000000000)");
}

TEST_CASE("A NaN loss stops training and keeps the last good weights") {
  Dataset data = bars(128, 4);
  TrainConfig config = quick_config();
  config.optimizer.kind = "sgd";
  config.optimizer.lr = 1e30f;
  config.epochs = 50;
  Model model(small_cnn(), 3);
  Trainer trainer(model, data, config, nullptr);
  while (trainer.step()) {
  }
  CHECK(trainer.failed());
  CHECK(trainer.stop_reason().find("last good weights") != std::string::npos);
  for (float w : weights_of(model)) REQUIRE(std::isfinite(w));
  CHECK(trainer.epoch() < 50);
}

TEST_CASE("Early stopping on validation loss restores the best epoch's weights") {
  Dataset noise = bars(96, 6, /*random_labels=*/true);
  TrainConfig config = quick_config();
  config.epochs = 200;
  config.patience = 2;
  config.optimizer.lr = 0.05f;
  Model model(parse_model_spec("flatten; dense 64; relu; dense 2", Shape{1, 8, 8}, 2), 4);
  Trainer trainer(model, noise, config, nullptr);
  while (trainer.step()) {
  }
  CHECK_FALSE(trainer.failed());
  CHECK(trainer.epoch() < 200);
  CHECK(trainer.stop_reason().find("early stopping") != std::string::npos);
  double best = 1e30;
  for (const EpochRecord& e : trainer.history()) best = std::min(best, e.val_loss);
  // The restored weights give the best validation loss again.
  Dataset val = select(noise, trainer.split().val);
  ConfusionMatrix m = evaluate(model, val, trainer.preprocess(), nullptr);
  CHECK(m.mean_loss() == doctest::Approx(best).epsilon(1e-4));
}

namespace {
// Trains with early stopping off (same trajectory as any patience), copying the weights after
// every epoch: entry e-1 holds epoch e's weights; val_losses likewise.
struct EpochWeights {
  std::vector<std::vector<float>> weights;
  std::vector<double> val_losses;
};
EpochWeights weights_per_epoch(const Dataset& data, TrainConfig config, const ModelSpec& spec,
                               uint64_t init_seed) {
  config.patience = 0;
  Model model(spec, init_seed);
  Trainer trainer(model, data, config, nullptr);
  EpochWeights out;
  while (!trainer.done()) {
    trainer.step();
    if (trainer.history().size() > out.weights.size()) {
      out.weights.push_back(weights_of(model));
      out.val_losses.push_back(trainer.history().back().val_loss);
    }
  }
  return out;
}
}  // namespace

TEST_CASE("Scoring rule: a run ends on its best validation epoch whether or not it stopped early") {
  // Random labels: the validation loss is lowest early and then rises as the net memorises.
  const Dataset noise = bars(96, 6, /*random_labels=*/true);
  TrainConfig config = quick_config();
  config.epochs = 8;
  config.optimizer.lr = 0.05f;
  const ModelSpec spec = parse_model_spec("flatten; dense 64; relu; dense 2", Shape{1, 8, 8}, 2);
  const EpochWeights ref = weights_per_epoch(noise, config, spec, 4);
  REQUIRE(ref.weights.size() == 8);
  const int best = static_cast<int>(std::min_element(ref.val_losses.begin(), ref.val_losses.end()) -
                                    ref.val_losses.begin()) + 1;
  REQUIRE(best < 8);  // the premise: the best epoch is not the last

  auto run = [&](int patience, std::string& reason, int& scoring_epoch, size_t& epochs_run) {
    TrainConfig c = config;
    c.patience = patience;
    Model model(spec, 4);
    Trainer trainer(model, noise, c, nullptr);
    CHECK(trainer.scoring_epoch() == 0);  // nothing to score before the end
    while (trainer.step()) {
    }
    REQUIRE_FALSE(trainer.failed());
    reason = trainer.stop_reason();
    scoring_epoch = trainer.scoring_epoch();
    epochs_run = trainer.history().size();
    return weights_of(model);
  };
  std::string reason;
  int scoring_epoch = 0;
  size_t epochs_run = 0;

  SUBCASE("completed every epoch (patience larger than the run): the best epoch's weights") {
    const std::vector<float> w = run(8, reason, scoring_epoch, epochs_run);
    CHECK(epochs_run == 8);
    CHECK(reason.find("completed 8 epochs") != std::string::npos);
    CHECK(scoring_epoch == best);
    CHECK(w == ref.weights[static_cast<size_t>(best - 1)]);
    CHECK(reason.find("restored the weights of epoch " + std::to_string(best)) != std::string::npos);
  }
  SUBCASE("stopped early: the best epoch's weights") {
    const std::vector<float> w = run(2, reason, scoring_epoch, epochs_run);
    CHECK(epochs_run < 8);
    CHECK(reason.find("early stopping") != std::string::npos);
    CHECK(scoring_epoch == best);
    CHECK(w == ref.weights[static_cast<size_t>(best - 1)]);
  }
  SUBCASE("early stopping off: the last epoch's weights") {
    const std::vector<float> w = run(0, reason, scoring_epoch, epochs_run);
    CHECK(epochs_run == 8);
    CHECK(scoring_epoch == 8);
    CHECK(w == ref.weights.back());
  }
}

TEST_CASE("Scoring rule: no validation split means no early stopping, the last epoch is scored") {
  const Dataset data = bars(64, 9);
  TrainConfig config = quick_config();
  config.val_fraction = 0.0f;
  config.patience = 3;
  Model model(small_cnn(), 2);
  Trainer trainer(model, data, config, nullptr);
  CHECK_FALSE(trainer.early_stopping());
  while (trainer.step()) {
  }
  CHECK(trainer.scoring_epoch() == config.epochs);
}

TEST_CASE("Scoring rule: the user's Stop keeps the weights where training stood, no scoring epoch") {
  const Dataset data = bars(64, 9);
  Model model(small_cnn(), 2);
  Trainer trainer(model, data, quick_config(), nullptr);
  for (int i = 0; i < 5; ++i) trainer.step();
  const std::vector<float> before = weights_of(model);
  trainer.stop("stopped by the user");
  CHECK(trainer.done());
  CHECK(trainer.scoring_epoch() == 0);
  CHECK(weights_of(model) == before);
}

TEST_CASE("Nonsense settings are refused with the field named") {
  Dataset data = bars(64, 7);
  Model model(small_cnn(), 1);
  auto refuses = [&](TrainConfig c, const std::string& field) {
    try {
      Trainer t(model, data, c, nullptr);
      FAIL("accepted a bad " << field);
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find(field) != std::string::npos);
    }
  };
  TrainConfig c = quick_config();
  c.batch_size = 0;
  refuses(c, "batch size");
  c = quick_config();
  c.epochs = 0;
  refuses(c, "epochs");
  c = quick_config();
  c.val_fraction = 1.0f;
  refuses(c, "validation fraction");
  c = quick_config();
  c.optimizer.lr = -0.1f;
  refuses(c, "lr");
  c = quick_config();
  c.optimizer.lr = NAN;
  refuses(c, "lr");
  c = quick_config();
  c.lr_schedule.gamma = 0.0f;
  refuses(c, "lrGamma");
  c = quick_config();
  c.augment.max_shift = 9;
  refuses(c, "shift");

  Dataset rgb = data;
  rgb.channels = 3;
  rgb.pixels.resize(rgb.pixels.size() * 3);
  try {
    Trainer t(model, rgb, quick_config(), nullptr);
    FAIL("accepted images of the wrong shape");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("expects 1x8x8") != std::string::npos);
  }
}

TEST_CASE("Evaluator fills probabilities batch by batch") {
  Dataset data = bars(50, 8);
  Model model(small_cnn(), 2);
  Evaluator e(model, data, Preprocess{}, 16, nullptr);
  int steps = 0;
  while (e.step()) ++steps;
  CHECK(steps + 1 == 4);  // 16 + 16 + 16 + 2
  CHECK(e.metrics().total() == 50);
  const std::vector<float>& p = e.probabilities();
  for (int i = 0; i < 50; ++i) CHECK(p[static_cast<size_t>(2 * i)] + p[static_cast<size_t>(2 * i + 1)] == doctest::Approx(1.0));
}

TEST_CASE("Confusion matrix: hand-computed precision, recall and F1") {
  // truth/predicted pairs: class 0: 3 right, 1 called 1; class 1: 2 right, 2 called 0; class 2: 0 seen.
  ConfusionMatrix m(3);
  for (int i = 0; i < 3; ++i) m.add(0, 0);
  m.add(0, 1);
  m.add(1, 1);
  m.add(1, 1);
  m.add(1, 0);
  m.add(1, 0);
  CHECK(m.total() == 8);
  CHECK(m.accuracy() == doctest::Approx(5.0 / 8));
  auto pc = m.per_class();
  CHECK(pc[0].precision == doctest::Approx(3.0 / 5));
  CHECK(pc[0].recall == doctest::Approx(3.0 / 4));
  CHECK(pc[0].f1 == doctest::Approx(2 * 0.6 * 0.75 / 1.35));
  CHECK(pc[1].precision == doctest::Approx(2.0 / 3));
  CHECK(pc[1].recall == doctest::Approx(2.0 / 4));
  CHECK(pc[2].support == 0);
  CHECK(pc[2].f1 == 0.0);
  CHECK_THROWS_AS(m.add(3, 0), Error);
  std::string text = m.to_text({"cat", "dog", "emu"});
  CHECK(text.find("dog") != std::string::npos);
}

TEST_CASE("Epoch records survive their JSON; history CSV: a row an epoch, blanks for unknowns") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EpochRecord a;
  a.epoch = 1;
  a.train_loss = 2.25;
  a.train_accuracy = 0.125;
  a.val_loss = nan;  // no validation split
  a.val_accuracy = nan;
  a.train_seconds = 1.5;
  a.images_per_second = 640;
  const nlohmann::json j = a.to_json();
  CHECK(j.at("val_loss").is_null());
  const EpochRecord back = EpochRecord::from_json(j);
  CHECK(back.epoch == 1);
  CHECK(back.train_loss == 2.25);
  CHECK(std::isnan(back.val_accuracy));
  CHECK(back.images_per_second == 640);
  nlohmann::json bad = j;
  bad["epoch"] = 1e300;
  CHECK_THROWS_WITH_AS(EpochRecord::from_json(bad, "history[0]"),
                       "history[0]: field 'epoch' is out of range (1e+300)", Error);
  bad = j;
  bad["epoch"] = 0;
  CHECK_THROWS_WITH_AS(EpochRecord::from_json(bad, "history[0]"),
                       "history[0]: field 'epoch' must be at least 1, got 0", Error);
  bad = j;
  bad["train_loss"] = "2.25";
  CHECK_THROWS_WITH_AS(EpochRecord::from_json(bad, "history[0]"),
                       "history[0]: field 'train_loss' has the wrong type (string)", Error);

  EpochRecord b = a;
  b.epoch = 2;
  b.val_loss = 1.75;
  b.val_accuracy = 0.5;
  HistoryCsvRun first;
  first.run = 1;
  first.label = "cnn k=3, flip";  // a comma: quoted
  first.epochs = {a, b};
  first.test_accuracy = 0.375;
  first.test_loss = 1.8;
  HistoryCsvRun tested_first = first;  // its epoch 1 was tested (the best by validation loss)
  tested_first.run = 3;
  tested_first.test_epoch = 1;
  HistoryCsvRun second;  // not evaluated: empty test fields
  second.run = 2;
  second.label = "mlp";
  second.epochs = {a};
  CHECK(history_csv({first, second, tested_first}) ==
        "run,label,epoch,trainLoss,trainAcc,valLoss,valAcc,imagesPerSecond,seconds,testAcc,"
        "testLoss,testEpoch\n"
        "1,\"cnn k=3, flip\",1,2.25,0.125,,,640,1.5,,,\n"
        "1,\"cnn k=3, flip\",2,2.25,0.125,1.75,0.5,640,1.5,0.375,1.8,\n"
        "2,mlp,1,2.25,0.125,,,640,1.5,,,\n"
        "3,\"cnn k=3, flip\",1,2.25,0.125,,,640,1.5,0.375,1.8,1\n"
        "3,\"cnn k=3, flip\",2,2.25,0.125,1.75,0.5,640,1.5,,,\n");
}
