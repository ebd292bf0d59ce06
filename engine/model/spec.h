// ModelSpec: a sequential model as text, parsed and validated with errors that name the layer.
//
// Text: one layer per line or ';'-separated, '#' starts a comment, keywords case-insensitive:
//   conv2d 32 k=3 pad=same; relu; maxpool2d 2; conv2d 64 k=3 pad=same; relu; maxpool2d 2;
//   flatten; dense 128; relu; dense 10
// Layers and options (defaults in brackets):
//   conv2d F [k=3] [s=1] [pad=valid|same] [init=pytorch|he_uniform|he_normal]   (kernel=, stride=, padding=
//          also accepted; k=3x3 too; a second positional number is the kernel: "conv2d 32 5")
//   maxpool2d K [s=K]     avgpool2d K [s=K]     (K or KxK; window and stride)
//   relu    flatten    dropout R (0 <= R < 1)    dense N [init=...]
//   aliases: conv, maxpool, avgpool, linear, fc
// Layers are numbered from 1 in messages ("layer 5 maxpool2d 2x2: input is 1x1, smaller than the
// 2x2 window"); .npz array names count from 0 (PyTorch's nn.Sequential).
#pragma once

#include <string>
#include <vector>

#include "core/tensor.h"
#include "layers/layer.h"

namespace cnnlab {

struct ModelSpec {
  Shape input;                    // per-sample (C, H, W)
  std::vector<LayerSpec> layers;  // in order

  // Canonical text, one layer per "; ", parseable by parse_model_spec.
  std::string text() const;
  // Per-sample output shape of every layer (throws like validate_model_spec).
  std::vector<Shape> output_shapes() const;
  // Size of the last layer's (vector) output.
  int num_classes() const;
  size_t parameter_count() const;
  bool operator==(const ModelSpec& o) const;
  bool operator!=(const ModelSpec& o) const { return !(*this == o); }
};

// Most parameters a model may have (400 MB of weights; the browser could not train more).
constexpr size_t kMaxModelParameters = 100'000'000;

// Parses and validates. input: (C, H, W). classes > 0 requires the last output to be (classes);
// 0 accepts any vector output of at least 2 classes. Throws Error naming the layer and problem.
ModelSpec parse_model_spec(const std::string& text, const Shape& input, int classes = 0);
// Validates a spec built in code (presets, UI edits) the same way.
void validate_model_spec(const ModelSpec& spec, int classes = 0);
// The layer statements of a spec text, each checked alone (the words and numbers of its kind),
// without an input: what can be said of a spec before the data's shape is known. Throws like
// parse_layer_spec, naming the layer by its number.
std::vector<LayerSpec> parse_layer_list(const std::string& text);
// One layer statement, e.g. "conv2d 32 k=3 pad=same". index (1-based) is only for messages.
LayerSpec parse_layer_spec(const std::string& statement, int index);

}  // namespace cnnlab
