// One output pixel of a conv or pool layer, worked out by hand (see conv_explainer.h). Layer
// numbers in messages are 1-based, as the Inside panel's headers ("Layer 1: conv2d 32 3x3 same").
#include "lab/conv_explainer.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace cnnlab {

// File-local helpers in a named namespace: lab/ is compiled in unity batches, where every
// file's anonymous namespace is one.
namespace conv_explainer_detail {

const char* const kExplainPixelWhere = "explain pixel";

// "1, 4" (1-based) of the layers of the given kinds, or "none".
std::string layers_of_kind(const Model& model, bool conv) {
  std::string out;
  for (int i = 0; i < model.num_layers(); ++i) {
    const LayerKind k = model.layer(i).kind();
    const bool match =
        conv ? k == LayerKind::kConv2D : k == LayerKind::kMaxPool2D || k == LayerKind::kAvgPool2D;
    if (!match) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(i + 1);
  }
  return out.empty() ? "none" : out;
}

// Checks the layer index and kind, the channel and the pixel against the layer's output, and that
// the model has run forward on an image.
void check_request(const Model& model, int layer, bool conv, int channel, int y, int x) {
  const std::string kinds = conv ? "conv" : "pooling";
  require(layer >= 0 && layer < model.num_layers(), kExplainPixelWhere,
          "layer " + std::to_string(layer + 1) + " does not exist (the model has " +
              std::to_string(model.num_layers()) + " layers; its " + kinds + " layers are " +
              layers_of_kind(model, conv) + ")");
  const LayerKind kind = model.layer(layer).kind();
  const bool ok = conv ? kind == LayerKind::kConv2D
                       : kind == LayerKind::kMaxPool2D || kind == LayerKind::kAvgPool2D;
  require(ok, kExplainPixelWhere,
          "layer " + std::to_string(layer + 1) + " is " + model.layer(layer).label() + ", not a " +
              kinds + " layer (the " + kinds + " layers are " + layers_of_kind(model, conv) + ")");
  const Shape& out = model.layer_output_shape(layer);  // (C, H, W)
  const std::string name = "layer " + std::to_string(layer + 1);
  require(channel >= 0 && channel < out[0], kExplainPixelWhere,
          "channel " + std::to_string(channel) + " is out of range: " + name + " has channels 0.." +
              std::to_string(out[0] - 1));
  require(y >= 0 && y < out[1] && x >= 0 && x < out[2], kExplainPixelWhere,
          "pixel (y " + std::to_string(y) + ", x " + std::to_string(x) + ") is outside " + name +
              "'s " + std::to_string(out[1]) + "x" + std::to_string(out[2]) + " output (y 0.." +
              std::to_string(out[1] - 1) + ", x 0.." + std::to_string(out[2] - 1) + ")");
  const Tensor& act = model.activation(layer);
  require(act.shape().rank == 4 && act.dim(0) >= 1 && act.size() >= out.count(), kExplainPixelWhere,
          "the model has not run on an image yet");
}

// The layer's input for batch item 0: (C, H, W) floats (the previous layer's output, or the
// preprocessed image the model ran on).
const float* layer_input(const Model& model, int layer) {
  const Tensor& in = layer == 0 ? model.input() : model.activation(layer - 1);
  require(in.size() >= model.layer(layer).input_shape().count(), kExplainPixelWhere,
          "the model has not run on an image yet");
  return in.data();
}

// Value of (C, H, W) `maps` at (channel, y, x).
float at(const float* maps, const Shape& chw, int channel, int y, int x) {
  return maps[(static_cast<size_t>(channel) * chw[1] + y) * chw[2] + x];
}

}  // namespace conv_explainer_detail

// ---- [SECTION] Convolution ---------------------------------------------------------------------

