// Layers: hand-computed forward cases, conv against a direct (naive) convolution with TensorFlow's
// `same` padding, finite-difference gradient checks for inputs and parameters of every layer and
// the loss, and a save/load round trip of each layer kind through the model file.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/elementwise.h"
#include "layers/layer.h"
#include "layers/loss.h"
#include "layers/pool2d.h"
#include "model/model.h"
#include "model/model_file.h"
#include "model/spec.h"

using namespace cnnlab;

namespace {

LayerSpec conv_spec(int filters, int k, int stride, bool same) {
  LayerSpec s;
  s.kind = LayerKind::kConv2D;
  s.units = filters;
  s.kernel = k;
  s.stride = stride;
  s.same_padding = same;
  return s;
}

LayerSpec pool_spec(LayerKind kind, int k, int stride) {
  LayerSpec s;
  s.kind = kind;
  s.kernel = k;
  s.stride = stride;
  return s;
}

LayerSpec simple_spec(LayerKind kind, float rate = 0.0f, int units = 0) {
  LayerSpec s;
  s.kind = kind;
  s.rate = rate;
  s.units = units;
  return s;
}

Tensor random_tensor(const Shape& shape, Rng& rng, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(shape);
  for (size_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

Shape with_batch(int batch, const Shape& per) {
  Shape s;
  s.rank = per.rank + 1;
  s[0] = batch;
  for (int i = 0; i < per.rank; ++i) s[i + 1] = per[i];
  return s;
}

// Direct convolution: y (B, Co, OH, OW) with TensorFlow `same` padding (extra at bottom/right).
Tensor naive_conv(const Tensor& x, const Tensor& w, const Tensor& b, int stride, bool same) {
  const int B = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int Co = w.dim(0), K = w.dim(2);
  int OH, OW, pt, pl;
  if (same) {
    OH = (H + stride - 1) / stride;
    OW = (W + stride - 1) / stride;
    pt = std::max((OH - 1) * stride + K - H, 0) / 2;
    pl = std::max((OW - 1) * stride + K - W, 0) / 2;
  } else {
    OH = (H - K) / stride + 1;
    OW = (W - K) / stride + 1;
    pt = pl = 0;
  }
  Tensor y(Shape{B, Co, OH, OW});
  for (int n = 0; n < B; ++n)
    for (int o = 0; o < Co; ++o)
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow) {
          double acc = b[static_cast<size_t>(o)];
          for (int c = 0; c < C; ++c)
            for (int i = 0; i < K; ++i)
              for (int j = 0; j < K; ++j) {
                const int ih = oh * stride - pt + i, iw = ow * stride - pl + j;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += static_cast<double>(x[((static_cast<size_t>(n) * C + c) * H + ih) * W + iw]) *
                       w[((static_cast<size_t>(o) * C + c) * K + i) * K + j];
              }
          y[((static_cast<size_t>(n) * Co + o) * OH + oh) * OW + ow] = static_cast<float>(acc);
        }
  return y;
}

// Finite-difference check of dx and every parameter gradient of `layer` for the scalar
// objective f = sum(y * r), r random (so dy = r). Centred differences in float32; the objective
// is accumulated in double. Checks at most max_checks entries per tensor (spread evenly).
void gradient_check(Layer& layer, Tensor x, bool training, float eps, double tol,
                    uint64_t seed = 7, size_t max_checks = 400) {
  Rng rng(seed, 9);
  Rng drop_base(seed, 11);
  RunContext ctx{training, nullptr, nullptr};
  auto run = [&](Tensor& y) {
    Rng drop = drop_base;  // the same dropout mask every evaluation
    ctx.dropout_rng = &drop;
    layer.forward(y, x, ctx);
  };
  Tensor y;
  run(y);
  Tensor r = random_tensor(y.shape(), rng);
  auto objective = [&]() {
    Tensor yy;
    run(yy);
    double s = 0.0;
    for (size_t i = 0; i < yy.size(); ++i) s += static_cast<double>(yy[i]) * r[i];
    return s;
  };
  for (Param* p : layer.params()) p->grad.zero();
  run(y);
  Tensor dx;
  layer.backward(&dx, r, x, y, ctx);
  REQUIRE(dx.shape() == x.shape());

  auto check_tensor = [&](Tensor& values, const Tensor& analytic, const std::string& what) {
    const size_t n = values.size();
    const size_t step = std::max<size_t>(1, n / max_checks);
    double worst = 0.0;
    for (size_t i = 0; i < n; i += step) {
      const float saved = values[i];
      values[i] = saved + eps;
      const double plus = objective();
      values[i] = saved - eps;
      const double minus = objective();
      values[i] = saved;
      const double numeric = (plus - minus) / (2.0 * eps);
      const double a = analytic[i];
      const double err = std::fabs(numeric - a) / std::max(1.0, std::fabs(numeric) + std::fabs(a));
      worst = std::max(worst, err);
    }
    INFO(layer.label() << " " << what << " worst relative error " << worst);
    CHECK(worst < tol);
  };
  check_tensor(x, dx, "input");
  for (Param* p : layer.params()) {
    Tensor grad = p->grad;
    check_tensor(p->value, grad, p->name);
  }
}

// Random values kept at least `gap` away from zero (ReLU kinks) and from each other in
// magnitude order (max-pool ties), so finite differences do not cross a kink.
Tensor kink_free(const Shape& shape, Rng& rng, float gap) {
  Tensor t(shape);
  std::vector<float> values(t.size());
  for (size_t i = 0; i < t.size(); ++i)
    values[i] = (static_cast<float>(i) + 0.5f) * gap * 3.0f * (i % 2 ? 1.0f : -1.0f);
  rng.shuffle(values);
  for (size_t i = 0; i < t.size(); ++i) t[i] = values[i];
  return t;
}

}  // namespace

TEST_CASE("LayerSpec text and label are canonical and shapes follow TensorFlow/PyTorch") {
  LayerSpec c = conv_spec(32, 3, 1, true);
  CHECK(c.text() == "conv2d 32 k=3 pad=same");
  CHECK(c.label() == "conv2d 32 3x3 same");
  CHECK(conv_spec(8, 5, 2, false).text() == "conv2d 8 k=5 s=2 pad=valid");
  CHECK(pool_spec(LayerKind::kMaxPool2D, 2, 2).text() == "maxpool2d 2");
  CHECK(pool_spec(LayerKind::kAvgPool2D, 3, 2).text() == "avgpool2d 3 s=2");
  CHECK(simple_spec(LayerKind::kDropout, 0.25f).text() == "dropout 0.25");
  CHECK(simple_spec(LayerKind::kDropout, 0.3f).text() == "dropout 0.3");

  CHECK(layer_output_shape(conv_spec(32, 3, 1, true), Shape{3, 32, 32}) == Shape{32, 32, 32});
  CHECK(layer_output_shape(conv_spec(32, 5, 1, false), Shape{3, 32, 32}) == Shape{32, 28, 28});
  CHECK(layer_output_shape(conv_spec(4, 3, 2, true), Shape{3, 7, 7}) == Shape{4, 4, 4});
  CHECK(layer_output_shape(conv_spec(4, 3, 2, false), Shape{3, 7, 7}) == Shape{4, 3, 3});
  CHECK(layer_output_shape(pool_spec(LayerKind::kMaxPool2D, 2, 2), Shape{8, 5, 5}) ==
        Shape{8, 2, 2});
  CHECK(layer_output_shape(simple_spec(LayerKind::kFlatten), Shape{8, 2, 3}) == Shape{48});
  // even kernel `same`: total padding 1, all of it at bottom/right
  ConvPadding p = conv_padding(conv_spec(1, 2, 1, true), 4, 4);
  CHECK(p.out_h == 4);
  CHECK(p.pad_top == 0);
  ConvPadding p4 = conv_padding(conv_spec(1, 4, 1, true), 6, 6);
  CHECK(p4.pad_top == 1);  // total 3: 1 top, 2 bottom
  CHECK(layer_macs(conv_spec(32, 3, 1, true), Shape{3, 32, 32}) == 32ull * 32 * 32 * 27);
  CHECK(layer_parameter_count(conv_spec(32, 3, 1, true), Shape{3, 32, 32}) == 896);

  CHECK_THROWS_WITH_AS(layer_output_shape(pool_spec(LayerKind::kMaxPool2D, 2, 2), Shape{4, 1, 1}),
                       doctest::Contains("input is 1x1"), Error);
  CHECK_THROWS_AS(layer_output_shape(conv_spec(4, 7, 1, true), Shape{3, 5, 5}), Error);
  CHECK_THROWS_AS(layer_output_shape(conv_spec(4, 3, 0, true), Shape{3, 5, 5}), Error);
  CHECK_THROWS_AS(layer_output_shape(conv_spec(4, 12, 1, true), Shape{3, 32, 32}), Error);
  CHECK_THROWS_AS(layer_output_shape(simple_spec(LayerKind::kDropout, 1.0f), Shape{10}), Error);
  CHECK_THROWS_AS(layer_output_shape(simple_spec(LayerKind::kDense, 0, 10), Shape{3, 4, 4}),
                  Error);
  CHECK_THROWS_AS(layer_output_shape(conv_spec(4, 3, 1, true), Shape{48}), Error);
}

TEST_CASE("Conv2D hand-computed forward: 1 channel, 2x2 kernel, valid and same") {
  // x = [[1 2 3] [4 5 6] [7 8 9]], w = [[1 0] [0 -1]], b = 0.5
  Conv2D conv(conv_spec(1, 2, 1, false), Shape{1, 3, 3});
  const float w[4] = {1, 0, 0, -1};
  std::copy(w, w + 4, conv.weight().value.data());
  conv.bias().value[0] = 0.5f;
  Tensor x(Shape{1, 1, 3, 3});
  for (int i = 0; i < 9; ++i) x[static_cast<size_t>(i)] = static_cast<float>(i + 1);
  Tensor y;
  RunContext ctx;
  conv.forward(y, x, ctx);
  REQUIRE(y.shape() == Shape{1, 1, 2, 2});
  for (size_t i = 0; i < 4; ++i) CHECK(y[i] == doctest::Approx(-4.0 + 0.5));

  // same with an even kernel: pad one column right and one row bottom (TensorFlow)
  Conv2D same(conv_spec(1, 2, 1, true), Shape{1, 3, 3});
  std::copy(w, w + 4, same.weight().value.data());
  same.bias().value[0] = 0.0f;
  same.forward(y, x, ctx);
  REQUIRE(y.shape() == Shape{1, 1, 3, 3});
  const float expected[9] = {1 - 5, 2 - 6, 3, 4 - 8, 5 - 9, 6, 7, 8, 9};
  for (size_t i = 0; i < 9; ++i) CHECK(y[i] == doctest::Approx(expected[i]));
}

TEST_CASE("Conv2D matches a direct convolution: k 1..7, stride 1 and 2, both paddings") {
  Rng rng(3, 1);
  for (int k : {1, 2, 3, 4, 5, 7}) {
    for (int stride : {1, 2}) {
      for (bool same : {true, false}) {
        const Shape in{3, 9, 8};
        Conv2D conv(conv_spec(4, k, stride, same), in);
        Rng init(k, stride);
        conv.init(init);
        for (size_t i = 0; i < conv.bias().value.size(); ++i) conv.bias().value[i] = 0.1f * i;
        Tensor x = random_tensor(with_batch(3, in), rng);
        Tensor y;
        RunContext ctx;
        conv.forward(y, x, ctx);
        Tensor ref = naive_conv(x, conv.weight().value, conv.bias().value, stride, same);
        INFO("k=" << k << " stride=" << stride << " same=" << same);
        REQUIRE(y.shape() == ref.shape());
        double worst = 0;
        for (size_t i = 0; i < y.size(); ++i) worst = std::max(worst, double(std::fabs(y[i] - ref[i])));
        CHECK(worst < 1e-4);
      }
    }
  }
}

TEST_CASE("Conv2D over several im2col chunks equals one chunk, forward and gradients") {
  // 8 channels, 7x7, 16x16 same: 401 KB of columns per image -> chunks of 2 images under the
  // 1 MB column budget.
  static_assert(Conv2D::kColumnBudgetBytes == (1u << 20), "retune this case's shape");
  const Shape in{8, 16, 16};
  Conv2D conv(conv_spec(3, 7, 1, true), in);
  CHECK(conv.chunk_images(5) == 2);
  Rng rng(5, 5);
  conv.init(rng);
  Tensor x = random_tensor(with_batch(5, in), rng);
  Tensor y;
  RunContext ctx;
  conv.forward(y, x, ctx);
  Tensor ref = naive_conv(x, conv.weight().value, conv.bias().value, 1, true);
  double worst = 0;
  for (size_t i = 0; i < y.size(); ++i) worst = std::max(worst, double(std::fabs(y[i] - ref[i])));
  CHECK(worst < 1e-3);

  // weight gradient of the batch = sum of per-image weight gradients
  Tensor dy = random_tensor(y.shape(), rng);
  conv.weight().grad.zero();
  conv.bias().grad.zero();
  Tensor dx;
  conv.backward(&dx, dy, x, y, ctx);
  Tensor batch_grad = conv.weight().grad;
  Tensor batch_dx = dx;
  conv.weight().grad.zero();
  const size_t in_image = in.count(), out_image = y.size() / 5;
  for (int b = 0; b < 5; ++b) {
    Tensor xb(with_batch(1, in)), dyb(Shape{1, 3, 16, 16}), yb;
    std::copy(x.data() + b * in_image, x.data() + (b + 1) * in_image, xb.data());
    std::copy(dy.data() + b * out_image, dy.data() + (b + 1) * out_image, dyb.data());
    conv.forward(yb, xb, ctx);
    Tensor dxb;
    conv.backward(&dxb, dyb, xb, yb, ctx);
    double dx_err = 0;
    for (size_t i = 0; i < in_image; ++i)
      dx_err = std::max(dx_err, double(std::fabs(dxb[i] - batch_dx[b * in_image + i])));
    CHECK(dx_err < 1e-4);
  }
  double grad_err = 0;
  for (size_t i = 0; i < batch_grad.size(); ++i)
    grad_err = std::max(grad_err, double(std::fabs(batch_grad[i] - conv.weight().grad[i])) /
                                      std::max(1.0f, std::fabs(batch_grad[i])));
  CHECK(grad_err < 1e-4);
}

TEST_CASE("Conv2D gradient check: k 1..7, stride 1 and 2, both paddings") {
  Rng rng(11, 2);
  for (int k : {1, 2, 3, 4, 5, 7}) {
    for (int stride : {1, 2}) {
      for (bool same : {true, false}) {
        const Shape in{2, 8, 7};
        Conv2D conv(conv_spec(3, k, stride, same), in);
        Rng init(k, 3);
        conv.init(init);
        Tensor x = random_tensor(with_batch(2, in), rng);
        INFO("k=" << k << " stride=" << stride << " same=" << same);
        gradient_check(conv, x, true, 1e-2f, 2e-3, 100 + k);
      }
    }
  }
}

TEST_CASE("Pooling: hand-computed forward and gradient checks") {
  // 1x4x4 input 0..15, 2x2 windows: max = bottom-right of each window, avg = window means.
  Tensor x(Shape{1, 1, 4, 4});
  for (int i = 0; i < 16; ++i) x[static_cast<size_t>(i)] = static_cast<float>(i);
  RunContext ctx;
  MaxPool2D maxpool(pool_spec(LayerKind::kMaxPool2D, 2, 2), Shape{1, 4, 4});
  AvgPool2D avgpool(pool_spec(LayerKind::kAvgPool2D, 2, 2), Shape{1, 4, 4});
  Tensor y;
  maxpool.forward(y, x, ctx);
  REQUIRE(y.shape() == Shape{1, 1, 2, 2});
  CHECK(y[0] == 5);
  CHECK(y[1] == 7);
  CHECK(y[2] == 13);
  CHECK(y[3] == 15);
  avgpool.forward(y, x, ctx);
  CHECK(y[0] == doctest::Approx(2.5));
  CHECK(y[3] == doctest::Approx(12.5));

  Rng rng(4, 4);
  for (LayerKind kind : {LayerKind::kMaxPool2D, LayerKind::kAvgPool2D}) {
    for (int k : {2, 3}) {
      for (int stride : {1, 2}) {
        const Shape in{2, 7, 6};
        std::unique_ptr<Layer> pool = make_layer(pool_spec(kind, k, stride), in);
        Tensor xx = kink_free(with_batch(2, in), rng, 0.05f);
        INFO(pool->label());
        gradient_check(*pool, xx, true, 1e-2f, 2e-3);
      }
    }
  }
}

TEST_CASE("ReLU, Flatten, Dense: hand-computed forward and gradient checks") {
  RunContext ctx;
  ReLU relu(simple_spec(LayerKind::kReLU), Shape{4});
  Tensor x(Shape{1, 4});
  const float xs[4] = {-2, -0.5f, 0.5f, 3};
  std::copy(xs, xs + 4, x.data());
  Tensor y;
  relu.forward(y, x, ctx);
  CHECK(y[0] == 0);
  CHECK(y[1] == 0);
  CHECK(y[2] == 0.5f);
  CHECK(y[3] == 3);

  // Flatten keeps (C, H, W) order: element (c, h, w) -> c*H*W + h*W + w
  Flatten flatten(simple_spec(LayerKind::kFlatten), Shape{2, 2, 3});
  Tensor img(Shape{2, 2, 2, 3});
  for (size_t i = 0; i < img.size(); ++i) img[i] = static_cast<float>(i);
  flatten.forward(y, img, ctx);
  REQUIRE(y.shape() == Shape{2, 12});
  CHECK(y[13] == 13.0f);

  // Dense: y = x w^T + b with w (out=2, in=3)
  Dense dense(simple_spec(LayerKind::kDense, 0, 2), Shape{3});
  const float w[6] = {1, 2, 3, -1, 0, 1};
  std::copy(w, w + 6, dense.weight().value.data());
  dense.bias().value[0] = 0.5f;
  dense.bias().value[1] = -1.0f;
  Tensor xd(Shape{1, 3});
  xd[0] = 1;
  xd[1] = 2;
  xd[2] = 3;
  dense.forward(y, xd, ctx);
  CHECK(y[0] == doctest::Approx(14.5));
  CHECK(y[1] == doctest::Approx(1.0));

  Rng rng(8, 8);
  ReLU relu3(simple_spec(LayerKind::kReLU), Shape{3, 4, 5});
  gradient_check(relu3, kink_free(Shape{2, 3, 4, 5}, rng, 0.03f), true, 1e-2f, 1e-3);
  gradient_check(flatten, random_tensor(Shape{2, 2, 2, 3}, rng), true, 1e-2f, 1e-3);
  Dense dense2(simple_spec(LayerKind::kDense, 0, 7), Shape{13});
  dense2.init(rng);
  gradient_check(dense2, random_tensor(Shape{3, 13}, rng), true, 1e-2f, 1e-3);
}

TEST_CASE("Dropout: inverted scaling in training, identity in inference, gradient check") {
  const Shape in{1000};
  Dropout drop(simple_spec(LayerKind::kDropout, 0.25f), in);
  Tensor x(Shape{2, 1000});
  x.fill(1.0f);
  Rng rng(1, 4);
  RunContext train{true, nullptr, &rng};
  Tensor y;
  drop.forward(y, x, train);
  size_t zeros = 0;
  double sum = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    CHECK((y[i] == 0.0f || y[i] == doctest::Approx(1.0f / 0.75f)));
    zeros += y[i] == 0.0f;
    sum += y[i];
  }
  CHECK(zeros > 400);
  CHECK(zeros < 600);
  CHECK(sum / y.size() == doctest::Approx(1.0).epsilon(0.06));
  RunContext infer{false, nullptr, nullptr};
  drop.forward(y, x, infer);
  for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == 1.0f);
  RunContext no_rng{true, nullptr, nullptr};
  CHECK_THROWS_AS(drop.forward(y, x, no_rng), Error);

  Dropout drop2(simple_spec(LayerKind::kDropout, 0.5f), Shape{3, 4, 4});
  gradient_check(drop2, random_tensor(Shape{2, 3, 4, 4}, rng), true, 1e-2f, 1e-3);
}

