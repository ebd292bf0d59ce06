// Session: the lab's state machine behind the JS API — options validation (unknown keys, bad
// values change nothing), train/pause/step/reset, runs kept for overlaid curves, test evaluation
// after training, the scoring rule (the epoch tested), experiments with identical data order, the
// run log that keeps every finished run's results, and the trainer's messages to the app (the
// dataset report, commands, the trainer host).
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <set>

#include "core/error.h"
#include "test_helpers.h"
#include "core/rng.h"
#include "model/model.h"
#include "lab/dataset_report.h"
#include "lab/run_log.h"
#include "lab/session.h"
#include "lab/trainer_command.h"
#include "lab/trainer_host.h"
#include "data/pack.h"

using namespace cnnlab;
using cnnlab::testing::error_of;
using json = nlohmann::json;

namespace {

// 3x16x16 images of 4 classes: class k has a bright square in quadrant k.
DataSource quadrants(int train_per_class, int test_per_class) {
  DataSource d;
  for (Dataset* set : {&d.train, &d.test}) {
    const int per_class = set == &d.train ? train_per_class : test_per_class;
    set->name = "quadrants";
    set->class_names = {"top-left", "top-right", "bottom-left", "bottom-right"};
    set->channels = 3;
    set->height = set->width = 16;
    Rng rng(set == &d.train ? 1 : 2);
    for (int i = 0; i < per_class * 4; ++i) {
      const int k = i % 4;
      set->labels.push_back(static_cast<uint8_t>(k));
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 16; ++y)
          for (int x = 0; x < 16; ++x) {
            const bool inside = (y / 8) == k / 2 && (x / 8) == k % 2;
            set->pixels.push_back(static_cast<uint8_t>(rng.below(70) + (inside ? 150 : 0)));
          }
    }
  }
  d.origin = "test";
  return d;
}

const json kSmall = {{"model", "cnn1"}, {"filters", 4}, {"dense", 16}, {"epochs", 2},
                     {"batch", 16},     {"lr", 0.01},   {"seed", 3}};

void run_to_end(Session& s) {
  for (int i = 0; i < 100000 && s.tick(0.05); ++i) {
  }
}

}  // namespace

TEST_CASE("Session without data reports loading and refuses to train") {
  Session s;
  CHECK(s.state()["phase"] == "loading");
  CHECK(s.state()["dataset"].is_null());
  CHECK(error_of([&] { s.train(); }).find("no dataset") != std::string::npos);
}

TEST_CASE("Options: unknown keys and bad values are refused and change nothing") {
  Session s;
  s.set_data(quadrants(10, 5));
  s.configure(kSmall);
  const json before = s.options().to_json();
  CHECK(error_of([&] { s.configure({{"learningRate", 0.1}}); }).find("unknown option") != std::string::npos);
  CHECK(error_of([&] { s.configure({{"lr", -1}}); }).find("lr") != std::string::npos);
  CHECK(error_of([&] { s.configure({{"lr", "fast"}}); }).find("option lr") != std::string::npos);
  CHECK(error_of([&] { s.configure({{"batch", 2.5}}); }).find("option batch") != std::string::npos);
  CHECK(error_of([&] { s.configure({{"model", "resnet"}}); }).find("resnet") != std::string::npos);
  CHECK(error_of([&] { s.configure({{"kernel", 40}}); }).find("kernel") != std::string::npos);
  CHECK(error_of([&] { s.configure({{"epochs", 3}, {"optimizer", "rmsprop"}}); }).find("optimizer") != std::string::npos);
  CHECK(s.options().to_json() == before);  // the valid "epochs" of a refused call did not apply
  CHECK(error_of([&] { s.configure(json::array()); }).find("object") != std::string::npos);
}

