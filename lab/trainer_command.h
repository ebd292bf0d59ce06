// TrainerCommand: every command the app (and through it the JavaScript API) sends to the trainer,
// as a type, with one JSON encoding (to_json / from_json below, the only place that reads its
// keys). In the page it crosses to the training worker as that JSON text; on the desktop the
// in-process host receives the struct itself.
//
//   {"type": "configure", "options": {...}}     options: SessionOptions::to_json(), complete
//   {"type": "experiment", "options": {...}}    options: experiment_config_from_json's input
//   {"type": "validationCell", "options": {"trueClass": t, "predicted": p}}
//                                               the validation images of one live-matrix cell
//                                               (answered by a ValidationCell report message)
//   {"type": "train" | "pause" | "step" | "reset" | "clearHistory" | "stopExperiment" |
//    "resumeExperiment"}
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace cnnlab {

enum class CommandType {
  kConfigure,
  kTrain,
  kPause,
  kStep,
  kReset,
  kClearHistory,
  kStartExperiment,
  kStopExperiment,
  kResumeExperiment,
  kValidationCell,
};

// The command's name in the JSON encoding and the JavaScript API ("train", "clearHistory", ...).
const char* command_name(CommandType type);
// The command of that name; false for an unknown name.
bool command_from_name(const std::string& name, CommandType* type);
// "train, pause, ..." for messages that list what is accepted.
std::string command_names();

struct TrainerCommand {
  CommandType type = CommandType::kTrain;
  nlohmann::json options;  // kConfigure, kStartExperiment and kValidationCell only (see above);
                           // null otherwise

  nlohmann::json to_json() const;
  // Throws Error(where, why) for anything but a well-formed command: not an object, no or an
  // unknown type, options missing where required or given where not.
  static TrainerCommand from_json(const nlohmann::json& j, const std::string& where);
};

}  // namespace cnnlab
