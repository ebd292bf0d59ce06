// Model summary like Keras's model.summary(): per layer its name, output shape, parameters and
// multiply-accumulates (MACs) per image; totals. Computed from the spec alone (no weights are
// allocated), so the lab can show it for every edit before building anything.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/spec.h"

namespace cnnlab {

struct SummaryRow {
  int index = 0;           // 0-based position in the layer list (= .npz / nn.Sequential index)
  std::string name;        // label, e.g. "conv2d 32 3x3 same"
  std::string kind;        // "conv2d", "maxpool2d", ...
  Shape output;            // per sample, e.g. (32, 32, 32)
  size_t params = 0;
  uint64_t macs = 0;       // per image, forward
  uint64_t macs_computed = 0;  // the same as this build's kernels do them (layer_macs_computed)
};

struct ModelSummary {
  Shape input;                 // (C, H, W)
  std::vector<SummaryRow> rows;
  size_t total_params = 0;
  uint64_t total_macs = 0;     // per image, forward
  uint64_t total_macs_computed = 0;  // per image, forward, as this build computes (estimates)
  size_t activation_floats = 0;  // sum of all layer outputs per image (memory hint)
};

// Throws like validate_model_spec for an invalid spec.
ModelSummary summarize(const ModelSpec& spec);
// Text table for the terminal:
//   #   layer                 output shape     params     MACs
//   0   conv2d 32 3x3 same    (32, 32, 32)     896        884,736
//   ...
//   total parameters: 545,098   MACs per image: 6,...
std::string render_summary(const ModelSummary& summary);

}  // namespace cnnlab
