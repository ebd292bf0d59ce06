// Inside-the-network data (lab/inside_maps.h): feature maps of one image at every conv and
// pool layer on hand-checkable weights, filters and their mean over inputs, and the model copy
// that keeps the training model untouched. inside_maps.cpp has no UI code, so it is compiled
// into this test directly (the app's own build compiles it too).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "lab/inside_maps.h"
#include "core/error.h"
#include "model/spec.h"
#include "test_helpers.h"

using namespace cnnlab;
using cnnlab::testing::param;

namespace {

// 1x4x4 input -> conv 1 3x3 same -> relu -> maxpool 2 -> flatten -> dense 2.
ModelSpec tiny_spec() {
  return parse_model_spec("conv2d 1 k=3 pad=same; relu; maxpool2d 2; flatten; dense 2",
                          Shape{1, 4, 4}, 2);
}

// Pixels 0, 17, 34, ..., 255 row by row: after /255 the value at (y, x) is (4y + x) / 15.
std::vector<uint8_t> ramp_image() {
  std::vector<uint8_t> image(16);
  for (int i = 0; i < 16; ++i) image[static_cast<size_t>(i)] = static_cast<uint8_t>(17 * i);
  return image;
}

}  // namespace

TEST_CASE("feature maps: an all-ones 3x3 conv sums neighbourhoods, relu and maxpool follow") {
  Model model(tiny_spec(), 1);
  Param* w = param(model, "0.weight");  // (1, 1, 3, 3)
  REQUIRE(w->value.size() == 9);
  w->value.fill(1.0f);
  param(model, "0.bias")->value.fill(-1.0f);
  const std::vector<uint8_t> image = ramp_image();

  const InsideMaps maps = compute_inside_maps(model, Preprocess{}, image.data(), 1, 4, 4);
  CHECK(maps.input.size() == 16);
  CHECK(maps.input[5] == doctest::Approx(5.0 / 15.0));
  REQUIRE(maps.layers.size() == 2);  // the conv (shown after its relu) and the pool

  const LayerMaps& conv = maps.layers[0];
  CHECK(conv.layer == 0);
  CHECK(conv.shown_layer == 1);
  CHECK(conv.label == "conv2d 1 3x3 same + relu");
  CHECK(conv.channels == 1);
  CHECK(conv.height == 4);
  CHECK(conv.width == 4);
  // Corner (0, 0): (0 + 1 + 4 + 5) / 15 - 1 = -1/3 -> relu 0.
  CHECK(conv.maps[0] == doctest::Approx(0.0));
  // (1, 1): the 3x3 block of rows 0..2, columns 0..2 sums to 45 / 15 = 3, minus 1 = 2.
  CHECK(conv.maps[5] == doctest::Approx(2.0));
  // (3, 3): rows 2..3, columns 2..3 = (10 + 11 + 14 + 15) / 15 = 50 / 15, minus 1.
  CHECK(conv.maps[15] == doctest::Approx(50.0 / 15.0 - 1.0));
  // (2, 2): rows 1..3, columns 1..3 = (5+6+7+9+10+11+13+14+15) / 15 = 6, minus 1 = 5: the
  // largest of the layer.
  CHECK(conv.maps[10] == doctest::Approx(5.0));
  CHECK(conv.min == doctest::Approx(0.0));
  CHECK(conv.max == doctest::Approx(5.0));

  const LayerMaps& pool = maps.layers[1];
  CHECK(pool.layer == 2);
  CHECK(pool.shown_layer == 2);
  CHECK(pool.kind == LayerKind::kMaxPool2D);
  CHECK(pool.height == 2);
  CHECK(pool.width == 2);
  // Bottom-right 2x2 window of the conv maps holds (2, 2) = 5, its largest; the top-left
  // window holds (1, 1) = 2.
  CHECK(pool.maps[3] == doctest::Approx(5.0));
  CHECK(pool.maps[0] == doctest::Approx(2.0));
  CHECK(maps.probabilities.size() == 2);
  CHECK(maps.probabilities[0] + maps.probabilities[1] == doctest::Approx(1.0));
}

