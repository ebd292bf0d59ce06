// Attribution maps: gradient saliency (and SmoothGrad), Grad-CAM, occlusion. See attribution.h.
#include "lab/attribution.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/rng.h"

namespace cnnlab {

namespace {

const char* const kWhere = "saliency";

// Images per forward pass for SmoothGrad's noisy copies and occlusion's patched copies: large
// enough for the batched kernels, small enough that 32x32x3 inputs stay a few MB of activations.
constexpr int kChunk = 32;

std::string size_text(int height, int width) {
  return std::to_string(height) + "x" + std::to_string(width);
}

// The checks every method makes before touching the model.
void check_image(const Model& model, const float* image, const Shape& image_shape) {
  const Shape& in = model.input_shape();
  require(image_shape == in, kWhere,
          "the image is " + image_shape.str() + " (channels, height, width), the model takes " +
              in.str());
  const int channels = in[0], height = in[1], width = in[2];
  for (int c = 0; c < channels; ++c)
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        const float v = image[(static_cast<size_t>(c) * height + y) * width + x];
        require(std::isfinite(v), kWhere,
                std::string("the image has ") + (std::isnan(v) ? "a NaN" : "an infinite value") +
                    " at channel " + std::to_string(c) + ", row " + std::to_string(y) +
                    ", column " + std::to_string(x));
      }
}

void check_class(const Model& model, int target_class) {
  const int classes = model.num_classes();
  require(target_class == -1 || (target_class >= 0 && target_class < classes), kWhere,
          "class " + std::to_string(target_class) + " is out of range: the model has " +
              std::to_string(classes) + " classes, 0.." + std::to_string(classes - 1));
}

// The clean image as a batch of one, run through the model in inference mode.
struct CleanPass {
  Tensor x;                    // (1, C, H, W)
  int predicted = 0;
  std::vector<float> probs;    // (classes)
};

CleanPass run_clean(Model& model, const float* image, ThreadPool* pool) {
  const Shape& in = model.input_shape();
  CleanPass clean;
  clean.x = Tensor(Shape{1, in[0], in[1], in[2]});
  std::memcpy(clean.x.data(), image, in.count() * sizeof(float));
  const Tensor& probs = model.predict(clean.x, pool);
  clean.probs.assign(probs.data(), probs.data() + probs.size());
  clean.predicted = static_cast<int>(std::max_element(clean.probs.begin(), clean.probs.end()) -
                                     clean.probs.begin());
  return clean;
}

// Fills the result's class fields from the clean pass.
AttributionMap start_map(AttributionMethod method, const CleanPass& clean, int requested_class) {
  AttributionMap map;
  map.method = method;
  map.predicted_class = clean.predicted;
  map.target_class = requested_class == -1 ? clean.predicted : requested_class;
  map.class_probability = clean.probs[static_cast<size_t>(map.target_class)];
  return map;
}

// One-hot rows (batch, classes) at `target_class`: the gradient of that class's logit.
Tensor one_hot_rows(int batch, int classes, int target_class) {
  Tensor d(Shape{batch, classes});
  for (int b = 0; b < batch; ++b) d[static_cast<size_t>(b) * classes + target_class] = 1.0f;
  return d;
}

// Patch origins along an axis of `length` (see occlusion_map in the header).
std::vector<int> patch_origins(int length, int patch, int stride) {
  std::vector<int> origins;
  for (int p = 0; p + patch <= length; p += stride) origins.push_back(p);
  if (origins.back() + patch < length) origins.push_back(length - patch);
  return origins;
}

}  // namespace

// ---- [SECTION] Method names ----------------------------------------------------------------------
const char* attribution_method_name(AttributionMethod method) {
  switch (method) {
    case AttributionMethod::kGradient: return "gradient";
    case AttributionMethod::kGradCam: return "gradcam";
    case AttributionMethod::kOcclusion: return "occlusion";
  }
  return "?";
}

AttributionMethod parse_attribution_method(const std::string& name) {
  for (AttributionMethod m : {AttributionMethod::kGradient, AttributionMethod::kGradCam,
                              AttributionMethod::kOcclusion})
    if (name == attribution_method_name(m)) return m;
  throw Error("method", "\"" + name + "\" is not a saliency method: use one of gradient, "
                        "gradcam, occlusion");
}

std::vector<float> grey_fill(const Preprocess& preprocess, int channels) {
  const uint8_t grey[3] = {128, 128, 128};
  std::vector<float> fill(static_cast<size_t>(channels));
  preprocess.apply(fill.data(), grey, channels, 1);
  return fill;
}

