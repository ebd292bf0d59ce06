// Session: the lab's state machine behind the JS API — options validation (unknown keys, bad
// values change nothing), train/pause/step/reset, runs kept for overlaid curves, test evaluation
// after training, the scoring rule (the epoch tested), experiments with identical data order, the
// run log that keeps every finished run's results, and the trainer's messages to the app (the
// dataset report, commands, the run reports' one encoding, the trainer host).
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "core/error.h"
#include "test_helpers.h"
#include "core/rng.h"
#include "model/model.h"
#include "lab/dataset_report.h"
#include "lab/lab_model_file.h"
#include "lab/run_log.h"
#include "lab/run_report.h"
#include "lab/session.h"
#include "lab/trainer_command.h"
#include "lab/trainer_host.h"
#include "data/pack.h"

using namespace cnnlab;
using cnnlab::testing::contains;
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
  // to_json writes exactly the lab's keys but the old spelling "augment" (flip and shift instead)
  lab_keys.erase(std::find(lab_keys.begin(), lab_keys.end(), "augment"));
  std::sort(lab_keys.begin(), lab_keys.end());
  CHECK(keys_written == json(lab_keys));

  // Every lab option applied from JSON reads back the same (a value other than the default).
  const json changed = {{"model", "custom"},     {"spec", "conv2d 8 k=5; relu; flatten; dense 4"},
                        {"kernel", 5},           {"filters", 8},
                        {"dense", 64},           {"dropout", 0.25},    {"blocks", 3},
                        {"pooling", "avg"},      {"stride", 2},        {"epochs", 7},
                        {"batch", 32},           {"lr", 0.005},        {"optimizer", "sgd"},
                        {"momentum", 0.5},       {"nesterov", true},   {"weightDecay", 0.01},
                        {"clipNorm", 2.5},       {"lrSchedule", "cosine"},
                        {"lrStepEpochs", 4},     {"lrGamma", 0.3},     {"lrMin", 0.0001},
                        {"seed", 11},            {"flip", true},       {"shift", 3},
                        {"valFraction", 0.2},    {"patience", 0},      {"standardize", true}};
  REQUIRE(changed.size() == SessionOptions::keys().size() - 1);  // all but "augment"
  SessionOptions o;
  o.merge(changed);
  const json applied = o.to_json();
  for (const auto& item : changed.items()) {
    const std::string key = item.key();
    CAPTURE(key);
    CHECK(applied[key] != defaults[key]);  // the test changes every setting
    if (item.value().is_number_float())
      CHECK(applied[key].get<double>() == doctest::Approx(item.value().get<double>()));
    else
      CHECK(applied[key] == item.value());
  }
  CHECK(o.train.optimizer.weight_decay == 0.01f);
  CHECK(o.train.optimizer.nesterov);
  CHECK(o.train.optimizer.clip_norm == 2.5f);
  CHECK(o.train.lr_schedule.kind == LrScheduleKind::kCosine);
  CHECK(o.train.lr_schedule.step_epochs == 4);
  CHECK(o.train.augment.flip);
  CHECK(o.train.augment.max_shift == 3);
  // ... and back through its own JSON text (links, files, the trainer's commands).
  SessionOptions back;
  back.merge(json::parse(applied.dump()));
  CHECK(back.to_json() == applied);
  CHECK(back.train.to_json() == o.train.to_json());
}

TEST_CASE("Options: the old \"augment\" switch means flip + 2 px shifts and is reported as them") {
  SessionOptions o;
  CHECK(o.to_json()["flip"] == false);
  CHECK(o.to_json()["shift"] == 0);
  CHECK_FALSE(o.to_json().contains("augment"));
  o.merge({{"augment", true}});
  CHECK(o.train.augment.flip);
  CHECK(o.train.augment.max_shift == 2);
  CHECK(o.to_json()["flip"] == true);
  CHECK(o.to_json()["shift"] == 2);
  CHECK_FALSE(o.to_json().contains("augment"));
  o.merge({{"augment", false}});
  CHECK_FALSE(o.train.augment.flip);
  CHECK(o.train.augment.max_shift == 0);
  // Given with the new keys, the new keys win whatever the order in the request.
  o.merge({{"shift", 4}, {"augment", true}});
  CHECK(o.train.augment.flip);
  CHECK(o.train.augment.max_shift == 4);
  o.merge({{"flip", false}, {"augment", true}});
  CHECK_FALSE(o.train.augment.flip);
  CHECK(o.train.augment.max_shift == 2);
  CHECK(error_of([&] { o.merge({{"augment", "yes"}}); }) ==
        "option augment: must be true or false, got \"yes\"");
}

TEST_CASE("Options: every new training setting refused with its key named, nothing applied") {
  SessionOptions o;
  o.merge({{"optimizer", "sgd"}, {"momentum", 0.9}, {"lrSchedule", "step"}, {"shift", 1}});
  const json before = o.to_json();
  const std::vector<std::pair<json, std::string>> refusals = {
      {{{"lrSchedule", "linear"}}, "option lrSchedule: must be constant, step or cosine, got 'linear'"},
      {{{"lrSchedule", 3}}, "option lrSchedule: must be constant, step or cosine, got 3"},
      {{{"lrStepEpochs", 0}}, "option lrStepEpochs: "},
      {{{"lrStepEpochs", 2.5}}, "option lrStepEpochs: must be a whole number"},
      {{{"lrGamma", 0}}, "option lrGamma: must be a number in (0, 1]"},
      {{{"lrGamma", 1.5}}, "option lrGamma: "},
      {{{"lrMin", -1}}, "option lrMin: must be a number >= 0"},
      {{{"lrSchedule", "cosine"}, {"lr", 0.01}, {"lrMin", 0.05}}, "option lrMin: the cosine schedule"},
      {{{"nesterov", "on"}}, "option nesterov: must be true or false"},
      {{{"nesterov", true}, {"momentum", 0}}, "option nesterov: Nesterov momentum needs momentum > 0"},
      {{{"clipNorm", -0.5}}, "option clipNorm: must be a finite number >= 0"},
      {{{"clipNorm", "big"}}, "option clipNorm: must be a number >= 0 (0 = off)"},
      {{{"flip", 1}}, "option flip: must be true or false, got 1"},
      {{{"shift", 9}}, "option shift: the shift must be between 0 and 8 pixels, got 9"},
      {{{"shift", -1}}, "option shift: "},
      {{{"shift", 1.5}}, "option shift: must be a whole number of pixels 0..8"},
      {{{"momentum", 1}}, "option momentum: must be in [0, 1)"},
  };
  for (const auto& refusal : refusals) {
    const json& request = refusal.first;
    const std::string& message = refusal.second;
    CAPTURE(request.dump());
    const std::string error = error_of([&] { o.merge(request); });
    CHECK(error.rfind(message, 0) == 0);
    CHECK(o.to_json() == before);
  }
  // The floor only matters for cosine: a step schedule takes any lrMin >= 0.
  o.merge({{"lrMin", 0.5}});
  CHECK(o.train.lr_schedule.min_lr == 0.5f);
}

