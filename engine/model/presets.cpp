// Preset model specs (see presets.h).
#include "model/presets.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace cnnlab {

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = {"mlp", "cnn1", "cnn", "vgg", "mlp-small"};
  return names;
}

bool is_mlp_preset(const std::string& name) { return name.rfind("mlp", 0) == 0; }

std::string preset_description(const std::string& name) {
  if (name == "mlp") return "baseline MLP: dense 512, 256 with dropout 0.3 (no convolutions)";
  if (name == "cnn1") return "one conv block (32 filters) + dense 128";
  if (name == "cnn") return "two conv blocks (32, 64 filters) + dense 128";
  if (name == "vgg") return "VGG-style: 5 convs in 3 blocks with dropout + dense 256";
  if (name == "mlp-small") return "small MLP for Fashion-MNIST: dense 256, 128";
  return "";
}

static LayerSpec conv(int filters, const PresetOptions& o, bool downsample_by_stride) {
  LayerSpec s;
  s.kind = LayerKind::kConv2D;
  s.units = filters;
  s.kernel = o.kernel;
  s.stride = downsample_by_stride ? 2 * o.stride : o.stride;
  s.same_padding = true;
  return s;
}

static LayerSpec simple(LayerKind kind) {
  LayerSpec s;
  s.kind = kind;
  return s;
}

static LayerSpec pool(const PresetOptions& o) {
  LayerSpec s;
  s.kind = o.pooling == "avg" ? LayerKind::kAvgPool2D : LayerKind::kMaxPool2D;
  s.kernel = s.stride = 2;
  return s;
}

static LayerSpec dense(int units) {
  LayerSpec s;
  s.kind = LayerKind::kDense;
  s.units = units;
  return s;
}

static void add_dropout(std::vector<LayerSpec>& layers, float rate) {
  if (rate <= 0.0f) return;
  LayerSpec s;
  s.kind = LayerKind::kDropout;
  s.rate = rate;
  layers.push_back(s);
}

// [conv, relu, pool] or, with pooling "none", [conv stride 2, relu].
static void add_block(std::vector<LayerSpec>& layers, int filters, const PresetOptions& o) {
  const bool no_pool = o.pooling == "none";
  layers.push_back(conv(filters, o, no_pool));
  layers.push_back(simple(LayerKind::kReLU));
  if (!no_pool) layers.push_back(pool(o));
}

ModelSpec preset(const std::string& name, const Shape& input, int classes,
                 const PresetOptions& o) {
  require(o.pooling == "max" || o.pooling == "avg" || o.pooling == "none", "model pooling",
          "must be max, avg or none, got '" + o.pooling + "'");
  require(o.filters >= 0 && o.dense >= 0 && o.blocks >= 0, "model",
          "filters, dense width and blocks must not be negative");
  require(o.blocks <= 8, "model blocks", "at most 8 conv blocks, got " + std::to_string(o.blocks));
  require(classes >= 2, "model", "needs at least 2 classes, got " + std::to_string(classes));
  ModelSpec spec;
  spec.input = input;
  std::vector<LayerSpec>& l = spec.layers;
  const int f = o.filters ? o.filters : 32;
  if (name == "mlp" || name == "mlp-small") {
    const bool small = name == "mlp-small";
    const int d = o.dense ? o.dense : (small ? 256 : 512);
    const float rate = o.dropout >= 0.0f ? o.dropout : (small ? 0.0f : 0.3f);
    l.push_back(simple(LayerKind::kFlatten));
    l.push_back(dense(d));
    l.push_back(simple(LayerKind::kReLU));
    add_dropout(l, rate);
    l.push_back(dense(std::max(1, d / 2)));
    l.push_back(simple(LayerKind::kReLU));
    add_dropout(l, rate);
    l.push_back(dense(classes));
  } else if (name == "cnn" || name == "cnn1") {
    const int blocks = o.blocks ? o.blocks : (name == "cnn1" ? 1 : 2);
    for (int b = 0; b < blocks; ++b) add_block(l, f << b, o);
    l.push_back(simple(LayerKind::kFlatten));
    l.push_back(dense(o.dense ? o.dense : 128));
    l.push_back(simple(LayerKind::kReLU));
    add_dropout(l, o.dropout);
    l.push_back(dense(classes));
  } else if (name == "vgg") {
    const float conv_rate = o.dropout >= 0.0f ? o.dropout : 0.25f;
    const float dense_rate = o.dropout >= 0.0f ? o.dropout : 0.4f;
    const bool no_pool = o.pooling == "none";
    for (int b = 0; b < 3; ++b) {
      const int filters = f << b;
      if (b < 2) {
        l.push_back(conv(filters, o, false));
        l.push_back(simple(LayerKind::kReLU));
      }
      l.push_back(conv(filters, o, no_pool));
      l.push_back(simple(LayerKind::kReLU));
      if (!no_pool) l.push_back(pool(o));
      add_dropout(l, conv_rate);
    }
    l.push_back(simple(LayerKind::kFlatten));
    l.push_back(dense(o.dense ? o.dense : 256));
    l.push_back(simple(LayerKind::kReLU));
    add_dropout(l, dense_rate);
    l.push_back(dense(classes));
  } else {
    std::string known;
    for (const std::string& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw Error("model", "unknown preset '" + name + "' (known: " + known + ")");
  }
  validate_model_spec(spec, classes);
  return spec;
}

int mlp_dense_matching(const std::string& name, const Shape& input, int classes,
                       const PresetOptions& options, size_t target_params) {
  require(name == "mlp" || name == "mlp-small", "model dense",
          "only an MLP's width can be sized to a parameter count, not " + name + "'s");
  PresetOptions o = options;
  o.dense = 1;
  preset(name, input, classes, o);  // other options' errors are reported as they are
  // Widths past the engine's model size limit count as "too many".
  auto params = [&](int dense) {
    o.dense = dense;
    try {
      return preset(name, input, classes, o).parameter_count();
    } catch (const Error&) {
      return std::numeric_limits<size_t>::max();
    }
  };
  // The count grows with the width (input x d + d x d/2 + d/2 x classes, plus biases): the
  // smallest width whose count reaches the target, or the one below it, is the closest.
  constexpr int kWidest = 1 << 16;
  int low = 1, high = kWidest;
  while (low < high) {
    const int mid = low + (high - low) / 2;
    if (params(mid) < target_params) low = mid + 1;
    else high = mid;
  }
  int best = low;
  auto distance = [&](int d) {
    const double p = static_cast<double>(params(d)), t = static_cast<double>(target_params);
    return std::abs(p - t) / t;
  };
  if (best > 1 && distance(best - 1) < distance(best)) best -= 1;
  const double off = distance(best);
  require(target_params > 0 && off <= 0.02, "model dense",
          "no width of " + name + " comes within 2 % of " + std::to_string(target_params) +
              " parameters (closest: dense " + std::to_string(best) + " with " +
              std::to_string(params(best)) + ")");
  return best;
}

ModelSpec preset(const std::string& name, int kernel, const Shape& input, int classes) {
  PresetOptions o;
  o.kernel = kernel;
  return preset(name, input, classes, o);
}

}  // namespace cnnlab
