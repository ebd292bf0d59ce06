// LayerSpec arithmetic (output shapes, parameter counts, MACs), the Layer base and the factory.
#include "layers/layer.h"

#include "kernels/kernels.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "kernels/kernels.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/elementwise.h"
#include "layers/pool2d.h"

namespace cnnlab {

const char* layer_kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv2D: return "conv2d";
    case LayerKind::kMaxPool2D: return "maxpool2d";
    case LayerKind::kAvgPool2D: return "avgpool2d";
    case LayerKind::kReLU: return "relu";
    case LayerKind::kDropout: return "dropout";
    case LayerKind::kFlatten: return "flatten";
    case LayerKind::kDense: return "dense";
  }
  return "?";
}

const char* init_kind_name(InitKind kind) {
  switch (kind) {
    case InitKind::kPyTorch: return "pytorch";
    case InitKind::kHeUniform: return "he_uniform";
    case InitKind::kHeNormal: return "he_normal";
  }
  return "pytorch";
}

// Shortest decimal text that reads back as the same float ("0.25", not "0.250000").
static std::string float_text(float v) {
  char buf[32];
  for (int precision = 6; precision <= 9; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, static_cast<double>(v));
    if (std::strtof(buf, nullptr) == v) break;
  }
  return buf;
}

std::string LayerSpec::text() const {
  std::string s = layer_kind_name(kind);
  switch (kind) {
    case LayerKind::kConv2D:
      s += " " + std::to_string(units) + " k=" + std::to_string(kernel);
      if (stride != 1) s += " s=" + std::to_string(stride);
      s += same_padding ? " pad=same" : " pad=valid";
      if (init != InitKind::kPyTorch) s += std::string(" init=") + init_kind_name(init);
      break;
    case LayerKind::kMaxPool2D:
    case LayerKind::kAvgPool2D:
      s += " " + std::to_string(kernel);
      if (stride != kernel) s += " s=" + std::to_string(stride);
      break;
    case LayerKind::kDropout: s += " " + float_text(rate); break;
    case LayerKind::kDense:
      s += " " + std::to_string(units);
      if (init != InitKind::kPyTorch) s += std::string(" init=") + init_kind_name(init);
      break;
    case LayerKind::kReLU:
    case LayerKind::kFlatten: break;
  }
  return s;
}

std::string LayerSpec::label() const {
  std::string s = layer_kind_name(kind);
  const std::string window = std::to_string(kernel) + "x" + std::to_string(kernel);
  switch (kind) {
    case LayerKind::kConv2D:
      s += " " + std::to_string(units) + " " + window + (same_padding ? " same" : " valid");
      if (stride != 1) s += " stride " + std::to_string(stride);
      break;
    case LayerKind::kMaxPool2D:
    case LayerKind::kAvgPool2D:
      s += " " + window;
      if (stride != kernel) s += " stride " + std::to_string(stride);
      break;
    case LayerKind::kDropout: s += " " + float_text(rate); break;
    case LayerKind::kDense: s += " " + std::to_string(units); break;
    case LayerKind::kReLU:
    case LayerKind::kFlatten: break;
  }
  return s;
}

bool LayerSpec::operator==(const LayerSpec& o) const {
  return kind == o.kind && units == o.units && kernel == o.kernel && stride == o.stride &&
         same_padding == o.same_padding && rate == o.rate && init == o.init;
}

static std::string hw_text(int h, int w) { return std::to_string(h) + "x" + std::to_string(w); }

static void require_image(const Shape& input) {
  require(input.rank == 3, "",
          "needs an image input (channels, height, width), got " + input.str() +
              (input.rank == 1 ? " (a flattened vector)" : ""));
  require(input[0] >= 1 && input[1] >= 1 && input[2] >= 1, "", "empty input " + input.str());
}