TEST_CASE("Option table: one key per option, its flag the key in kebab-case, values round trip") {
  std::vector<std::string> lab_keys;
  std::set<std::string> flags;
  for (const OptionRow& row : option_table()) {
    CAPTURE(row.key);
    std::string kebab = "--";
    for (const char* c = row.key; *c; ++c) {
      if (std::isupper(static_cast<unsigned char>(*c))) kebab += '-';
      kebab += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
    }
    CHECK(std::string(row.flag) == kebab);
    CHECK(flags.insert(row.flag).second);
    CHECK(find_option(row.key) == &row);
    if (row.scope == OptionScope::kLab) lab_keys.push_back(row.key);
  }
  CHECK(SessionOptions::keys() == lab_keys);
  json keys_written = json::array();
  const json defaults = SessionOptions().to_json();
  for (const auto& item : defaults.items()) keys_written.push_back(item.key());
  std::sort(lab_keys.begin(), lab_keys.end());
  CHECK(keys_written == json(lab_keys));  // to_json writes exactly the lab's keys

  // Every lab option applied from JSON reads back the same (a value other than the default).
  const json changed = {{"model", "vgg"},        {"kernel", 5},        {"filters", 8},
                        {"dense", 64},           {"dropout", 0.25},    {"blocks", 3},
                        {"pooling", "avg"},      {"stride", 2},        {"epochs", 7},
                        {"batch", 32},           {"lr", 0.005},        {"optimizer", "sgd"},
                        {"momentum", 0.5},       {"weightDecay", 0.01}, {"seed", 11},
                        {"augment", true},       {"valFraction", 0.2}, {"patience", 0},
                        {"standardize", true}};
  REQUIRE(changed.size() == SessionOptions::keys().size());
  SessionOptions o;
  o.merge(changed);
  const json applied = o.to_json();
  for (const auto& item : changed.items()) {
    const std::string key = item.key();
    CAPTURE(key);
    if (item.value().is_number_float())
      CHECK(applied[key].get<double>() == doctest::Approx(item.value().get<double>()));
    else
      CHECK(applied[key] == item.value());
  }
  CHECK(o.train.optimizer.weight_decay == 0.01f);
  CHECK(o.train.augment.max_shift == 2);
}

// The quoted names of `export const NAME = [...]` / `const NAME = [...]` in a page script.
std::vector<std::string> js_string_list(const std::string& source, const std::string& name) {
  const size_t at = source.find("const " + name + " = [");
  REQUIRE_MESSAGE(at != std::string::npos, name);
  const size_t end = source.find("];", at);
  std::vector<std::string> out;
  for (size_t q = source.find('\'', at); q < end; q = source.find('\'', q + 1)) {
    const size_t close = source.find('\'', q + 1);
    out.push_back(source.substr(q + 1, close - q - 1));
    q = close;
  }
  return out;
}

TEST_CASE("Option table: the page's option names and types (web/page/options.js) are the lab's") {
  // The page reads links and attributes before the WebAssembly lab exists, so it lists the
  // names itself; they must be the table's, with the same types.
  const std::string here = __FILE__;
  const std::string path = here.substr(0, here.rfind("tests/")) + "web/page/options.js";
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), path);
  const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(js_string_list(source, "TRAINING_KEYS") == SessionOptions::keys());
  const std::vector<std::string> numbers = js_string_list(source, "NUMBER_KEYS");
  const std::vector<std::string> switches = js_string_list(source, "BOOLEAN_KEYS");
  auto listed = [](const std::vector<std::string>& list, const char* key) {
    return std::find(list.begin(), list.end(), key) != list.end();
  };
  for (const OptionRow& row : option_table()) {
    if (row.scope != OptionScope::kLab) continue;
    CAPTURE(row.key);
    const bool number = row.type == OptionType::kInteger || row.type == OptionType::kNumber ||
                        row.type == OptionType::kSeed;
    CHECK(listed(numbers, row.key) == number);
    CHECK(listed(switches, row.key) == (row.type == OptionType::kSwitch));
  }
}

TEST_CASE("Options: the engine-only keys are the command line's; errors name the key as given") {
  SessionOptions o;
  // clipNorm and nesterov are cnnlab's only: the lab refuses them as unknown ...
  CHECK(error_of([&] { o.merge({{"clipNorm", 1.0}}); }).find("option clipNorm: unknown option") !=
        std::string::npos);
  // ... and the command line's scope applies them, checked the same way.
  o.merge({{"clipNorm", 1.5}, {"nesterov", true}, {"optimizer", "sgd"}}, OptionScope::kCommandLine);
  CHECK(o.train.optimizer.clip_norm == 1.5f);
  CHECK(o.train.optimizer.nesterov);
  CHECK_FALSE(o.to_json().contains("clipNorm"));  // not part of the lab's options
  CHECK(error_of([&] { o.merge({{"clipNorm", -1}}, OptionScope::kCommandLine); }) ==
        "option clipNorm: must be a finite number >= 0 (0 = off), got -1");
  // Range errors come from the engine's checks, under the key the user wrote.
  CHECK(error_of([&] { o.merge({{"weightDecay", -1}}); }) ==
        "option weightDecay: must be a finite number >= 0, got -1");
  CHECK(error_of([&] { o.merge({{"valFraction", 1.5}}); }).rfind("option valFraction: ", 0) == 0);
  CHECK(error_of([&] { o.merge({{"batch", 0}}); }).rfind("option batch: ", 0) == 0);
  CHECK(error_of([&] { o.merge({{"optimizer", "rmsprop"}}); }).rfind("option optimizer: ", 0) == 0);
  // Type errors: out of range for the field's type as well.
  CHECK(error_of([&] { o.merge({{"kernel", 1e12}}); }).rfind("option kernel: must be", 0) == 0);
  CHECK(error_of([&] { o.merge({{"lr", 1e300}}); }).rfind("option lr: must be", 0) == 0);
  CHECK(error_of([&] { o.merge({{"seed", -2}}); }) ==
        "option seed: must be a whole number >= 0, got -2");
}

