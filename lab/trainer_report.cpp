// TrainerReport's one encoding (see trainer_report.h).
#include "lab/trainer_report.h"

#include <algorithm>

#include "core/error.h"
#include "core/json_field.h"
#include "lab/experiment.h"

namespace cnnlab {

using json = nlohmann::json;

json TrainerReport::to_json() const {
  json messages = json::array();
  if (state) messages.push_back({{"type", "state"}, {"state", state->to_json()}});
  for (const StepRecords& s : steps) messages.push_back(s.to_json());
  if (history) messages.push_back({{"type", "history"}, {"history", run_history_json(*history)}});
  if (experiment) messages.push_back({{"type", "experiment"}, {"state", experiment->to_json()}});
  if (epoch_weights) {
    const EpochWeightsNote& n = *epoch_weights;
    messages.push_back({{"type", "epochWeights"}, {"run", n.run}, {"epoch", n.epoch},
                        {"record", n.record ? epoch_report_json(*n.record) : json(nullptr)}});
  }
  if (validation) {
    messages.push_back({{"type", "validation"}, {"epoch", validation->epoch},
                        {"results", validation->results.to_json()}});
  }
  if (validation_cell) {
    const ValidationCell& c = *validation_cell;
    messages.push_back({{"type", "validationCell"}, {"run", c.run}, {"epoch", c.epoch},
                        {"trueClass", c.true_class}, {"predicted", c.predicted},
                        {"count", c.count}, {"channels", c.channels}, {"height", c.height},
                        {"width", c.width}, {"pixels", c.pixels}});
  }
  return {{"messages", messages}};
}

json ExperimentEpochNote::to_json() const {
  return {{"experiment", experiment}, {"config", config}, {"epoch", epoch},
          {"record", record ? epoch_report_json(*record) : json(nullptr)}};
}

ExperimentEpochNote ExperimentEpochNote::from_json(const json& j, const std::string& where) {
  require(j.is_object(), where, std::string("must be a JSON object, not ") + j.type_name());
  ExperimentEpochNote n;
  n.experiment = json_field<int>(j, "experiment", where);
  n.config = json_field<int>(j, "config", where);
  n.epoch = json_field<int>(j, "epoch", where);
  require(n.experiment >= 1, where, "experiment: " + std::to_string(n.experiment) + " is below 1");
  require(n.config >= 0 && n.config < ExperimentConfig::kMaxConfigurations, where,
          "config: " + std::to_string(n.config) + " is not a configuration (0.." +
              std::to_string(ExperimentConfig::kMaxConfigurations - 1) + ")");
  require(n.epoch >= 0, where, "epoch: " + std::to_string(n.epoch) + " is below 0");
  const json record = json_field<json>(j, "record", where);
  if (!record.is_null()) n.record = epoch_report_from_json(record, where);
  require(n.record.has_value() == (n.epoch > 0), where,
          n.epoch > 0 ? "epoch " + std::to_string(n.epoch) + " has no record"
                      : std::string("epoch 0 (before training) has a record"));
  return n;
}

TrainerReport TrainerReport::from_json(const json& j, const std::string& where,
                                       std::vector<std::string>* refused) {
  require(j.is_object(), where, std::string("must be a JSON object, not ") + j.type_name());
  const auto messages = j.find("messages");
  require(messages != j.end() && messages->is_array(), where, "has no list of messages");
  TrainerReport r;
  for (const json& m : *messages) {
    try {
      require(m.is_object(), where, std::string("a message must be an object, not ") +
                                        m.type_name());
      const auto type_field = m.find("type");
      const std::string type =
          type_field != m.end() && type_field->is_string() ? type_field->get<std::string>() : "";
      if (type == "state") {
        r.state = SessionStatus::from_json(json_field<json>(m, "state", "the trainer's state report"),
                                           "the trainer's state report");
      } else if (type == "steps") {
        r.steps.push_back(StepRecords::from_json(m, "the trainer's step records"));
      } else if (type == "history") {
        const char* what = "the trainer's run history";
        r.history = run_history_from_json(json_field<json>(m, "history", what), what);
      } else if (type == "experiment") {
        const char* what = "the trainer's experiment report";
        r.experiment = ExperimentReport::from_json(json_field<json>(m, "state", what), what);
      } else if (type == "epochWeights") {
        const char* what = "the trainer's epoch weights note";
        EpochWeightsNote n;
        n.run = json_field<int>(m, "run", what);
        n.epoch = json_field<int>(m, "epoch", what);
        require(n.run >= 1, what, "run: " + std::to_string(n.run) + " is below 1");
        require(n.epoch >= 0, what, "epoch: " + std::to_string(n.epoch) + " is below 0");
        const json record = json_field<json>(m, "record", what);
        if (!record.is_null()) n.record = epoch_report_from_json(record, what);
        r.epoch_weights = std::move(n);
      } else if (type == "validation") {
        const char* what = "the trainer's validation report";
        EpochValidation v;
        v.epoch = json_field<int>(m, "epoch", what);
        require(v.epoch >= 1, what, "epoch: " + std::to_string(v.epoch) + " is below 1");
        v.results = TestResults::from_json(json_field<json>(m, "results", what), what);
        r.validation = std::move(v);
      } else if (type == "validationCell") {
        const char* what = "the trainer's validation cell";
        ValidationCell c;
        c.run = json_field<int>(m, "run", what);
        c.epoch = json_field<int>(m, "epoch", what);
        c.true_class = json_field<int>(m, "trueClass", what);
        c.predicted = json_field<int>(m, "predicted", what);
        c.count = json_field<int>(m, "count", what);
        c.channels = json_field<int>(m, "channels", what);
        c.height = json_field<int>(m, "height", what);
        c.width = json_field<int>(m, "width", what);
        require(c.run >= 1 && c.epoch >= 1, what, "run and epoch must be 1 or more");
        require(c.true_class >= 0 && c.true_class < 256 && c.predicted >= 0 && c.predicted < 256,
                what, "classes must be 0..255");
        require(c.count >= 0, what, "count: " + std::to_string(c.count) + " is below 0");
        require(c.channels >= 1 && c.channels <= 3 && c.height >= 1 && c.height <= 256 &&
                    c.width >= 1 && c.width <= 256,
                what, "an image must be 1..3 channels of 1..256 x 1..256 pixels");
        c.pixels = json_field<std::vector<uint8_t>>(m, "pixels", what);
        const size_t image = static_cast<size_t>(c.channels) * static_cast<size_t>(c.height) *
                             static_cast<size_t>(c.width);
        const size_t shown = c.pixels.size() / image;
        require(c.pixels.size() % image == 0 &&
                    shown <= static_cast<size_t>(std::min(c.count, ValidationCell::kMaxImages)),
                what, "pixels: " + std::to_string(c.pixels.size()) + " bytes are not whole images "
                      "of the cell's first " + std::to_string(ValidationCell::kMaxImages));
        r.validation_cell = std::move(c);
      } else {
        throw Error(where, "unknown message type '" + type + "'");
      }
    } catch (const std::exception& e) {
      if (refused) refused->push_back(e.what());
    }
  }
  return r;
}

}  // namespace cnnlab
