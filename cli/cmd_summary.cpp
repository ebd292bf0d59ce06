// cnnlab summary: the Keras-style table of a preset or spec — output shape, parameters and
// multiply-accumulates per layer, and totals.
#include <cstdio>
#include <memory>

#include "common.h"
#include "model/summary.h"

namespace cnnlab::cli {

void add_summary_command(CLI::App& app) {
  struct Options {
    SessionFlags flags;
    std::string input = "cifar10";
    int classes = 10;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("summary", "Print a model's layers, shapes, parameters and MACs");
  o->flags.add_to(*cmd, /*training=*/false, OptionScope::kLab);
  cmd->add_option("--input", o->input, "cifar10 (3x32x32) or fashion-mnist (1x28x28)")
      ->capture_default_str();
  cmd->add_option("--classes", o->classes, "Number of classes, 2..256 (labels are one byte)")
      ->capture_default_str()
      ->check(whole_number(2, 256));
  cmd->callback([o] {
    const SessionOptions settings = o->flags.options();
    const ModelSpec spec = o->flags.build(settings, input_shape_named(o->input), o->classes);
    std::printf("Model: %s on %s input %s\n%s", o->flags.describe(settings).c_str(), o->input.c_str(),
                spec.input.str().c_str(), render_summary(summarize(spec)).c_str());
  });
}

}  // namespace cnnlab::cli
