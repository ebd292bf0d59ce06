// One output pixel of a conv or pool layer, worked out by hand (see conv_explainer.h). Layer
// numbers in messages are 1-based, as the Inside panel's headers ("Layer 1: conv2d 32 3x3 same").
#include "lab/conv_explainer.h"

#include <algorithm>
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

}  // namespace cnnlab
