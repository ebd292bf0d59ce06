// Attribution maps (lab/attribution.h): the gradient saliency against central finite differences
// on a small random conv net; Grad-CAM and occlusion against values worked out by hand on tiny
// networks with set weights; SmoothGrad's definition and determinism; every refusal.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/rng.h"
#include "lab/attribution.h"
#include "model/spec.h"
#include "test_helpers.h"

using namespace cnnlab;
using cnnlab::testing::param;
using cnnlab::testing::contains;
using cnnlab::testing::error_of;

namespace {

void set_values(Param* p, const std::vector<float>& values) {
  REQUIRE(p->value.size() == values.size());
  for (size_t i = 0; i < values.size(); ++i) p->value[i] = values[i];
}

// Two convs, a max pool and a dense layer on an input of awkward sizes: (2, 7, 9)
// -> conv 3 3x3 same (3, 7, 9) -> relu -> maxpool 2 (3, 3, 4) -> conv 4 2x2 valid (4, 2, 3)
// -> relu -> flatten (24) -> dense 5.
ModelSpec awkward_spec() {
  return parse_model_spec(
      "conv2d 3 k=3 pad=same; relu; maxpool2d 2; conv2d 4 k=2; relu; flatten; dense 5",
      Shape{2, 7, 9}, 5);
}

std::vector<float> random_image(const Shape& shape, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> image(shape.count());
  for (float& v : image) v = rng.uniform(-1.0f, 1.0f);
  return image;
}

// The logits of one image (C, H, W).
std::vector<float> logits_of(Model& model, const std::vector<float>& image) {
  const Shape& in = model.input_shape();
  Tensor x(Shape{1, in[0], in[1], in[2]});
  for (size_t i = 0; i < image.size(); ++i) x[i] = image[i];
  const Tensor& logits = model.forward(x, false);
  return std::vector<float>(logits.data(), logits.data() + logits.size());
}

// 1x3x3 input -> conv 2 2x2 valid -> relu -> flatten (8) -> dense 2, weights set by hand (see
// the Grad-CAM test for the arithmetic).
ModelSpec hand_cam_spec() {
  return parse_model_spec("conv2d 2 k=2; relu; flatten; dense 2", Shape{1, 3, 3}, 2);
}

void set_hand_cam_weights(Model& model) {
  // Filter 0 [[1, 0], [0, 1]] bias 0; filter 1 [[0, 1], [-1, 0]] bias -1. (Co, Ci, k, k).
  set_values(param(model, "0.weight"), {1, 0, 0, 1, 0, 1, -1, 0});
  set_values(param(model, "0.bias"), {0, -1});
  // Dense (out, in) over the flattened (channel, row, column) relu output.
  set_values(param(model, "3.weight"), {1, 1, 0, 0, 2, 0, 0, -1,  //
                                        0, 0, 1, 1, 0, 1, 0, -5});
  set_values(param(model, "3.bias"), {0, 0});
}

const std::vector<float> kHandCamImage = {1, 2, 0,  //
                                          0, 1, 3,  //
                                          2, 0, 1};

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}  // namespace