TEST_CASE("feature maps: a conv not followed by relu is shown as is; wrong image shapes throw") {
  ModelSpec spec = parse_model_spec("conv2d 2 k=1; avgpool2d 2; flatten; dense 3", Shape{1, 4, 4}, 3);
  Model model(spec, 7);
  Param* w = param(model, "0.weight");  // (2, 1, 1, 1)
  w->value[0] = 1.0f;
  w->value[1] = -1.0f;
  param(model, "0.bias")->value.fill(0.0f);
  const std::vector<uint8_t> image = ramp_image();
  const InsideMaps maps = compute_inside_maps(model, Preprocess{}, image.data(), 1, 4, 4);
  REQUIRE(maps.layers.size() == 2);
  CHECK(maps.layers[0].label == "conv2d 2 1x1 valid");
  CHECK(maps.layers[0].channels == 2);
  CHECK(maps.layers[0].maps[16 + 15] == doctest::Approx(-1.0));  // channel 1 = -pixel
  CHECK(maps.layers[0].min == doctest::Approx(-1.0));
  CHECK(maps.layers[0].max == doctest::Approx(1.0));
  // avgpool of channel 0's top-left window: (0 + 1 + 4 + 5) / 4 / 15.
  CHECK(maps.layers[1].maps[0] == doctest::Approx(10.0 / 60.0));

  CHECK_THROWS_AS(compute_inside_maps(model, Preprocess{}, image.data(), 3, 4, 4), Error);
  std::string message;
  try {
    compute_inside_maps(model, Preprocess{}, image.data(), 1, 2, 8);
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK(message.find("1x2x8") != std::string::npos);
}

TEST_CASE("filters: copied per conv layer, symmetric range, mean over input channels") {
  ModelSpec spec = parse_model_spec("conv2d 2 k=3 pad=same; relu; conv2d 1 k=2; flatten; dense 2",
                                    Shape{1, 4, 4}, 2);
  Model model(spec, 3);
  Param* w2 = param(model, "2.weight");  // (1, 2, 2, 2)
  for (int i = 0; i < 8; ++i) w2->value[static_cast<size_t>(i)] = static_cast<float>(i) - 6.0f;
  const std::vector<LayerFilters> filters = conv_filters(model);
  REQUIRE(filters.size() == 2);
  CHECK(filters[0].layer == 0);
  CHECK(filters[0].kernel == 3);
  CHECK(filters[0].out_channels == 2);
  CHECK(filters[0].in_channels == 1);
  CHECK(filters[1].layer == 2);
  CHECK(filters[1].in_channels == 2);
  CHECK(filters[1].abs_max == doctest::Approx(6.0));  // weights -6 .. 1
  const std::vector<float> mean = filter_mean_over_inputs(filters[1]);  // (1, 2, 2)
  REQUIRE(mean.size() == 4);
  // Input 0 holds -6, -5, -4, -3 and input 1 holds -2, -1, 0, 1: means -4, -3, -2, -1.
  CHECK(mean[0] == doctest::Approx(-4.0));
  CHECK(mean[3] == doctest::Approx(-1.0));
}

TEST_CASE("filters: relative change of a layer's weights against the run's first weights") {
  ModelSpec spec = parse_model_spec("conv2d 2 k=3 pad=same; relu; conv2d 1 k=2; flatten; dense 2",
                                    Shape{1, 4, 4}, 2);
  Model model(spec, 3);
  std::vector<float> start;  // every parameter in params() order, as a snapshot keeps them
  for (const Param* p : static_cast<const Model&>(model).params())
    start.insert(start.end(), p->value.data(), p->value.data() + p->value.size());
  CHECK(relative_weight_change(model, 0, start) == 0.0);
  CHECK(relative_weight_change(model, 2, start) == 0.0);
  // conv 2's weights -6 .. 1 at the start, then each + 1: ||(1, ..., 1)|| / ||W0||.
  Param* w2 = param(model, "2.weight");  // (1, 2, 2, 2), after conv 1's weight and bias
  const size_t offset = param(model, "0.weight")->value.size() + param(model, "0.bias")->value.size();
  double before = 0.0;
  for (int i = 0; i < 8; ++i) {
    start[offset + static_cast<size_t>(i)] = static_cast<float>(i) - 6.0f;
    w2->value[static_cast<size_t>(i)] = static_cast<float>(i) - 5.0f;
    before += (i - 6.0) * (i - 6.0);
  }
  CHECK(relative_weight_change(model, 2, start) == doctest::Approx(std::sqrt(8.0 / before)));
  // Its biases and the other layers are not counted: conv 1 did not move.
  param(model, "2.bias")->value[0] += 5.0f;
  CHECK(relative_weight_change(model, 0, start) == 0.0);
  CHECK(relative_weight_change(model, 2, start) == doctest::Approx(std::sqrt(8.0 / before)));
  // Weights of another network, a layer without weights, all-zero start: unknown.
  std::vector<float> shorter(start.begin(), start.end() - 1);
  CHECK(std::isnan(relative_weight_change(model, 2, shorter)));
  CHECK(std::isnan(relative_weight_change(model, 1, start)));  // relu
  std::vector<float> zeros(start.size(), 0.0f);
  CHECK(std::isnan(relative_weight_change(model, 2, zeros)));
}

TEST_CASE("model copy: same predictions, refreshed only when the version changes") {
  Model source(tiny_spec(), 11);
  const std::vector<uint8_t> image = ramp_image();
  InsideModelCopy copy;
  CHECK(copy.sync(source, 1));
  CHECK_FALSE(copy.sync(source, 1));
  const InsideMaps a = compute_inside_maps(*copy.model(), Preprocess{}, image.data(), 1, 4, 4);
  const InsideMaps b = compute_inside_maps(source, Preprocess{}, image.data(), 1, 4, 4);
  CHECK(a.probabilities == b.probabilities);

  param(source, "0.weight")->value.fill(0.5f);  // "training" changed the weights
  CHECK_FALSE(copy.sync(source, 1));            // same version: not looked at
  CHECK(param(*copy.model(), "0.weight")->value[0] != 0.5f);
  CHECK(copy.sync(source, 2));
  CHECK(param(*copy.model(), "0.weight")->value[4] == 0.5f);

  Model other(parse_model_spec("conv2d 3 k=3; flatten; dense 2", Shape{1, 4, 4}, 2), 1);
  CHECK(copy.sync(other, 2));  // another spec: rebuilt
  CHECK(copy.model()->spec() == other.spec());
}