// ---- [SECTION] The methods -----------------------------------------------------------------------
AttributionMap gradient_saliency(Model& model, const float* image, const Shape& image_shape,
                                 const AttributionOptions& options, ThreadPool* pool) {
  check_image(model, image, image_shape);
  check_class(model, options.target_class);
  require(options.smooth_samples >= 0 && options.smooth_samples <= 10000, kWhere,
          "SmoothGrad samples must be 0..10000, got " + std::to_string(options.smooth_samples));
  require(std::isfinite(options.smooth_noise) && options.smooth_noise >= 0.0f, kWhere,
          "SmoothGrad noise must be a finite number >= 0, got " +
              std::to_string(options.smooth_noise));
  const CleanPass clean = run_clean(model, image, pool);
  AttributionMap map = start_map(AttributionMethod::kGradient, clean, options.target_class);
  map.shape = image_shape;
  const size_t count = image_shape.count();
  const int classes = model.num_classes();
  Tensor d_input;

  if (options.smooth_samples == 0) {
    model.backward_from_logits(one_hot_rows(1, classes, map.target_class), &d_input, pool);
    map.values.assign(d_input.data(), d_input.data() + count);
    return map;
  }

  // SmoothGrad. Noise is drawn sample by sample, channel by channel, pixel by pixel, so the map
  // does not depend on how the samples are grouped into batches.
  const auto [lo, hi] = std::minmax_element(image, image + count);
  const float sigma = options.smooth_noise * (*hi - *lo);
  Rng rng(options.smooth_seed);
  std::vector<double> sum(count, 0.0);
  const Shape& in = image_shape;
  for (int first = 0; first < options.smooth_samples; first += kChunk) {
    const int batch = std::min(kChunk, options.smooth_samples - first);
    Tensor x(Shape{batch, in[0], in[1], in[2]});
    for (int b = 0; b < batch; ++b) {
      float* dst = x.data() + static_cast<size_t>(b) * count;
      for (size_t i = 0; i < count; ++i) dst[i] = image[i] + sigma * rng.normal();
    }
    model.forward(x, false, pool, nullptr);
    model.backward_from_logits(one_hot_rows(batch, classes, map.target_class), &d_input, pool);
    for (int b = 0; b < batch; ++b) {
      const float* g = d_input.data() + static_cast<size_t>(b) * count;
      for (size_t i = 0; i < count; ++i) sum[i] += g[i];
    }
  }
  map.values.resize(count);
  for (size_t i = 0; i < count; ++i)
    map.values[i] = static_cast<float>(sum[i] / options.smooth_samples);
  return map;
}

AttributionMap grad_cam(Model& model, const float* image, const Shape& image_shape,
                        const AttributionOptions& options, ThreadPool* pool) {
  check_image(model, image, image_shape);
  check_class(model, options.target_class);
  int last_conv = -1;
  std::string layers;
  for (int i = 0; i < model.num_layers(); ++i) {
    if (model.layer(i).kind() == LayerKind::kConv2D) last_conv = i;
    layers += (i ? ", " : "") + model.layer(i).label();
  }
  require(last_conv >= 0, kWhere,
          "Grad-CAM needs a convolutional layer and this model has none (" + layers +
              "): use --method gradient or occlusion");
  int a_layer = last_conv;
  if (a_layer + 1 < model.num_layers() && model.layer(a_layer + 1).kind() == LayerKind::kReLU)
    ++a_layer;

  const CleanPass clean = run_clean(model, image, pool);
  AttributionMap map = start_map(AttributionMethod::kGradCam, clean, options.target_class);
  map.layer = a_layer;
  Tensor d_a;
  model.backward_from_logits(one_hot_rows(1, model.num_classes(), map.target_class), nullptr,
                             pool, a_layer, &d_a);
  const Tensor& a = model.activation(a_layer);  // (1, K, H', W')
  const int k_count = a.dim(1), height = a.dim(2), width = a.dim(3);
  const size_t plane = static_cast<size_t>(height) * width;
  std::vector<double> cam(plane, 0.0);
  for (int k = 0; k < k_count; ++k) {
    const float* g = d_a.data() + static_cast<size_t>(k) * plane;
    const float* ak = a.data() + static_cast<size_t>(k) * plane;
    double alpha = 0.0;
    for (size_t p = 0; p < plane; ++p) alpha += g[p];
    alpha /= static_cast<double>(plane);
    for (size_t p = 0; p < plane; ++p) cam[p] += alpha * ak[p];
  }
  map.shape = Shape{height, width};
  map.values.resize(plane);
  for (size_t p = 0; p < plane; ++p) map.values[p] = static_cast<float>(std::max(0.0, cam[p]));
  return map;
}