TEST_CASE("Train to the end: state advances, test accuracy appears, runs are kept") {
  Session s;
  s.set_data(quadrants(24, 10));
  s.configure(kSmall);
  json st = s.state();
  CHECK(st["phase"] == "ready");
  CHECK(st["dataset"]["train"].get<int>() + st["dataset"]["val"].get<int>() == 96);
  CHECK(st["dataset"]["test"] == 40);
  CHECK(st["model"]["name"] == "cnn1");
  CHECK(st["model"]["params"].get<int>() > 0);
  CHECK(st["testAcc"].is_null());

  s.train();
  CHECK(s.state()["phase"] == "training");
  run_to_end(s);
  st = s.state();
  CHECK(st["phase"] == "done");
  CHECK(st["epoch"] == 2);
  CHECK(st["testAcc"].get<double>() > 0.5);  // 4 classes: chance is 0.25
  CHECK(s.test_metrics() != nullptr);
  CHECK(s.test_probabilities()->size() == 40 * 4);
  json h = s.history();
  REQUIRE(h.size() == 1);
  CHECK(h[0]["epochs"].size() == 2);
  CHECK(h[0]["testAcc"] == st["testAcc"]);

  // Start after done begins run 2; the first run's curves stay in the history.
  s.train();
  CHECK(s.state()["run"] == 2);
  s.tick(0.0);  // one unit of work
  s.tick(0.0);
  s.pause();
  CHECK(s.state()["phase"] == "paused");
  const int64_t at = s.state()["step"];
  CHECK(at == 2);
  CHECK_FALSE(s.tick(0.05));  // paused: no work
  CHECK(s.state()["step"] == at);
  s.step();
  CHECK(s.state()["step"] == at + 1);
  CHECK(s.state()["phase"] == "paused");
  CHECK(s.steps_since(0).loss.size() == static_cast<size_t>(at + 1));
  s.reset();
  CHECK(s.state()["phase"] == "ready");
  CHECK(s.state()["step"] == 0);
  CHECK(s.history().size() == 2);
  s.clear_history();
  CHECK(s.history().empty());
}

namespace {
// The quadrants with random training labels: the validation loss is lowest early, then rises.
DataSource quadrants_with_random_labels() {
  DataSource d = quadrants(24, 10);
  Rng rng(11);
  for (uint8_t& label : d.train.labels) label = static_cast<uint8_t>(rng.below(4));
  return d;
}

std::vector<float> weights_of(Model& m) {
  std::vector<float> out;
  for (Param* p : m.params()) out.insert(out.end(), p->value.data(), p->value.data() + p->value.size());
  return out;
}
}  // namespace

