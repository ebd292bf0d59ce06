// Receptive field: which input pixels can influence one cell of a layer's output. The lab outlines
// it on the input image when a student clicks a feature-map cell, so they see the field grow with
// depth and with kernel size.
#pragma once

#include "model/spec.h"

namespace cnnlab {

// Rows [top, bottom) and columns [left, right) of the input, clipped to the image. `full` is
// set when the cell sees the whole input (after flatten/dense).
struct InputRect {
  int top = 0, left = 0, bottom = 0, right = 0;
  bool full = false;
};

// The input region feeding output cell (row, col) of layer `layer` (0-based). Throws
// Error("receptive field", ...) when layer or cell is out of range.
InputRect receptive_field(const ModelSpec& spec, int layer, int row, int col);

}  // namespace cnnlab
