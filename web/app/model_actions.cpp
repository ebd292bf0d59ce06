// Model actions: the summary table for the Model panel, made by the engine from the preset and
// the student's overrides. Invalid settings become an inline message (the engine's Error text),
// never a crash.
#include <string>

#include "app/actions.h"
#include "core/error.h"
#include "model/presets.h"
#include "model/summary.h"

namespace cnnlab {

void refresh_model_summary(AppState& state) {
  ModelState& model = state.model;
  // The summary is of the settings being edited (the draft), so invalid ones are explained
  // before the trainer refuses them.
  const SessionOptions& o = state.settings.draft;
  // Without a dataset the summary assumes CIFAR-10's input (Fashion-MNIST's for mlp-small).
  Shape input{3, 32, 32};
  int classes = 10;
  std::string source = "CIFAR-10 input (no dataset loaded)";
  if (state.data.loaded) {
    const Dataset& train = state.data.dataset.train;
    input = Shape{train.channels, train.height, train.width};
    classes = static_cast<int>(train.class_names.size());
    source = train.name;
  } else if (o.model == "mlp-small") {
    input = Shape{1, 28, 28};
    source = "Fashion-MNIST input (no dataset loaded)";
  }
  const std::string key = o.to_json().dump() + "|" + input.str() + "|" + std::to_string(classes);
  if (key == model.summary_key) return;
  model.summary_key = key;
  model.input = input;
  model.classes = classes;
  model.input_note = std::to_string(input[0]) + "x" + std::to_string(input[1]) + "x" +
                     std::to_string(input[2]) + " (C x H x W), " + std::to_string(classes) +
                     " classes: " + source;
  try {
    model.spec = o.spec(input, classes);
    model.summary = summarize(model.spec);
    model.built = true;
    model.error.clear();
  } catch (const Error& e) {
    model.built = false;
    model.summary = ModelSummary{};
    model.spec = ModelSpec{};
    model.error = e.what();
  }
}

}  // namespace cnnlab