TEST_CASE("Scoring rule: a run is tested on its best validation epoch, stopped early or not") {
  const DataSource data = quadrants_with_random_labels();
  json options = kSmall;
  options["epochs"] = 6;
  options["lr"] = 0.03;
  options["valFraction"] = 0.25;

  // The reference: the same run with early stopping off (the same trajectory), every epoch's
  // weights and their test accuracy and loss, evaluated independently.
  SessionOptions ref_options;
  ref_options.merge(options);
  ref_options.train.patience = 0;
  ThreadPool pool(1);
  Model ref_model(ref_options.spec(Shape{3, 16, 16}, 4), ref_options.train.seed);
  Trainer ref(ref_model, data.train, ref_options.train, &pool);
  std::vector<std::vector<float>> weights;
  std::vector<double> val_loss, test_acc, test_loss;
  while (!ref.done()) {
    ref.step();
    if (ref.history().size() > weights.size()) {
      weights.push_back(weights_of(ref_model));
      val_loss.push_back(ref.history().back().val_loss);
      const ConfusionMatrix m = evaluate(ref_model, data.test, ref.preprocess(), &pool);
      test_acc.push_back(m.accuracy());
      test_loss.push_back(m.mean_loss());
    }
  }
  REQUIRE(weights.size() == 6);
  const int best =
      static_cast<int>(std::min_element(val_loss.begin(), val_loss.end()) - val_loss.begin()) + 1;
  REQUIRE(best < 6);  // the premise: the best epoch is not the last

  auto check_run = [&](int patience, int expected_epoch, bool expect_early_stop) {
    Session s(1);
    s.set_data(data);
    json o = options;
    o["patience"] = patience;
    s.configure(o);
    s.train();
    run_to_end(s);
    const json st = s.state();
    REQUIRE(st["phase"] == "done");
    CHECK((st["epoch"].get<int>() < 6) == expect_early_stop);
    CHECK(st["testEpoch"] == expected_epoch);
    const size_t e = static_cast<size_t>(expected_epoch - 1);
    CHECK(st["testAcc"].get<double>() == test_acc[e]);
    CHECK(st["testLoss"].get<double>() == doctest::Approx(test_loss[e]).epsilon(1e-6));
    CHECK(weights_of(*s.model()) == weights[e]);
    const json h = s.history();
    REQUIRE(h.size() == 1);
    CHECK(h[0]["testEpoch"] == expected_epoch);
    CHECK(h[0]["testAcc"] == st["testAcc"]);
    // The record keeps its test confusion counts: K x K, summing to the test images.
    REQUIRE(h[0]["testConfusion"].size() == 4);
    size_t total = 0, right = 0;
    for (int t = 0; t < 4; ++t)
      for (int p = 0; p < 4; ++p) {
        const size_t n = h[0]["testConfusion"][t][p].get<size_t>();
        total += n;
        if (t == p) right += n;
      }
    CHECK(total == 40);
    CHECK(static_cast<double>(right) / 40.0 == test_acc[e]);
  };
  SUBCASE("early stopping on, all epochs run (patience longer than the run)") {
    check_run(6, best, false);
  }
  SUBCASE("early stopping on, stopped early") {
    // Patience 1 stops at the first epoch that does not improve on the best so far; the best
    // epoch up to there is the one tested.
    int best_so_far = 1, stopped_at = 6;
    for (int e = 2; e <= 6; ++e) {
      if (val_loss[static_cast<size_t>(e - 1)] < val_loss[static_cast<size_t>(best_so_far - 1)]) {
        best_so_far = e;
      } else {
        stopped_at = e;
        break;
      }
    }
    REQUIRE(stopped_at < 6);  // the premise: it does stop early
    check_run(1, best_so_far, true);
  }
  SUBCASE("early stopping off: the last epoch") { check_run(0, 6, false); }
}

TEST_CASE("Per-layer statistics: the first slice of a run and every Step collect them") {
  Session s;
  s.set_data(quadrants(24, 10));
  s.configure(kSmall);
  s.train();
  s.tick(0.0);  // a zero budget trains exactly one step: the first of a run collects statistics
  CHECK(s.state()["step"] == 1);
  const LayerStats first = s.model()->stats()[0];
  CHECK(first.act_max > first.act_min);
  CHECK(first.weight_grad_max > first.weight_grad_min);
  s.pause();
  s.step();  // another batch, other activations: Step always collects
  CHECK(s.state()["step"] == 2);
  const LayerStats second = s.model()->stats()[0];
  CHECK(second.act_max > second.act_min);
  CHECK((second.act_max != first.act_max || second.act_mean != first.act_mean));
}

TEST_CASE("Changing a setting starts a new run from the seed; the same seed gives the same run") {
  Session a, b;
  a.set_data(quadrants(12, 4));
  b.set_data(quadrants(12, 4));
  a.configure(kSmall);
  b.configure(kSmall);
  a.train();
  b.train();
  run_to_end(a);
  run_to_end(b);
  CHECK(a.state()["testAcc"] == b.state()["testAcc"]);
  // Same seed, same data, same settings: the same curves (timings aside).
  for (size_t i = 0; i < a.history()[0]["epochs"].size(); ++i) {
    CHECK(a.history()[0]["epochs"][i]["trainLoss"] == b.history()[0]["epochs"][i]["trainLoss"]);
    CHECK(a.history()[0]["epochs"][i]["valAcc"] == b.history()[0]["epochs"][i]["valAcc"]);
  }
  a.configure({{"kernel", 5}});
  CHECK(a.state()["phase"] == "ready");
  REQUIRE(a.history().size() == 1);  // the finished run was archived
  CHECK(a.history()[0]["options"]["kernel"] == 3);  // under the options it ran with
}