TEST_CASE("gradient saliency equals central finite differences of the class logit") {
  Model model(awkward_spec(), 11);
  const Shape in = model.input_shape();
  const std::vector<float> image = random_image(in, 5);
  const std::vector<float> clean = logits_of(model, image);
  int predicted = 0;
  for (int k = 1; k < 5; ++k)
    if (clean[static_cast<size_t>(k)] > clean[static_cast<size_t>(predicted)]) predicted = k;

  for (int target : {-1, 3}) {
    CAPTURE(target);
    AttributionOptions options;
    options.target_class = target;
    const AttributionMap map = gradient_saliency(model, image.data(), in, options);
    const int cls = target == -1 ? predicted : target;
    CHECK(map.target_class == cls);
    CHECK(map.predicted_class == predicted);
    REQUIRE(map.shape == in);
    REQUIRE(map.values.size() == in.count());

    // The network is piecewise linear in its input (conv, relu, max pool, dense), so a central
    // difference with a small step is exact up to float rounding unless the step crosses a kink:
    // with h = 1e-3 and logits of order 1, rounding contributes about 1e-7 / 2e-3 = 5e-5.
    // Tolerance 2e-4 absolute + 1 % relative (the gradients here are up to about 0.04); every
    // one of the 126 inputs must agree.
    const float h = 1e-3f;
    double largest = 0.0;
    int nonzero = 0;
    for (size_t i = 0; i < image.size(); ++i) {
      std::vector<float> plus = image, minus = image;
      plus[i] += h;
      minus[i] -= h;
      const double estimate = (static_cast<double>(logits_of(model, plus)[static_cast<size_t>(cls)]) -
                               logits_of(model, minus)[static_cast<size_t>(cls)]) /
                              (2.0 * h);
      CAPTURE(i);
      CHECK(map.values[i] == doctest::Approx(estimate).epsilon(0.01).scale(0.02));
      largest = std::max(largest, std::fabs(estimate));
      nonzero += estimate != 0.0;
    }
    // The comparison is not between zeros.
    CHECK(largest > 0.02);
    CHECK(nonzero > 100);
  }
}

TEST_CASE("Grad-CAM on a hand-set network matches the arithmetic") {
  // Image x = [[1, 2, 0], [0, 1, 3], [2, 0, 1]].
  // Conv filter 0 [[1, 0], [0, 1]]: x[y][x'] + x[y+1][x'+1] -> [[1+1, 2+3], [0+0, 1+1]]
  //   = [[2, 5], [0, 2]]; after relu A0 = [[2, 5], [0, 2]].
  // Conv filter 1 [[0, 1], [-1, 0]], bias -1: x[y][x'+1] - x[y+1][x'] - 1
  //   -> [[2-0-1, 0-1-1], [1-2-1, 3-0-1]] = [[1, -2], [-2, 2]]; after relu A1 = [[1, 0], [0, 2]].
  // Flattened A = [2, 5, 0, 2, 1, 0, 0, 2]. Logits: class 0 = 2+5+2*1-2 = 7,
  //   class 1 = 0+2+0-5*2 = -8, so class 0 is predicted.
  // A is the relu's output (layer 1); d logit / d A is the dense row reshaped to (2, 2, 2).
  // Class 0: dA0 = [[1, 1], [0, 0]] -> alpha0 = 2/4 = 0.5; dA1 = [[2, 0], [0, -1]] -> alpha1 =
  //   1/4 = 0.25. Map = relu(0.5 A0 + 0.25 A1) = [[1 + 0.25, 2.5], [0, 1 + 0.5]]
  //   = [[1.25, 2.5], [0, 1.5]].
  // Class 1: dA0 = [[0, 0], [1, 1]] -> alpha0 = 0.5; dA1 = [[0, 1], [0, -5]] -> alpha1 = -1.
  //   0.5 A0 - A1 = [[0, 2.5], [0, -1]]; relu -> [[0, 2.5], [0, 0]].
  Model model(hand_cam_spec(), 1);
  set_hand_cam_weights(model);
  const Shape in{1, 3, 3};
  AttributionOptions options;
  const std::vector<float> logits = logits_of(model, kHandCamImage);
  CHECK(logits[0] == doctest::Approx(7.0));
  CHECK(logits[1] == doctest::Approx(-8.0));

  AttributionMap cam = grad_cam(model, kHandCamImage.data(), in, options);
  CHECK(cam.target_class == 0);
  CHECK(cam.layer == 1);
  REQUIRE(cam.shape == Shape{2, 2});
  const std::vector<float> expected0 = {1.25f, 2.5f, 0.0f, 1.5f};
  for (size_t i = 0; i < 4; ++i) CHECK(cam.values[i] == doctest::Approx(expected0[i]));

  options.target_class = 1;
  cam = grad_cam(model, kHandCamImage.data(), in, options);
  CHECK(cam.target_class == 1);
  CHECK(cam.predicted_class == 0);
  const std::vector<float> expected1 = {0.0f, 2.5f, 0.0f, 0.0f};
  for (size_t i = 0; i < 4; ++i) CHECK(cam.values[i] == doctest::Approx(expected1[i]));
}