TEST_CASE("Options: the new settings survive the lab model file, and old files still load") {
  SessionOptions o;
  o.merge({{"optimizer", "sgd"},  {"momentum", 0.8},      {"nesterov", true},
           {"clipNorm", 1.0},     {"lrSchedule", "step"}, {"lrStepEpochs", 2},
           {"lrGamma", 0.5},      {"flip", true},         {"shift", 3}});
  SessionStatus status;
  const json saved = json::parse(LabModelState::of(o, status).to_json().dump());
  const std::optional<LabModelState> read = LabModelState::from_training_state(saved);
  REQUIRE(read.has_value());
  SessionOptions loaded;
  loaded.merge(read->options);
  CHECK(loaded.to_json() == o.to_json());
  // A file from before: "augment": true and none of the new keys.
  json old = saved;
  json& options = old["lab"]["options"];
  for (const char* key : {"nesterov", "clipNorm", "lrSchedule", "lrStepEpochs", "lrGamma", "lrMin",
                          "flip", "shift"})
    options.erase(key);
  options["augment"] = true;
  SessionOptions from_old;
  from_old.merge(LabModelState::from_training_state(old)->options);
  CHECK(from_old.train.augment.flip);
  CHECK(from_old.train.augment.max_shift == 2);
  CHECK(from_old.train.lr_schedule == LrSchedule{});
  CHECK_FALSE(from_old.train.optimizer.nesterov);
  CHECK(from_old.train.optimizer.clip_norm == 0.0f);
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

TEST_CASE("Options: a layer list of one's own (spec) takes the preset's place, checked per layer") {
  Session s;
  s.set_data(quadrants(10, 5));  // 3x16x16 images, 4 classes
  s.configure(kSmall);
  const std::string layers = "conv2d 4 k=3 pad=same; relu; maxpool2d 2\nflatten  # to a vector\ndense 4";
  s.configure({{"spec", layers}});
  CHECK(s.options().model == "custom");
  CHECK(s.options().spec_text == layers);  // kept as written (comments too)
  CHECK(s.options().to_json()["spec"] == layers);
  CHECK(s.options().named_kernel() == 3);
  CHECK(s.options().model_label() == "custom 3x3");
  const ModelSpec built = s.options().spec(Shape{3, 16, 16}, 4);
  REQUIRE(built.layers.size() == 5);
  CHECK(built.layers[0].units == 4);
  CHECK(built.layers[2].kind == LayerKind::kMaxPool2D);
  CHECK(s.state()["model"]["spec"] == built.text());  // the trainer's model is that list

  // The model is checked layer by layer when given, and against the data when built; a refused
  // list changes nothing.
  const json before = s.options().to_json();
  CHECK(error_of([&] { s.configure({{"spec", "conv2d 4 k=3; maxpol2d 2; dense 4"}}); })
            .find("option spec: layer 2: unknown layer 'maxpol2d'") != std::string::npos);
  CHECK(error_of([&] { s.configure({{"spec", "conv2d 4 k=3; flatten; dense 4"}, {"model", "cnn"}}); })
            .find("option spec: a spec replaces the preset") != std::string::npos);
  // At the length limit and one past it (spaces before a one-layer list).
  const std::string longest = std::string(kMaxSpecText - 16, ' ') + "flatten; dense 4";
  REQUIRE(longest.size() == kMaxSpecText);
  SessionOptions at_limit;
  at_limit.merge({{"spec", longest}});
  CHECK(at_limit.spec_text == longest);
  CHECK(error_of([&] { s.configure({{"spec", " " + longest}}); }) ==
        "option spec: is 65537 characters long; at most 65536");
  // A 16x16 window does not fit conv 1's 14x14 output: known only against the data's shape.
  CHECK(error_of([&] { s.configure({{"spec", "conv2d 4 k=3; maxpool2d 16; flatten; dense 4"}}); })
            .find("layer 2") != std::string::npos);
  CHECK(s.options().to_json() == before);

  // A preset replaces the list; 'custom' alone has no layers to use.
  s.configure({{"model", "cnn1"}});
  CHECK(s.options().spec_text.empty());
  CHECK(s.options().model_label() == "cnn1 3x3");
  CHECK(error_of([&] { s.configure({{"model", "custom"}}); }) ==
        "option model: 'custom' needs its layers: give them as spec");
  // Kernels of several sizes, or none: the label gives no kernel.
  SessionOptions mixed;
  mixed.merge({{"spec", "conv2d 4 k=3 pad=same; conv2d 4 k=5 pad=same; flatten; dense 4"}});
  CHECK_FALSE(mixed.named_kernel());
  CHECK(mixed.model_label() == "custom");
  mixed.merge({{"spec", ""}});  // an empty list: back to the default preset
  CHECK(mixed.model == "cnn");
}

TEST_CASE("Experiment: a custom model's kernel sweep sets every conv layer; other sweeps refused") {
  Session s;
  s.set_data(quadrants(12, 4));
  s.configure(kSmall);
  s.configure({{"spec", "conv2d 4 k=3 pad=same; relu; conv2d 4 k=3 pad=same; relu; flatten; dense 4"}});
  CHECK(error_of([&] { s.start_experiment({{"vary", "filters"}}); })
            .find("a custom model's layers are its own") != std::string::npos);
  CHECK(s.experiment() == nullptr);
  s.start_experiment({{"vary", "kernel"}, {"values", {1, 5}}, {"epochs", 1}});
  run_to_end(s);
  REQUIRE(s.experiment_state());
  const ExperimentReport e = *s.experiment_state();
  REQUIRE(e.runs.size() == 2);
  CHECK(e.runs[0].options.model == "custom");
  CHECK(e.runs[0].options.spec_text ==
        "conv2d 4 k=1 pad=same; relu; conv2d 4 k=1 pad=same; relu; flatten; dense 4");
  CHECK(e.runs[1].options.model_label() == "custom 5x5");
  CHECK(e.runs[1].parameters == 4 * (3 * 25 + 1) + 4 * (4 * 25 + 1) + 4 * (4 * 16 * 16 + 1));
  // The configuration travels in the report and back.
  const ExperimentConfig back = ExperimentConfig::from_json(e.config.to_json(), "experiment");
  CHECK(back.spec_text == e.config.spec_text);
  CHECK(back.spec(1, Shape{3, 16, 16}, 4).text() == e.runs[1].options.spec_text);

  // Without a conv layer nothing depends on the kernel.
  Session mlp;
  mlp.set_data(quadrants(12, 4));
  mlp.configure(kSmall);
  mlp.configure({{"spec", "flatten; dense 8; relu; dense 4"}});
  CHECK(error_of([&] { mlp.start_experiment({{"vary", "kernel"}}); })
            .find("no conv2d layer") != std::string::npos);
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

TEST_CASE("Options: errors name the key as given") {
  SessionOptions o;
  // clipNorm and nesterov, once cnnlab's only, are the lab's too, checked the same way.
  o.merge({{"clipNorm", 1.5}, {"nesterov", true}, {"optimizer", "sgd"}});
  CHECK(o.train.optimizer.clip_norm == 1.5f);
  CHECK(o.train.optimizer.nesterov);
  CHECK(o.to_json()["clipNorm"] == 1.5);
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

TEST_CASE("Options: every number is refused out of range at once, 0 and -1 only where documented") {
  // Links, <cnn-lab> attributes and the API all arrive here: a model number out of range is
  // refused under its key when merged, not later when a model is built from it.
  SessionOptions o;
  CHECK(error_of([&] { o.merge({{"kernel", 0}}); }) == "option kernel: must be a whole number 1..11, got 0");
  CHECK(error_of([&] { o.merge({{"kernel", 12}}); }) == "option kernel: must be a whole number 1..11, got 12");
  CHECK(error_of([&] { o.merge({{"stride", 0}}); }) == "option stride: must be a whole number 1..8, got 0");
  CHECK(error_of([&] { o.merge({{"filters", -1}}); }) ==
        "option filters: must be a whole number 0..1024 (0 = preset's), got -1");
  CHECK(error_of([&] { o.merge({{"filters", 1025}}); }).rfind("option filters: must be", 0) == 0);
  CHECK(error_of([&] { o.merge({{"dense", -5}}); }).rfind("option dense: must be", 0) == 0);
  CHECK(error_of([&] { o.merge({{"blocks", 9}}); }) ==
        "option blocks: must be a whole number 0..8 (0 = preset's), got 9");
  CHECK(error_of([&] { o.merge({{"dropout", 1}}); }) ==
        "option dropout: must be a number in [0, 1), or -1 (preset's), got 1");
  CHECK(error_of([&] { o.merge({{"dropout", -0.5}}); }).rfind("option dropout: must be", 0) == 0);
  CHECK(error_of([&] { o.merge({{"dropout", 9e24}}); }).rfind("option dropout: must be", 0) == 0);
  // Training settings inside a report or a saved state: a number no int can hold is refused
  // naming the field (found by fuzz_trainer_report), not converted with undefined behaviour.
  CHECK(error_of([&] { TrainConfig::from_json({{"epochs", 5.5e106}}); }) ==
        "training settings: field 'epochs' is out of range (5.5e+106)");
  CHECK(TrainConfig::from_json({{"epochs", 7}}).epochs == 7);
  CHECK(error_of([&] { o.merge({{"epochs", 0}}); }).rfind("option epochs: ", 0) == 0);
  CHECK(error_of([&] { o.merge({{"patience", -1}}); }).rfind("option patience: ", 0) == 0);
  CHECK(o.to_json() == SessionOptions().to_json());  // nothing refused was applied
  // At the limits, and the documented meanings of 0 and -1, are accepted.
  o.merge({{"kernel", 11}, {"stride", 8}, {"filters", 0}, {"dense", 0}, {"blocks", 0},
           {"dropout", -1}, {"patience", 0}, {"valFraction", 0}});
  o.merge({{"kernel", 1}, {"stride", 1}, {"filters", 1024}, {"dense", 65536}, {"blocks", 8},
           {"dropout", 0}});
  CHECK(o.preset.filters == 1024);
  CHECK(o.preset.blocks == 8);
}

TEST_CASE("The new training settings reach the trainer: state() options and the run's record") {
  Session s;
  s.set_data(quadrants(24, 10));
  s.configure(kSmall);
  const json settings = {{"optimizer", "sgd"},    {"momentum", 0.8},    {"nesterov", true},
                         {"clipNorm", 1.5},       {"lrSchedule", "step"}, {"lrStepEpochs", 1},
                         {"lrGamma", 0.5},        {"flip", true},       {"shift", 3}};
  s.configure(settings);
  const json options = s.state()["options"];
  for (const auto& item : settings.items()) {
    CAPTURE(item.key());
    if (item.value().is_number_float())
      CHECK(options[item.key()].get<double>() == doctest::Approx(item.value().get<double>()));
    else
      CHECK(options[item.key()] == item.value());
  }
  CHECK(s.state()["lr"].is_null());  // no run yet
  s.step();  // the first epoch's rate (0.01, kSmall's)
  CHECK(s.state()["lr"].get<double>() == doctest::Approx(0.01));
  const int64_t per_epoch = s.state()["stepsPerEpoch"].get<int64_t>();
  for (int64_t i = 1; i < per_epoch; ++i) s.step();
  // The next step is the second epoch's: halved once.
  CHECK(s.state()["lr"].get<double>() == doctest::Approx(0.005));
  CHECK(*SessionStatus::from_json(json::parse(s.state().dump()), "state").lr ==
        doctest::Approx(0.005));
  s.train();
  run_to_end(s);
  CHECK(s.state()["phase"] == "done");
  CHECK(s.state()["lr"].is_null());  // no next step
  const std::vector<RunRecord> runs = s.history();
  REQUIRE(runs.size() == 1);
  const json recorded = json::parse(runs[0].to_json().dump())["options"];
  for (const auto& item : settings.items()) {
    CAPTURE(item.key());
    CHECK(recorded[item.key()] == options[item.key()]);
  }
  CHECK(runs[0].options.train.lr_schedule.kind == LrScheduleKind::kStep);
  // A refused setting changes nothing: the settings and the finished run stay as they were.
  CHECK(error_of([&] { s.configure({{"shift", 12}}); }).rfind("option shift: ", 0) == 0);
  CHECK(error_of([&] { s.configure({{"lrSchedule", "linear"}}); }).rfind("option lrSchedule: ", 0) == 0);
  CHECK(s.state()["options"] == options);
  CHECK(s.history().size() == 1);
  CHECK(s.state()["testAcc"].is_number());
}

TEST_CASE("While the finished run is tested the state says testing, and only then") {
  Session s;
  s.set_data(quadrants(24, 50));  // 200 test images: 4 evaluation batches of 64
  s.configure(kSmall);
  CHECK_FALSE(s.status().testing);
  s.train();
  int testing_ticks = 0;
  // A zero budget: one test batch per tick, so the test takes several ticks.
  for (int i = 0; i < 100000 && s.tick(0.0); ++i) {
    const SessionStatus st = s.status();
    if (!st.testing) {
      CHECK(st.epoch < 2);  // still training: the test comes after the last epoch
      continue;
    }
    ++testing_ticks;
    CHECK(st.phase == "training");
    CHECK(st.epoch == 2);
    CHECK_FALSE(st.test_acc);
    CHECK(SessionStatus::from_json(json::parse(st.to_json().dump()), "state").testing);
  }
  CHECK(testing_ticks >= 2);
  const SessionStatus done = s.status();
  CHECK(done.phase == "done");
  CHECK_FALSE(done.testing);
  CHECK(done.test_acc);
  // A report from before the field: not testing.
  json old_report = done.to_json();
  old_report.erase("testing");
  CHECK_FALSE(SessionStatus::from_json(old_report, "state").testing);
}

TEST_CASE("While the finished run is tested its end line says so, with the tested epoch and progress") {
  Session s;
  s.set_data(quadrants(24, 50));  // 200 test images: 4 evaluation batches of 64
  s.configure(kSmall);
  s.train();
  std::vector<double> progress_seen;
  for (int i = 0; i < 100000 && s.tick(0.0); ++i) {
    const SessionStatus st = s.status();
    if (!st.testing) continue;
    REQUIRE(st.testing_epoch);
    CHECK(*st.testing_epoch == 2);
    REQUIRE(st.test_progress);
    progress_seen.push_back(*st.test_progress);
    const std::string line = run_end_line(st);
    CAPTURE(line);
    CHECK(contains(line, "Testing epoch 2's weights on the 200 test images"));
    CHECK_FALSE(contains(line, "tested on"));
    CHECK_FALSE(contains(line, "Stopped"));
    const SessionStatus read = SessionStatus::from_json(json::parse(st.to_json().dump()), "state");
    CHECK(read.testing_epoch == st.testing_epoch);
    CHECK(read.test_progress == st.test_progress);
  }
  REQUIRE(progress_seen.size() >= 2);
  CHECK(progress_seen.back() > progress_seen.front());  // the test advances, and it shows
  const SessionStatus done = s.status();
  CHECK_FALSE(done.testing_epoch);
  CHECK(run_end_line(done) == "Stopped: " + done.stop_reason);

  // A scoring clause that claims the test is left out until the test has run.
  SessionStatus st = done;
  st.testing = true;
  st.testing_epoch = 5;
  st.test_progress = 0.4;
  st.dataset = DatasetStatus{};
  st.dataset->test = 2000;
  st.stop_reason = "completed 5 epochs; tested on epoch 5, which had the lowest validation loss";
  CHECK(run_end_line(st) ==
        "Training ended: completed 5 epochs. Testing epoch 5's weights on the 2,000 test images "
        "(40 %)...");
  st.testing = false;
  CHECK(run_end_line(st) == "Stopped: " + st.stop_reason);
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
  std::vector<RunRecord> h = s.history();
  REQUIRE(h.size() == 1);
  CHECK(h[0].epochs.size() == 2);
  CHECK(h[0].test_accuracy == st["testAcc"].get<double>());
  CHECK_FALSE(h[0].steps);  // the current run's step curve comes as StepRecords

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
  h = s.history();
  REQUIRE(h.size() == 2);
  REQUIRE(h[0].steps);  // a past run keeps its step curve
  CHECK(h[0].steps->stride == 1);
  CHECK(h[0].steps->loss.size() == 2 * static_cast<size_t>(st["stepsPerEpoch"].get<int>()));
  CHECK(h[1].run == 2);
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
    const std::vector<RunRecord> h = s.history();
    REQUIRE(h.size() == 1);
    CHECK(h[0].test_epoch == expected_epoch);
    CHECK(h[0].test_accuracy == st["testAcc"].get<double>());
    // The record keeps its test confusion counts: K x K, summing to the test images.
    REQUIRE(h[0].test_confusion.size() == 4);
    size_t total = 0, right = 0;
    for (size_t t = 0; t < 4; ++t)
      for (size_t p = 0; p < 4; ++p) {
        REQUIRE(h[0].test_confusion[t].size() == 4);
        const size_t n = h[0].test_confusion[t][p];
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
  const std::vector<EpochRecord> ea = a.history()[0].epochs, eb = b.history()[0].epochs;
  REQUIRE(ea.size() == eb.size());
  for (size_t i = 0; i < ea.size(); ++i) {
    CHECK(ea[i].train_loss == eb[i].train_loss);
    CHECK(ea[i].val_accuracy == eb[i].val_accuracy);
  }
  a.configure({{"kernel", 5}});
  CHECK(a.state()["phase"] == "ready");
  REQUIRE(a.history().size() == 1);  // the finished run was archived
  CHECK(a.history()[0].options.preset.kernel == 3);  // under the options it ran with
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
  REQUIRE(s.experiment_state());
  const ExperimentReport e = *s.experiment_state();
  CHECK(e.done);
  REQUIRE(e.runs.size() == 3);
  CHECK(e.identical_data_order);
  CHECK(e.runs[0].data_order == e.runs[2].data_order);
  CHECK(e.runs[0].data_order.size() == 16);
  for (const ExperimentRunReport& run : e.runs) {
    CHECK(run.status == ExperimentRunStatus::kFinished);
    CHECK(run.test_epoch == 1);  // one epoch: the best and the last
    CHECK(run.finished);
    CHECK(run.test_accuracy);
    CHECK(run.test_confusion.size() == 4);
    CHECK(run.options.preset.kernel == std::stoi(run.configuration.substr(7)));  // "kernel=5"
  }
  REQUIRE(e.summary.size() == 3);
  CHECK(e.summary[1].configuration == "kernel=3");
  CHECK(e.summary[1].tested_epochs == "1");
  CHECK(e.table.find("kernel=5") != std::string::npos);
  CHECK(e.csv.find("kernel=3,0,3") != std::string::npos);
}

TEST_CASE("Stopping an experiment keeps every result so far") {
  Session s;
  s.set_data(quadrants(12, 4));
  s.configure(kSmall);
  s.start_experiment({{"vary", "model"}, {"values", {"mlp", "cnn1"}}, {"epochs", 3}});
  for (int i = 0; i < 8; ++i) s.tick(0.0);
  s.stop_experiment();
  const ExperimentReport e = s.experiment_state().value();
  CHECK_FALSE(e.running);
  REQUIRE(e.runs.size() == 2);
  CHECK(e.runs[0].step > 0);
  CHECK(e.runs[1].step > 0);
  // Stopped half-way: each run says it is unfinished and has no tested epoch; so do the exports.
  for (const ExperimentRunReport& run : e.runs) {
    CHECK(run.status == ExperimentRunStatus::kUnfinished);
    CHECK_FALSE(run.test_epoch);
    CHECK_FALSE(run.test_accuracy);
    CHECK(run.test_confusion.empty());
  }
  CHECK(e.table.find("| unfinished |") != std::string::npos);
  CHECK(e.csv.find(",0,unfinished,") != std::string::npos);
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
  const ExperimentReport paused = s.experiment_state().value();
  CHECK_FALSE(paused.running);
  CHECK_FALSE(paused.done);
  CHECK_FALSE(s.tick(0.05));  // nothing advances while paused
  CHECK(s.experiment_state()->runs[0].step == paused.runs[0].step);
  CHECK(s.experiment_state()->runs[1].step == paused.runs[1].step);
  // A refused sweep leaves the paused experiment as it was.
  CHECK(error_of([&] { s.start_experiment({{"vary", "kernel"}, {"values", {3, 40}}}); })
            .find("kernel=40") != std::string::npos);
  CHECK(s.experiment_id() == id);
  CHECK(s.experiment_state()->runs[0].step == paused.runs[0].step);
  s.resume_experiment();
  CHECK(s.experiment_state()->running);
  run_to_end(s);
  const ExperimentReport e = s.experiment_state().value();
  CHECK(e.done);
  CHECK(e.id == id);
  // Per-step curves of each run: loss and accuracy, as many as its steps (stride 1 here).
  for (const ExperimentRunReport& r : e.runs) {
    CHECK(r.step_loss.stride == 1);
    CHECK(r.step_loss.loss.size() == static_cast<size_t>(r.step));
    CHECK(r.step_loss.acc.size() == static_cast<size_t>(r.step));
    CHECK(r.steps_per_epoch > 0);
  }
  CHECK(error_of([&] { s.resume_experiment(); }).find("finished") != std::string::npos);
}

TEST_CASE("Experiment summary: time per run counts tested runs only (a run still training would pull it up)") {
  Session s;
  s.set_data(quadrants(12, 4));
  s.configure(kSmall);
  s.start_experiment({{"vary", "kernel"}, {"values", {1, 3}}, {"epochs", 2}});
  // Until the first run has an epoch but no test result yet.
  for (int i = 0; i < 10000; ++i) {
    const ExperimentReport r = s.experiment_state().value();
    if (r.runs[0].epoch >= 1) break;
    s.tick(0.0);
  }
  const ExperimentReport training = s.experiment_state().value();
  REQUIRE(training.runs[0].epoch >= 1);
  REQUIRE_FALSE(training.runs[0].test_accuracy.has_value());
  CHECK(training.runs[0].seconds > 0);
  CHECK(training.summary[0].seconds == 0);
  run_to_end(s);
  const ExperimentReport done = s.experiment_state().value();
  for (size_t c = 0; c < 2; ++c) {
    CHECK(done.summary[c].seconds > 0);
    CHECK(done.summary[c].seconds == doctest::Approx(done.runs[c].seconds));
  }
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
  // Every training setting of the lab travels with the base, the new ones too, and survives the
  // experiment's own JSON (its report, the worker's command).
  SessionOptions tuned = current;
  tuned.merge({{"optimizer", "sgd"}, {"nesterov", true}, {"clipNorm", 2}, {"lrSchedule", "cosine"},
               {"lrMin", 0.0001}, {"flip", true}, {"shift", 3}});
  const ExperimentConfig t = experiment_config_from_json({{"vary", "kernel"}}, tuned);
  CHECK(t.train.to_json() == tuned.train.to_json());
  CHECK(ExperimentConfig::from_json(json::parse(t.to_json().dump()), "experiment").train.to_json() ==
        tuned.train.to_json());
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
  // At the limits: eight configurations of five repeats are accepted; a sixth repeat is not.
  ExperimentConfig eight = experiment_config_from_json(
      {{"vary", "filters"}, {"values", {1, 2, 3, 4, 5, 6, 7, 8}}, {"repeats", 5}}, current);
  CHECK(error_of([&] { eight.validate(Shape{3, 16, 16}, 4, experiment_memory_limit()); }) == "");
  eight.repeats = 6;
  CHECK(error_of([&] { eight.validate(Shape{3, 16, 16}, 4, experiment_memory_limit()); }) ==
        "experiment repeats: must be between 1 and 5");
}

TEST_CASE("Experiment: a variable the model does not use is refused (every value, one network)") {
  Session s;
  s.set_data(quadrants(12, 4));
  json mlp = kSmall;
  mlp["model"] = "mlp-small";
  s.configure(mlp);
  for (const char* vary : {"kernel", "pooling", "stride"}) {
    const std::string why = error_of([&] { s.start_experiment({{"vary", vary}}); });
    CHECK_MESSAGE(contains(why, "build the same network on the mlp-small model"), why);
    CHECK_MESSAGE(contains(why, std::string("nothing in it depends on ") + vary), why);
  }
  CHECK(s.experiment() == nullptr);
  // A model comparison on the same settings is not one network twice: it starts.
  s.start_experiment({{"vary", "model"}, {"values", {"mlp-small", "cnn1"}}, {"epochs", 1}});
  CHECK(s.experiment() != nullptr);
}

TEST_CASE("Experiment matchParams: the MLP is sized to the CNN's parameter count") {
  // cnn1 with 8 filters and dense 64 on 3x16x16, 4 classes: 33,316 parameters. (The 4-filter
  // kSmall has 4,292, between two mlp-small widths' 3,869 and 4,651: refused, as below.)
  json budget = kSmall;
  budget["filters"] = 8;
  budget["dense"] = 64;
  Session s;
  s.set_data(quadrants(12, 4));
  s.configure(budget);
  s.start_experiment({{"vary", "model"}, {"values", {"mlp-small", "cnn1"}}, {"matchParams", true},
                      {"epochs", 1}});
  REQUIRE(s.experiment_state());
  const ExperimentReport e = *s.experiment_state();
  REQUIRE(e.runs.size() == 2);
  CHECK(e.config.match_params);
  const double mlp = static_cast<double>(e.runs[0].parameters);
  const double cnn = static_cast<double>(e.runs[1].parameters);
  CHECK_MESSAGE(std::abs(mlp - cnn) <= 0.02 * cnn, mlp << " vs " << cnn);
  // The run log shows the width chosen, and the same width rebuilds the same count.
  const int width = e.runs[0].options.preset.dense;
  CHECK(width > 0);
  CHECK(preset("mlp-small", Shape{3, 16, 16}, 4, e.runs[0].options.preset).parameter_count() ==
        e.runs[0].parameters);
  // Without matchParams the MLP keeps the base's width (dense 64): 51,428 parameters.
  Session plain;
  plain.set_data(quadrants(12, 4));
  plain.configure(budget);
  plain.start_experiment({{"vary", "model"}, {"values", {"mlp-small", "cnn1"}}, {"epochs", 1}});
  CHECK(plain.experiment_state()->runs[0].parameters == 51428);
  // The setting round trips with the experiment's configuration, and is off when absent.
  const ExperimentConfig back = ExperimentConfig::from_json(e.config.to_json(), "config");
  CHECK(back.match_params);
  json old = e.config.to_json();
  old.erase("matchParams");
  CHECK_FALSE(ExperimentConfig::from_json(old, "config").match_params);
  // It needs an MLP and a CNN in a model sweep; refused before anything changes otherwise.
  Session other;
  other.set_data(quadrants(12, 4));
  other.configure(kSmall);
  for (const json& bad : {json{{"vary", "kernel"}, {"matchParams", true}},
                          json{{"vary", "model"}, {"values", {"cnn1", "cnn"}}, {"matchParams", true}},
                          json{{"vary", "model"}, {"values", {"mlp", "mlp-small"}}, {"matchParams", true}}}) {
    const std::string why = error_of([&] { other.start_experiment(bad); });
    CHECK_MESSAGE(contains(why, "matchParams"), why);
    CHECK_MESSAGE(contains(why, "values mlp,cnn"), why);
  }
  CHECK(other.experiment() == nullptr);
  CHECK(contains(error_of([&] { other.start_experiment({{"vary", "model"}, {"matchParams", 1}}); }),
                 "matchParams"));
  // No width of mlp-small comes within 2 % of the 4-filter cnn1's 4,292: said, not approximated.
  const std::string gap = error_of([&] {
    other.start_experiment({{"vary", "model"}, {"values", {"mlp-small", "cnn1"}}, {"matchParams", true}});
  });
  CHECK_MESSAGE(contains(gap, "within 2 % of 4292 parameters"), gap);
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
  // The class means and the histogram are floats the Data panel draws: NaN, infinity or a value
  // outside a pixel's 0..255 (a fraction's 0..1) is refused, naming the section and value.
  for (const auto& [field, index, value, message] :
       {std::tuple{&DatasetReport::class_means, size_t{5}, NAN,
                   "report: class means value 5 is nan, outside 0..255"},
        std::tuple{&DatasetReport::class_means, size_t{0}, 256.0f,
                   "report: class means value 0 is 256.000000, outside 0..255"},
        std::tuple{&DatasetReport::pixel_histogram, size_t{3}, INFINITY,
                   "report: pixel histogram value 3 is inf, outside 0..1"},
        std::tuple{&DatasetReport::pixel_histogram, size_t{1}, -0.5f,
                   "report: pixel histogram value 1 is -0.500000, outside 0..1"}}) {
    DatasetReport spoilt = r;
    (spoilt.*field)[index] = value;
    const std::vector<uint8_t> b = encode_dataset_report(spoilt);
    CHECK(error_of([&] { decode_dataset_report(b.data(), b.size(), "report"); }) == message);
  }
  // Labels are one byte: 256 classes at most, as every dataset format.
  DatasetReport many = r;
  many.train.class_names.resize(257, "extra");
  many.class_means.resize(257 * many.train.image_bytes(), 0.0f);
  const std::vector<uint8_t> b = encode_dataset_report(many);
  CHECK(error_of([&] { decode_dataset_report(b.data(), b.size(), "report"); }) ==
        "report: header field 'classes' must name 1 to 256 classes, has 257");
  // The JSON header: 1 MB (padded with spaces, still valid JSON) is read, one byte more refused.
  auto with_header_of = [&](size_t header_size) {
    const uint32_t old_size = bytes[12] | bytes[13] << 8 | bytes[14] << 16 | bytes[15] << 24;
    std::vector<uint8_t> out(bytes.begin(), bytes.begin() + 16 + old_size);
    out.resize(16 + header_size, ' ');
    out.insert(out.end(), bytes.begin() + 16 + old_size, bytes.end());
    for (int i = 0; i < 4; ++i) out[12 + i] = static_cast<uint8_t>(header_size >> (8 * i));
    return out;
  };
  const std::vector<uint8_t> at_limit = with_header_of(size_t{1} << 20);
  CHECK(decode_dataset_report(at_limit.data(), at_limit.size(), "report").train.class_names ==
        r.train.class_names);
  const std::vector<uint8_t> past = with_header_of((size_t{1} << 20) + 1);
  CHECK(error_of([&] { decode_dataset_report(past.data(), past.size(), "report"); }) ==
        "report: claims a header of 1048577 bytes (at most 1048576)");
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

TEST_CASE("Session: run labels tell an MLP of another width from the baseline, a CNN by kernel") {
  Session s(1);
  s.set_data(quadrants(4, 2));
  s.configure({{"model", "mlp"}, {"dense", 24}, {"epochs", 1}, {"batch", 8}});
  s.step();
  CHECK(s.history().back().label == "run 1: mlp dense 24");
  s.reset();
  s.configure({{"dense", 0}});  // the preset's own width
  s.step();
  CHECK(s.history().back().label == "run 2: mlp");
  s.reset();
  s.configure({{"model", "cnn1"}, {"kernel", 5}, {"dense", 24}});
  s.step();
  CHECK(s.history().back().label == "run 3: cnn1 5x5");
}

// ---- TrainerHost: the trainer side of the app's protocol ------------------------------------

TEST_CASE("TrainerHost: a pack is loaded once, reported once; a bad one keeps the dataset") {
  TrainerHost host(1);
  const DataSource data = quadrants(4, 2);
  const std::vector<uint8_t> pack = encode_pack(data);
  host.load_pack(pack.data(), pack.size(), "quadrants.pack");
  TrainerReport report = host.poll(0.0, true);
  CHECK(report.dataset_due);
  const DatasetReport r = host.dataset_report();
  CHECK(r.train.size() == 16);
  CHECK(r.test.size() == 8);
  CHECK(!host.poll(1.0, true).dataset_due);  // reported once

  std::vector<uint8_t> broken(pack.begin(), pack.begin() + static_cast<std::ptrdiff_t>(pack.size() / 2));
  CHECK_THROWS_AS(host.load_pack(broken.data(), broken.size(), "half.pack"), Error);
  CHECK(!host.poll(2.0, true).dataset_due);
  CHECK(host.session().data().train.size() == 16);  // the dataset it had stays
  // A JPEG pack cut short inside an image, fed as a download is: refused naming the image, the
  // dataset stays; the whole JPEG pack then loads.
  const std::vector<uint8_t> jpeg = encode_pack(quadrants(2, 1), PackEncoding::jpeg());
  host.begin_data(jpeg.size(), "cut-jpeg.pack");
  host.feed_data(jpeg.data(), jpeg.size() - 20);
  CHECK(error_of([&] { host.finish_data(); }).find("(it ends inside image") != std::string::npos);
  CHECK(!host.poll(2.0, true).dataset_due);
  CHECK(host.session().data().train.size() == 16);
  host.load_pack(jpeg.data(), jpeg.size(), "jpeg.pack");
  CHECK(host.poll(2.0, true).dataset_due);
  CHECK(host.session().data().train.size() == 8);
  host.load_pack(pack.data(), pack.size(), "quadrants.pack");
  CHECK(host.poll(2.0, true).dataset_due);

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
  CHECK(report.snapshot_due);  // new weights after the step
  const std::vector<uint8_t> snapshot = host.snapshot();
  CHECK(!snapshot.empty());
}

TEST_CASE("TrainerHost: warming up runs its steps on a throw-away model and changes nothing") {
  const DataSource data = quadrants(4, 2);
  const std::vector<uint8_t> pack = encode_pack(data);
  const auto configure = [](TrainerHost& host) {
    host.handle(TrainerCommand::from_json(json{{"type", "configure"}, {"options", kSmall}}, "cmd"));
  };
  // The same session without and with a warm-up: the same weights before and after one step.
  TrainerHost plain(1), warmed(1);
  for (TrainerHost* host : {&plain, &warmed}) {
    host->load_pack(pack.data(), pack.size(), "quadrants.pack");
    configure(*host);
  }
  const nlohmann::json state_before = warmed.session().state();
  const std::vector<uint8_t> weights_before = warmed.snapshot();
  int calls = 1;
  while (warmed.warm_up(0.0)) ++calls;  // no time budget: one step per call
  CHECK(calls == TrainerHost::kWarmUpSteps);
  CHECK_FALSE(warmed.warm_up(1.0));  // done until the next dataset
  CHECK(warmed.snapshot() == weights_before);
  CHECK(warmed.session().state() == state_before);
  CHECK(warmed.session().history().empty());
  for (TrainerHost* host : {&plain, &warmed}) host->handle(TrainerCommand{CommandType::kStep, nullptr});
  CHECK(warmed.snapshot() == plain.snapshot());
  CHECK(warmed.snapshot() != weights_before);

  // A new dataset warms up again, unless the student has started something.
  warmed.load_pack(pack.data(), pack.size(), "quadrants.pack");
  configure(warmed);
  CHECK(warmed.warm_up(0.0));
  warmed.handle(TrainerCommand{CommandType::kTrain, nullptr});
  CHECK(warmed.busy());
  CHECK_FALSE(warmed.warm_up(1.0));
  CHECK_FALSE(warmed.warm_up(1.0));
}

TEST_CASE("TrainerHost: a dataset handed over in pieces loads as in one piece") {
  const DataSource data = quadrants(4, 2);
  const std::vector<uint8_t> pack = encode_pack(data);
  TrainerHost host(1);
  host.begin_data(pack.size(), "pieces.pack");
  for (size_t at = 0; at < pack.size(); at += 5) host.feed_data(pack.data() + at, std::min<size_t>(5, pack.size() - at));
  host.finish_data();
  CHECK(host.poll(0.0, true).dataset_due);
  CHECK(host.session().data().origin == "pieces.pack");
  CHECK(host.session().data().train.pixels == data.train.pixels);
  CHECK(host.session().data().test.labels == data.test.labels);

  // Bytes past the announced size are refused at once; the load is dropped and the dataset stays.
  const DataSource other = quadrants(2, 1);
  const std::vector<uint8_t> small = encode_pack(other);
  host.begin_data(small.size() - 1, "short.pack");
  CHECK(error_of([&] { host.feed_data(small.data(), small.size()); }).find("more bytes arrived") !=
        std::string::npos);
  CHECK(error_of([&] { host.finish_data(); }).find("no dataset is arriving") != std::string::npos);
  CHECK(error_of([&] { host.feed_data(small.data(), 1); }).find("without a dataset") !=
        std::string::npos);
  // A stream that ends early: refused at the end, naming how many bytes came.
  host.begin_data(small.size(), "cut.pack");
  host.feed_data(small.data(), small.size() - 10);
  CHECK(error_of([&] { host.finish_data(); }).find("cut.pack: truncated pack file") !=
        std::string::npos);
  CHECK(host.session().data().train.size() == data.train.size());
  CHECK(!host.poll(1.0, true).dataset_due);
  // A download that fails part-way is dropped.
  host.begin_data(small.size(), "interrupted.pack");
  host.feed_data(small.data(), 100);
  host.abort_data();
  CHECK(error_of([&] { host.finish_data(); }).find("no dataset is arriving") != std::string::npos);
  // A format other than a pack is gathered and read at the end (here: not a dataset at all).
  const std::string text = "just some text, not a dataset";
  host.begin_data(text.size(), "notes.txt");
  host.feed_data(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  CHECK(!error_of([&] { host.finish_data(); }).empty());
  CHECK(host.session().data().train.size() == data.train.size());
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
  CHECK(first.model_text() == "mlp dense 16");  // kSmall's width, not the preset's
  CHECK(second.model_text() == "cnn1 3x3");
  CHECK(first.source == "run 1");
  CHECK(first.source_text() == "training run 1");  // not to be read as the entry's number
  CHECK(first.test_epoch == 1);
  CHECK(first.test_accuracy == s.history()[0].test_accuracy);
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
  CHECK(csv.find("\n1,\"run 1\",\"quadrants\",\"mlp dense 16\",") != std::string::npos);
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
    if (s.experiment_state()->runs[0].test_accuracy) break;
  }
  REQUIRE(s.experiment_state()->runs[0].test_accuracy);
  REQUIRE_FALSE(s.experiment_state()->runs[1].test_accuracy);
  CHECK(log.add_experiment(*s.experiment_state(), "quadrants") == 1);  // the tested one so far
  s.stop_experiment();
  CHECK(log.add_experiment(*s.experiment_state(), "quadrants") == 1);  // the unfinished one
  REQUIRE(log.entries().size() == 2);
  CHECK(log.entries()[0].status == RunLogEntry::Status::kFinished);
  CHECK(log.entries()[0].model_text() == "mlp dense 16");
  CHECK(log.entries()[0].test_epoch >= 1);
  CHECK(log.entries()[1].status == RunLogEntry::Status::kUnfinished);
  CHECK(log.entries()[1].model_text() == "cnn1 3x3");
  CHECK(log.entries()[1].test_epoch == 0);
  const std::string csv = log.csv();
  CHECK(csv.find(",finished,") != std::string::npos);
  CHECK(csv.find(",,unfinished,,,") != std::string::npos);
  CHECK(log.to_json()["runs"][1]["testEpoch"].is_null());
}

// ---- Run reports: history() and experiment_state() as the app receives them -----------------

namespace {

std::set<std::string> keys_of(const json& j) {
  std::set<std::string> keys;
  for (const auto& item : j.items()) keys.insert(item.key());
  return keys;
}

// What the app does with a report: the JSON travels as text and is read back.
template <typename T>
T through_text(const T& value) {
  return T::from_json(json::parse(value.to_json().dump()), "test");
}

}  // namespace

TEST_CASE("RunRecord: history() round trips through its JSON with the JS API's keys") {
  Session s(1);
  s.set_data(quadrants(12, 5));
  json options = kSmall;
  options["epochs"] = 1;
  s.configure(options);
  s.train();
  run_to_end(s);
  s.reset();  // run 1 becomes a past run (with its thinned step curve)
  s.train();
  s.tick(0.0);  // run 2: one step, no epoch, no test yet
  s.pause();
  const std::vector<RunRecord> history = s.history();
  REQUIRE(history.size() == 2);
  const RunRecord& past = history[0];
  REQUIRE(past.test_accuracy);
  REQUIRE(past.steps);
  CHECK_FALSE(history[1].test_accuracy);
  CHECK_FALSE(history[1].steps);

  // The keys the JavaScript API's history() and the curve exports read.
  const std::set<std::string> always{"run",     "label",    "dataset",   "options", "epochs",
                                     "testAcc", "testLoss", "testEpoch", "stopReason"};
  std::set<std::string> tested = always;
  tested.insert({"testConfusion", "steps"});
  CHECK(keys_of(past.to_json()) == tested);
  CHECK(keys_of(history[1].to_json()) == always);
  CHECK(keys_of(past.to_json()["epochs"][0]) ==
        std::set<std::string>{"epoch", "trainLoss", "trainAcc", "valLoss", "valAcc",
                              "imagesPerSecond", "seconds"});
  CHECK(keys_of(past.to_json()["steps"]) == std::set<std::string>{"stride", "loss", "acc"});
  CHECK(history[1].to_json()["testAcc"].is_null());

  for (const RunRecord& r : history) {
    const RunRecord back = through_text(r);
    CHECK(back.to_json().dump() == r.to_json().dump());
    CHECK(back.run == r.run);
    CHECK(back.label == r.label);
    CHECK(back.dataset == r.dataset);
    CHECK(back.options.to_json() == r.options.to_json());
    REQUIRE(back.epochs.size() == r.epochs.size());
    for (size_t i = 0; i < r.epochs.size(); ++i) {
      CHECK(back.epochs[i].epoch == r.epochs[i].epoch);
      CHECK(back.epochs[i].train_loss == r.epochs[i].train_loss);
      CHECK(back.epochs[i].val_accuracy == r.epochs[i].val_accuracy);
      CHECK(back.epochs[i].train_seconds == r.epochs[i].train_seconds);
    }
    CHECK(back.test_accuracy == r.test_accuracy);
    CHECK(back.test_loss == r.test_loss);
    CHECK(back.test_epoch == r.test_epoch);
    CHECK(back.test_confusion == r.test_confusion);
    CHECK(back.stop_reason == r.stop_reason);
    REQUIRE(back.steps.has_value() == r.steps.has_value());
    if (r.steps) {
      CHECK(back.steps->stride == r.steps->stride);
      CHECK(back.steps->loss == r.steps->loss);
      CHECK(back.steps->acc == r.steps->acc);
    }
  }
  // The list as the trainer sends it.
  const std::vector<RunRecord> back =
      run_history_from_json(json::parse(run_history_json(history).dump()), "history");
  REQUIRE(back.size() == 2);
  CHECK(run_history_json(back) == run_history_json(history));

  // Unknown numbers (no validation split, a failed step) travel as null and come back as NaN.
  RunRecord unknown = past;
  unknown.epochs[0].val_loss = unknown.epochs[0].val_accuracy = NAN;
  unknown.steps->loss[0] = NAN;
  const json j = json::parse(unknown.to_json().dump());
  CHECK(j["epochs"][0]["valLoss"].is_null());
  CHECK(j["steps"]["loss"][0].is_null());
  const RunRecord read = RunRecord::from_json(j, "test");
  CHECK(std::isnan(read.epochs[0].val_loss));
  CHECK(std::isnan(read.steps->loss[0]));
}

TEST_CASE("RunRecord: every run names the dataset it trained on, a new dataset's runs another") {
  Session s(1);
  s.set_data(quadrants(12, 5));
  json options = kSmall;
  options["epochs"] = 1;
  s.configure(options);
  s.train();
  run_to_end(s);
  // A bigger subset of the same dataset (the site's 1k and 5k packs share their name).
  s.set_data(quadrants(20, 5));
  s.train();
  s.tick(0.0);
  s.pause();
  const std::vector<RunRecord> history = s.history();
  REQUIRE(history.size() == 2);
  CHECK(history[0].dataset == "quadrants: 48 train + 20 test images");
  CHECK(history[1].dataset == "quadrants: 80 train + 20 test images");
  // The validation fraction divides the same training images: the identity stays.
  json other = options;
  other["valFraction"] = 0.25;
  s.configure(other);
  s.train();
  s.tick(0.0);
  s.pause();
  CHECK(s.history().back().dataset == history[1].dataset);
  CHECK(run_dataset_identity("photos", 1234, 56) == "photos: 1,234 train + 56 test images");
}

TEST_CASE("RunRecord: malformed records are refused with the field named") {
  RunRecord r;
  r.run = 1;
  r.label = "run 1: cnn1 3x3";
  r.epochs.push_back(EpochRecord{1, 1.2, 0.4, 1.1, 0.5, 2.0, 300.0});
  r.test_accuracy = 0.5;
  r.test_loss = 1.1;
  r.test_epoch = 1;
  r.test_confusion = {{1, 1}, {0, 2}};
  const json good = r.to_json();
  CHECK_NOTHROW(RunRecord::from_json(good, "history"));
  auto refused = [&](const std::function<void(json&)>& spoil) {
    json j = good;
    spoil(j);
    return error_of([&] { RunRecord::from_json(j, "history"); });
  };
  CHECK(contains(refused([](json& j) { j.erase("label"); }), "label"));
  CHECK(contains(refused([](json& j) { j.erase("dataset"); }), "dataset"));
  CHECK(contains(refused([](json& j) { j["run"] = "one"; }), "run"));
  CHECK(contains(refused([](json& j) { j["epochs"] = "many"; }), "epochs"));
  CHECK(contains(refused([](json& j) { j["epochs"][0].erase("valAcc"); }), "valAcc"));
  CHECK(contains(refused([](json& j) { j["epochs"][0]["trainLoss"] = "low"; }), "trainLoss"));
  CHECK(contains(refused([](json& j) { j["testAcc"] = "high"; }), "testAcc"));
  CHECK(contains(refused([](json& j) { j["testConfusion"] = {{1, 2}}; }), "testConfusion"));
  CHECK(contains(refused([](json& j) { j["options"] = {{"colour", 1}}; }), "options"));
  CHECK(contains(refused([](json& j) {
                   j["steps"] = {{"stride", 1}, {"loss", {1}}, {"acc", json::array()}};
                 }),
                 "different lengths"));
  CHECK(contains(refused([](json& j) { j["steps"] = {{"stride", 1}, {"loss", {1}}}; }), "acc"));
  CHECK(contains(error_of([] { run_history_from_json(json::object(), "history"); }), "list"));
  CHECK(contains(error_of([&] { run_history_from_json(json::array({good, 3}), "history"); }),
                 "[1]"));
  CHECK(contains(error_of([] { RunRecord::from_json(json(nullptr), "history"); }), "object"));
  // Numbers out of their type's range are refused naming the field and item, before any cast.
  CHECK(refused([](json& j) { j["steps"] = {{"stride", 1}, {"loss", {1e39}}, {"acc", {0.5}}}; }) ==
        "history steps: field 'loss' item 0 is out of range (1e+39)");
  CHECK(refused([](json& j) { j["testConfusion"] = json::parse("[[1, 1], [0, 18446744073709551615]]"); }) ==
        (sizeof(size_t) < 8 ? "history: field 'testConfusion' row 1 is out of range "
                              "(18446744073709551615)"
                            : ""));
  CHECK(refused([](json& j) { j["testEpoch"] = 1e300; }) ==
        "history: field 'testEpoch' is out of range (1e+300)");
  CHECK(refused([](json& j) { j["epochs"][0]["epoch"] = 3e9; }) ==
        "history epochs[0]: field 'epoch' is out of range (3000000000.0)");
}

TEST_CASE("SessionStatus and StepRecords: numbers out of range are refused naming the field") {
  Session s(1);
  s.set_data(quadrants(12, 4));
  s.configure(kSmall);
  s.train();
  s.tick(0.0);
  SessionStatus with_layer = s.status();
  with_layer.layers.push_back(LayerStatsRow{"0 conv2d", LayerStats{}});
  with_layer.layers[0].stats.act_max = 2.5f;
  const json good = json::parse(with_layer.to_json().dump());
  CHECK(SessionStatus::from_json(good, "state").layers.at(0).stats.act_max == 2.5f);
  auto refused = [&](const std::function<void(json&)>& spoil) {
    json j = good;
    spoil(j);
    return error_of([&] { SessionStatus::from_json(j, "state"); });
  };
  CHECK(refused([](json& j) { j["epoch"] = 1e300; }) == "state: field 'epoch' is out of range (1e+300)");
  CHECK(refused([](json& j) { j["testEpoch"] = 1e300; }) ==
        "state: field 'testEpoch' is out of range (1e+300)");
  CHECK(refused([](json& j) { j["step"] = 1e19; }) == "state: field 'step' is out of range (1e+19)");
  CHECK(refused([](json& j) { j["dataset"]["train"] = -1; }) ==
        "state dataset: field 'train' is out of range (-1)");
  const std::string layer = "0 conv2d";
  CHECK(refused([](json& j) { j["layers"][0]["actMax"] = 1e39; }) ==
        "state layer " + layer + ": field 'actMax' is out of range (1e+39)");
  CHECK(refused([](json& j) { j["layers"][0]["forwardMs"] = "fast"; }) ==
        "state layer " + layer + ": field 'forwardMs' has the wrong type (string), a number is needed");

  const json steps = StepRecords{1, 0, {0.5f, NAN}, {0.25f, 0.5f}}.to_json();
  const StepRecords back = StepRecords::from_json(json::parse(steps.dump()), "steps");
  CHECK(back.loss[0] == 0.5f);
  CHECK(std::isnan(back.loss[1]));  // written as null
  json bad = steps;
  bad["acc"][1] = -1e39;
  CHECK(error_of([&] { StepRecords::from_json(bad, "steps"); }) ==
        "steps: field 'acc' item 1 is out of range (-1e+39)");
  bad = steps;
  bad["from"] = -3;
  CHECK(error_of([&] { StepRecords::from_json(bad, "steps"); }) ==
        "steps: field 'from' is out of range (-3)");
}

TEST_CASE("TestResults: a run's test evaluation round trips; counts that disagree are refused") {
  TestResults r;
  r.run = 2;
  r.metrics = ConfusionMatrix(3);
  r.metrics.add(0, 0, 0.5);
  r.metrics.add(1, 2, 2.0);
  r.metrics.add(2, 2, 0.5);
  r.metrics.add(2, 2, 1.0);
  const json j = json::parse(r.to_json().dump());
  CHECK(j["confusion"] == json({{1, 0, 0}, {0, 0, 1}, {0, 0, 2}}));
  CHECK(j["total"] == 4);
  CHECK(j["accuracy"].get<double>() == doctest::Approx(0.75));
  const TestResults back = TestResults::from_json(j, "test results");
  CHECK(back.run == 2);
  CHECK(back.metrics.classes() == 3);
  CHECK(back.metrics.total() == 4);
  CHECK(back.metrics.count(1, 2) == 1);
  CHECK(back.metrics.count(2, 2) == 2);
  CHECK(back.metrics.accuracy() == doctest::Approx(0.75));
  CHECK(back.metrics.mean_loss() == doctest::Approx(1.0));  // (0.5 + 2 + 0.5 + 1) / 4

  auto refused = [&](const std::function<void(json&)>& spoil) {
    json bad = j;
    spoil(bad);
    return error_of([&] { TestResults::from_json(bad, "test results"); });
  };
  CHECK(contains(refused([](json& b) { b.erase("confusion"); }), "confusion"));
  CHECK(contains(refused([](json& b) { b["confusion"] = json::parse("[[1, 0], [0, 1, 2]]"); }),
                 "K rows"));
  CHECK(contains(refused([](json& b) { b["confusion"] = json::array(); }), "at least one class"));
  CHECK(contains(refused([](json& b) { b["confusion"][0][0] = -1; }), "whole numbers"));
  CHECK(contains(refused([](json& b) { b["total"] = 5; }), "total"));
  CHECK(contains(refused([](json& b) { b["accuracy"] = 0.5; }), "accuracy"));
  CHECK(contains(refused([](json& b) { b["run"] = 0; }), "run"));
  CHECK(contains(refused([](json& b) { b["loss"] = "low"; }), "loss"));
  CHECK(contains(error_of([] { TestResults::from_json(json(nullptr), "test results"); }),
                 "object"));
}

TEST_CASE("ExperimentReport: experiment_state() round trips through JSON with the JS API's keys") {
  Session s(1);
  s.set_data(quadrants(12, 4));
  s.configure(kSmall);
  s.start_experiment({{"vary", "kernel"}, {"values", {1, 3}}, {"repeats", 2}, {"epochs", 1}});
  for (int i = 0; i < 6; ++i) s.tick(0.0);
  const ExperimentReport running = s.experiment_state().value();  // mid-way: nothing tested
  run_to_end(s);
  const ExperimentReport done = s.experiment_state().value();
  REQUIRE(done.done);
  REQUIRE(done.runs.size() == 4);

  const json j = done.to_json();
  CHECK(keys_of(j) == std::set<std::string>{"id", "running", "done", "progress", "config",
                                            "runs", "summary", "table", "csv", "interpretation",
                                            "identicalDataOrder"});
  CHECK(keys_of(j["runs"][0]) ==
        std::set<std::string>{"configuration", "options", "repeat", "seed", "parameters", "macs",
                              "step", "epoch", "progress", "finished", "failed", "stopReason",
                              "imagesPerSecond", "seconds", "bestValAcc", "testAcc", "testLoss",
                              "testEpoch", "status", "testConfusion", "dataOrder", "epochs",
                              "stepsPerEpoch", "stepLoss"});
  CHECK(j["runs"][0]["status"] == "finished");
  CHECK(j["runs"][3]["seed"] == kSmall["seed"].get<int>() + 1);  // the second repeat
  CHECK(keys_of(j["summary"][0]) ==
        std::set<std::string>{"configuration", "parameters", "macs", "runs",
                              "test_accuracy_mean", "test_accuracy_std", "test_loss_mean",
                              "best_val_accuracy_mean", "images_per_second", "seconds",
                              "tested_epochs", "winner"});
  // The summary rows are the engine's experiment export's (one writer).
  CHECK(j["summary"] == s.experiment()->to_json()["summary"]);
  CHECK(running.to_json()["runs"][0]["testConfusion"].is_null());
  CHECK(running.to_json()["runs"][0]["testAcc"].is_null());

  for (const ExperimentReport* x : {&running, &done}) {
    const ExperimentReport back = through_text(*x);
    CHECK(back.to_json().dump() == x->to_json().dump());
    CHECK(back.id == x->id);
    CHECK(back.running == x->running);
    CHECK(back.done == x->done);
    CHECK(back.progress == x->progress);
    CHECK(back.config.to_json() == x->config.to_json());
    CHECK(back.config.values == std::vector<std::string>{"1", "3"});
    CHECK(back.config.repeats == 2);
    REQUIRE(back.runs.size() == x->runs.size());
    for (size_t r = 0; r < x->runs.size(); ++r) {
      const ExperimentRunReport& a = back.runs[r];
      const ExperimentRunReport& b = x->runs[r];
      CHECK(a.configuration == b.configuration);
      CHECK(a.options.to_json() == b.options.to_json());
      CHECK(a.seed == b.seed);
      CHECK(a.step == b.step);
      CHECK(a.status == b.status);
      CHECK(a.test_accuracy == b.test_accuracy);
      CHECK(a.test_epoch == b.test_epoch);
      CHECK(a.test_confusion == b.test_confusion);
      CHECK(a.data_order == b.data_order);
      CHECK(a.epochs.size() == b.epochs.size());
      CHECK(a.step_loss.loss == b.step_loss.loss);
      CHECK(a.steps_per_epoch == b.steps_per_epoch);
    }
    REQUIRE(back.summary.size() == 2);
    CHECK(back.summary[0].tested_epochs == x->summary[0].tested_epochs);
    CHECK(back.summary[0].winner == x->summary[0].winner);
    CHECK(back.table == x->table);
    CHECK(back.csv == x->csv);
    CHECK(back.interpretation == x->interpretation);
    CHECK(back.identical_data_order == x->identical_data_order);
  }
}

TEST_CASE("ExperimentReport: malformed reports are refused with the field named") {
  Session s(1);
  s.set_data(quadrants(12, 4));
  s.configure(kSmall);
  s.start_experiment({{"vary", "kernel"}, {"values", {1, 3}}, {"epochs", 1}});
  s.tick(0.0);
  const json good = s.experiment_state()->to_json();
  CHECK_NOTHROW(ExperimentReport::from_json(good, "experiment"));
  auto refused = [&](const std::function<void(json&)>& spoil) {
    json j = good;
    spoil(j);
    return error_of([&] { ExperimentReport::from_json(j, "experiment"); });
  };
  CHECK(contains(refused([](json& j) { j.erase("identicalDataOrder"); }), "identicalDataOrder"));
  CHECK(contains(refused([](json& j) { j["id"] = "first"; }), "id"));
  CHECK(contains(refused([](json& j) { j["runs"] = json::object(); }), "runs"));
  CHECK(contains(refused([](json& j) { j["config"]["values"] = 3; }), "values"));
  CHECK(contains(refused([](json& j) { j["config"]["base"].erase("kernel"); }), "kernel"));
  CHECK(contains(refused([](json& j) { j["config"]["train"]["epochs"] = "two"; }), "train"));
  CHECK(contains(refused([](json& j) { j["runs"][1]["status"] = "bored"; }), "status"));
  CHECK(contains(refused([](json& j) { j["runs"][1]["status"] = "bored"; }), "runs[1]"));
  CHECK(contains(refused([](json& j) { j["runs"][0].erase("dataOrder"); }), "dataOrder"));
  CHECK(contains(refused([](json& j) { j["runs"][0]["stepLoss"] = "none"; }), "stepLoss"));
  CHECK(contains(refused([](json& j) { j["runs"][0]["testConfusion"] = "none"; }),
                 "testConfusion"));
  CHECK(contains(refused([](json& j) { j["summary"][0].erase("winner"); }), "winner"));
  CHECK(contains(refused([](json& j) { j["summary"][0]["macs"] = "many"; }), "macs"));
  CHECK(contains(error_of([] { ExperimentReport::from_json(json::array(), "experiment"); }),
                 "object"));
}

TEST_CASE("TrainerHost: the history and experiment messages carry the reports the app reads") {
  TrainerHost host(1);
  host.set_data(quadrants(12, 4));
  json options = kSmall;
  options["epochs"] = 1;
  host.handle(TrainerCommand{CommandType::kConfigure, options});
  host.handle(TrainerCommand{CommandType::kTrain, nullptr});
  for (int i = 0; i < 100000 && host.tick(0.05); ++i) {
  }
  // The report as the worker posts it and the app reads it back.
  auto through_json = [](const TrainerReport& r) {
    std::vector<std::string> refused;
    TrainerReport back = TrainerReport::from_json(json::parse(r.to_json().dump()), "report", &refused);
    CHECK(refused.empty());
    return back;
  };
  const TrainerReport first = through_json(host.poll(1.0, true));
  REQUIRE(first.history);
  const std::vector<RunRecord>& runs = *first.history;
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].test_accuracy == host.session().history()[0].test_accuracy);
  CHECK(runs[0].epochs.size() == 1);
  REQUIRE(first.state);
  CHECK(first.state->run == 1);
  CHECK(!first.experiment);

  host.handle(TrainerCommand{CommandType::kStartExperiment,
                             json{{"vary", "kernel"}, {"values", {1, 3}}}});
  host.tick(0.0);
  const TrainerReport second = through_json(host.poll(2.0, true));
  REQUIRE(second.experiment);
  const ExperimentReport& x = *second.experiment;
  CHECK(x.id == host.session().experiment_id());
  CHECK(x.running);
  CHECK(x.runs.size() == 2);
  CHECK(!second.history);  // unchanged since the last report
}

TEST_CASE("TrainerReport: malformed or unknown messages are refused one by one, naming why") {
  TrainerReport r;
  r.state = SessionStatus{};
  r.steps.push_back(StepRecords{1, 0, {0.5f}, {0.25f}});
  r.history = std::vector<RunRecord>{};
  json j = r.to_json();
  j["messages"].push_back({{"type", "fly"}});
  j["messages"].push_back({{"type", "history"}, {"history", {{{"run", "one"}}}}});
  j["messages"].push_back(3);
  std::vector<std::string> refused;
  const TrainerReport back = TrainerReport::from_json(j, "report", &refused);
  CHECK(back.state);
  REQUIRE(back.steps.size() == 1);
  CHECK(back.steps[0].loss == std::vector<float>{0.5f});
  CHECK(back.history);  // the good history message; the bad one after it was refused
  CHECK(back.history->empty());
  REQUIRE(refused.size() == 3);
  CHECK(contains(refused[0], "unknown message type 'fly'"));
  CHECK(contains(refused[1], "run history"));
  CHECK(contains(refused[2], "must be an object"));
  CHECK(contains(error_of([] { TrainerReport::from_json(json::array(), "report", nullptr); }),
                 "JSON object"));
  CHECK(contains(error_of([] { TrainerReport::from_json(json::object(), "report", nullptr); }),
                 "no list of messages"));
  // The due flags are the worker's own business: they do not travel.
  TrainerReport due;
  due.snapshot_due = due.test_due = true;
  CHECK(due.to_json() == json{{"messages", json::array()}});
}

TEST_CASE("TrainerHost: the weights at a run's start and after each epoch are noted exactly") {
  // Two hosts train the same run in slices of very different lengths; the weights noted for each
  // epoch are the same (a slice never runs past an epoch's end), and they travel as a typed note.
  const auto noted_weights = [](double slice) {
    TrainerHost host(1);
    host.set_data(quadrants(12, 4));
    json options = kSmall;
    options["epochs"] = 3;
    options["patience"] = 0;  // the last epoch's weights stay (no best-epoch restore)
    host.handle(TrainerCommand{CommandType::kConfigure, options});
    std::vector<std::pair<EpochWeightsNote, std::vector<float>>> notes;
    double now = 0;
    const auto poll = [&] {
      now += 1.0;
      const TrainerReport sent = host.poll(now, false);
      std::vector<std::string> refused;
      const TrainerReport r =
          TrainerReport::from_json(json::parse(sent.to_json().dump()), "report", &refused);
      CHECK(refused.empty());
      if (!r.epoch_weights) return;
      CHECK(sent.snapshot_due);  // the weights go with the note
      std::vector<float> w;
      for (const Param* p : std::as_const(*host.session().model()).params())
        w.insert(w.end(), p->value.data(), p->value.data() + p->value.size());
      notes.emplace_back(*r.epoch_weights, w);
    };
    poll();  // the new model: epoch 0
    host.handle(TrainerCommand{CommandType::kTrain, nullptr});
    poll();
    for (int i = 0; i < 100000 && host.tick(slice); ++i) poll();
    poll();
    return notes;
  };
  const auto short_slices = noted_weights(0.0);
  const auto long_slices = noted_weights(10.0);
  REQUIRE(short_slices.size() == 4);
  REQUIRE(long_slices.size() == 4);
  for (size_t e = 0; e < 4; ++e) {
    CAPTURE(e);
    CHECK(short_slices[e].first.run == 1);
    CHECK(short_slices[e].first.epoch == static_cast<int>(e));
    CHECK(long_slices[e].first.epoch == static_cast<int>(e));
    CHECK(short_slices[e].first.record.has_value() == (e > 0));
    if (e > 0) {
      CHECK(short_slices[e].first.record->epoch == static_cast<int>(e));
      CHECK(short_slices[e].first.record->val_accuracy == long_slices[e].first.record->val_accuracy);
    }
    CHECK(short_slices[e].second == long_slices[e].second);
    if (e > 0) CHECK(short_slices[e].second != short_slices[e - 1].second);  // it trained
  }
}

TEST_CASE("TrainerReport: a malformed epoch weights note is refused naming the field") {
  TrainerReport r;
  r.epoch_weights = EpochWeightsNote{2, 1, EpochRecord{}};
  r.epoch_weights->record->epoch = 1;
  json j = r.to_json();
  std::vector<std::string> refused;
  const TrainerReport back = TrainerReport::from_json(j, "report", &refused);
  CHECK(refused.empty());
  REQUIRE(back.epoch_weights);
  CHECK(back.epoch_weights->run == 2);
  CHECK(back.epoch_weights->epoch == 1);
  REQUIRE(back.epoch_weights->record);
  CHECK(back.epoch_weights->record->epoch == 1);
  j["messages"][0]["epoch"] = -1;
  j["messages"].push_back({{"type", "epochWeights"}, {"run", 1}});
  const TrainerReport bad = TrainerReport::from_json(j, "report", &refused);
  CHECK(!bad.epoch_weights);
  REQUIRE(refused.size() == 2);
  CHECK(contains(refused[0], "epoch: -1 is below 0"));
  CHECK(contains(refused[1], "epoch"));
}

TEST_CASE("TrainerHost: every epoch's end reports the validation confusion matrix of that epoch") {
  TrainerHost host(1);
  host.set_data(quadrants(12, 4));
  host.handle(TrainerCommand{CommandType::kConfigure, kSmall});  // 2 epochs
  host.handle(TrainerCommand{CommandType::kTrain, nullptr});
  std::vector<EpochValidation> seen;
  double now = 0;
  for (int i = 0; i < 100000; ++i) {
    const bool more = host.tick(0.0);
    now += 1.0;
    std::vector<std::string> refused;
    const TrainerReport r = TrainerReport::from_json(
        json::parse(host.poll(now, false).to_json().dump()), "report", &refused);
    CHECK(refused.empty());
    if (r.validation) seen.push_back(*r.validation);
    if (!more) break;
  }
  const std::vector<EpochRecord>& records = host.session().trainer()->history();
  REQUIRE(records.size() == 2);
  REQUIRE(seen.size() == 2);
  for (size_t e = 0; e < 2; ++e) {
    CAPTURE(e);
    CHECK(seen[e].epoch == static_cast<int>(e) + 1);
    CHECK(seen[e].results.run == 1);
    CHECK(seen[e].results.metrics.classes() == 4);
    CHECK(seen[e].results.metrics.total() == host.session().status().dataset->val);
    CHECK(seen[e].results.metrics.accuracy() == doctest::Approx(records[e].val_accuracy));
  }
  // One encoding: a malformed report is refused naming what is wrong.
  TrainerReport bad;
  bad.validation = seen[0];
  json j = bad.to_json();
  j["messages"][0]["results"]["total"] = 9999;
  std::vector<std::string> refused;
  CHECK(!TrainerReport::from_json(j, "report", &refused).validation);
  REQUIRE(refused.size() == 1);
  CHECK(contains(refused[0], "total"));
}

TEST_CASE("Experiment: each configuration's first repeat is noted at its start and after each epoch") {
  Session s;
  s.set_data(quadrants(12, 4));
  json options = kSmall;
  options["patience"] = 0;  // the last epoch's weights stay (no best epoch put back at the end)
  s.configure(options);
  s.start_experiment({{"vary", "kernel"}, {"values", {1, 3}}, {"repeats", 2}});
  Experiment& e = *s.experiment();
  // Collected as the trainer host does: whatever was noted since the last tick.
  std::vector<ExperimentEpochWeights> noted = e.take_epoch_weights();
  REQUIRE(noted.size() == 2);  // both configurations' untrained networks, before any step
  for (size_t c = 0; c < 2; ++c) {
    CHECK(noted[c].config == c);
    CHECK(noted[c].epoch == 0);
    CHECK_FALSE(noted[c].record);
    CHECK(noted[c].weights.values == EpochWeights::of(e.model(c * 2)).values);
  }
  for (int i = 0; i < 100000 && s.tick(0.01); ++i) {
    for (ExperimentEpochWeights& w : e.take_epoch_weights()) noted.push_back(std::move(w));
  }
  for (ExperimentEpochWeights& w : e.take_epoch_weights()) noted.push_back(std::move(w));
  REQUIRE(e.done());
  // Two configurations x epochs 0, 1 and 2; the second repeat of each is not noted.
  REQUIRE(noted.size() == 6);
  for (size_t c = 0; c < 2; ++c) {
    std::vector<const ExperimentEpochWeights*> mine;
    for (const ExperimentEpochWeights& w : noted)
      if (w.config == c) mine.push_back(&w);
    REQUIRE(mine.size() == 3);
    const Trainer& t = e.trainer(c * 2);
    for (int epoch = 0; epoch <= 2; ++epoch) {
      CAPTURE(c);
      CAPTURE(epoch);
      CHECK(mine[static_cast<size_t>(epoch)]->epoch == epoch);
      if (epoch > 0) {
        REQUIRE(mine[static_cast<size_t>(epoch)]->record);
        CHECK(mine[static_cast<size_t>(epoch)]->record->epoch == epoch);
        CHECK(mine[static_cast<size_t>(epoch)]->record->val_loss ==
              t.history()[static_cast<size_t>(epoch - 1)].val_loss);
      }
    }
    // Training moved the weights; the last noted are the run's final weights exactly.
    CHECK(mine[0]->weights.values != mine[1]->weights.values);
    CHECK(mine[1]->weights.values != mine[2]->weights.values);
    CHECK(mine[2]->weights.values == EpochWeights::of(e.model(c * 2)).values);
  }
}

TEST_CASE("ExperimentEpochNote: round trips through JSON; a malformed note is refused naming the field") {
  ExperimentEpochNote n;
  n.experiment = 2;
  n.config = 1;
  n.epoch = 3;
  n.record = EpochRecord{};
  n.record->epoch = 3;
  n.record->val_accuracy = 0.5f;
  const ExperimentEpochNote back = ExperimentEpochNote::from_json(n.to_json(), "note");
  CHECK(back.experiment == 2);
  CHECK(back.config == 1);
  CHECK(back.epoch == 3);
  REQUIRE(back.record);
  CHECK(back.record->val_accuracy == doctest::Approx(0.5));

  auto refusal = [&](const std::function<void(json&)>& damage) {
    json j = n.to_json();
    damage(j);
    return error_of([&] { ExperimentEpochNote::from_json(j, "experiment epoch note"); });
  };
  CHECK(contains(refusal([](json& j) { j["config"] = 8; }), "config: 8"));
  CHECK(contains(refusal([](json& j) { j["experiment"] = 0; }), "experiment: 0"));
  CHECK(contains(refusal([](json& j) { j["epoch"] = -1; }), "epoch: -1"));
  CHECK(contains(refusal([](json& j) { j["record"] = nullptr; }), "epoch 3 has no record"));
  CHECK(contains(refusal([](json& j) { j.erase("config"); }), "config"));
  CHECK(contains(refusal([](json& j) { j = json::array(); }), "must be a JSON object"));
}

TEST_CASE("TrainerHost: a live-matrix cell's validation images are the ones the matrix counted there") {
  TrainerHost host(1);
  const DataSource data = quadrants(12, 4);
  const std::vector<uint8_t> pack = encode_pack(data);
  host.load_pack(pack.data(), pack.size(), "quadrants.pack");
  json options = kSmall;
  options["epochs"] = 1;
  options["valFraction"] = 0.25;
  host.handle(TrainerCommand{CommandType::kConfigure, options});
  const json cell_options = {{"trueClass", 1}, {"predicted", 1}};
  // Before any validation: refused, saying why.
  CHECK(contains(error_of([&] {
                   host.handle(TrainerCommand{CommandType::kValidationCell, cell_options});
                 }),
                 "no epoch of this run has been validated yet"));
  host.handle(TrainerCommand{CommandType::kTrain, nullptr});
  for (int i = 0; i < 100000 && host.tick(0.05); ++i) {
  }
  host.poll(1.0, true);
  const Trainer& t = *host.session().trainer();
  const ConfusionMatrix& m = t.val_metrics();
  REQUIRE(m.total() == t.split().val.size());
  const Dataset& train = host.session().data().train;
  for (int truth = 0; truth < 4; ++truth)
    for (int predicted = 0; predicted < 4; ++predicted) {
      CAPTURE(truth);
      CAPTURE(predicted);
      host.handle(TrainerCommand{CommandType::kValidationCell,
                                 {{"trueClass", truth}, {"predicted", predicted}}});
      const TrainerReport report = host.poll(2.0, false);
      REQUIRE(report.validation_cell);
      const ValidationCell& c = *report.validation_cell;
      CHECK(c.epoch == 1);
      CHECK(c.count == static_cast<int>(m.count(truth, predicted)));
      CHECK(c.shown() == std::min(c.count, ValidationCell::kMaxImages));
      // Each image shown is a validation image of the true class.
      for (int k = 0; k < c.shown(); ++k) {
        const uint8_t* shown = c.pixels.data() + static_cast<size_t>(k) * train.image_bytes();
        bool found = false;
        for (uint32_t v : t.split().val)
          if (train.labels[v] == truth &&
              std::equal(shown, shown + train.image_bytes(), train.image(v)))
            found = true;
        CHECK(found);
      }
      // The report travels as JSON and reads back the same.
      const TrainerReport back = TrainerReport::from_json(report.to_json(), "report", nullptr);
      REQUIRE(back.validation_cell);
      CHECK(back.validation_cell->pixels == c.pixels);
      CHECK(back.validation_cell->count == c.count);
    }
  CHECK(contains(error_of([&] {
                   host.handle(TrainerCommand{CommandType::kValidationCell,
                                              {{"trueClass", 4}, {"predicted", 0}}});
                 }),
                 "classes 0..3"));
}