TEST_CASE("Experiment: a kernel sweep trains every configuration on the same data order") {
  Session s;
  s.set_data(quadrants(12, 4));
  s.configure(kSmall);
  CHECK(error_of([&] { s.start_experiment({{"vary", "kernel"}, {"values", json::array()}}); })
            .find("empty") != std::string::npos);
  CHECK(error_of([&] {
          s.start_experiment({{"vary", "kernel"}, {"values", {1, 2, 3, 4, 5, 6, 7, 8, 9}}});
        }).find("at most 8") != std::string::npos);
  CHECK(error_of([&] { s.start_experiment({{"vary", "kernel"}, {"values", {3, 40}}}); })
            .find("kernel=40") != std::string::npos);
  CHECK(error_of([&] { s.start_experiment({{"vary", "colour"}}); }).find("colour") != std::string::npos);
  CHECK(s.experiment() == nullptr);  // nothing started

  s.start_experiment({{"vary", "kernel"}, {"values", {1, 3, 5}}, {"epochs", 1}});
  CHECK(s.state()["experiment"] == true);
  run_to_end(s);
  json e = s.experiment_state();
  CHECK(e["done"] == true);
  REQUIRE(e["runs"].size() == 3);
  CHECK(e["identicalDataOrder"] == true);
  CHECK(e["runs"][0]["dataOrder"] == e["runs"][2]["dataOrder"]);
  for (const json& run : e["runs"]) {
    CHECK(run["status"] == "finished");
    CHECK(run["testEpoch"] == 1);  // one epoch: the best and the last
  }
  for (const json& r : e["runs"]) {
    CHECK(r["finished"] == true);
    CHECK(r["testAcc"].is_number());
  }
  CHECK(e["table"].get<std::string>().find("kernel=5") != std::string::npos);
  CHECK(e["csv"].get<std::string>().find("kernel=3,0,3") != std::string::npos);
}

TEST_CASE("Stopping an experiment keeps every result so far") {
  Session s;
  s.set_data(quadrants(12, 4));
  s.configure(kSmall);
  s.start_experiment({{"vary", "model"}, {"values", {"mlp", "cnn1"}}, {"epochs", 3}});
  for (int i = 0; i < 8; ++i) s.tick(0.0);
  s.stop_experiment();
  json e = s.experiment_state();
  CHECK(e["running"] == false);
  CHECK(e["runs"][0]["step"].get<int>() > 0);
  CHECK(e["runs"][1]["step"].get<int>() > 0);
  // Stopped half-way: each run says it is unfinished and has no tested epoch; so do the exports.
  for (const json& run : e["runs"]) {
    CHECK(run["status"] == "unfinished");
    CHECK(run["testEpoch"].is_null());
    CHECK(run["testAcc"].is_null());
  }
  CHECK(e["table"].get<std::string>().find("| unfinished |") != std::string::npos);
  CHECK(e["csv"].get<std::string>().find(",0,unfinished,") != std::string::npos);
  CHECK_FALSE(s.tick(0.05));
}

TEST_CASE("Experiment: pause pauses every run, resume continues, a refused sweep changes nothing") {
  Session s;
  s.set_data(quadrants(12, 4));
  s.configure(kSmall);
  CHECK(error_of([&] { s.resume_experiment(); }).find("no experiment") != std::string::npos);
  s.start_experiment({{"vary", "kernel"}, {"values", {1, 3}}, {"epochs", 2}});
  const int id = s.experiment_id();
  for (int i = 0; i < 4; ++i) s.tick(0.0);
  s.pause();
  json paused = s.experiment_state();
  CHECK(paused["running"] == false);
  CHECK(paused["done"] == false);
  CHECK_FALSE(s.tick(0.05));  // nothing advances while paused
  CHECK(s.experiment_state()["runs"][0]["step"] == paused["runs"][0]["step"]);
  CHECK(s.experiment_state()["runs"][1]["step"] == paused["runs"][1]["step"]);
  // A refused sweep leaves the paused experiment as it was.
  CHECK(error_of([&] { s.start_experiment({{"vary", "kernel"}, {"values", {3, 40}}}); })
            .find("kernel=40") != std::string::npos);
  CHECK(s.experiment_id() == id);
  CHECK(s.experiment_state()["runs"][0]["step"] == paused["runs"][0]["step"]);
  s.resume_experiment();
  CHECK(s.experiment_state()["running"] == true);
  run_to_end(s);
  json e = s.experiment_state();
  CHECK(e["done"] == true);
  CHECK(e["id"] == id);
  // Per-step curves of each run: loss and accuracy, as many as its steps (stride 1 here).
  for (const json& r : e["runs"]) {
    CHECK(r["stepLoss"]["loss"].size() == r["step"].get<size_t>());
    CHECK(r["stepLoss"]["acc"].size() == r["step"].get<size_t>());
    CHECK(r["stepsPerEpoch"].get<int>() > 0);
  }
  CHECK(error_of([&] { s.resume_experiment(); }).find("finished") != std::string::npos);
}

