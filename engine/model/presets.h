// Presets: the course notebooks' models ("seeds"), reproduced exactly, with optional overrides the
// lab's Model panel and the experiment runner edit.
//   mlp        flatten, dense 512, relu, dropout 0.3, dense 256, relu, dropout 0.3, dense C
//   cnn        [conv 32 k same, relu, maxpool 2] x2 (32, 64 filters), flatten, dense 128, relu, dense C
//   cnn1       one conv block of cnn, flatten, dense 128, relu, dense C
//   vgg        [conv 32, relu, conv 32, relu, maxpool 2, dropout 0.25]
//              [conv 64, relu, conv 64, relu, maxpool 2, dropout 0.25]
//              [conv 128, relu, maxpool 2, dropout 0.25], flatten, dense 256, relu, dropout 0.4, dense C
//   mlp-small  flatten, dense 256, relu, dense 128, relu, dense C   (Fashion-MNIST)
// Parameter counts on (3, 32, 32), 10 classes: mlp 1,707,274; cnn 545,098 (k=3), 579,402 (k=5),
// 630,858 (k=7); cnn1 1,050,890; vgg 666,538; mlp-small 235,146 on (1, 28, 28).
#pragma once

#include <string>
#include <vector>

#include "model/spec.h"

namespace cnnlab {

struct PresetOptions {
  int kernel = 3;            // conv kernel size (cnn, cnn1, vgg)
  int filters = 0;           // filters of the first conv block, doubled per block; 0 = preset's (32)
  int dense = 0;             // width of the first hidden dense layer (the second, in the MLPs, is
                             // half of it); 0 = preset's
  float dropout = -1.0f;     // < 0: preset's. >= 0: every dropout layer's rate (0 removes them);
                             // for cnn/cnn1 (no dropout by default) > 0 adds one after the hidden dense
  int blocks = 0;            // conv blocks of cnn (filters f, 2f, 4f, ...); 0 = preset's (2; cnn1 1)
  std::string pooling = "max";  // "max", "avg", or "none" (the block's conv gets stride 2 instead)
  int stride = 1;            // stride of every conv (cnn, cnn1, vgg)
};

// The model name of a layer list of one's own (a spec text) where a preset name would be: the
// preset's settings (kernel, filters, ...) then do not apply. Not a preset: preset() refuses it.
inline constexpr const char* kCustomModel = "custom";

// Names in display order: mlp, cnn1, cnn, vgg, mlp-small.
const std::vector<std::string>& preset_names();
// One-line description for menus.
std::string preset_description(const std::string& name);
// True for the fully connected presets (mlp, mlp-small): no convolution, so no kernel size.
bool is_mlp_preset(const std::string& name);

// The validated spec. input (C, H, W). Throws Error("model", ...) for an unknown name and the
// spec's errors for impossible options (e.g. a kernel larger than a feature map).
ModelSpec preset(const std::string& name, const Shape& input, int classes = 10,
                 const PresetOptions& options = {});
// The first hidden width (`dense`) that gives MLP preset `name` ("mlp" or "mlp-small", the other
// options as given) the parameter count closest to target_params: for comparing an MLP with a
// CNN of the same size, so that the difference left is the architecture, not the budget. Throws
// Error("model dense", ...) for a preset that is not an MLP, or when no width comes within 2 %
// of the target (a target below the smallest MLP's count, for instance).
int mlp_dense_matching(const std::string& name, const Shape& input, int classes,
                       const PresetOptions& options, size_t target_params);

// Shorthand: preset with only the kernel size changed.
ModelSpec preset(const std::string& name, int kernel, const Shape& input, int classes = 10);

}  // namespace cnnlab
