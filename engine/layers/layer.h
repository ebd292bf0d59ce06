// Layer: the interface every network layer implements, plus LayerSpec, the plain description of
// one layer ("conv2d 32 k=3 pad=same") that the model spec, presets, summary and model file share.
//
// Shapes: a layer is built for one PER-SAMPLE input shape, (C, H, W) for images or (F) for
// vectors. forward/backward see whole batches, contiguous: (B, C, H, W) or (B, F).
//
// [SECTION] LayerKind, InitKind
// [SECTION] LayerSpec        description + shape/parameter/MAC arithmetic without any weights
// [SECTION] init_parameters, RunContext (Param is in core/param.h)
// [SECTION] Layer            the virtual interface (one virtual call per layer down to kernels)
// [SECTION] make_layer       the factory
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/param.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace cnnlab {

class ThreadPool;

// ---- [SECTION] LayerKind, InitKind ---------------------------------------------------------------
enum class LayerKind { kConv2D, kMaxPool2D, kAvgPool2D, kReLU, kDropout, kFlatten, kDense };

// "conv2d", "maxpool2d", "avgpool2d", "relu", "dropout", "flatten", "dense" (the spec keywords).
const char* layer_kind_name(LayerKind kind);

// Parameter initialisation, Kaiming (He) family. fan_in = Ci*k*k (conv) or in (dense).
//   kPyTorch:   PyTorch's default, Kaiming uniform with a = sqrt(5): weights and biases
//               U(-1/sqrt(fan_in), +1/sqrt(fan_in)). The default: it is the recipe behind the
//               reference figures, and the plain He bound trains the MLP markedly worse on raw
//               [0, 1] pixels (PyTorch itself: 27.5 % vs 34.4 % test after 4 epochs on 10k images).
//   kHeUniform: weights U(-sqrt(6 / fan_in), +sqrt(6 / fan_in)), biases 0
//   kHeNormal:  weights N(0, 2 / fan_in), biases 0
enum class InitKind { kPyTorch, kHeUniform, kHeNormal };
const char* init_kind_name(InitKind kind);  // "pytorch", "he_uniform", "he_normal"

// ---- [SECTION] LayerSpec -------------------------------------------------------------------------
// One layer as the user wrote it. Which fields matter depends on kind:
//   conv2d:   units = filters, kernel (square, 1..11), stride, same_padding, init
//   maxpool2d/avgpool2d: kernel = window, stride (defaults to the window)
//   dropout:  rate in [0, 1)
//   dense:    units, init
struct LayerSpec {
  LayerKind kind = LayerKind::kReLU;
  int units = 0;
  int kernel = 0;
  int stride = 1;
  bool same_padding = false;
  float rate = 0.0f;
  InitKind init = InitKind::kPyTorch;

  // Canonical spec text, parseable again: "conv2d 32 k=3 pad=same", "maxpool2d 2", "dropout 0.25".
  std::string text() const;
  // Short human label for messages and the summary: "conv2d 32 3x3 same", "maxpool2d 2x2".
  std::string label() const;

  bool operator==(const LayerSpec& o) const;
  bool operator!=(const LayerSpec& o) const { return !(*this == o); }
};

// Per-sample output shape for a per-sample input shape. Throws Error("", reason) when the layer
// cannot take that input (the caller adds which layer): "input is 1x1, smaller than the 2x2 window".
Shape layer_output_shape(const LayerSpec& spec, const Shape& input);
// Number of trainable floats (weights + biases) for that input.
size_t layer_parameter_count(const LayerSpec& spec, const Shape& input);
// Multiply-accumulates per image in the forward pass (conv and dense; pooling/activations count 0).
uint64_t layer_macs(const LayerSpec& spec, const Shape& input);
// The multiply-adds this build's kernels do for it (kernels::conv_forward_multiply_adds: fewer
// where a conv layer runs as Winograd convolution); what time estimates should scale with.
uint64_t layer_macs_computed(const LayerSpec& spec, const Shape& input);

// Conv2D padding arithmetic (TensorFlow's `same`: the extra row/column goes bottom/right).
struct ConvPadding {
  int out_h, out_w, pad_top, pad_left;
};
ConvPadding conv_padding(const LayerSpec& spec, int height, int width);

// ---- [SECTION] init_parameters, RunContext -------------------------------------------------------
// Fills weights w, then biases b, per InitKind, drawing in that order from rng.
void init_parameters(Tensor& w, Tensor& b, size_t fan_in, InitKind kind, Rng& rng);

struct RunContext {
  bool training = false;          // dropout active only when true
  ThreadPool* pool = nullptr;     // may be null (single thread)
  Rng* dropout_rng = nullptr;     // required by Dropout in training mode
};

// ---- [SECTION] Layer -----------------------------------------------------------------------------
class Layer {
 public:
  Layer(const LayerSpec& spec, const Shape& input);  // throws like layer_output_shape
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  LayerKind kind() const { return spec_.kind; }
  const LayerSpec& spec() const { return spec_; }
  std::string text() const { return spec_.text(); }
  std::string label() const { return spec_.label(); }
  const Shape& input_shape() const { return input_; }    // per sample
  const Shape& output_shape() const { return output_; }  // per sample
  // Output shape for another per-sample input (throws Error with the reason when impossible).
  Shape output_shape(const Shape& input) const { return layer_output_shape(spec_, input); }
  uint64_t macs() const { return layer_macs(spec_, input_); }

  // Draws weights from rng (He init per spec.init), biases 0. Layers without weights draw nothing,
  // so a model's weights depend only on the seed and the list of layers.
  virtual void init(Rng& rng) {}
  // y (B, out...) from x (B, in...). y is resized here (its buffer is reused across calls).
  virtual void forward(Tensor& y, const Tensor& x, RunContext& ctx) = 0;
  // Given dy (B, out...) and the x, y of the LAST forward: writes dx (B, in...) unless dx is
  // null (first layer), and ADDS parameter gradients into params()[i]->grad.
  virtual void backward(Tensor* dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                        RunContext& ctx) = 0;
  virtual std::vector<Param*> params() { return {}; }
  std::vector<const Param*> params() const;
  size_t parameter_count() const { return layer_parameter_count(spec_, input_); }

 protected:
  // (B, per-sample...) with B = batch.
  Shape batch_shape(int batch, const Shape& per_sample) const;

  LayerSpec spec_;
  Shape input_, output_;
};

// ---- [SECTION] make_layer ------------------------------------------------------------------------
// Builds the layer for a per-sample input shape (weights zero until init()).
std::unique_ptr<Layer> make_layer(const LayerSpec& spec, const Shape& input);

}  // namespace cnnlab