TEST_CASE("occlusion on a hand-set linear model matches the arithmetic") {
  // Image (1, 2, 3) x = [[1, 2, 3], [4, 5, 6]]; dense row 0 = [1, 0, -1, 0, 1, 0], row 1 = 0,
  // so logit0 = x00 - x02 + x11 = 1 - 3 + 5 = 3, logit1 = 0 and p0 = sigmoid(3) = 0.952574.
  // Patch 2 with stride 2: rows {0}; columns 0, then 2 does not fit (2 + 2 > 3) and column 2 is
  // uncovered, so one patch flush with the right edge: columns {0, 1}.
  //   Patch at column 0 (columns 0-1 zeroed): logit0 = -x02 = -3, p0 = sigmoid(-3) = 0.047426,
  //     drop A = 0.952574 - 0.047426 = 0.905148.
  //   Patch at column 1 (columns 1-2 zeroed): logit0 = x00 = 1, p0 = sigmoid(1) = 0.731059,
  //     drop B = 0.952574 - 0.731059 = 0.221516.
  // Per pixel, the mean over the patches covering it: column 0 A, column 1 (A + B) / 2 = 0.563332,
  // column 2 B; both rows alike.
  Model model(parse_model_spec("flatten; dense 2", Shape{1, 2, 3}, 2), 1);
  set_values(param(model, "1.weight"), {1, 0, -1, 0, 1, 0, 0, 0, 0, 0, 0, 0});
  set_values(param(model, "1.bias"), {0, 0});
  const std::vector<float> image = {1, 2, 3, 4, 5, 6};
  const Shape in{1, 2, 3};
  AttributionOptions options;
  options.occlusion_patch = 2;
  options.occlusion_stride = 2;
  const double a = sigmoid(3) - sigmoid(-3), b = sigmoid(3) - sigmoid(1);
  CHECK(a == doctest::Approx(0.905148));
  CHECK(b == doctest::Approx(0.221516));
  const std::vector<double> expected = {a, (a + b) / 2, b, a, (a + b) / 2, b};

  AttributionMap map = occlusion_map(model, image.data(), in, options);
  CHECK(map.target_class == 0);
  CHECK(map.class_probability == doctest::Approx(sigmoid(3)));
  REQUIRE(map.shape == Shape{2, 3});
  for (size_t i = 0; i < 6; ++i) CHECK(map.values[i] == doctest::Approx(expected[i]).epsilon(1e-5));

  // Stride 1 gives the same two patches (columns 0 and 1).
  options.occlusion_stride = 1;
  map = occlusion_map(model, image.data(), in, options);
  for (size_t i = 0; i < 6; ++i) CHECK(map.values[i] == doctest::Approx(expected[i]).epsilon(1e-5));

  // Class 1's probability is 1 - p0, so its drops are the negatives.
  options.target_class = 1;
  map = occlusion_map(model, image.data(), in, options);
  CHECK(map.target_class == 1);
  for (size_t i = 0; i < 6; ++i) CHECK(map.values[i] == doctest::Approx(-expected[i]).epsilon(1e-5));

  // A grey patch: the unstandardised input value of pixel 128 is 128 / 255 = 0.501961. At
  // column 0: logit0 = g - 3 + g = 2g - 3 = -1.996078; at column 1: logit0 = 1 - g + g = 1.
  options.target_class = 0;
  options.occlusion_fill = grey_fill(Preprocess{}, 1);
  REQUIRE(options.occlusion_fill.size() == 1);
  CHECK(options.occlusion_fill[0] == doctest::Approx(128.0 / 255.0));
  map = occlusion_map(model, image.data(), in, options);
  const double ga = sigmoid(3) - sigmoid(2 * 128.0 / 255.0 - 3);
  CHECK(map.values[0] == doctest::Approx(ga).epsilon(1e-5));
  CHECK(map.values[1] == doctest::Approx((ga + b) / 2).epsilon(1e-5));
  CHECK(map.values[2] == doctest::Approx(b).epsilon(1e-5));
}