TEST_CASE("experiment_config_from_json: the options a front end checks before starting") {
  SessionOptions current;
  current.merge({{"model", "cnn"}, {"epochs", 2}, {"batch", 16}});
  const ExperimentConfig c = experiment_config_from_json(
      {{"vary", "filters"}, {"values", {8, "16"}}, {"repeats", 2}, {"lr", 0.01}}, current);
  CHECK(c.vary == "filters");
  CHECK(c.values == std::vector<std::string>{"8", "16"});
  CHECK(c.repeats == 2);
  CHECK(c.train.epochs == 2);  // the lab's settings are the base
  CHECK(c.train.batch_size == 16);
  CHECK(c.train.optimizer.lr == doctest::Approx(0.01));  // overridden by the options
  CHECK(experiment_config_from_json({{"vary", "pooling"}}, current).values ==
        std::vector<std::string>{"max", "avg", "none"});  // defaults when no values are given
  CHECK(error_of([&] { experiment_config_from_json({{"bogus", 1}}, current); }).find("bogus") !=
        std::string::npos);
  CHECK(error_of([&] { experiment_config_from_json(json::array(), current); }).find("object") !=
        std::string::npos);
  // Nine configurations are refused by validate() with the reason.
  ExperimentConfig nine = experiment_config_from_json(
      {{"vary", "filters"}, {"values", {1, 2, 3, 4, 5, 6, 7, 8, 9}}}, current);
  CHECK(error_of([&] { nine.validate(Shape{3, 16, 16}, 4, experiment_memory_limit()); })
            .find("at most 8") != std::string::npos);
}

TEST_CASE("Experiment memory estimate: 64-bit (no wrap in wasm32), an oversized sweep is refused") {
  ExperimentConfig c;
  c.model = "cnn";
  c.vary = "filters";
  c.values = {"512", "1024"};
  c.train.batch_size = 512;
  const Shape cifar{3, 32, 32};
  // filters 1024 at batch 512: several GB of activations, more than 32 bits can count.
  CHECK(estimate_training_bytes(c.spec(1, cifar, 10), 512) > (uint64_t(4) << 30));
  CHECK(estimate_training_bytes(c.spec(0, cifar, 10), 512) <
        estimate_training_bytes(c.spec(1, cifar, 10), 512));
  CHECK(error_of([&] { c.validate(cifar, 10, size_t(1536) << 20); }).find("MB") !=
        std::string::npos);
  c.values = {"8"};
  c.train.batch_size = 16;
  CHECK(error_of([&] { c.validate(cifar, 10, size_t(1536) << 20); }).empty());
}

// ---- The dataset report: what the trainer tells the app about its dataset -------------------

TEST_CASE("Dataset report: counts, samples, means and histogram from the trainer's data") {
  const DataSource data = quadrants(5, 3);
  const DatasetReport r = make_dataset_report(data, 2);
  CHECK(r.train.size() == 20);
  CHECK(r.train.pixels.empty());  // the training pixels stay with the trainer
  CHECK(r.train.labels == data.train.labels);
  CHECK(r.test.pixels == data.test.pixels);
  CHECK(r.test.labels == data.test.labels);
  // The first 2 images of each class in file order: images 0..7 (labels 0,1,2,3,0,1,2,3).
  REQUIRE(r.samples.size() == 8);
  CHECK(std::equal(r.samples.pixels.begin(), r.samples.pixels.end(), data.train.pixels.begin()));
  // Class 1's mean at its first pixel, by hand over its 5 images (1, 5, 9, 13, 17).
  const size_t image = data.train.image_bytes();
  double sum = 0;
  for (size_t n : {1, 5, 9, 13, 17}) sum += data.train.pixels[n * image];
  CHECK(r.class_means[1 * image] == doctest::Approx(sum / 5).epsilon(1e-6));
  // Each channel's histogram sums to 1.
  for (int c = 0; c < 3; ++c) {
    double total = 0;
    for (int v = 0; v < 256; ++v) total += r.pixel_histogram[static_cast<size_t>(c) * 256 + v];
    CHECK(total == doctest::Approx(1.0));
  }
}