ConvPixelExplanation explain_conv_pixel(const Model& model, int layer, int channel, int y, int x) {
  using namespace conv_explainer_detail;
  check_request(model, layer, true, channel, y, x);
  const Layer& conv = model.layer(layer);
  const LayerSpec& spec = conv.spec();
  const Shape& in_shape = conv.input_shape();              // (Ci, H, W)
  const Shape& out_shape = conv.output_shape();            // (Co, OH, OW)
  const std::vector<const Param*> params = conv.params();  // weight (Co, Ci, k, k), bias (Co)
  require(params.size() == 2, kExplainPixelWhere, "the conv layer has no weights");

  ConvPixelExplanation e;
  e.layer = layer;
  e.channel = channel;
  e.y = y;
  e.x = x;
  e.kernel = spec.kernel;
  e.stride = spec.stride;
  e.same_padding = spec.same_padding;
  const ConvPadding pad = conv_padding(spec, in_shape[1], in_shape[2]);
  e.pad_top = pad.pad_top;
  e.pad_left = pad.pad_left;
  e.in_channels = in_shape[0];
  e.in_height = in_shape[1];
  e.in_width = in_shape[2];
  e.out_channels = out_shape[0];
  e.out_height = out_shape[1];
  e.out_width = out_shape[2];
  e.top = y * e.stride - e.pad_top;
  e.left = x * e.stride - e.pad_left;

  const int k = e.kernel;
  const size_t kk = static_cast<size_t>(k) * static_cast<size_t>(k);
  const size_t per_channel = static_cast<size_t>(e.in_channels) * kk;
  e.is_padding.assign(kk, 0);
  for (int r = 0; r < k; ++r) {
    for (int c = 0; c < k; ++c) {
      const int iy = e.top + r, ix = e.left + c;
      e.is_padding[static_cast<size_t>(r) * k + c] =
          iy < 0 || iy >= e.in_height || ix < 0 || ix >= e.in_width ? 1 : 0;
    }
  }
  const float* input = layer_input(model, layer);
  const float* w = params[0]->value.data() + static_cast<size_t>(channel) * per_channel;
  e.weights.assign(w, w + per_channel);
  e.patch.assign(per_channel, 0.0f);
  e.products.assign(per_channel, 0.0f);
  e.channel_sums.assign(static_cast<size_t>(e.in_channels), 0.0f);
  // Accumulated in double, so the explanation's own rounding stays far below the engine's.
  double total = 0.0;
  for (int ci = 0; ci < e.in_channels; ++ci) {
    double sum = 0.0;
    for (int r = 0; r < k; ++r) {
      for (int c = 0; c < k; ++c) {
        const size_t cell = static_cast<size_t>(r) * k + c;
        const size_t i = static_cast<size_t>(ci) * kk + cell;
        e.patch[i] = e.is_padding[cell] ? 0.0f : at(input, in_shape, ci, e.top + r, e.left + c);
        e.products[i] = e.patch[i] * e.weights[i];
        sum += static_cast<double>(e.patch[i]) * static_cast<double>(e.weights[i]);
      }
    }
    e.channel_sums[static_cast<size_t>(ci)] = static_cast<float>(sum);
    total += sum;
  }
  e.bias = params[1]->value.data()[channel];
  e.total = static_cast<float>(total + e.bias);
  e.feature_value = at(model.activation(layer).data(), out_shape, channel, y, x);
  double magnitude = std::fabs(static_cast<double>(e.bias));
  for (size_t i = 0; i < per_channel; ++i)
    magnitude += std::fabs(static_cast<double>(e.patch[i]) * static_cast<double>(e.weights[i]));
  e.term_magnitude = static_cast<float>(magnitude);
  // Adding n float terms in any order rounds by at most about n * 2^-24 of their magnitude
  // (the classic bound of a float sum); the engine's orders and Winograd's transforms stay
  // inside it (tests/test_conv_explainer.cpp measures 1.2e-5 of the magnitude on a 7x7 layer
  // with 32 input channels, where the bound is 9.3e-5). A wrong tap, channel or bias shows as a
  // difference of the order of a whole term.
  const double bound = static_cast<double>(per_channel + 1) * std::ldexp(1.0, -24) * magnitude;
  e.engine_agrees = std::fabs(static_cast<double>(e.feature_value) - e.total) <= bound;
  if (layer + 1 < model.num_layers() && model.layer(layer + 1).kind() == LayerKind::kReLU) {
    e.has_activation = true;
    e.activated = at(model.activation(layer + 1).data(), out_shape, channel, y, x);
    e.activated_total = std::max(e.total, 0.0f);
  }
  return e;
}

