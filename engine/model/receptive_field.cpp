// Receptive field by walking the window arithmetic back to the input.
#include "model/receptive_field.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace cnnlab {

InputRect receptive_field(const ModelSpec& spec, int layer, int row, int col) {
  const std::vector<Shape> shapes = spec.output_shapes();
  require(layer >= 0 && layer < static_cast<int>(shapes.size()), "receptive field",
          "layer " + std::to_string(layer) + " is out of range");
  const Shape& out = shapes[static_cast<size_t>(layer)];
  InputRect r;
  r.bottom = spec.input[1];
  r.right = spec.input[2];
  if (out.rank != 3) {
    r.full = true;
    return r;
  }
  require(row >= 0 && row < out[1] && col >= 0 && col < out[2], "receptive field",
          "cell (" + std::to_string(row) + ", " + std::to_string(col) + ") is outside the " +
              std::to_string(out[1]) + "x" + std::to_string(out[2]) + " output of layer " +
              std::to_string(layer));
  // Inclusive ranges in the current layer's input coordinates (may extend into padding).
  int r0 = row, r1 = row, c0 = col, c1 = col;
  for (int i = layer; i >= 0; --i) {
    const LayerSpec& l = spec.layers[static_cast<size_t>(i)];
    const Shape& in = i > 0 ? shapes[static_cast<size_t>(i - 1)] : spec.input;
    if (l.kind == LayerKind::kConv2D || l.kind == LayerKind::kMaxPool2D ||
        l.kind == LayerKind::kAvgPool2D) {
      int pad_top = 0, pad_left = 0;
      if (l.kind == LayerKind::kConv2D) {
        const ConvPadding p = conv_padding(l, in[1], in[2]);
        pad_top = p.pad_top;
        pad_left = p.pad_left;
      }
      r0 = r0 * l.stride - pad_top;
      r1 = r1 * l.stride - pad_top + l.kernel - 1;
      c0 = c0 * l.stride - pad_left;
      c1 = c1 * l.stride - pad_left + l.kernel - 1;
    }
  }
  r.top = std::max(r0, 0);
  r.left = std::max(c0, 0);
  r.bottom = std::min(r1 + 1, spec.input[1]);
  r.right = std::min(c1 + 1, spec.input[2]);
  r.full = r.top == 0 && r.left == 0 && r.bottom == spec.input[1] && r.right == spec.input[2];
  return r;
}

}  // namespace cnnlab
