// Model files in the lab (see lab_model_file.h).
#include "lab/lab_model_file.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "core/json_field.h"

namespace cnnlab {

using json = nlohmann::json;

LabModelState LabModelState::of(const SessionOptions& options, const SessionStatus& status) {
  return {options.to_json(), status.run, status.epoch, status.step, status.test_acc};
}

json LabModelState::to_json() const {
  json lab = {{"options", options}, {"run", run}, {"epoch", epoch}, {"step", step}};
  lab["testAcc"] = test_accuracy ? json(*test_accuracy) : json(nullptr);
  return json{{"lab", lab}};
}

std::optional<LabModelState> LabModelState::from_training_state(const json& training_state,
                                                                const std::string& where) {
  if (!training_state.is_object()) return std::nullopt;
  const auto lab = training_state.find("lab");
  if (lab == training_state.end() || !lab->is_object()) return std::nullopt;
  const auto options = lab->find("options");
  if (options == lab->end()) return std::nullopt;
  const std::string w = where + " training_state lab";
  LabModelState s;
  s.options = *options;
  s.run = json_field_or(*lab, "run", s.run, w);
  s.epoch = json_field_or(*lab, "epoch", s.epoch, w);
  s.step = json_field_or(*lab, "step", s.step, w);
  for (const auto& [key, value] : {std::pair<const char*, int64_t>{"run", s.run},
                                   {"epoch", s.epoch}, {"step", s.step}})
    require(value >= 0, w, std::string("field '") + key + "' must be >= 0, got " +
                               std::to_string(value));
  const auto acc = lab->find("testAcc");
  if (acc != lab->end() && !acc->is_null()) {
    s.test_accuracy = json_field<double>(*lab, "testAcc", w);
    require(*s.test_accuracy >= 0.0 && *s.test_accuracy <= 1.0, w,
            "field 'testAcc' must be between 0 and 1, got " + acc->dump());
  }
  return s;
}

namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 4; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 4) out += ", ...";
  return out;
}

}  // namespace

SessionOptions options_for_model_file(const SessionOptions& current, const LoadedModel& loaded,
                                      const Dataset& train, const std::string& where) {
  require(loaded.model != nullptr, where, "holds no model");
  const Model& model = *loaded.model;
  const Shape data_shape{train.channels, train.height, train.width};
  const int classes = static_cast<int>(train.class_names.size());
  require(model.input_shape() == data_shape, where,
          "is a model for " + model.input_shape().str() + " images, but the loaded dataset '" +
              train.name + "' has " + data_shape.str() + " images");
  require(model.num_classes() == classes, where,
          "is a model for " + std::to_string(model.num_classes()) +
              " classes, but the loaded dataset '" + train.name + "' has " +
              std::to_string(classes));
  const std::vector<std::string>& names = loaded.info.class_names;
  require(names.empty() || names == train.class_names, where,
          "was trained on the classes " + join(names) + ", but the loaded dataset's are " +
              join(train.class_names));

  SessionOptions options = current;
  const std::optional<LabModelState> lab = LabModelState::from_training_state(
      loaded.info.training_state, where);
  const bool lab_file = lab.has_value();
  if (lab_file) {
    try {
      options.merge(lab->options);
    } catch (const std::exception& e) {
      throw Error(where, std::string("has settings this version of CNN Lab cannot use (") +
                             e.what() + ")");
    }
  }
  const std::string file_layers = model.spec().text();
  std::string built;
  try {
    built = options.spec(data_shape, classes).text();
  } catch (const std::exception& e) {
    throw Error(where, std::string("has settings that build no model here (") + e.what() + ")");
  }
  if (built != file_layers) {
    if (lab_file) {
      throw Error(where, "its layers (" + file_layers + ") are not what its settings build (" +
                             built + "): the file is damaged or from another version");
    }
    throw Error(where, "was saved without the lab's settings (e.g. by cnnlab train) and its "
                       "layers (" + file_layers + ") differ from the current model's (" + built +
                       "): choose the same model settings first");
  }
  return options;
}

void copy_weights(const Model& from, Model& to, const std::string& where) {
  const std::vector<const Param*> src = from.params();
  const std::vector<Param*>& dst = to.params();
  require(src.size() == dst.size(), where,
          "has " + std::to_string(src.size()) + " weight tensors, the model needs " +
              std::to_string(dst.size()));
  for (size_t i = 0; i < src.size(); ++i) {
    require(src[i]->name == dst[i]->name && src[i]->value.shape() == dst[i]->value.shape(), where,
            "weight tensor " + src[i]->name + " " + src[i]->value.shape().str() +
                " does not fit the model's " + dst[i]->name + " " + dst[i]->value.shape().str());
  }
  for (size_t i = 0; i < src.size(); ++i) {
    std::copy(src[i]->value.data(), src[i]->value.data() + src[i]->value.size(),
              dst[i]->value.data());
  }
}

}  // namespace cnnlab