// ---- [SECTION] Pooling -------------------------------------------------------------------------

PoolPixelExplanation explain_pool_pixel(const Model& model, int layer, int channel, int y, int x) {
  using namespace conv_explainer_detail;
  check_request(model, layer, false, channel, y, x);
  const Layer& pool = model.layer(layer);
  const Shape& in_shape = pool.input_shape();    // (C, H, W)
  const Shape& out_shape = pool.output_shape();  // (C, OH, OW)
  PoolPixelExplanation e;
  e.layer = layer;
  e.channel = channel;
  e.y = y;
  e.x = x;
  e.max_pool = pool.kind() == LayerKind::kMaxPool2D;
  e.window = pool.spec().kernel;
  e.stride = pool.spec().stride;
  e.in_height = in_shape[1];
  e.in_width = in_shape[2];
  e.out_height = out_shape[1];
  e.out_width = out_shape[2];
  e.top = y * e.stride;  // pooling windows are valid: always inside the input
  e.left = x * e.stride;
  const float* input = layer_input(model, layer);
  const int k = e.window;
  e.values.resize(static_cast<size_t>(k) * static_cast<size_t>(k));
  double sum = 0.0;
  for (int r = 0; r < k; ++r) {
    for (int c = 0; c < k; ++c) {
      const size_t i = static_cast<size_t>(r) * k + c;
      e.values[i] = at(input, in_shape, channel, e.top + r, e.left + c);
      sum += e.values[i];
      if (e.winner < 0 || e.values[i] > e.values[static_cast<size_t>(e.winner)]) {
        e.winner = static_cast<int>(i);
      }
    }
  }
  if (e.max_pool) {
    e.output = e.values[static_cast<size_t>(e.winner)];
  } else {
    e.winner = -1;
    e.output = static_cast<float>(sum / static_cast<double>(e.values.size()));
  }
  e.feature_value = at(model.activation(layer).data(), out_shape, channel, y, x);
  return e;
}

// ---- [SECTION] Naming layers -------------------------------------------------------------------

namespace conv_explainer_detail {

// "conv 2": the layer's place among the layers of its kind (1-based).
std::string kind_and_number(const ModelSpec& spec, int layer) {
  const LayerKind kind = spec.layers[static_cast<size_t>(layer)].kind;
  int number = 0;
  for (int i = 0; i <= layer; ++i) {
    if (spec.layers[static_cast<size_t>(i)].kind == kind) ++number;
  }
  const char* name = kind == LayerKind::kConv2D ? "conv" : kind == LayerKind::kDense ? "dense"
                                                                                     : "layer";
  return std::string(name) + " " + std::to_string(number);
}

// The nearest conv or dense layer before `layer`, named ("conv 1"), or "" when there is none.
std::string after_what(const ModelSpec& spec, int layer) {
  for (int i = layer - 1; i >= 0; --i) {
    const LayerKind k = spec.layers[static_cast<size_t>(i)].kind;
    if (k == LayerKind::kConv2D || k == LayerKind::kDense) return kind_and_number(spec, i);
  }
  return "";
}

}  // namespace conv_explainer_detail

std::string layer_title(const ModelSpec& spec, int layer) {
  using namespace conv_explainer_detail;
  require(layer >= 0 && layer < static_cast<int>(spec.layers.size()), "layer title",
          "layer " + std::to_string(layer + 1) + " does not exist (the model has " +
              std::to_string(spec.layers.size()) + " layers)");
  const LayerSpec& l = spec.layers[static_cast<size_t>(layer)];
  const std::string window = std::to_string(l.kernel) + "x" + std::to_string(l.kernel);
  const std::string after = after_what(spec, layer);
  const std::string suffix = after.empty() ? std::string() : " after " + after;
  switch (l.kind) {
    case LayerKind::kConv2D:
      return kind_and_number(spec, layer) + " (" + window + ", " + std::to_string(l.units) +
             " filters" + (l.stride != 1 ? ", stride " + std::to_string(l.stride) : "") + ")";
    case LayerKind::kMaxPool2D:
    case LayerKind::kAvgPool2D:
      return std::string(l.kind == LayerKind::kMaxPool2D ? "max pool" : "average pool") + suffix +
             " (" + window + (l.stride != l.kernel ? ", stride " + std::to_string(l.stride) : "") +
             ")";
    case LayerKind::kDense:
      return kind_and_number(spec, layer) + " (" + std::to_string(l.units) + ")";
    case LayerKind::kReLU: return "ReLU" + suffix;
    case LayerKind::kDropout: return "dropout" + suffix;
    case LayerKind::kFlatten: return "flatten";
  }
  return l.label();
}

