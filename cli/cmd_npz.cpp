// cnnlab export-npz / import-npz: weights as PyTorch-compatible .npz (arrays "<i>.weight" and
// "<i>.bias", i = position in the layer list as torch.nn.Sequential numbers it).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "core/error.h"
#include "core/text_format.h"
#include "model/model.h"
#include "model/model_file.h"
#include "model/npz.h"
#include "model/summary.h"
#include "data/loaders.h"

namespace cnnlab::cli {

void add_npz_commands(CLI::App& app) {
  struct ExportOptions {
    std::string model_file, npz;
    int epoch = -1;  // -1: the model's own (latest) weights
  };
  auto e = std::make_shared<ExportOptions>();
  CLI::App* ex = app.add_subcommand("export-npz", "Write a saved model's weights as .npz");
  ex->add_option("--model-file", e->model_file, "A model saved by cnnlab train")->required();
  ex->add_option("--npz", e->npz, "The .npz file to write")->required();
  ex->add_option("--epoch", e->epoch,
                 "The weights after this kept epoch (0: before training) from a model file saved "
                 "with its epochs (the lab's File > Save model with its epochs); default: the "
                 "model's own weights")
      ->check(whole_number(0, 10000));
  ex->callback([e] {
    LoadedModel loaded = load_model_file(e->model_file);
    Model& model = *loaded.model;
    if (e->epoch >= 0) {
      const std::vector<WeightSnapshot>& kept = loaded.info.snapshots;
      const auto it = std::find_if(kept.begin(), kept.end(),
                                   [&](const WeightSnapshot& w) { return w.epoch == e->epoch; });
      if (it == kept.end()) {
        std::string list;
        for (const WeightSnapshot& w : kept) list += (list.empty() ? "" : ", ") + std::to_string(w.epoch);
        throw Error("--epoch", "epoch " + std::to_string(e->epoch) + " is not kept in " +
                                   e->model_file + " (kept: " + (list.empty() ? "none" : list) + ")");
      }
      size_t offset = 0;
      for (Param* p : model.params()) {
        std::copy(it->values.begin() + static_cast<std::ptrdiff_t>(offset),
                  it->values.begin() + static_cast<std::ptrdiff_t>(offset + p->value.size()),
                  p->value.data());
        offset += p->value.size();
      }
    }
    export_npz(e->npz, model);
    std::fprintf(stderr, "Wrote %s (%s parameters%s)\n", e->npz.c_str(),
                 with_thousands(model.parameter_count()).c_str(),
                 e->epoch >= 0 ? (", after epoch " + std::to_string(e->epoch)).c_str() : "");
  });

  struct ImportOptions {
    SessionFlags flags;  // the model (the lab's option table) or --spec
    std::string npz, out, input = "cifar10", class_names;
    int classes = 10;
  };
  auto i = std::make_shared<ImportOptions>();
  CLI::App* im = app.add_subcommand("import-npz", "Build a model file from .npz weights");
  i->flags.add_to(*im, /*training=*/false, OptionScope::kLab);
  im->add_option("--npz", i->npz, "The .npz file to read")->required();
  im->add_option("--out", i->out, "The model file to write")->required();
  im->add_option("--input", i->input, "cifar10 (3x32x32) or fashion-mnist (1x28x28)")
      ->capture_default_str();
  im->add_option("--classes", i->classes, "Number of classes, 2..256 (labels are one byte)")
      ->capture_default_str()
      ->check(whole_number(2, 256));
  im->callback([i] {
    const SessionOptions settings = i->flags.options();
    Model model(i->flags.build(settings, input_shape_named(i->input), i->classes), 0);
    import_npz(i->npz, model);
    ModelFileInfo info;
    if (i->classes == 10)
      info.class_names = i->input == "cifar10" ? cifar10_class_names() : fashion_mnist_class_names();
    info.dataset = i->input;
    save_model_file(i->out, model, info);
    std::fprintf(stderr, "Wrote %s (%s, %s parameters)\n", i->out.c_str(),
                 i->flags.describe(settings).c_str(), with_thousands(model.parameter_count()).c_str());
  });
}

}  // namespace cnnlab::cli
