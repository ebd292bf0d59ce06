// TrainerCommand's one encoding (see trainer_command.h).
#include "lab/trainer_command.h"

#include "core/error.h"

namespace cnnlab {

namespace {

struct NamedCommand {
  CommandType type;
  const char* name;
  bool has_options;
};

// The one table of command names.
constexpr NamedCommand kCommands[] = {
    {CommandType::kConfigure, "configure", true},
    {CommandType::kTrain, "train", false},
    {CommandType::kPause, "pause", false},
    {CommandType::kStep, "step", false},
    {CommandType::kReset, "reset", false},
    {CommandType::kClearHistory, "clearHistory", false},
    {CommandType::kStartExperiment, "experiment", true},
    {CommandType::kStopExperiment, "stopExperiment", false},
    {CommandType::kResumeExperiment, "resumeExperiment", false},
    {CommandType::kValidationCell, "validationCell", true},
};

const NamedCommand& entry(CommandType type) {
  for (const NamedCommand& c : kCommands)
    if (c.type == type) return c;
  return kCommands[0];  // unreachable: every enumerator is in the table
}

}  // namespace

const char* command_name(CommandType type) { return entry(type).name; }

bool command_from_name(const std::string& name, CommandType* type) {
  for (const NamedCommand& c : kCommands) {
    if (name == c.name) {
      *type = c.type;
      return true;
    }
  }
  return false;
}

std::string command_names() {
  std::string out;
  for (const NamedCommand& c : kCommands) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

nlohmann::json TrainerCommand::to_json() const {
  nlohmann::json j = {{"type", command_name(type)}};
  if (entry(type).has_options) j["options"] = options.is_null() ? nlohmann::json::object() : options;
  return j;
}

TrainerCommand TrainerCommand::from_json(const nlohmann::json& j, const std::string& where) {
  require(j.is_object(), where, "must be a JSON object, got " + std::string(j.type_name()));
  const auto type = j.find("type");
  require(type != j.end() && type->is_string(), where, "needs a string 'type'");
  TrainerCommand c;
  require(command_from_name(type->get<std::string>(), &c.type), where,
          "unknown type '" + type->get<std::string>() + "' (one of " + command_names() + ")");
  const auto options = j.find("options");
  if (entry(c.type).has_options) {
    require(options != j.end() && options->is_object(), where,
            std::string("'") + command_name(c.type) + "' needs an 'options' object");
    c.options = *options;
  } else {
    require(options == j.end(), where,
            std::string("'") + command_name(c.type) + "' takes no options");
  }
  for (const auto& [key, value] : j.items())
    require(key == "type" || key == "options", where, "unknown field '" + key + "'");
  return c;
}

}  // namespace cnnlab