// ---- [SECTION] Sizes ---------------------------------------------------------------------------

int conv_output_size(int in, int kernel, int stride, bool same_padding) {
  if (in < 1 || kernel < 1 || stride < 1) return 0;
  if (same_padding) return (in + stride - 1) / stride;
  return in < kernel ? 0 : (in - kernel) / stride + 1;
}

std::vector<ReceptiveFieldStep> receptive_field_growth(const ModelSpec& spec, int conv_kernel) {
  std::vector<ReceptiveFieldStep> steps;
  int size = 1, jump = 1;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    const bool conv = l.kind == LayerKind::kConv2D;
    if (!conv && l.kind != LayerKind::kMaxPool2D && l.kind != LayerKind::kAvgPool2D) continue;
    const int kernel = conv && conv_kernel > 0 ? conv_kernel : l.kernel;
    // Each new cell reaches (kernel - 1) more cells of the layer before, each `jump` pixels apart.
    size += (kernel - 1) * jump;
    jump *= l.stride;
    steps.push_back({static_cast<int>(i), size, jump});
  }
  return steps;
}

void same_place(int y, int x, int from_height, int from_width, int to_height, int to_width,
                int* to_y, int* to_x) {
  auto scale = [](int v, int from, int to) {
    if (from < 1 || to < 1) return 0;
    const int scaled = static_cast<int>((static_cast<double>(v) + 0.5) * to / from);
    return std::clamp(scaled, 0, to - 1);
  };
  *to_y = scale(y, from_height, to_height);
  *to_x = scale(x, from_width, to_width);
}

// ---- [SECTION] Lively pixels -------------------------------------------------------------------

MapPixel lively_pixel(const LayerMaps& maps) {
  MapPixel best;
  const size_t plane = static_cast<size_t>(maps.height) * static_cast<size_t>(maps.width);
  if (plane == 0 || maps.maps.size() < plane * static_cast<size_t>(maps.channels)) return best;
  double best_mean = -HUGE_VAL;
  for (int c = 0; c < maps.channels; ++c) {
    const float* v = maps.maps.data() + static_cast<size_t>(c) * plane;
    double sum = 0.0;
    for (size_t i = 0; i < plane; ++i) {
      if (std::isfinite(v[i])) sum += v[i];
    }
    if (sum / static_cast<double>(plane) > best_mean) {
      best_mean = sum / static_cast<double>(plane);
      best.channel = c;
    }
  }
  const float* v = maps.maps.data() + static_cast<size_t>(best.channel) * plane;
  size_t best_at = 0;
  for (size_t i = 0; i < plane; ++i) {
    if (std::isfinite(v[i]) && (!std::isfinite(v[best_at]) || v[i] > v[best_at])) best_at = i;
  }
  best.y = static_cast<int>(best_at / static_cast<size_t>(maps.width));
  best.x = static_cast<int>(best_at % static_cast<size_t>(maps.width));
  return best;
}

int brightest_map_at(const LayerMaps& maps, int y, int x) {
  if (y < 0 || y >= maps.height || x < 0 || x >= maps.width) return 0;
  const size_t plane = static_cast<size_t>(maps.height) * static_cast<size_t>(maps.width);
  if (maps.maps.size() < plane * static_cast<size_t>(maps.channels)) return 0;
  const size_t at = static_cast<size_t>(y) * static_cast<size_t>(maps.width) + x;
  int best = 0;
  for (int c = 1; c < maps.channels; ++c) {
    const float v = maps.maps[static_cast<size_t>(c) * plane + at];
    const float b = maps.maps[static_cast<size_t>(best) * plane + at];
    if (std::isfinite(v) && (!std::isfinite(b) || v > b)) best = c;
  }
  return best;
}

}  // namespace cnnlab