AttributionMap occlusion_map(Model& model, const float* image, const Shape& image_shape,
                             const AttributionOptions& options, ThreadPool* pool) {
  check_image(model, image, image_shape);
  check_class(model, options.target_class);
  const int channels = image_shape[0], height = image_shape[1], width = image_shape[2];
  const int patch = options.occlusion_patch, stride = options.occlusion_stride;
  require(patch >= 1, kWhere, "the occlusion patch must be at least 1 pixel, got " +
                                  std::to_string(patch));
  require(patch <= height && patch <= width, kWhere,
          "the occlusion patch " + size_text(patch, patch) + " is larger than the " +
              size_text(height, width) + " image");
  require(stride >= 1, kWhere,
          "the occlusion stride must be at least 1 pixel, got " + std::to_string(stride));
  require(stride <= patch, kWhere,
          "the occlusion stride " + std::to_string(stride) + " is larger than the patch " +
              std::to_string(patch) + ": pixels between the patches would never be covered");
  std::vector<float> fill = options.occlusion_fill;
  if (fill.empty()) fill.assign(static_cast<size_t>(channels), 0.0f);
  require(fill.size() == static_cast<size_t>(channels), kWhere,
          "the occlusion fill has " + std::to_string(fill.size()) + " values, the image " +
              std::to_string(channels) + " channels");

  const CleanPass clean = run_clean(model, image, pool);
  AttributionMap map = start_map(AttributionMethod::kOcclusion, clean, options.target_class);
  const std::vector<int> rows = patch_origins(height, patch, stride);
  const std::vector<int> cols = patch_origins(width, patch, stride);
  struct Origin {
    int y, x;
  };
  std::vector<Origin> origins;
  for (int y : rows)
    for (int x : cols) origins.push_back({y, x});

  const size_t plane = static_cast<size_t>(height) * width, count = image_shape.count();
  const int classes = model.num_classes();
  std::vector<double> drop_sum(plane, 0.0);
  std::vector<int> covered(plane, 0);
  for (size_t first = 0; first < origins.size(); first += kChunk) {
    const int batch = static_cast<int>(std::min<size_t>(kChunk, origins.size() - first));
    Tensor x(Shape{batch, channels, height, width});
    for (int b = 0; b < batch; ++b) {
      float* dst = x.data() + static_cast<size_t>(b) * count;
      std::memcpy(dst, image, count * sizeof(float));
      const Origin o = origins[first + static_cast<size_t>(b)];
      for (int c = 0; c < channels; ++c)
        for (int y = o.y; y < o.y + patch; ++y)
          std::fill_n(dst + (static_cast<size_t>(c) * height + y) * width + o.x, patch,
                      fill[static_cast<size_t>(c)]);
    }
    const Tensor& probs = model.predict(x, pool);
    for (int b = 0; b < batch; ++b) {
      const Origin o = origins[first + static_cast<size_t>(b)];
      const double drop = static_cast<double>(map.class_probability) -
                          probs[static_cast<size_t>(b) * classes + map.target_class];
      for (int y = o.y; y < o.y + patch; ++y)
        for (int xx = o.x; xx < o.x + patch; ++xx) {
          drop_sum[static_cast<size_t>(y) * width + xx] += drop;
          ++covered[static_cast<size_t>(y) * width + xx];
        }
    }
  }
  map.shape = Shape{height, width};
  map.values.resize(plane);
  for (size_t p = 0; p < plane; ++p)
    map.values[p] = static_cast<float>(drop_sum[p] / covered[p]);  // covered >= 1 everywhere
  return map;
}

AttributionMap compute_attribution(Model& model, const float* image, const Shape& image_shape,
                                   const AttributionOptions& options, ThreadPool* pool) {
  switch (options.method) {
    case AttributionMethod::kGradient:
      return gradient_saliency(model, image, image_shape, options, pool);
    case AttributionMethod::kGradCam: return grad_cam(model, image, image_shape, options, pool);
    case AttributionMethod::kOcclusion:
      return occlusion_map(model, image, image_shape, options, pool);
  }
  throw Error(kWhere, "unknown method");
}

}  // namespace cnnlab
