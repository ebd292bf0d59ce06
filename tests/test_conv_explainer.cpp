// One output pixel worked out by hand (lab/conv_explainer.h): its total must equal the value the
// engine's own forward pass wrote at that pixel, for the first conv and a deeper one (summing over
// input channels), at interior and border pixels (`same` padding); a 3x3 case checked by hand;
// max and average pooling; refusals of bad requests.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "lab/conv_explainer.h"
#include "lab/inside_maps.h"
#include "model/receptive_field.h"
#include "model/spec.h"
#include "test_helpers.h"

using namespace cnnlab;
using cnnlab::testing::param;

namespace {

// A small random CNN on 3x8x8 images: layer 0 conv (3 inputs), 2 pool, 3 conv (4 inputs, stride
// 1, same), 5 avgpool. Biases drawn too (the default init leaves them non-zero, redrawn anyway so
// a bias the explanation forgot cannot hide).
std::unique_ptr<Model> random_model(uint64_t seed) {
  ModelSpec spec = parse_model_spec(
      "conv2d 4 k=3 pad=same; relu; maxpool2d 2; conv2d 5 k=3 pad=same; relu; avgpool2d 2; "
      "flatten; dense 3",
      Shape{3, 8, 8}, 3);
  auto model = std::make_unique<Model>(spec, seed);
  Rng rng(seed, 99);
  for (Param* p : model->params()) {
    for (size_t i = 0; i < p->value.size(); ++i) p->value[i] = rng.uniform() * 2.0f - 1.0f;
  }
  return model;
}

std::vector<uint8_t> random_image(uint64_t seed, size_t count) {
  Rng rng(seed, 7);
  std::vector<uint8_t> image(count);
  for (uint8_t& v : image) v = static_cast<uint8_t>(rng.below(256));
  return image;
}

// The engine's conv output at (channel, y, x) of `layer`, read through the Inside maps' own path
// (the activation of the layer itself, before its ReLU).
float engine_value(const Model& model, int layer, int channel, int y, int x) {
  const Shape& s = model.layer_output_shape(layer);
  return model.activation(layer).data()[(static_cast<size_t>(channel) * s[1] + y) * s[2] + x];
}

std::string refusal(const Model& model, int layer, int channel, int y, int x, bool conv = true) {
  try {
    if (conv) {
      explain_conv_pixel(model, layer, channel, y, x);
    } else {
      explain_pool_pixel(model, layer, channel, y, x);
    }
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE(
    "explain pixel: the engine agrees up to rounding on a 7x7 layer with 32 input channels "
    "(Winograd's path) at every pixel, and a wrong value is caught") {
  // The second conv takes the Winograd path in every build (k=7, 32 -> 32 channels), whose
  // transforms round more than a plain sum: the agreement must still hold at every pixel.
  ModelSpec spec = parse_model_spec(
      "conv2d 32 k=7 pad=same; relu; conv2d 32 k=7 pad=same; relu; flatten; dense 2",
      Shape{3, 12, 12}, 2);
  Model model(spec, 11);
  Rng rng(11, 99);
  for (Param* p : model.params())
    for (size_t i = 0; i < p->value.size(); ++i) p->value[i] = rng.uniform() * 2.0f - 1.0f;
  const std::vector<uint8_t> image = random_image(11, 3 * 12 * 12);
  compute_inside_maps(model, Preprocess{}, image.data(), 3, 12, 12);
  double worst = 0.0;
  for (int channel : {0, 17, 31})
    for (int y = 0; y < 12; ++y)
      for (int x = 0; x < 12; ++x) {
        const ConvPixelExplanation e = explain_conv_pixel(model, 2, channel, y, x);
        worst = std::max(worst, std::fabs(static_cast<double>(e.feature_value) - e.total) /
                                    e.term_magnitude);
        CHECK(e.engine_agrees);
      }
  // Measured 1.2e-5 (natively and in wasm); the agreement bound is (32*49 + 1) * 2^-24 = 9.3e-5.
  CHECK(worst < 3e-5);
  // A value off by the largest term is not "the same": the bias changed after the forward pass.
  ConvPixelExplanation e = explain_conv_pixel(model, 2, 5, 6, 6);
  CHECK(e.engine_agrees);
  float largest = 0.0f;
  for (float p : e.products) largest = std::max(largest, std::fabs(p));
  model.params()[3]->value[5] += largest;  // layer 2's bias (params: conv w, b, conv w, b, ...)
  e = explain_conv_pixel(model, 2, 5, 6, 6);
  CHECK_FALSE(e.engine_agrees);
}

TEST_CASE(
    "explain pixel: the total equals the engine's feature map, first and deeper conv, "
    "interior and border") {
  std::unique_ptr<Model> owned = random_model(5);
  Model& model = *owned;
  const std::vector<uint8_t> image = random_image(5, 3 * 8 * 8);
  compute_inside_maps(model, Preprocess{}, image.data(), 3, 8, 8);  // the engine's forward

  struct Case {
    int layer, channel, y, x;
  };
  // Layer 0 is 8x8, layer 3 is 4x4 (after the pool): corners, edges and interior pixels.
  const Case cases[] = {{0, 0, 3, 4}, {0, 3, 0, 0}, {0, 1, 7, 5}, {0, 2, 0, 7},
                        {3, 0, 1, 2}, {3, 4, 0, 0}, {3, 2, 3, 3}, {3, 1, 2, 0}};
  for (const Case& c : cases) {
    CAPTURE(c.layer);
    CAPTURE(c.channel);
    CAPTURE(c.y);
    CAPTURE(c.x);
    const ConvPixelExplanation e = explain_conv_pixel(model, c.layer, c.channel, c.y, c.x);
    const float engine = engine_value(model, c.layer, c.channel, c.y, c.x);
    CHECK(e.feature_value == engine);
    CHECK(e.total == doctest::Approx(engine).epsilon(1e-5).scale(1.0));
    // The total is the channel sums plus the bias, and each sum is its products'.
    double sum = e.bias;
    for (int ci = 0; ci < e.in_channels; ++ci) {
      double products = 0.0;
      for (int i = 0; i < 9; ++i) products += e.products[static_cast<size_t>(ci * 9 + i)];
      CHECK(e.channel_sums[static_cast<size_t>(ci)] == doctest::Approx(products).epsilon(1e-5));
      sum += e.channel_sums[static_cast<size_t>(ci)];
    }
    CHECK(e.total == doctest::Approx(sum).epsilon(1e-5));
    CHECK(e.in_channels == (c.layer == 0 ? 3 : 4));
    CHECK(e.channel_sums.size() == static_cast<size_t>(e.in_channels));
    // The ReLU after each conv: the engine's and the explanation's agree.
    REQUIRE(e.has_activation);
    CHECK(e.activated == doctest::Approx(std::max(engine, 0.0f)));
    CHECK(e.activated_total == doctest::Approx(e.activated).epsilon(1e-5).scale(1.0));
  }

  // The corner's padding: row -1 and column -1 are padding, their patch cells 0.
  const ConvPixelExplanation corner = explain_conv_pixel(model, 0, 3, 0, 0);
  CHECK(corner.top == -1);
  CHECK(corner.left == -1);
  const std::vector<uint8_t> corner_padding = {1, 1, 1, 1, 0, 0, 1, 0, 0};
  CHECK(corner.is_padding == corner_padding);
  for (int ci = 0; ci < 3; ++ci) {
    CHECK(corner.patch[static_cast<size_t>(ci * 9 + 0)] == 0.0f);
    CHECK(corner.patch[static_cast<size_t>(ci * 9 + 3)] == 0.0f);
  }
  // An interior pixel has none.
  const ConvPixelExplanation inner = explain_conv_pixel(model, 0, 0, 3, 4);
  CHECK(inner.is_padding == std::vector<uint8_t>(9, 0));
  CHECK(inner.top == 2);
  CHECK(inner.left == 3);
}

TEST_CASE("explain pixel: a 3x3 case by hand") {
  // One 1x4x4 image with pixels 0, 17, ..., 255 row by row: after /255 the input at (y, x) is
  // (4y + x) / 15:
  //     0/15  1/15  2/15  3/15
  //     4/15  5/15  6/15  7/15
  //     8/15  9/15 10/15 11/15
  //    12/15 13/15 14/15 15/15
  // Kernel (3x3, `same`, bias 0.5):
  //     1  0 -1
  //     2  0 -2
  //     1  0 -1
  // Output (1, 1): patch = rows 0..2, columns 0..2;
  //   products / (1/15) = 0 0 -2 | 8 0 -12 | 8 0 -10  -> sum -8/15, total -8/15 + 0.5 = -1/30.
  // Output (0, 0): the top row and left column are padding (0); patch rows -1..1, cols -1..1:
  //     pad pad pad | pad 0/15 1/15 | pad 4/15 5/15
  //   products / (1/15) = 0 0 0 | 0 0 -2 | 0 0 -5  -> sum -7/15, total -7/15 + 0.5 = 1/30.
  ModelSpec spec = parse_model_spec("conv2d 1 k=3 pad=same; relu; maxpool2d 2; flatten; dense 2",
                                    Shape{1, 4, 4}, 2);
  Model model(spec, 1);
  const float kernel[9] = {1, 0, -1, 2, 0, -2, 1, 0, -1};
  Param* w = param(model, "0.weight");
  for (int i = 0; i < 9; ++i) w->value[static_cast<size_t>(i)] = kernel[i];
  param(model, "0.bias")->value.fill(0.5f);
  std::vector<uint8_t> image(16);
  for (int i = 0; i < 16; ++i) image[static_cast<size_t>(i)] = static_cast<uint8_t>(17 * i);
  compute_inside_maps(model, Preprocess{}, image.data(), 1, 4, 4);

  const ConvPixelExplanation e = explain_conv_pixel(model, 0, 0, 1, 1);
  CHECK(e.kernel == 3);
  CHECK(e.stride == 1);
  CHECK(e.pad_top == 1);
  CHECK(e.pad_left == 1);
  CHECK(e.patch[2] == doctest::Approx(2.0 / 15.0));
  CHECK(e.patch[8] == doctest::Approx(10.0 / 15.0));
  const double expected_products[9] = {0, 0, -2, 8, 0, -12, 8, 0, -10};
  for (int i = 0; i < 9; ++i) {
    CAPTURE(i);
    CHECK(e.products[static_cast<size_t>(i)] == doctest::Approx(expected_products[i] / 15.0));
  }
  CHECK(e.channel_sums[0] == doctest::Approx(-8.0 / 15.0));
  CHECK(e.bias == 0.5f);
  CHECK(e.total == doctest::Approx(-1.0 / 30.0));
  CHECK(e.feature_value == doctest::Approx(-1.0 / 30.0));
  CHECK(e.activated == 0.0f);  // the ReLU clips it

  const ConvPixelExplanation corner = explain_conv_pixel(model, 0, 0, 0, 0);
  CHECK(corner.channel_sums[0] == doctest::Approx(-7.0 / 15.0));
  CHECK(corner.total == doctest::Approx(1.0 / 30.0));
  CHECK(corner.feature_value == doctest::Approx(1.0 / 30.0));
  CHECK(corner.activated == doctest::Approx(1.0 / 30.0));

  // Max pooling of the ReLU maps, window (0, 0): cells (0,0) (0,1) (1,0) (1,1) of the conv+relu
  // output. (1, 1) is relu(-1/30) = 0, (0, 0) is 1/30; the pool keeps the largest.
  const PoolPixelExplanation pool = explain_pool_pixel(model, 2, 0, 0, 0);
  CHECK(pool.max_pool);
  CHECK(pool.window == 2);
  REQUIRE(pool.values.size() == 4);
  CHECK(pool.values[0] == doctest::Approx(1.0 / 30.0));
  CHECK(pool.values[3] == 0.0f);
  CHECK(pool.output == pool.values[static_cast<size_t>(pool.winner)]);
  for (float v : pool.values) CHECK(v <= pool.output);
  CHECK(pool.output == pool.feature_value);
}

TEST_CASE("explain pixel: pooling windows match the engine, max and average") {
  std::unique_ptr<Model> owned = random_model(9);
  Model& model = *owned;
  const std::vector<uint8_t> image = random_image(9, 3 * 8 * 8);
  compute_inside_maps(model, Preprocess{}, image.data(), 3, 8, 8);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      const PoolPixelExplanation m = explain_pool_pixel(model, 2, 1, y, x);
      CHECK(m.max_pool);
      CHECK(m.top == 2 * y);
      CHECK(m.output == m.feature_value);
      CHECK(m.winner >= 0);
    }
  }
  const PoolPixelExplanation a = explain_pool_pixel(model, 5, 3, 1, 0);
  CHECK_FALSE(a.max_pool);
  CHECK(a.winner == -1);
  CHECK(a.output == doctest::Approx(a.feature_value).epsilon(1e-5));
  CHECK(a.output == doctest::Approx((a.values[0] + a.values[1] + a.values[2] + a.values[3]) / 4));
}

TEST_CASE("explain pixel: refusals name what is wrong") {
  std::unique_ptr<Model> owned = random_model(3);
  Model& model = *owned;
  CHECK(refusal(model, 0, 0, 0, 0).find("has not run on an image") != std::string::npos);
  const std::vector<uint8_t> image = random_image(3, 3 * 8 * 8);
  compute_inside_maps(model, Preprocess{}, image.data(), 3, 8, 8);
  CHECK(refusal(model, 0, 0, 0, 0).empty());

  const std::string not_conv = refusal(model, 1, 0, 0, 0);
  CHECK(not_conv.find("layer 2 is relu, not a conv layer (the conv layers are 1, 4)") !=
        std::string::npos);
  CHECK(refusal(model, 2, 0, 0, 0).find("not a conv layer") != std::string::npos);
  CHECK(
      refusal(model, 0, 0, 0, 0, false).find("not a pooling layer (the pooling layers are 3, 6)") !=
      std::string::npos);
  CHECK(refusal(model, 42, 0, 0, 0).find("layer 43 does not exist") != std::string::npos);
  CHECK(refusal(model, -1, 0, 0, 0).find("does not exist") != std::string::npos);
  CHECK(refusal(model, 0, 4, 0, 0).find("channel 4 is out of range: layer 1 has channels 0..3") !=
        std::string::npos);
  CHECK(refusal(model, 0, -1, 0, 0).find("channel -1 is out of range") != std::string::npos);
  CHECK(refusal(model, 0, 0, 8, 0).find("pixel (y 8, x 0) is outside layer 1's 8x8 output") !=
        std::string::npos);
  CHECK(refusal(model, 3, 0, 0, 4).find("outside layer 4's 4x4 output (y 0..3, x 0..3)") !=
        std::string::npos);
  CHECK(refusal(model, 0, 0, 0, -1).find("outside") != std::string::npos);
}

TEST_CASE("layer titles name the kind and its place among the layers of that kind") {
  const ModelSpec spec = parse_model_spec(
      "conv2d 16 k=5 pad=same; relu; maxpool2d 2; conv2d 32 k=3 stride=2 pad=valid; relu; "
      "avgpool2d 2; dropout 0.25; flatten; dense 64; relu; dense 10",
      Shape{3, 32, 32}, 10);
  CHECK(layer_title(spec, 0) == "conv 1 (5x5, 16 filters)");
  CHECK(layer_title(spec, 1) == "ReLU after conv 1");
  CHECK(layer_title(spec, 2) == "max pool after conv 1 (2x2)");
  CHECK(layer_title(spec, 3) == "conv 2 (3x3, 32 filters, stride 2)");
  CHECK(layer_title(spec, 5) == "average pool after conv 2 (2x2)");
  CHECK(layer_title(spec, 6) == "dropout after conv 2");
  CHECK(layer_title(spec, 7) == "flatten");
  CHECK(layer_title(spec, 8) == "dense 1 (64)");
  CHECK(layer_title(spec, 10) == "dense 2 (10)");
  CHECK_THROWS_WITH_AS(layer_title(spec, 11), doctest::Contains("layer 12 does not exist"), Error);
}

TEST_CASE("conv output sizes: same keeps the size over the stride, valid loses kernel - 1") {
  CHECK(conv_output_size(32, 3, 1, true) == 32);
  CHECK(conv_output_size(32, 3, 1, false) == 30);
  CHECK(conv_output_size(32, 5, 1, false) == 28);
  CHECK(conv_output_size(32, 3, 2, true) == 16);
  CHECK(conv_output_size(33, 3, 2, true) == 17);
  CHECK(conv_output_size(32, 3, 2, false) == 15);
  CHECK(conv_output_size(2, 3, 1, false) == 0);
  // The engine's own arithmetic agrees, for every case above that fits.
  for (const bool same : {true, false}) {
    for (const int stride : {1, 2, 3}) {
      for (const int kernel : {1, 3, 5, 7}) {
        LayerSpec l;
        l.kind = LayerKind::kConv2D;
        l.units = 1;
        l.kernel = kernel;
        l.stride = stride;
        l.same_padding = same;
        CAPTURE(same);
        CAPTURE(stride);
        CAPTURE(kernel);
        CHECK(conv_padding(l, 32, 17).out_h == conv_output_size(32, kernel, stride, same));
        CHECK(conv_padding(l, 32, 17).out_w == conv_output_size(17, kernel, stride, same));
      }
    }
  }
}

TEST_CASE("receptive field growth: by hand, and as the engine's receptive_field for a centre cell") {
  const std::string text =
      "conv2d 4 k=3 pad=same; relu; maxpool2d 2; conv2d 4 k=3 pad=same; relu; maxpool2d 2; "
      "conv2d 4 k=3 stride=2 pad=same; flatten; dense 2";
  const ModelSpec spec = parse_model_spec(text, Shape{1, 128, 128}, 2);
  // k=3: 3, then the pool adds 1 (jump 1 -> 2), conv 2 adds 2*2 = 4, the pool 1*2, conv 3 2*4.
  const std::vector<ReceptiveFieldStep> k3 = receptive_field_growth(spec, 0);
  REQUIRE(k3.size() == 5);
  const int sizes3[5] = {3, 4, 8, 10, 18};
  const int jumps3[5] = {1, 2, 2, 4, 8};
  const int layers[5] = {0, 2, 3, 5, 6};
  for (size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(k3[i].layer == layers[i]);
    CHECK(k3[i].size == sizes3[i]);
    CHECK(k3[i].jump == jumps3[i]);
  }
  // k=7: 7, 8, 8 + 6*2 = 20, 22, 22 + 6*4 = 46.
  const std::vector<ReceptiveFieldStep> k7 = receptive_field_growth(spec, 7);
  const int sizes7[5] = {7, 8, 20, 22, 46};
  for (size_t i = 0; i < 5; ++i) CHECK(k7[i].size == sizes7[i]);
  // The engine walks the same windows back from one cell: away from the border, the rectangle
  // it finds has the growth's side, for each kernel size.
  for (const int kernel : {3, 5, 7}) {
    std::string with_kernel = text;
    for (size_t at = with_kernel.find("k=3"); at != std::string::npos;
         at = with_kernel.find("k=3", at + 1)) {
      with_kernel[at + 2] = static_cast<char>('0' + kernel);
    }
    const ModelSpec s = parse_model_spec(with_kernel, Shape{1, 128, 128}, 2);
    const std::vector<ReceptiveFieldStep> growth = receptive_field_growth(spec, kernel);
    for (const ReceptiveFieldStep& step : growth) {
      const Shape out = s.output_shapes()[static_cast<size_t>(step.layer)];
      const InputRect r = receptive_field(s, step.layer, out[1] / 2, out[2] / 2);
      CAPTURE(kernel);
      CAPTURE(step.layer);
      CHECK(r.bottom - r.top == step.size);
      CHECK(r.right - r.left == step.size);
    }
  }
}

TEST_CASE("same place: a pixel keeps its place in the image across maps of other sizes") {
  int y = -1, x = -1;
  same_place(12, 17, 32, 32, 16, 16, &y, &x);
  CHECK(y == 6);
  CHECK(x == 8);
  same_place(6, 8, 16, 16, 32, 32, &y, &x);
  CHECK(y == 13);  // the centre of cell 6 of 16 is at 6.5/16 of the image: row 13 of 32
  CHECK(x == 17);
  same_place(31, 0, 32, 32, 8, 8, &y, &x);
  CHECK(y == 7);
  CHECK(x == 0);
  same_place(5, 5, 8, 8, 8, 8, &y, &x);
  CHECK(y == 5);
  CHECK(x == 5);
}

TEST_CASE("lively pixel: the map with the largest mean, at its largest value; brightest map at") {
  LayerMaps m;
  m.channels = 3;
  m.height = 2;
  m.width = 3;
  // Map 0: one big value but a low mean; map 1: the largest mean, its peak at (1, 0); map 2: 0.
  m.maps = {9.0f, -5.0f, -5.0f, 0.0f, 0.0f, 0.0f,    //
            1.0f, 1.0f, 1.0f, 3.0f, 2.0f, NAN,       //
            0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  const MapPixel p = lively_pixel(m);
  CHECK(p.channel == 1);
  CHECK(p.y == 1);
  CHECK(p.x == 0);
  CHECK(brightest_map_at(m, 0, 0) == 0);
  CHECK(brightest_map_at(m, 1, 0) == 1);
  CHECK(brightest_map_at(m, 1, 2) == 0);  // map 1 has NaN there; maps 0 and 2 tie at 0
  CHECK(brightest_map_at(m, 5, 0) == 0);  // outside
  LayerMaps empty;
  const MapPixel none = lively_pixel(empty);
  CHECK(none.channel == 0);
  CHECK(none.y == 0);
  CHECK(none.x == 0);
}
