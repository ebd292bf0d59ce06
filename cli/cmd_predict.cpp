// cnnlab predict: classifies image files (PNG/JPEG) with a saved model. Images are converted to
// the model's channels, centre-cropped to square when needed and resized to its input size, then
// preprocessed exactly as in training. Prints the top 3 classes, or with --json every class
// probability at full float precision.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "common.h"
#include "core/error.h"
#include "data/image.h"
#include "model/model_file.h"

namespace cnnlab::cli {

void add_predict_command(CLI::App& app) {
  struct Options {
    std::string model_file;
    std::vector<std::string> images;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("predict", "Classify image files with a saved model");
  cmd->add_option("--model-file", o->model_file, "A model saved by cnnlab train")->required();
  cmd->add_option("--image", o->images, "PNG or JPEG files")->required();
  cmd->add_flag("--json", o->json, "Print JSON with all class probabilities");
  cmd->callback([o] {
    LoadedModel loaded = load_model_file(o->model_file);
    Model& model = *loaded.model;
    const Shape in = model.input_shape();
    const int classes = model.num_classes();
    std::vector<std::string> names = loaded.info.class_names;
    for (int k = static_cast<int>(names.size()); k < classes; ++k) names.push_back(std::to_string(k));

    // Every image is decoded and checked before any output, so a bad file prints nothing else.
    Tensor x(Shape{static_cast<int>(o->images.size()), in[0], in[1], in[2]});
    const size_t plane = static_cast<size_t>(in[1]) * static_cast<size_t>(in[2]);
    for (size_t i = 0; i < o->images.size(); ++i) {
      Image img = convert_channels(load_image(o->images[i]), in[0]);
      if (img.height != in[1] || img.width != in[2]) {
        if (img.height != img.width && in[1] == in[2]) img = center_crop_square(img);
        img = resize_image(img, in[1], in[2]);
      }
      loaded.info.preprocess.apply(x.data() + i * static_cast<size_t>(in[0]) * plane,
                                   img.pixels.data(), in[0], plane);
    }
    const Tensor& probs = model.predict(x, nullptr);

    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < o->images.size(); ++i) {
      const float* p = probs.data() + i * static_cast<size_t>(classes);
      std::vector<int> order(static_cast<size_t>(classes));
      for (int k = 0; k < classes; ++k) order[static_cast<size_t>(k)] = k;
      std::stable_sort(order.begin(), order.end(), [p](int a, int b) { return p[a] > p[b]; });
      if (o->json) {
        nlohmann::json probabilities = nlohmann::json::object();
        for (int k = 0; k < classes; ++k)
          probabilities[names[static_cast<size_t>(k)]] = static_cast<double>(p[k]);
        out.push_back({{"image", o->images[i]},
                       {"top", names[static_cast<size_t>(order[0])]},
                       {"probabilities", probabilities}});
      } else {
        std::printf("%s\n", o->images[i].c_str());
        for (int r = 0; r < std::min(3, classes); ++r)
          std::printf("  %-12s %6.2f %%\n", names[static_cast<size_t>(order[static_cast<size_t>(r)])].c_str(),
                      p[order[static_cast<size_t>(r)]] * 100.0);
      }
    }
    if (o->json) std::printf("%s\n", out.dump(1).c_str());
  });
}

}  // namespace cnnlab::cli