ConvPadding conv_padding(const LayerSpec& spec, int height, int width) {
  ConvPadding p{};
  const int k = spec.kernel, s = spec.stride;
  if (spec.same_padding) {
    p.out_h = (height + s - 1) / s;
    p.out_w = (width + s - 1) / s;
    const int pad_h = std::max((p.out_h - 1) * s + k - height, 0);
    const int pad_w = std::max((p.out_w - 1) * s + k - width, 0);
    p.pad_top = pad_h / 2;  // the odd extra row goes to the bottom, as TensorFlow
    p.pad_left = pad_w / 2;
  } else {
    p.out_h = (height - k) / s + 1;
    p.out_w = (width - k) / s + 1;
    p.pad_top = p.pad_left = 0;
  }
  return p;
}

Shape layer_output_shape(const LayerSpec& spec, const Shape& input) {
  switch (spec.kind) {
    case LayerKind::kConv2D: {
      require(spec.units >= 1 && spec.units <= 4096, "",
              "number of filters must be 1..4096, got " + std::to_string(spec.units));
      require(spec.kernel >= 1 && spec.kernel <= 11, "",
              "kernel size must be 1..11, got " + std::to_string(spec.kernel));
      require(spec.stride >= 1 && spec.stride <= 11, "",
              "stride must be 1..11, got " + std::to_string(spec.stride));
      require_image(input);
      require(spec.kernel <= input[1] && spec.kernel <= input[2], "",
              "input is " + hw_text(input[1], input[2]) + ", smaller than the " +
                  hw_text(spec.kernel, spec.kernel) + " kernel");
      ConvPadding p = conv_padding(spec, input[1], input[2]);
      return Shape{spec.units, p.out_h, p.out_w};
    }
    case LayerKind::kMaxPool2D:
    case LayerKind::kAvgPool2D: {
      require(spec.kernel >= 1 && spec.kernel <= 64, "",
              "window must be 1..64, got " + std::to_string(spec.kernel));
      require(spec.stride >= 1 && spec.stride <= 64, "",
              "stride must be 1..64, got " + std::to_string(spec.stride));
      require_image(input);
      require(spec.kernel <= input[1] && spec.kernel <= input[2], "",
              "input is " + hw_text(input[1], input[2]) + ", smaller than the " +
                  hw_text(spec.kernel, spec.kernel) + " window");
      return Shape{input[0], (input[1] - spec.kernel) / spec.stride + 1,
                   (input[2] - spec.kernel) / spec.stride + 1};
    }
    case LayerKind::kReLU:
      require(input.rank >= 1 && input.count() >= 1, "", "empty input");
      return input;
    case LayerKind::kDropout:
      require(std::isfinite(spec.rate) && spec.rate >= 0.0f && spec.rate < 1.0f, "",
              "rate must be in [0, 1), got " + float_text(spec.rate));
      require(input.rank >= 1 && input.count() >= 1, "", "empty input");
      return input;
    case LayerKind::kFlatten:
      require(input.rank >= 1 && input.count() >= 1, "", "empty input");
      return Shape{static_cast<int>(input.count())};
    case LayerKind::kDense:
      require(spec.units >= 1 && spec.units <= 65536, "",
              "number of units must be 1..65536, got " + std::to_string(spec.units));
      require(input.rank == 1, "",
              "needs a vector input, got " + input.str() + "; put a flatten layer before it");
      require(input[0] >= 1, "", "empty input");
      return Shape{spec.units};
  }
  throw Error("", "unknown layer kind");
}

size_t layer_parameter_count(const LayerSpec& spec, const Shape& input) {
  switch (spec.kind) {
    case LayerKind::kConv2D:
      return static_cast<size_t>(spec.units) *
                 (static_cast<size_t>(input[0]) * spec.kernel * spec.kernel) +
             static_cast<size_t>(spec.units);
    case LayerKind::kDense:
      return static_cast<size_t>(spec.units) * input.count() + static_cast<size_t>(spec.units);
    default: return 0;
  }
}

