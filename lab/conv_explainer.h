// One output pixel of a conv or pool layer, worked out by hand: the input patch the kernel covers
// (padding cells marked), the weights, their products, the per-input-channel partial sums, the
// bias and the total, next to the value the engine's own forward pass wrote at that pixel. The
// Inside panel's "Explain one pixel" view and the JavaScript API's explainPixel show it; the
// arithmetic here is deliberately plain loops, so a student (and the tests) can check the engine's
// convolution against it.
//
// Only engine headers here (no ImGui): tests/test_conv_explainer.cpp tests it natively and in wasm.
//
// [SECTION] Convolution   ConvPixelExplanation, explain_conv_pixel
// [SECTION] Pooling       PoolPixelExplanation, explain_pool_pixel
// [SECTION] Naming layers layer_title: "conv 1 (3x3, 32 filters)", "max pool after conv 1"
// [SECTION] Sizes         conv_output_size, receptive_field_growth, same_place
// [SECTION] Lively pixels lively_pixel, brightest_map_at: where an explanation shows more than 0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lab/inside_maps.h"
#include "model/model.h"
#include "model/spec.h"

namespace cnnlab {

// ---- [SECTION] Convolution ---------------------------------------------------------------------

struct ConvPixelExplanation {
  int layer = 0;                     // model layer index (0-based) of the conv
  int channel = 0, y = 0, x = 0;     // output channel and pixel (row, column)
  int kernel = 0, stride = 1;
  bool same_padding = false;
  int pad_top = 0, pad_left = 0;     // zero rows above / columns left of the input (`same`)
  int in_channels = 0, in_height = 0, in_width = 0;     // the layer's input (C, H, W)
  int out_channels = 0, out_height = 0, out_width = 0;  // its output
  int top = 0, left = 0;             // input row / column under the patch's top-left cell (may be
                                     // negative: padding)
  std::vector<float> patch;          // (in_channels, kernel, kernel) input values, 0 on padding
  std::vector<uint8_t> is_padding;   // (kernel, kernel) 1 where the cell lies outside the input
  std::vector<float> weights;        // (in_channels, kernel, kernel) of this output channel
  std::vector<float> products;       // (in_channels, kernel, kernel) patch * weights
  std::vector<float> channel_sums;   // (in_channels) sum of each input channel's products
  float bias = 0.0f;
  float total = 0.0f;                // sum of channel_sums + bias, added up here
  float feature_value = 0.0f;        // the engine's conv output at (channel, y, x)
  // sum |patch * weights| + |bias|: the scale of the rounding in any way of adding the terms up
  // (the engine's GEMM orders, Winograd's transforms), and whether feature_value equals total
  // up to that rounding (within (terms + 1) * 2^-24 of it).
  float term_magnitude = 0.0f;
  bool engine_agrees = false;
  // The ReLU right after the conv, when there is one (what the next layer and the maps show).
  bool has_activation = false;
  float activated = 0.0f;            // the engine's ReLU output at that pixel
  float activated_total = 0.0f;      // max(total, 0): this explanation's own ReLU
};

// Explains output pixel (y, x) of output channel `channel` of conv layer `layer` for the image the
// model ran forward on last (batch item 0; e.g. after compute_inside_maps). Reads the layer's input
// from the engine (the previous layer's output, or the preprocessed image for the first layer).
// Throws Error("explain pixel", reason) when the layer is not a conv layer, the channel or pixel
// is out of range, or the model has not run on an image yet.
ConvPixelExplanation explain_conv_pixel(const Model& model, int layer, int channel, int y, int x);

// ---- [SECTION] Pooling -------------------------------------------------------------------------

struct PoolPixelExplanation {
  int layer = 0, channel = 0, y = 0, x = 0;
  bool max_pool = true;              // false: average pooling
  int window = 0, stride = 1;
  int in_height = 0, in_width = 0, out_height = 0, out_width = 0;
  int top = 0, left = 0;             // input row / column of the window's top-left cell
  std::vector<float> values;         // (window, window) the input cells the window covers
  int winner = -1;                   // max pooling: index into values of the (first) largest
  float output = 0.0f;               // max or mean of values, worked out here
  float feature_value = 0.0f;        // the engine's pool output at (channel, y, x)
};

// Explains pixel (y, x) of channel `channel` of max/avg pool layer `layer`, as explain_conv_pixel.
// Throws Error("explain pixel", reason) likewise.
PoolPixelExplanation explain_pool_pixel(const Model& model, int layer, int channel, int y, int x);

// ---- [SECTION] Naming layers -------------------------------------------------------------------

// A layer named by its kind and its place among the layers of that kind, for a student who
// cannot map "layer 3" to anything: "conv 1 (3x3, 32 filters)", "conv 2 (5x5, 64 filters,
// stride 2)", "max pool after conv 1 (2x2)", "ReLU after conv 2", "dense 1 (128)", "flatten",
// "dropout after dense 1". `layer` is the model's 0-based index; throws Error("layer title", ...)
// when it is out of range.
std::string layer_title(const ModelSpec& spec, int layer);

// ---- [SECTION] Sizes ---------------------------------------------------------------------------

// Output rows (or columns) of a conv over `in` rows: `same` gives ceil(in / stride) (zeros added
// around the input), `valid` floor((in - kernel) / stride) + 1, 0 when the kernel does not fit.
int conv_output_size(int in, int kernel, int stride, bool same_padding);

// How far one cell of a conv or pool layer's output sees into the image, assuming every conv of
// `spec` had kernel `conv_kernel` (0: the kernels as they are): `size` is the side of the
// receptive field in image pixels (before clipping to the image's border), `jump` the distance in
// image pixels between two neighbouring cells of that layer (the product of the strides so far).
// One entry per conv or pool layer, in model order.
struct ReceptiveFieldStep {
  int layer = 0;  // the model's 0-based index
  int size = 1;
  int jump = 1;
};
std::vector<ReceptiveFieldStep> receptive_field_growth(const ModelSpec& spec, int conv_kernel);

// The pixel of a (to_height, to_width) map at the same place in the image as pixel (y, x) of a
// (from_height, from_width) map: its centre scaled by the ratio of the sizes. For keeping the
// explained pixel when the student picks another layer.
void same_place(int y, int x, int from_height, int from_width, int to_height, int to_width,
                int* to_y, int* to_x);

// ---- [SECTION] Lively pixels -------------------------------------------------------------------

// A place in a layer's maps: channel (map), row, column.
struct MapPixel {
  int channel = 0, y = 0, x = 0;
};

// Where a first look at a layer shows something: the map with the largest mean (after the ReLU,
// most maps are mostly 0, and a student reading "0.0000" thinks the lab is broken) and, in it, the
// pixel with the largest value (the first in reading order). Non-finite values are skipped;
// {0, 0, 0} for an empty layer.
MapPixel lively_pixel(const LayerMaps& maps);

// The map with the largest value at pixel (y, x) of `maps` (the first on ties; 0 when the pixel is
// outside): the map to show when the student moves to another layer at the same place.
int brightest_map_at(const LayerMaps& maps, int y, int x);

}  // namespace cnnlab