TEST_CASE("Dataset report: the bytes round trip; bad bytes are refused with what is wrong") {
  const DatasetReport r = make_dataset_report(quadrants(4, 2), 3);
  const std::vector<uint8_t> bytes = encode_dataset_report(r);
  const DatasetReport back = decode_dataset_report(bytes.data(), bytes.size(), "report");
  CHECK(back.origin == r.origin);
  CHECK(back.train.name == "quadrants");
  CHECK(back.train.class_names == r.train.class_names);
  CHECK(back.train.labels == r.train.labels);
  CHECK(back.samples.pixels == r.samples.pixels);
  CHECK(back.samples.labels == r.samples.labels);
  CHECK(back.class_means == r.class_means);
  CHECK(back.pixel_histogram == r.pixel_histogram);
  CHECK(back.test.pixels == r.test.pixels);

  std::vector<uint8_t> truncated(bytes.begin(), bytes.end() - 1);
  CHECK(error_of([&] { decode_dataset_report(truncated.data(), truncated.size(), "report"); })
            .find("sizes do not agree") != std::string::npos);
  std::vector<uint8_t> other = bytes;
  other[0] = 'X';
  CHECK(error_of([&] { decode_dataset_report(other.data(), other.size(), "report"); })
            .find("not a dataset report") != std::string::npos);
  std::vector<uint8_t> newer = bytes;
  newer[8] = 9;
  CHECK(error_of([&] { decode_dataset_report(newer.data(), newer.size(), "report"); })
            .find("version 9") != std::string::npos);
  // A label beyond the classes, in the training labels (right after the header).
  std::vector<uint8_t> bad_label = bytes;
  const uint32_t header = bad_label[12] | bad_label[13] << 8 | bad_label[14] << 16 | bad_label[15] << 24;
  bad_label[16 + header] = 7;
  CHECK(error_of([&] { decode_dataset_report(bad_label.data(), bad_label.size(), "report"); })
            .find("training label 0 is 7") != std::string::npos);
}

// ---- Commands: one typed encoding between the app and the trainer ---------------------------

TEST_CASE("TrainerCommand: every type round trips; malformed commands are refused by name") {
  for (CommandType type :
       {CommandType::kConfigure, CommandType::kTrain, CommandType::kPause, CommandType::kStep,
        CommandType::kReset, CommandType::kClearHistory, CommandType::kStartExperiment,
        CommandType::kStopExperiment, CommandType::kResumeExperiment}) {
    const bool with_options =
        type == CommandType::kConfigure || type == CommandType::kStartExperiment;
    TrainerCommand c{type, with_options ? json{{"kernel", 5}} : json()};
    const TrainerCommand back = TrainerCommand::from_json(c.to_json(), "command");
    CHECK(back.type == type);
    CHECK(back.options == c.options);
    CommandType named;
    REQUIRE(command_from_name(command_name(type), &named));
    CHECK(named == type);
  }
  CHECK(error_of([] { TrainerCommand::from_json(json::array(), "command"); })
            .find("must be a JSON object") != std::string::npos);
  CHECK(error_of([] { TrainerCommand::from_json(json{{"type", "fly"}}, "command"); })
            .find("unknown type 'fly'") != std::string::npos);
  CHECK(error_of([] { TrainerCommand::from_json(json{{"type", 3}}, "command"); })
            .find("needs a string 'type'") != std::string::npos);
  CHECK(error_of([] { TrainerCommand::from_json(json{{"type", "configure"}}, "command"); })
            .find("needs an 'options' object") != std::string::npos);
  CHECK(error_of([] {
          TrainerCommand::from_json(json{{"type", "train"}, {"options", json::object()}}, "command");
        }).find("takes no options") != std::string::npos);
  CHECK(error_of([] { TrainerCommand::from_json(json{{"type", "train"}, {"x", 1}}, "command"); })
            .find("unknown field 'x'") != std::string::npos);
}

// ---- TrainerHost: the trainer side of the app's protocol ------------------------------------

TEST_CASE("TrainerHost: a pack is loaded once, reported once; a bad one keeps the dataset") {
  TrainerHost host(1);
  const DataSource data = quadrants(4, 2);
  const std::vector<uint8_t> pack = encode_pack(data);
  host.load_pack(pack.data(), pack.size(), "quadrants.pack");
  json report = host.poll(0.0, true);
  CHECK(report["dataset"] == true);
  const DatasetReport r = host.dataset_report();
  CHECK(r.train.size() == 16);
  CHECK(r.test.size() == 8);
  CHECK(host.poll(1.0, true)["dataset"] == false);  // reported once

  std::vector<uint8_t> broken(pack.begin(), pack.begin() + static_cast<std::ptrdiff_t>(pack.size() / 2));
  CHECK_THROWS_AS(host.load_pack(broken.data(), broken.size(), "half.pack"), Error);
  CHECK(host.poll(2.0, true)["dataset"] == false);
  CHECK(host.session().data().train.size() == 16);  // the dataset it had stays

  // Commands arrive typed; a refused one says why and changes nothing.
  host.handle(TrainerCommand::from_json(json{{"type", "configure"}, {"options", kSmall}}, "cmd"));
  CHECK(host.session().options().to_json()["model"] == "cnn1");
  CHECK(error_of([&] {
          host.handle(TrainerCommand::from_json(
              json{{"type", "configure"}, {"options", {{"lr", -1}}}}, "cmd"));
        }).find("lr") != std::string::npos);
  CHECK(host.session().options().to_json()["lr"] == doctest::Approx(0.01));
  host.handle(TrainerCommand{CommandType::kStep, nullptr});
  report = host.poll(3.0, true);
  CHECK(report["snapshot"] == true);  // new weights after the step
  const std::vector<uint8_t> snapshot = host.snapshot();
  CHECK(!snapshot.empty());
}

