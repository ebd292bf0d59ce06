// Inside-the-network data (see inside_maps.h). Quoted includes of this folder are relative so the
// native test can compile this file without the app's include path.
#include "lab/inside_maps.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

#include "core/error.h"

namespace cnnlab {

// ---- [SECTION] Feature maps --------------------------------------------------------------------

void finite_range(const float* values, size_t count, float* lo, float* hi) {
  float a = FLT_MAX, b = -FLT_MAX;
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i])) continue;
    a = std::min(a, values[i]);
    b = std::max(b, values[i]);
  }
  if (a > b) a = b = 0.0f;
  *lo = a;
  *hi = b;
}

InsideMaps compute_inside_maps(Model& model, const Preprocess& preprocess, const uint8_t* image,
                               int channels, int height, int width) {
  const Shape& in = model.input_shape();  // (C, H, W)
  require(in.rank == 3 && in[0] == channels && in[1] == height && in[2] == width, "feature maps",
          "the image is " + std::to_string(channels) + "x" + std::to_string(height) + "x" +
              std::to_string(width) + " but the model takes " + in.str());
  InsideMaps out;
  out.channels = channels;
  out.height = height;
  out.width = width;
  const size_t plane = static_cast<size_t>(height) * static_cast<size_t>(width);
  Tensor x(Shape{1, channels, height, width});
  preprocess.apply(x.data(), image, channels, plane);
  out.input.assign(x.data(), x.data() + x.size());

  const Tensor& probs = model.predict(x);  // (1, classes)
  out.probabilities.assign(probs.data(), probs.data() + probs.size());

  const int n = model.num_layers();
  for (int i = 0; i < n; ++i) {
    const LayerKind kind = model.layer(i).kind();
    if (kind != LayerKind::kConv2D && kind != LayerKind::kMaxPool2D &&
        kind != LayerKind::kAvgPool2D) {
      continue;
    }
    LayerMaps m;
    m.layer = i;
    m.shown_layer = i;
    m.kind = kind;
    m.label = model.layer(i).label();
    if (kind == LayerKind::kConv2D && i + 1 < n && model.layer(i + 1).kind() == LayerKind::kReLU) {
      m.shown_layer = i + 1;
      m.label += " + relu";
    }
    const Shape& s = model.layer_output_shape(m.shown_layer);  // (C, H, W) per sample
    m.channels = s[0];
    m.height = s[1];
    m.width = s[2];
    const Tensor& act = model.activation(m.shown_layer);  // (1, C, H, W)
    m.maps.assign(act.data(), act.data() + s.count());
    finite_range(m.maps.data(), m.maps.size(), &m.min, &m.max);
    out.layers.push_back(std::move(m));
  }
  return out;
}

// ---- [SECTION] Filters -------------------------------------------------------------------------

std::vector<LayerFilters> conv_filters(const Model& model) {
  std::vector<LayerFilters> out;
  const std::vector<const Param*> params = model.params();
  for (int i = 0; i < model.num_layers(); ++i) {
    const Layer& layer = model.layer(i);
    if (layer.kind() != LayerKind::kConv2D) continue;
    const std::string name = std::to_string(i) + ".weight";
    const Param* weight = nullptr;
    for (const Param* p : params) {
      if (p->name == name) weight = p;
    }
    if (!weight || weight->value.shape().rank != 4) continue;
    LayerFilters f;
    f.layer = i;
    f.label = layer.label();
    f.out_channels = weight->value.dim(0);
    f.in_channels = weight->value.dim(1);
    f.kernel = weight->value.dim(2);
    f.weights.assign(weight->value.data(), weight->value.data() + weight->value.size());
    float lo = 0, hi = 0;
    finite_range(f.weights.data(), f.weights.size(), &lo, &hi);
    f.abs_max = std::max(std::fabs(lo), std::fabs(hi));
    out.push_back(std::move(f));
  }
  return out;
}

double relative_weight_change(const Model& model, int layer, const std::vector<float>& start) {
  const std::string name = std::to_string(layer) + ".weight";
  size_t offset = 0, total = 0;
  const Param* weight = nullptr;
  for (const Param* p : model.params()) {
    if (p->name == name) {
      weight = p;
      offset = total;
    }
    total += p->value.size();
  }
  if (!weight || total != start.size()) return NAN;
  double moved = 0.0, before = 0.0;  // squared L2 norms of W - W0 and of W0
  for (size_t i = 0; i < weight->value.size(); ++i) {
    const double w0 = start[offset + i];
    const double d = static_cast<double>(weight->value[i]) - w0;
    moved += d * d;
    before += w0 * w0;
  }
  if (!(before > 0.0)) return NAN;
  return std::sqrt(moved / before);
}

std::vector<float> filter_mean_over_inputs(const LayerFilters& f) {
  const size_t kk = static_cast<size_t>(f.kernel) * static_cast<size_t>(f.kernel);
  std::vector<float> out(static_cast<size_t>(f.out_channels) * kk, 0.0f);  // (Co, k, k)
  if (f.in_channels <= 0) return out;
  for (int o = 0; o < f.out_channels; ++o) {
    float* dst = &out[static_cast<size_t>(o) * kk];
    for (int c = 0; c < f.in_channels; ++c) {
      const float* src = &f.weights[(static_cast<size_t>(o) * f.in_channels + c) * kk];
      for (size_t j = 0; j < kk; ++j) dst[j] += src[j];
    }
    for (size_t j = 0; j < kk; ++j) dst[j] /= static_cast<float>(f.in_channels);
  }
  return out;
}

// ---- [SECTION] Model copy ----------------------------------------------------------------------

bool InsideModelCopy::sync(const Model& source, uint64_t version) {
  bool rebuilt = false;
  if (!model_ || model_->spec() != source.spec()) {
    model_ = std::make_unique<Model>(source.spec(), source.seed());
    model_->set_collect_stats(false);
    rebuilt = true;
  }
  if (!rebuilt && have_version_ && source_ == &source && version_ == version) return false;
  const std::vector<const Param*> from = source.params();
  const std::vector<Param*>& to = model_->params();
  require(from.size() == to.size(), "feature maps", "the model copy has other parameters");
  for (size_t i = 0; i < from.size(); ++i) {
    require(from[i]->value.size() == to[i]->value.size(), "feature maps",
            "parameter " + from[i]->name + " changed size");
    std::copy(from[i]->value.data(), from[i]->value.data() + from[i]->value.size(),
              to[i]->value.data());
  }
  source_ = &source;
  version_ = version;
  have_version_ = true;
  return true;
}

}  // namespace cnnlab
