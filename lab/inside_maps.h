// Inside-the-network data, without any UI: one image's feature maps at every conv and pool layer,
// the conv layers' filters, and a private copy of a model to compute them on. The Inside panel
// draws these; the Experiments panel (one image's maps for several models side by side) and the
// photo upload (an uploaded image's maps) call the same functions.
//
// Only engine headers here (no ImGui), so tests/test_inside_maps.cpp tests it natively and in wasm.
//
// [SECTION] Feature maps    compute_inside_maps
// [SECTION] Filters         conv_filters, filter tiles
// [SECTION] Model copy      InsideModelCopy (keeps the training model's activations untouched)
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/preprocess.h"
#include "layers/layer.h"
#include "model/model.h"

namespace cnnlab {

// ---- [SECTION] Feature maps --------------------------------------------------------------------

// One conv or pool layer's output for one image.
struct LayerMaps {
  int layer = 0;          // index of the conv/pool layer in the model (receptive_field's `layer`)
  int shown_layer = 0;    // index of the layer whose output `maps` is: the conv itself, or the
                          // ReLU right after it (what the next layer sees)
  LayerKind kind = LayerKind::kConv2D;
  std::string label;      // "conv2d 32 3x3 same + relu", "maxpool2d 2x2"
  int channels = 0, height = 0, width = 0;
  std::vector<float> maps;  // (channels, height, width)
  float min = 0.0f, max = 0.0f;  // over the whole layer (finite values)
};

struct InsideMaps {
  int channels = 0, height = 0, width = 0;  // the input (C, H, W)
  std::vector<float> input;                 // (C, H, W) after preprocessing (what the model sees)
  std::vector<LayerMaps> layers;            // every conv and pool layer, in model order
  std::vector<float> probabilities;         // (classes) softmax of the image
};

// Runs `model` on one uint8 image (C, H, W) that matches model.input_shape(), preprocessed with
// `preprocess`, and collects every conv and pool layer's output. A conv followed directly by a
// ReLU is shown after the ReLU (labelled "+ relu"). Overwrites model's activations (pass a copy,
// e.g. InsideModelCopy, when the model is training). Throws Error("feature maps", ...) when the
// image's shape does not match the model's input.
InsideMaps compute_inside_maps(Model& model, const Preprocess& preprocess, const uint8_t* image,
                               int channels, int height, int width);

// Min / max of the finite values of (count) floats; {0, 0} when none is finite.
void finite_range(const float* values, size_t count, float* lo, float* hi);

// ---- [SECTION] Filters -------------------------------------------------------------------------

// One conv layer's weights (copied), for drawing.
struct LayerFilters {
  int layer = 0;
  std::string label;
  int out_channels = 0, in_channels = 0, kernel = 0;
  std::vector<float> weights;  // (out_channels, in_channels, kernel, kernel)
  float abs_max = 0.0f;        // largest |weight| of the layer (symmetric colour range)
  // How far these weights moved since the run's start (relative_weight_change against its
  // epoch-0 snapshot); NaN when unknown (no snapshot of that run's start). Set by the app.
  double change_since_start = NAN;
};

// Every conv layer's filters in model order.
std::vector<LayerFilters> conv_filters(const Model& model);

// How far a layer's weights have moved from earlier weights of the same network (a run's epoch-0
// snapshot): ||W - W0|| / ||W0|| (L2 norms) over the layer's "LAYER.weight" parameter, W now,
// W0 earlier. `start` holds every parameter of the network in Model::params() order, as
// EpochSnapshot::weights does. NaN when `start` does not fit the model's parameters, the layer
// has no weight or ||W0|| is 0. Filters that look the same can have moved by a few percent.
double relative_weight_change(const Model& model, int layer, const std::vector<float>& start);

// Per output channel, the mean over input channels: (out_channels, kernel, kernel). How the
// panel draws filters of layers after the first (conv1 with 3 inputs is drawn as RGB).
std::vector<float> filter_mean_over_inputs(const LayerFilters& filters);

// ---- [SECTION] Model copy ----------------------------------------------------------------------

// A private model with the same spec and weights as a source model, refreshed only when the
// source's weights_version changes. Computing feature maps on it leaves the training model's
// activations and per-layer statistics alone.
class InsideModelCopy {
 public:
  // Makes the copy match `source` (rebuilt when the spec differs; weights copied when the source
  // or version differs from the last sync). Returns true when the copy changed.
  bool sync(const Model& source, uint64_t version);
  Model* model() { return model_.get(); }
  const Model* model() const { return model_.get(); }
  void reset() { model_.reset(); have_version_ = false; }

 private:
  std::unique_ptr<Model> model_;
  const Model* source_ = nullptr;  // compared by address only (never dereferenced later)
  uint64_t version_ = 0;
  bool have_version_ = false;
};

}  // namespace cnnlab