TEST_CASE("SmoothGrad is the mean gradient over seeded noisy copies, the same for the same seed") {
  Model model(awkward_spec(), 4);
  const Shape in = model.input_shape();
  const std::vector<float> image = random_image(in, 9);
  AttributionOptions options;
  options.smooth_samples = 40;  // more than one batch of noisy copies
  options.smooth_noise = 0.2f;
  options.smooth_seed = 77;
  const AttributionMap first = gradient_saliency(model, image.data(), in, options);
  const AttributionMap again = gradient_saliency(model, image.data(), in, options);
  REQUIRE(first.shape == in);
  CHECK(first.values == again.values);

  // The definition, one noisy copy at a time: noise sigma = 0.2 x (max - min) of the image,
  // drawn from Rng(seed) copy by copy, value by value; each copy's plain gradient of the class
  // chosen on the clean image; their mean.
  float lo = image[0], hi = image[0];
  for (float v : image) lo = std::min(lo, v), hi = std::max(hi, v);
  const float sigma = 0.2f * (hi - lo);
  Rng rng(77);
  std::vector<double> sum(image.size(), 0.0);
  AttributionOptions plain;
  plain.target_class = first.target_class;
  for (int s = 0; s < 40; ++s) {
    std::vector<float> noisy = image;
    for (float& v : noisy) v += sigma * rng.normal();
    const AttributionMap g = gradient_saliency(model, noisy.data(), in, plain);
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += g.values[i];
  }
  for (size_t i = 0; i < sum.size(); ++i)
    CHECK(first.values[i] == doctest::Approx(sum[i] / 40).epsilon(1e-4).scale(0.01));

  // Another seed draws other noise: another map. No noise: the plain gradient.
  options.smooth_seed = 78;
  CHECK(gradient_saliency(model, image.data(), in, options).values != first.values);
  options.smooth_noise = 0.0f;
  const AttributionMap noiseless = gradient_saliency(model, image.data(), in, options);
  const AttributionMap gradient = gradient_saliency(model, image.data(), in, AttributionOptions{});
  for (size_t i = 0; i < image.size(); ++i)
    CHECK(noiseless.values[i] == doctest::Approx(gradient.values[i]).epsilon(1e-5));
}

