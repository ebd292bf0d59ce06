// The lab's model files (lab/lab_model_file.h): a model saved with the lab's settings loads
// back into a fresh Session with the same settings and the same test accuracy; files of another
// architecture, input shape, class set or version, and `cnnlab train` files without settings
// whose layers differ, are refused with a message that says why, before anything changes.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <string>

#include "core/error.h"
#include "test_helpers.h"
#include "core/rng.h"
#include "model/model_file.h"
#include "model/spec.h"
#include "lab/lab_model_file.h"
#include "lab/session.h"
#include "train/trainer.h"

using namespace cnnlab;
using cnnlab::testing::contains;
using cnnlab::testing::error_of;
using json = nlohmann::json;

namespace {

// 3x12x12 images of 3 classes: class k has a bright horizontal band in third k.
DataSource bands(int train_per_class, int test_per_class, int channels = 3) {
  DataSource d;
  for (Dataset* set : {&d.train, &d.test}) {
    const int per_class = set == &d.train ? train_per_class : test_per_class;
    set->name = "bands";
    set->class_names = {"top", "middle", "bottom"};
    set->channels = channels;
    set->height = set->width = 12;
    Rng rng(set == &d.train ? 5 : 6);
    for (int i = 0; i < per_class * 3; ++i) {
      const int k = i % 3;
      set->labels.push_back(static_cast<uint8_t>(k));
      for (int c = 0; c < channels; ++c)
        for (int y = 0; y < 12; ++y)
          for (int x = 0; x < 12; ++x)
            set->pixels.push_back(static_cast<uint8_t>(rng.below(60) + (y / 4 == k ? 160 : 0)));
    }
  }
  d.origin = "test";
  return d;
}

const json kOptions = {{"model", "cnn1"}, {"filters", 4}, {"dense", 8}, {"epochs", 1},
                       {"batch", 8},      {"lr", 0.01},   {"seed", 7},  {"kernel", 5}};

// A trained, evaluated Session and its model saved as the lab saves it.
struct Saved {
  std::vector<uint8_t> bytes;
  double test_accuracy = 0;
  Preprocess preprocess;
};

Saved train_and_save(const DataSource& data) {
  Session s;
  s.set_data(data);
  s.configure(kOptions);
  s.train();
  for (int i = 0; i < 100000 && s.tick(0.05); ++i) {
  }
  REQUIRE(s.test_metrics() != nullptr);
  ModelFileInfo info;
  info.class_names = data.train.class_names;
  info.preprocess = s.preprocess();
  info.dataset = data.train.name;
  info.training_state = LabModelState::of(s.options(), s.status()).to_json();
  return {serialize_model(*s.model(), info), s.test_metrics()->accuracy(), s.preprocess()};
}

}  // namespace

TEST_CASE("lab model file: settings and weights load back into a fresh session, same accuracy") {
  const DataSource data = bands(12, 10);
  const Saved saved = train_and_save(data);
  const LoadedModel loaded = deserialize_model(saved.bytes.data(), saved.bytes.size(), "m.cnnlab");
  const json& lab = loaded.info.training_state.at("lab");
  CHECK(lab.at("epoch") == 1);
  CHECK(lab.at("testAcc").get<double>() == doctest::Approx(saved.test_accuracy));
  const std::optional<LabModelState> state =
      LabModelState::from_training_state(loaded.info.training_state);
  REQUIRE(state);
  CHECK(state->epoch == 1);
  CHECK(state->run == 1);
  CHECK(state->test_accuracy == doctest::Approx(saved.test_accuracy));
  CHECK(state->to_json() == loaded.info.training_state);
  // Not a lab file: nothing (a `cnnlab train` file's state has no "lab"); figures of another
  // type are left out, the options kept for merge() to judge.
  CHECK_FALSE(LabModelState::from_training_state(json{{"config", json::object()}}));
  CHECK_FALSE(LabModelState::from_training_state(json(nullptr)));
  const auto odd = LabModelState::from_training_state(
      json{{"lab", {{"options", {{"kernel", 3}}}, {"epoch", "two"}, {"testAcc", nullptr}}}});
  REQUIRE(odd);
  CHECK(odd->epoch == 0);
  CHECK_FALSE(odd->test_accuracy);
  CHECK(odd->options == json{{"kernel", 3}});

  // Another lab with default settings: loading gives the file's settings, then its weights.
  Session fresh;
  fresh.set_data(data);
  const SessionOptions options =
      options_for_model_file(fresh.options(), loaded, data.train, "model file m.cnnlab");
  CHECK(options.model == "cnn1");
  CHECK(options.preset.kernel == 5);
  CHECK(options.train.seed == 7);
  fresh.configure(options.to_json());
  CHECK(fresh.model()->spec().text() == loaded.model->spec().text());
  copy_weights(*loaded.model, *fresh.model(), "model file m.cnnlab");
  const ConfusionMatrix again = evaluate(*fresh.model(), data.test, loaded.info.preprocess, nullptr, 16);
  CHECK(again.accuracy() == saved.test_accuracy);  // bit-identical weights, same images
}