// ---- The run log ---------------------------------------------------------------------------------

TEST_CASE("Run log: finished runs stay listed with their test results after a preset change") {
  Session s(1);
  s.set_data(quadrants(12, 5));
  json mlp = kSmall;
  mlp["model"] = "mlp";
  mlp["epochs"] = 1;
  s.configure(mlp);
  RunLog log;
  s.train();
  run_to_end(s);
  CHECK(log.add_history(s.history(), "quadrants") == 1);
  CHECK(log.add_history(s.history(), "quadrants") == 0);  // logged once
  json cnn = kSmall;
  cnn["epochs"] = 1;
  s.configure(cnn);  // another preset: the MLP's run is archived, the model is new
  CHECK(s.state()["testAcc"].is_null());
  s.train();
  run_to_end(s);
  CHECK(log.add_history(s.history(), "quadrants") == 1);
  REQUIRE(log.entries().size() == 2);
  const RunLogEntry& first = log.entries()[0];
  const RunLogEntry& second = log.entries()[1];
  CHECK(first.model_text() == "mlp");
  CHECK(second.model_text() == "cnn1 3x3");
  CHECK(first.test_epoch == 1);
  CHECK(first.test_accuracy == s.history()[0]["testAcc"].get<double>());
  CHECK(second.test_accuracy == s.state()["testAcc"].get<double>());
  CHECK(first.confusion.size() == 4);
  CHECK(second.status == RunLogEntry::Status::kFinished);

  // The curves' Clear forgets the Session's history; the log keeps its runs.
  s.clear_history();
  s.reset();
  s.clear_history();
  CHECK(log.add_history(s.history(), "quadrants") == 0);
  CHECK(log.entries().size() == 2);

  // Exports: a CSV row per run with its tested epoch; the JSON as runs().
  const std::string csv = log.csv();
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);
  CHECK(csv.find("\n1,\"run 1\",\"quadrants\",\"mlp\",") != std::string::npos);
  CHECK(csv.find(",1,1,finished,") != std::string::npos);  // 1 epoch, tested on epoch 1
  const json exported = log.to_json();
  CHECK(exported["format"] == "cnnlab-runs");
  CHECK(exported["runs"][1]["testEpoch"] == 1);
  CHECK(exported["runs"][1]["testAcc"] == second.test_accuracy);

  // Clear, then undo; a later clear cannot be undone once the next run started.
  log.clear();
  CHECK(log.empty());
  CHECK(log.can_undo());
  log.undo();
  REQUIRE(log.entries().size() == 2);
  CHECK(log.entries()[0].number == 1);
  CHECK(log.entries()[1].number == 2);
  log.clear();
  log.forget_undo();
  CHECK_FALSE(log.can_undo());
  log.undo();
  CHECK(log.empty());
}

TEST_CASE("Run log: an experiment stopped half-way lists finished runs and marks the others") {
  Session s(1);
  s.set_data(quadrants(12, 5));
  s.configure(kSmall);
  // mlp is far faster than cnn1 here: stop once the mlp has finished and been tested.
  s.start_experiment({{"vary", "model"}, {"values", {"mlp", "cnn1"}}, {"epochs", 2}});
  RunLog log;
  for (int i = 0; i < 100000; ++i) {
    s.tick(0.0);
    if (!s.experiment_state()["runs"][0]["testAcc"].is_null()) break;
  }
  REQUIRE_FALSE(s.experiment_state()["runs"][0]["testAcc"].is_null());
  REQUIRE(s.experiment_state()["runs"][1]["testAcc"].is_null());
  CHECK(log.add_experiment(s.experiment_state(), "quadrants") == 1);  // the tested one so far
  s.stop_experiment();
  CHECK(log.add_experiment(s.experiment_state(), "quadrants") == 1);  // the unfinished one
  REQUIRE(log.entries().size() == 2);
  CHECK(log.entries()[0].status == RunLogEntry::Status::kFinished);
  CHECK(log.entries()[0].model_text() == "mlp");
  CHECK(log.entries()[0].test_epoch >= 1);
  CHECK(log.entries()[1].status == RunLogEntry::Status::kUnfinished);
  CHECK(log.entries()[1].model_text() == "cnn1 3x3");
  CHECK(log.entries()[1].test_epoch == 0);
  const std::string csv = log.csv();
  CHECK(csv.find(",finished,") != std::string::npos);
  CHECK(csv.find(",,unfinished,,,") != std::string::npos);
  CHECK(log.to_json()["runs"][1]["testEpoch"].is_null());
}