TEST_CASE("attribution refuses what it cannot compute, saying what and why") {
  Model cnn(hand_cam_spec(), 1);
  Model mlp(parse_model_spec("flatten; dense 4; relu; dense 2", Shape{1, 3, 3}, 2), 1);
  const Shape in{1, 3, 3};
  const std::vector<float> image = kHandCamImage;
  AttributionOptions options;

  std::string e = error_of([&] { grad_cam(mlp, image.data(), in, options); });
  CHECK(contains(e, "saliency: Grad-CAM needs a convolutional layer and this model has none"));
  CHECK(contains(e, "flatten, dense 4, relu, dense 2"));
  options.method = AttributionMethod::kGradCam;
  CHECK(error_of([&] { compute_attribution(mlp, image.data(), in, options); }) == e);
  // The other methods work on an MLP.
  options.method = AttributionMethod::kOcclusion;
  options.occlusion_patch = 2;
  options.occlusion_stride = 1;
  CHECK(compute_attribution(mlp, image.data(), in, options).shape == Shape{3, 3});

  options.occlusion_patch = 4;
  CHECK(contains(error_of([&] { occlusion_map(cnn, image.data(), in, options); }),
                 "the occlusion patch 4x4 is larger than the 3x3 image"));
  options.occlusion_patch = 0;
  CHECK(contains(error_of([&] { occlusion_map(cnn, image.data(), in, options); }),
                 "the occlusion patch must be at least 1 pixel, got 0"));
  options.occlusion_patch = 2;
  for (int stride : {0, -1}) {
    options.occlusion_stride = stride;
    CHECK(contains(error_of([&] { occlusion_map(cnn, image.data(), in, options); }),
                   "the occlusion stride must be at least 1 pixel, got " + std::to_string(stride)));
  }
  options.occlusion_stride = 3;
  CHECK(contains(error_of([&] { occlusion_map(cnn, image.data(), in, options); }),
                 "the occlusion stride 3 is larger than the patch 2"));
  options.occlusion_stride = 1;
  options.occlusion_fill = {0.5f, 0.5f, 0.5f};
  CHECK(contains(error_of([&] { occlusion_map(cnn, image.data(), in, options); }),
                 "the occlusion fill has 3 values, the image 1 channels"));

  for (int cls : {2, -2}) {
    AttributionOptions bad;
    bad.target_class = cls;
    for (AttributionMethod m : {AttributionMethod::kGradient, AttributionMethod::kGradCam,
                                AttributionMethod::kOcclusion}) {
      bad.method = m;
      bad.occlusion_patch = 2;
      CAPTURE(attribution_method_name(m));
      CHECK(contains(error_of([&] { compute_attribution(cnn, image.data(), in, bad); }),
                     "saliency: class " + std::to_string(cls) +
                         " is out of range: the model has 2 classes, 0..1"));
    }
  }

  const std::vector<float> wide(12, 0.5f);
  CHECK(contains(error_of([&] { gradient_saliency(cnn, wide.data(), Shape{1, 3, 4}, options); }),
                 "the image is (1, 3, 4) (channels, height, width), the model takes (1, 3, 3)"));
  std::vector<float> broken = image;
  broken[5] = std::numeric_limits<float>::quiet_NaN();  // channel 0, row 1, column 2
  for (AttributionMethod m : {AttributionMethod::kGradient, AttributionMethod::kGradCam,
                              AttributionMethod::kOcclusion}) {
    AttributionOptions o;
    o.method = m;
    o.occlusion_patch = 2;
    CHECK(contains(error_of([&] { compute_attribution(cnn, broken.data(), in, o); }),
                   "the image has a NaN at channel 0, row 1, column 2"));
  }
  broken[5] = std::numeric_limits<float>::infinity();
  CHECK(contains(error_of([&] { gradient_saliency(cnn, broken.data(), in, AttributionOptions{}); }),
                 "an infinite value at channel 0, row 1, column 2"));

  AttributionOptions smooth;
  smooth.smooth_samples = -1;
  CHECK(contains(error_of([&] { gradient_saliency(cnn, image.data(), in, smooth); }),
                 "SmoothGrad samples must be 0..10000, got -1"));
  smooth.smooth_samples = 2;
  smooth.smooth_noise = -0.1f;
  CHECK(contains(error_of([&] { gradient_saliency(cnn, image.data(), in, smooth); }),
                 "SmoothGrad noise must be a finite number >= 0"));

  CHECK(parse_attribution_method("gradcam") == AttributionMethod::kGradCam);
  CHECK(contains(error_of([] { parse_attribution_method("lime"); }),
                 "method: \"lime\" is not a saliency method: use one of gradient, gradcam, occlusion"));
}

TEST_CASE("Model::backward_from_logits checks its input and leaves a training step unchanged") {
  Model model(awkward_spec(), 2);
  Tensor d(Shape{1, 5});
  Tensor dx;
  CHECK(contains(error_of([&] { model.backward_from_logits(d, &dx); }),
                 "backward needs a forward pass first"));
  const std::vector<float> image = random_image(model.input_shape(), 1);
  logits_of(model, image);
  Tensor wrong(Shape{1, 4});
  CHECK(contains(error_of([&] { model.backward_from_logits(wrong, &dx); }),
                 "the gradient of the logits must have their shape (1, 5), got (1, 4)"));
  // d logits = one-hot: the parameter gradients of the last dense layer's bias are that row.
  d[2] = 1.0f;
  model.backward_from_logits(d, &dx);
  const Param* bias = param(model, "6.bias");
  for (int k = 0; k < 5; ++k) CHECK(bias->grad[static_cast<size_t>(k)] == (k == 2 ? 1.0f : 0.0f));
  CHECK(dx.shape() == Shape{1, 2, 7, 9});
}
