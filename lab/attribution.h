// Attribution maps for one image, without any UI: which input pixels a trained model's decision
// for a class depends on. Three methods, each through the engine's own forward and backward
// passes (Model::forward, Model::backward_from_logits), never a second implementation:
//   gradient   d (logit of class c) / d (input), the input as the model sees it (after its
//              preprocessing), one value per channel and pixel; SmoothGrad as an option;
//   gradcam    Grad-CAM on the last convolutional layer;
//   occlusion  the drop of class c's probability when a grey patch hides part of the image.
// `cnnlab saliency` prints and draws these; the lab's Inside and Experiments views are meant to
// call the same functions.
//
// [SECTION] Method names    AttributionMethod
// [SECTION] Options, result AttributionOptions, AttributionMap
// [SECTION] The methods     gradient_saliency, grad_cam, occlusion_map, compute_attribution
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "data/preprocess.h"
#include "model/model.h"

namespace cnnlab {

class ThreadPool;

// ---- [SECTION] Method names ----------------------------------------------------------------------
enum class AttributionMethod { kGradient, kGradCam, kOcclusion };

// "gradient", "gradcam", "occlusion".
const char* attribution_method_name(AttributionMethod method);
// The method of that name; Error("method", "... one of gradient, gradcam, occlusion") otherwise.
AttributionMethod parse_attribution_method(const std::string& name);

// ---- [SECTION] Options, result -------------------------------------------------------------------
struct AttributionOptions {
  AttributionMethod method = AttributionMethod::kGradient;
  // The class whose score is explained; -1: the class the model predicts for the clean image.
  int target_class = -1;

  // gradient: SmoothGrad (Smilkov et al. 2017) when smooth_samples > 0: the mean gradient over
  // that many copies of the image with Gaussian noise added, noise standard deviation
  // smooth_noise x (max - min of the image's input values) (the paper's 10-20 %). The noise is
  // drawn from Rng(smooth_seed), so the same seed gives the same map on every platform.
  int smooth_samples = 0;
  float smooth_noise = 0.15f;
  uint64_t smooth_seed = 1;

  // occlusion: a square patch of side occlusion_patch moved by occlusion_stride pixels, filled
  // per channel with occlusion_fill (input values after preprocessing; empty: 0 in every
  // channel). grey_fill() gives the values of a mid-grey pixel.
  int occlusion_patch = 8;
  int occlusion_stride = 4;
  std::vector<float> occlusion_fill;
};

// Per channel, the input value a mid-grey pixel (128) becomes under `preprocess`: the patch
// colour `cnnlab saliency` occludes with ((128 / 255 - mean) / std, or 128 / 255 unstandardised).
std::vector<float> grey_fill(const Preprocess& preprocess, int channels);

struct AttributionMap {
  AttributionMethod method = AttributionMethod::kGradient;
  int target_class = 0;          // the class explained (the predicted one when not chosen)
  int predicted_class = 0;       // argmax of the clean image's logits
  float class_probability = 0;   // softmax probability of target_class on the clean image
  int layer = -1;                // gradcam: index of the layer whose output A is (see grad_cam)
  Shape shape;                   // gradient (C, H, W); gradcam (H', W'); occlusion (H, W)
  std::vector<float> values;     // row-major in `shape`
};

// ---- [SECTION] The methods -----------------------------------------------------------------------
// Every function takes one image `image` (C, H, W) already preprocessed (what the model sees)
// and throws Error("saliency", why) when its shape differs from model.input_shape(), a value is
// NaN or infinite (named by channel, row and column), or the class is not 0..classes-1.
// They overwrite the model's activations and parameter gradients: pass a copy
// (InsideModelCopy) of a model that is training. Inference mode throughout (dropout off).

// d (logit of the class) / d (input): shape (C, H, W). With options.smooth_samples > 0, the
// SmoothGrad mean (the class is still chosen on the clean image).
AttributionMap gradient_saliency(Model& model, const float* image, const Shape& image_shape,
                                 const AttributionOptions& options, ThreadPool* pool = nullptr);

// Grad-CAM (Selvaraju et al. 2017) on the last conv2d layer. A is that layer's output after the
// ReLU that directly follows it when there is one (what the next layer sees; the conv's own
// output otherwise), K channels of H' x W'. With g = d (logit of the class) / d A:
//   alpha_k = mean over the H' x W' positions of g_k,   map = ReLU(sum_k alpha_k A_k).
// Shape (H', W'), at the layer's own resolution: not upsampled here (a viewer stretches it over
// the image; `cnnlab saliency` writes the PNG at the input's size by nearest neighbour).
// Refused with a clear Error when the model has no conv2d layer (an MLP).
AttributionMap grad_cam(Model& model, const float* image, const Shape& image_shape,
                        const AttributionOptions& options, ThreadPool* pool = nullptr);

// Occlusion (Zeiler & Fergus 2014). Patch positions along each axis: 0, stride, 2 stride, ...
// while the patch fits, plus one flush with the bottom/right edge when the last one leaves
// pixels uncovered, so every pixel is covered at least once. For each position the patch is
// filled with options.occlusion_fill and drop = p(class | clean image) - p(class | occluded).
// The map (H, W) gives each pixel the mean drop over the patches covering it (positive: hiding
// that pixel hurts the class). Refused when the patch is < 1 or larger than the image, or the
// stride < 1 or larger than the patch (pixels between patches would have no value).
AttributionMap occlusion_map(Model& model, const float* image, const Shape& image_shape,
                             const AttributionOptions& options, ThreadPool* pool = nullptr);

// The method options.method names.
AttributionMap compute_attribution(Model& model, const float* image, const Shape& image_shape,
                                   const AttributionOptions& options, ThreadPool* pool = nullptr);

}  // namespace cnnlab