TEST_CASE("lab model file: another architecture, input, classes or version is refused clearly") {
  const DataSource data = bands(4, 2);
  const Saved saved = train_and_save(data);
  const LoadedModel loaded = deserialize_model(saved.bytes.data(), saved.bytes.size(), "m.cnnlab");
  SessionOptions current;
  const std::string where = "model file m.cnnlab";

  // Another input shape (1-channel data) and another class set.
  const DataSource gray = bands(2, 1, 1);
  CHECK(contains(error_of([&] { options_for_model_file(current, loaded, gray.train, where); }),
                 "model file m.cnnlab: is a model for (3, 12, 12) images, but the loaded dataset "
                 "'bands' has (1, 12, 12) images"));
  DataSource renamed = bands(2, 1);
  renamed.train.class_names = {"a", "b", "c"};
  CHECK(contains(error_of([&] { options_for_model_file(current, loaded, renamed.train, where); }),
                 "was trained on the classes top, middle, bottom, but the loaded dataset's are a, "
                 "b, c"));
  DataSource four = bands(2, 1);
  four.train.class_names.push_back("fourth");
  CHECK(contains(error_of([&] { options_for_model_file(current, loaded, four.train, where); }),
                 "is a model for 3 classes, but the loaded dataset 'bands' has 4"));

  // Settings from a newer version (an option this one does not know).
  LoadedModel newer = deserialize_model(saved.bytes.data(), saved.bytes.size(), "m.cnnlab");
  newer.info.training_state["lab"]["options"]["wings"] = 2;
  CHECK(contains(error_of([&] { options_for_model_file(current, newer, data.train, where); }),
                 "has settings this version of CNN Lab cannot use (option wings"));

  // Settings that do not build the file's layers (a damaged header): kernel 5 -> 3.
  LoadedModel damaged = deserialize_model(saved.bytes.data(), saved.bytes.size(), "m.cnnlab");
  damaged.info.training_state["lab"]["options"]["kernel"] = 3;
  const std::string e = error_of([&] { options_for_model_file(current, damaged, data.train, where); });
  CHECK(contains(e, "its layers ("));
  CHECK(contains(e, "are not what its settings build"));

  // A `cnnlab train` file (no lab settings) loads when the current settings build its layers,
  // and is refused with what to do when they do not.
  LoadedModel plain = deserialize_model(saved.bytes.data(), saved.bytes.size(), "m.cnnlab");
  plain.info.training_state = nullptr;
  SessionOptions matching;
  matching.merge(kOptions);
  CHECK(options_for_model_file(matching, plain, data.train, where).preset.kernel == 5);
  CHECK(contains(error_of([&] { options_for_model_file(current, plain, data.train, where); }),
                 "was saved without the lab's settings (e.g. by cnnlab train) and its layers"));

  // A newer file format is refused by the reader itself.
  std::vector<uint8_t> future = saved.bytes;
  future[8] = 9;
  CHECK(contains(error_of([&] { deserialize_model(future.data(), future.size(), where); }),
                 "version 9 is newer"));
}

TEST_CASE("copy_weights: all-or-nothing, names the tensor that does not fit") {
  const ModelSpec a = parse_model_spec("conv2d 4 k=3 pad=same; relu; flatten; dense 3", Shape{1, 5, 5}, 3);
  const ModelSpec b = parse_model_spec("conv2d 5 k=3 pad=same; relu; flatten; dense 3", Shape{1, 5, 5}, 3);
  Model from(a, 1), same(a, 2), other(b, 3);
  copy_weights(from, same, "w");
  CHECK(std::equal(from.params()[0]->value.data(),
                   from.params()[0]->value.data() + from.params()[0]->value.size(),
                   same.params()[0]->value.data()));
  const float before = other.params()[0]->value.data()[0];
  CHECK(contains(error_of([&] { copy_weights(from, other, "w"); }), "w: weight tensor 0.weight"));
  CHECK(other.params()[0]->value.data()[0] == before);
}