TEST_CASE("Softmax cross-entropy: hand-computed values, label checks and gradient check") {
  SoftmaxCrossEntropy loss;
  Tensor logits(Shape{2, 3});
  const float z[6] = {0, 0, 0, 1, 2, 3};
  std::copy(z, z + 6, logits.data());
  const int32_t labels[2] = {1, 2};
  LossResult r = loss.forward(logits, labels);
  const double l1 = std::log(3.0);
  const double l2 = -std::log(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
  CHECK(r.loss == doctest::Approx((l1 + l2) / 2).epsilon(1e-5));
  CHECK(r.count == 2);
  CHECK(r.correct == 1);  // row 0 ties -> class 0 (first), row 1 -> class 2
  CHECK(loss.probabilities()[0] == doctest::Approx(1.0 / 3.0));

  const int32_t bad[2] = {1, 3};
  CHECK_THROWS_WITH_AS(loss.forward(logits, bad), doctest::Contains("label 3"), Error);

  // huge logits stay finite
  Tensor big(Shape{1, 3});
  big[0] = 1000;
  big[1] = -1000;
  big[2] = 0;
  const int32_t zero[1] = {0};
  CHECK(std::isfinite(loss.forward(big, zero).loss));

  // gradient check of the mean loss w.r.t. logits
  Rng rng(2, 2);
  Tensor x = random_tensor(Shape{4, 5}, rng, -2, 2);
  const int32_t lab[4] = {0, 4, 2, 2};
  loss.forward(x, lab);
  Tensor dx;
  loss.backward(dx, lab);
  const float eps = 1e-2f;
  for (size_t i = 0; i < x.size(); ++i) {
    const float saved = x[i];
    x[i] = saved + eps;
    const double plus = loss.forward(x, lab).loss;
    x[i] = saved - eps;
    const double minus = loss.forward(x, lab).loss;
    x[i] = saved;
    CHECK(dx[i] == doctest::Approx((plus - minus) / (2 * eps)).epsilon(2e-3));
  }
}

TEST_CASE("Every layer kind survives a model-file save/load round trip") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("cnnlab_test_layers_" +
       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(dir);
  const std::vector<std::string> specs = {
      "conv2d 4 k=3 pad=same; flatten; dense 3",
      "conv2d 4 k=2 s=2 pad=valid init=he_normal; flatten; dense 3",
      "maxpool2d 2; flatten; dense 3",
      "avgpool2d 3 s=1; flatten; dense 3",
      "relu; flatten; dense 3",
      "dropout 0.5; flatten; dense 3",
      "flatten; dense 5; relu; dense 3",
  };
  Rng rng(6, 6);
  Tensor x = random_tensor(Shape{2, 2, 6, 6}, rng);
  for (size_t i = 0; i < specs.size(); ++i) {
    INFO(specs[i]);
    ModelSpec spec = parse_model_spec(specs[i], Shape{2, 6, 6}, 3);
    Model model(spec, 40 + i);
    const Tensor before = model.predict(x);
    const std::string path = (dir / ("m" + std::to_string(i) + ".cnnlab")).string();
    save_model_file(path, model, ModelFileInfo{});
    LoadedModel loaded = load_model_file(path);
    CHECK(loaded.model->spec() == spec);
    const Tensor& after = loaded.model->predict(x);
    REQUIRE(after.shape() == before.shape());
    for (size_t j = 0; j < after.size(); ++j) CHECK(after[j] == before[j]);
  }
  std::filesystem::remove_all(dir);
}
