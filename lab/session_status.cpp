// SessionStatus's one encoding (see session_status.h).
#include "lab/session_status.h"

#include <cmath>

#include "core/error.h"
#include "core/json_field.h"
#include "core/text_format.h"

namespace cnnlab {

namespace {

using json = nlohmann::json;

json optional_number(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? json(*v) : json(nullptr);
}

// A number or null (NaN, infinity and unknown values travel as null).
std::optional<double> read_optional(const json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  require(it != j.end(), where, std::string("field '") + key + "' is missing");
  if (it->is_null()) return std::nullopt;
  require(it->is_number(), where, std::string("field '") + key +
                                      "' must be a number or null, not " + it->type_name());
  return json_field<double>(j, key, where);
}

// A layer's figure: 0 when missing or null (written for NaN), else a float in range.
float stat(const json& row, const char* key, const std::string& where) {
  const auto it = row.find(key);
  if (it == row.end() || it->is_null()) return 0.0f;
  return json_number<float>(*it, std::string("field '") + key + "'", where);
}

}  // namespace

std::string ModelStatus::label() const {
  return kernel ? name + " " + std::to_string(*kernel) + "x" + std::to_string(*kernel) : name;
}

json SessionStatus::to_json() const {
  json s;
  s["phase"] = phase;
  s["testing"] = testing;
  s["testingEpoch"] = testing_epoch ? json(*testing_epoch) : json(nullptr);
  s["testProgress"] = optional_number(test_progress);
  s["experiment"] = experiment_running;
  s["dataset"] = dataset ? json{{"name", dataset->name},
                                {"train", dataset->train},
                                {"val", dataset->val},
                                {"test", dataset->test},
                                {"classes", dataset->classes}}
                         : json(nullptr);
  s["model"] = model ? json{{"name", model->name},
                            {"kernel", model->kernel ? json(*model->kernel) : json(nullptr)},
                            {"params", model->params},
                            {"spec", model->spec}}
                     : json(nullptr);
  s["options"] = options.to_json();
  s["run"] = run;
  s["epoch"] = epoch;
  s["epochs"] = epochs;
  s["step"] = step;
  s["stepsPerEpoch"] = steps_per_epoch;
  s["progress"] = progress;
  s["imagesPerSecond"] = images_per_second;
  s["etaSeconds"] = eta_seconds;
  s["lr"] = optional_number(lr);
  s["trainLoss"] = optional_number(train_loss);
  s["trainAcc"] = optional_number(train_acc);
  s["valLoss"] = optional_number(val_loss);
  s["valAcc"] = optional_number(val_acc);
  s["testAcc"] = optional_number(test_acc);
  s["testLoss"] = optional_number(test_loss);
  s["testEpoch"] = test_epoch ? json(*test_epoch) : json(nullptr);
  s["stopReason"] = stop_reason;
  s["failed"] = failed;
  json rows = json::array();
  for (const LayerStatsRow& r : layers) {
    rows.push_back({{"layer", r.layer},
                    {"actMin", finite_or_null(r.stats.act_min)},
                    {"actMax", finite_or_null(r.stats.act_max)},
                    {"gradMin", finite_or_null(r.stats.grad_min)},
                    {"gradMax", finite_or_null(r.stats.grad_max)},
                    {"forwardMs", r.stats.forward_ms},
                    {"backwardMs", r.stats.backward_ms}});
  }
  s["layers"] = rows;
  s["threads"] = threads;
  s["threadsNote"] = threads_note;
  s["modelFile"] = model_file.empty() ? json(nullptr) : json(model_file);
  return s;
}

SessionStatus SessionStatus::from_json(const json& j, const std::string& where) {
  require(j.is_object(), where, "must be a JSON object");
  SessionStatus s;
  s.phase = json_field<std::string>(j, "phase", where);
  if (j.contains("testing")) s.testing = json_field<bool>(j, "testing", where);
  if (j.contains("testingEpoch") && !j["testingEpoch"].is_null())
    s.testing_epoch = json_field<int>(j, "testingEpoch", where);
  if (j.contains("testProgress")) s.test_progress = read_optional(j, "testProgress", where);
  s.experiment_running = json_field<bool>(j, "experiment", where);
  const json& d = j.contains("dataset") ? j["dataset"] : json();
  if (d.is_object()) {
    const std::string w = where + " dataset";
    s.dataset = DatasetStatus{json_field<std::string>(d, "name", w), json_field<size_t>(d, "train", w),
                              json_field<size_t>(d, "val", w), json_field<size_t>(d, "test", w),
                              json_field<std::vector<std::string>>(d, "classes", w)};
  }
  const json& m = j.contains("model") ? j["model"] : json();
  if (m.is_object()) {
    const std::string w = where + " model";
    ModelStatus model;
    model.name = json_field<std::string>(m, "name", w);
    if (m.contains("kernel") && !m["kernel"].is_null()) model.kernel = json_field<int>(m, "kernel", w);
    model.params = json_field<int64_t>(m, "params", w);
    model.spec = json_field<std::string>(m, "spec", w);
    s.model = model;
  }
  try {
    s.options.merge(json_field<json>(j, "options", where));
  } catch (const Error& e) {
    throw Error(where, std::string("options: ") + e.what());
  }
  s.run = json_field<int>(j, "run", where);
  s.epoch = json_field<int>(j, "epoch", where);
  s.epochs = json_field<int>(j, "epochs", where);
  s.step = json_field<int64_t>(j, "step", where);
  s.steps_per_epoch = json_field<int64_t>(j, "stepsPerEpoch", where);
  s.progress = json_field<double>(j, "progress", where);
  s.images_per_second = json_field<double>(j, "imagesPerSecond", where);
  s.eta_seconds = json_field<double>(j, "etaSeconds", where);
  if (j.contains("lr")) s.lr = read_optional(j, "lr", where);
  s.train_loss = read_optional(j, "trainLoss", where);
  s.train_acc = read_optional(j, "trainAcc", where);
  s.val_loss = read_optional(j, "valLoss", where);
  s.val_acc = read_optional(j, "valAcc", where);
  s.test_acc = read_optional(j, "testAcc", where);
  s.test_loss = read_optional(j, "testLoss", where);
  if (read_optional(j, "testEpoch", where)) s.test_epoch = json_field<int>(j, "testEpoch", where);
  s.stop_reason = json_field<std::string>(j, "stopReason", where);
  s.failed = json_field<bool>(j, "failed", where);
  for (const json& row : json_field<json>(j, "layers", where)) {
    require(row.is_object(), where, "layers: each row must be an object");
    LayerStatsRow r;
    r.layer = json_field<std::string>(row, "layer", where + " layers");
    const std::string w = where + " layer " + r.layer;
    r.stats.act_min = stat(row, "actMin", w);
    r.stats.act_max = stat(row, "actMax", w);
    r.stats.grad_min = stat(row, "gradMin", w);
    r.stats.grad_max = stat(row, "gradMax", w);
    r.stats.forward_ms = stat(row, "forwardMs", w);
    r.stats.backward_ms = stat(row, "backwardMs", w);
    s.layers.push_back(std::move(r));
  }
  s.threads = json_field<int>(j, "threads", where);
  s.threads_note = json_field<std::string>(j, "threadsNote", where);
  const json& file = j.contains("modelFile") ? j["modelFile"] : json();
  if (!file.is_null()) s.model_file = json_field<std::string>(j, "modelFile", where);
  return s;
}

json StepRecords::to_json() const {
  json l = json::array(), a = json::array();
  for (float v : loss) l.push_back(finite_or_null(v));
  for (float v : acc) a.push_back(finite_or_null(v));
  return {{"type", "steps"}, {"run", run}, {"from", from}, {"loss", l}, {"acc", a}};
}

StepRecords StepRecords::from_json(const json& j, const std::string& where) {
  require(j.is_object(), where, "must be a JSON object");
  StepRecords r;
  r.run = json_field<int>(j, "run", where);
  r.from = json_field<size_t>(j, "from", where);
  for (const char* key : {"loss", "acc"}) {
    const json list = json_field<json>(j, key, where);
    require(list.is_array(), where, std::string(key) + ": must be a list");
    std::vector<float>& out = std::string(key) == "loss" ? r.loss : r.acc;
    for (const json& v : list) {
      require(v.is_number() || v.is_null(), where, std::string(key) + ": numbers or null only");
      out.push_back(v.is_null() ? NAN
                                : json_number<float>(v, std::string("field '") + key + "' item " +
                                                            std::to_string(out.size()), where));
    }
  }
  require(r.loss.size() == r.acc.size(), where, "loss and acc have different lengths");
  return r;
}

std::string run_end_line(const SessionStatus& s) {
  if (!s.testing) return s.stop_reason.empty() ? "" : "Stopped: " + s.stop_reason;
  // The reason up to its scoring clause when that claims a test already done.
  std::string reason = s.stop_reason;
  const size_t tested = reason.find("; tested on epoch");
  if (tested != std::string::npos) reason.erase(tested);
  std::string line = reason.empty() ? "Training has ended. " : "Training ended: " + reason + ". ";
  line += "Testing ";
  line += s.testing_epoch ? "epoch " + std::to_string(*s.testing_epoch) + "'s weights"
                          : "the trained weights";
  line += " on the ";
  if (s.dataset && s.dataset->test > 0) line += with_thousands(s.dataset->test) + " ";
  line += "test images";
  if (s.test_progress) {
    line += " (" + std::to_string(static_cast<int>(std::floor(*s.test_progress * 100.0))) + " %)";
  }
  return line + "...";
}

}  // namespace cnnlab