uint64_t layer_macs(const LayerSpec& spec, const Shape& input) {
  switch (spec.kind) {
    case LayerKind::kConv2D: {
      Shape out = layer_output_shape(spec, input);
      return static_cast<uint64_t>(out.count()) * static_cast<uint64_t>(input[0]) *
             static_cast<uint64_t>(spec.kernel * spec.kernel);
    }
    case LayerKind::kDense:
      return static_cast<uint64_t>(spec.units) * static_cast<uint64_t>(input.count());
    default: return 0;
  }
}

uint64_t layer_macs_computed(const LayerSpec& spec, const Shape& input) {
  if (spec.kind != LayerKind::kConv2D) return layer_macs(spec, input);
  const ConvPadding p = conv_padding(spec, input[1], input[2]);
  kernels::ConvGeometry g{};
  g.batch = 1;  // the path does not depend on the batch
  g.channels = input[0];
  g.height = input[1];
  g.width = input[2];
  g.kernel_h = g.kernel_w = spec.kernel;
  g.stride = spec.stride;
  g.pad_top = p.pad_top;
  g.pad_left = p.pad_left;
  g.out_h = p.out_h;
  g.out_w = p.out_w;
  return kernels::conv_forward_multiply_adds(g, spec.units);
}

void init_parameters(Tensor& w, Tensor& b, size_t fan_in, InitKind kind, Rng& rng) {
  // float arithmetic with sqrt and division only (correctly rounded): identical values on every
  // platform. bound * (2u - 1): 2u - 1 is exact, so there is a single rounding and no a*b+c a
  // compiler could fuse into an FMA natively but not in wasm.
  const float fan = static_cast<float>(fan_in);
  switch (kind) {
    case InitKind::kHeNormal: {
      const float stddev = std::sqrt(2.0f / fan);
      for (size_t i = 0; i < w.size(); ++i) w[i] = stddev * rng.normal();
      b.zero();
      break;
    }
    case InitKind::kHeUniform: {
      const float bound = std::sqrt(6.0f / fan);
      for (size_t i = 0; i < w.size(); ++i) w[i] = bound * (2.0f * rng.uniform() - 1.0f);
      b.zero();
      break;
    }
    case InitKind::kPyTorch: {
      const float bound = 1.0f / std::sqrt(fan);
      for (size_t i = 0; i < w.size(); ++i) w[i] = bound * (2.0f * rng.uniform() - 1.0f);
      for (size_t i = 0; i < b.size(); ++i) b[i] = bound * (2.0f * rng.uniform() - 1.0f);
      break;
    }
  }
}

Layer::Layer(const LayerSpec& spec, const Shape& input)
    : spec_(spec), input_(input), output_(layer_output_shape(spec, input)) {}

std::vector<const Param*> Layer::params() const {
  std::vector<Param*> p = const_cast<Layer*>(this)->params();
  return std::vector<const Param*>(p.begin(), p.end());
}

Shape Layer::batch_shape(int batch, const Shape& per_sample) const {
  Shape s;
  s.rank = per_sample.rank + 1;
  s[0] = batch;
  for (int i = 0; i < per_sample.rank; ++i) s[i + 1] = per_sample[i];
  return s;
}

std::unique_ptr<Layer> make_layer(const LayerSpec& spec, const Shape& input) {
  switch (spec.kind) {
    case LayerKind::kConv2D: return std::make_unique<Conv2D>(spec, input);
    case LayerKind::kMaxPool2D: return std::make_unique<MaxPool2D>(spec, input);
    case LayerKind::kAvgPool2D: return std::make_unique<AvgPool2D>(spec, input);
    case LayerKind::kReLU: return std::make_unique<ReLU>(spec, input);
    case LayerKind::kDropout: return std::make_unique<Dropout>(spec, input);
    case LayerKind::kFlatten: return std::make_unique<Flatten>(spec, input);
    case LayerKind::kDense: return std::make_unique<Dense>(spec, input);
  }
  throw Error("", "unknown layer kind");
}

}  // namespace cnnlab
