// Model files in the lab (the app's Save model / Load model): what the lab adds to a model file —
// the Session options the model was built and trained with, under training_state["lab"] — and the
// checks before a saved model replaces the lab's: it must fit the loaded data (input shape,
// classes) and its layers must be exactly what its settings build. Both the training host (in the
// browser's Web Worker and in the desktop app) and the app (which checks an upload at once, before
// handing it to the worker) call these, so they refuse the same files with the same message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "model/model.h"
#include "model/model_file.h"
#include "lab/session.h"

namespace cnnlab {

// What a lab model file carries besides the weights, under training_state["lab"]:
// {"options": SessionOptions::to_json(), "run", "epoch", "step", "testAcc" (null before a test)}.
// The options stay JSON here: SessionOptions::merge is their one reader (it also takes the
// spellings of files from before every option had one).
struct LabModelState {
  nlohmann::json options;            // as configure() takes them
  int run = 0, epoch = 0;            // the session's status when saved
  int64_t step = 0;
  std::optional<double> test_accuracy;  // none before a test

  static LabModelState of(const SessionOptions& options, const SessionStatus& status);
  // The whole training_state: {"lab": {...}}.
  nlohmann::json to_json() const;
  // The lab's part of a model file's training_state; none when the file has none (a model
  // `cnnlab train` saved). A figure of the wrong type, out of its type's range, negative, or a
  // test accuracy outside [0, 1] is refused: Error(where + " training_state lab", naming the
  // field). The options are checked when merged.
  static std::optional<LabModelState> from_training_state(const nlohmann::json& training_state,
                                                          const std::string& where = "model file");
};

// The options under which `loaded` becomes the lab's model, given the current ones: the file's
// own settings when it has them (a lab file), else the current settings if they build exactly the
// file's layers (a `cnnlab train` file). Throws Error(where, why) — another input shape or class
// count than the data's, other class names, settings this version does not know, layers that are
// not what the settings build — so nothing is replaced.
SessionOptions options_for_model_file(const SessionOptions& current, const LoadedModel& loaded,
                                      const Dataset& train, const std::string& where);

// Copies every parameter's values from `from` into `to`; the parameter names and shapes must be
// the same (Error(where, ...) names the first that is not; `to` is then unchanged).
void copy_weights(const Model& from, Model& to, const std::string& where);

}  // namespace cnnlab
