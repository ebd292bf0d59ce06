// cnnlab summary: the Keras-style table of a preset or spec — output shape, parameters and
// multiply-accumulates per layer, and totals.
#include <cstdio>
#include <memory>

#include "common.h"
#include "model/summary.h"

namespace cnnlab::cli {

void add_summary_command(CLI::App& app) {
  struct Options {
    ModelOptions model;
    std::string input = "cifar10";
    int classes = 10;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("summary", "Print a model's layers, shapes, parameters and MACs");
  o->model.add_to(*cmd);
  cmd->add_option("--input", o->input, "cifar10 (3x32x32) or fashion-mnist (1x28x28)")
      ->capture_default_str();
  cmd->add_option("--classes", o->classes, "Number of classes")->capture_default_str();
  cmd->callback([o] {
    const ModelSpec spec = o->model.build(input_shape_named(o->input), o->classes);
    std::printf("Model: %s on %s input %s\n%s", o->model.describe().c_str(), o->input.c_str(),
                spec.input.str().c_str(), render_summary(summarize(spec)).c_str());
  });
}

}  // namespace cnnlab::cli
