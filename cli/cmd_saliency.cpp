// cnnlab saliency: an attribution map of one image under a saved model (lab/attribution.h):
// gradient saliency (optionally SmoothGrad), Grad-CAM on the last conv layer, or occlusion with a
// mid-grey patch. The image is fitted to the model's input as `cnnlab predict` does (channels
// converted, centre-cropped, resized) and preprocessed as in training. --out writes the map as a
// PNG at the input's size; --json prints {"method", "class", "shape", "values"} with every value
// at full float precision (each double printed is the float exactly), row-major in `shape`.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "common.h"
#include "core/error.h"
#include "core/io.h"
#include "data/image.h"
#include "lab/attribution.h"
#include "model/model_file.h"

namespace cnnlab::cli {

namespace {

// The map as one (H', W') plane for drawing: gradient -> the largest |value| over the channels
// of each pixel; Grad-CAM and occlusion as they are.
std::vector<float> drawable_plane(const AttributionMap& map, int* height, int* width) {
  if (map.shape.rank == 2) {
    *height = map.shape[0];
    *width = map.shape[1];
    return map.values;
  }
  const int channels = map.shape[0];
  *height = map.shape[1];
  *width = map.shape[2];
  const size_t plane = static_cast<size_t>(*height) * static_cast<size_t>(*width);
  std::vector<float> out(plane, 0.0f);
  for (int c = 0; c < channels; ++c)
    for (size_t p = 0; p < plane; ++p)
      out[p] = std::max(out[p], std::fabs(map.values[static_cast<size_t>(c) * plane + p]));
  return out;
}

// RGB planes (3, height, width) of the map, stretched to height x width by nearest neighbour
// (Grad-CAM's coarser grid becomes blocks over the pixels they came from). Colours run from white
// at 0 to red at the largest |value| (supports the class) and to blue at minus it (occlusion's
// negative drops: hiding that area made the class more likely).
std::vector<uint8_t> map_picture(const AttributionMap& map, int height, int width) {
  int map_h = 0, map_w = 0;
  const std::vector<float> plane = drawable_plane(map, &map_h, &map_w);
  float largest = 0.0f;
  for (float v : plane) largest = std::max(largest, std::fabs(v));
  std::vector<uint8_t> rgb(static_cast<size_t>(height) * static_cast<size_t>(width) * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const int sy = y * map_h / height, sx = x * map_w / width;
      const float v = largest > 0.0f ? plane[static_cast<size_t>(sy) * map_w + sx] / largest : 0.0f;
      const uint8_t fade = static_cast<uint8_t>(std::lround(255.0f * (1.0f - std::fabs(v))));
      const size_t at = static_cast<size_t>(y) * width + x, plane = rgb.size() / 3;
      rgb[at] = v >= 0.0f ? 255 : fade;
      rgb[plane + at] = fade;
      rgb[2 * plane + at] = v >= 0.0f ? fade : 255;
    }
  return rgb;
}

}  // namespace

void add_saliency_command(CLI::App& app) {
  struct Options {
    std::string model_file, image, method, out;
    int target_class = -1, patch = 8, stride = 4, smooth = 0;
    float noise = 0.15f;
    uint64_t seed = 1;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "saliency", "Attribution map of one image: gradient saliency, Grad-CAM or occlusion");
  cmd->add_option("--model-file", o->model_file, "A model saved by cnnlab train")->required();
  cmd->add_option("--image", o->image, "A PNG or JPEG file (fitted to the model's input)")
      ->required();
  cmd->add_option("--method", o->method,
                  "gradient (d class logit / d input pixel), gradcam (last conv layer) or "
                  "occlusion (probability drop under a grey patch)")
      ->required();
  cmd->add_option("--class", o->target_class,
                  "Class index to explain (not given: the class the model predicts)")
      ->check(whole_number(0, 255));
  cmd->add_option("--patch", o->patch, "occlusion: side of the square grey patch, in pixels")
      ->capture_default_str()
      ->check(whole_number(1, 4096));
  cmd->add_option("--stride", o->stride, "occlusion: step between patch positions, in pixels")
      ->capture_default_str()
      ->check(whole_number(1, 4096));
  cmd->add_option("--smooth", o->smooth,
                  "gradient: SmoothGrad over N noisy copies (0 = the plain gradient)")
      ->capture_default_str()
      ->check(whole_number(0, 10000));
  cmd->add_option("--noise", o->noise,
                  "gradient with --smooth: noise standard deviation as a fraction of the "
                  "image's value range")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "gradient with --smooth: seed of the noise")
      ->capture_default_str();
  cmd->add_option("--out", o->out, "Write the map as a PNG (white = 0, red = for the class, "
                                   "blue = against it)");
  cmd->add_flag("--json", o->json, "Print the map as JSON: method, class, shape, values");
  cmd->callback([o] {
    AttributionOptions options;
    options.method = parse_attribution_method(o->method);
    require(o->json || !o->out.empty(), "saliency", "give --out MAP.png, --json or both");
    LoadedModel loaded = load_model_file(o->model_file);
    Model& model = *loaded.model;
    const Shape in = model.input_shape();
    const Image image = fit_image_to_input(load_image(o->image), in[0], in[1], in[2]);
    std::vector<float> input(in.count());
    loaded.info.preprocess.apply(input.data(), image.pixels.data(), in[0],
                                 static_cast<size_t>(in[1]) * static_cast<size_t>(in[2]));

    options.target_class = o->target_class;
    options.occlusion_patch = o->patch;
    options.occlusion_stride = o->stride;
    options.occlusion_fill = grey_fill(loaded.info.preprocess, in[0]);
    options.smooth_samples = o->smooth;
    options.smooth_noise = o->noise;
    options.smooth_seed = o->seed;
    const AttributionMap map = compute_attribution(model, input.data(), in, options);

    if (!o->out.empty()) {
      const std::vector<uint8_t> rgb = map_picture(map, in[1], in[2]);
      const std::vector<uint8_t> png = encode_png(rgb.data(), 3, in[1], in[2]);
      write_file_atomic(o->out, {{png.data(), png.size()}});
    }
    if (o->json) {
      nlohmann::json shape = nlohmann::json::array();
      for (int d = 0; d < map.shape.rank; ++d) shape.push_back(map.shape[d]);
      nlohmann::json values = nlohmann::json::array();
      for (float v : map.values) values.push_back(static_cast<double>(v));
      const nlohmann::json out = {{"method", attribution_method_name(map.method)},
                                  {"class", map.target_class},
                                  {"shape", shape},
                                  {"values", values}};
      std::printf("%s\n", out.dump().c_str());
    } else {
      const std::vector<std::string>& names = loaded.info.class_names;
      auto name = [&names](int k) {
        return k < static_cast<int>(names.size()) ? names[static_cast<size_t>(k)]
                                                  : std::to_string(k);
      };
      std::printf("%s map of class %d (%s, probability %.4f; predicted %s) written to %s\n",
                  attribution_method_name(map.method), map.target_class,
                  name(map.target_class).c_str(), map.class_probability,
                  name(map.predicted_class).c_str(), o->out.c_str());
    }
  });
}

}  // namespace cnnlab::cli
