// The run reports' one encoding (see run_report.h).
//
// [SECTION] Helpers   [SECTION] Shared pieces   [SECTION] RunRecord   [SECTION] ExperimentReport
// [SECTION] TestResults
#include "lab/run_report.h"

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/json_field.h"
#include "core/text_format.h"

namespace cnnlab {

namespace {

using json = nlohmann::json;

// ---- [SECTION] Helpers -------------------------------------------------------------------------

template <typename T>
json optional_or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

// The field as a JSON value of the wanted kind (missing: Error naming it).
const json& field(const json& j, const char* key, const std::string& where) {
  require(j.is_object(), where, "must be a JSON object");
  const auto it = j.find(key);
  require(it != j.end(), where, std::string("field '") + key + "' is missing");
  return *it;
}

const json& list_field(const json& j, const char* key, const std::string& where) {
  const json& v = field(j, key, where);
  require(v.is_array(), where,
          std::string("field '") + key + "' must be a list, not " + v.type_name());
  return v;
}

// A number (finite, within T's range), or null for an unknown one (NaN).
template <typename T = double>
T number_or_nan(const json& v, const std::string& name, const std::string& where) {
  if (v.is_null()) return std::numeric_limits<T>::quiet_NaN();
  require(v.is_number(), where, name + " must be a number or null, not " + v.type_name());
  return json_number<T>(v, name, where);
}

double number_or_nan(const json& v, const char* key, const std::string& where) {
  return number_or_nan<double>(v, std::string("field '") + key + "'", where);
}

std::optional<double> optional_number(const json& j, const char* key, const std::string& where) {
  const json& v = field(j, key, where);
  if (v.is_null()) return std::nullopt;
  return number_or_nan(v, key, where);
}

std::optional<int> optional_whole(const json& j, const char* key, const std::string& where) {
  const json& v = field(j, key, where);
  if (v.is_null()) return std::nullopt;
  return json_field<int>(j, key, where);
}

// counts[true][predicted] as nested lists (empty: not tested).
json confusion_json(const ConfusionCounts& counts) { return json(counts); }

ConfusionCounts confusion_from_json(const json& v, const char* key, const std::string& where) {
  require(v.is_array(), where, std::string("field '") + key + "' must be a list of rows");
  ConfusionCounts rows;
  for (const json& row : v) {
    require(row.is_array() && row.size() == v.size(), where,
            std::string("field '") + key + "' must have K rows of K counts");
    std::vector<size_t> counts;
    for (const json& n : row) {
      require(n.is_number_unsigned(), where,
              std::string("field '") + key + "' must hold whole numbers >= 0");
      // Within size_t, which is 32 bits in WebAssembly.
      counts.push_back(json_number<size_t>(
          n, std::string("field '") + key + "' row " + std::to_string(rows.size()), where));
    }
    rows.push_back(std::move(counts));
  }
  return rows;
}

SessionOptions options_from_json(const json& j, const std::string& where) {
  SessionOptions o;
  try {
    o.merge(field(j, "options", where));
  } catch (const Error& e) {
    throw Error(where, std::string("options: ") + e.what());
  }
  return o;
}

std::vector<EpochRecord> epochs_from_json(const json& j, const std::string& where) {
  std::vector<EpochRecord> epochs;
  const json& list = list_field(j, "epochs", where);
  for (size_t i = 0; i < list.size(); ++i)
    epochs.push_back(epoch_report_from_json(list[i], where + " epochs[" + std::to_string(i) + "]"));
  return epochs;
}

json epochs_json(const std::vector<EpochRecord>& epochs) {
  json list = json::array();
  for (const EpochRecord& e : epochs) list.push_back(epoch_report_json(e));
  return list;
}

}  // namespace

// ---- [SECTION] Shared pieces -------------------------------------------------------------------

json StepCurve::to_json() const {
  json l = json::array(), a = json::array();
  for (float v : loss) l.push_back(finite_or_null(v));
  for (float v : acc) a.push_back(finite_or_null(v));
  return {{"stride", stride}, {"loss", l}, {"acc", a}};
}

StepCurve StepCurve::from_json(const json& j, const std::string& where) {
  StepCurve c;
  c.stride = json_field<size_t>(j, "stride", where);
  require(c.stride >= 1, where, "field 'stride' must be at least 1");
  for (const char* key : {"loss", "acc"}) {
    std::vector<float>& out = std::string(key) == "loss" ? c.loss : c.acc;
    for (const json& v : list_field(j, key, where))
      out.push_back(number_or_nan<float>(
          v, std::string("field '") + key + "' item " + std::to_string(out.size()), where));
  }
  require(c.loss.size() == c.acc.size(), where, "loss and acc have different lengths");
  return c;
}

json epoch_report_json(const EpochRecord& e) {
  return {{"epoch", e.epoch},
          {"trainLoss", finite_or_null(e.train_loss)},
          {"trainAcc", finite_or_null(e.train_accuracy)},
          {"valLoss", finite_or_null(e.val_loss)},
          {"valAcc", finite_or_null(e.val_accuracy)},
          {"imagesPerSecond", e.images_per_second},
          {"seconds", e.train_seconds}};
}

EpochRecord epoch_report_from_json(const json& j, const std::string& where) {
  require(j.is_object(), where, "must be a JSON object");
  EpochRecord e;
  e.epoch = json_field<int>(j, "epoch", where);
  e.train_loss = number_or_nan(field(j, "trainLoss", where), "trainLoss", where);
  e.train_accuracy = number_or_nan(field(j, "trainAcc", where), "trainAcc", where);
  e.val_loss = number_or_nan(field(j, "valLoss", where), "valLoss", where);
  e.val_accuracy = number_or_nan(field(j, "valAcc", where), "valAcc", where);
  e.images_per_second =
      number_or_nan(field(j, "imagesPerSecond", where), "imagesPerSecond", where);
  e.train_seconds = number_or_nan(field(j, "seconds", where), "seconds", where);
  return e;
}

// ---- [SECTION] RunRecord -----------------------------------------------------------------------

std::string run_dataset_identity(const std::string& name, size_t train_images, size_t test_images) {
  return name + ": " + with_thousands(train_images) + " train + " + with_thousands(test_images) +
         " test images";
}

json RunRecord::to_json() const {
  json r = {{"run", run},
            {"label", label},
            {"dataset", dataset},
            {"options", options.to_json()},
            {"epochs", epochs_json(epochs)},
            {"testAcc", optional_or_null(test_accuracy)},
            {"testLoss", optional_or_null(test_loss)},
            {"testEpoch", optional_or_null(test_epoch)},
            {"stopReason", stop_reason}};
  if (!test_confusion.empty()) r["testConfusion"] = confusion_json(test_confusion);
  if (steps) r["steps"] = steps->to_json();
  return r;
}

RunRecord RunRecord::from_json(const json& j, const std::string& where) {
  require(j.is_object(), where, "must be a JSON object");
  RunRecord r;
  r.run = json_field<int>(j, "run", where);
  r.label = json_field<std::string>(j, "label", where);
  r.dataset = json_field<std::string>(j, "dataset", where);
  r.options = options_from_json(j, where);
  r.epochs = epochs_from_json(j, where);
  r.test_accuracy = optional_number(j, "testAcc", where);
  r.test_loss = optional_number(j, "testLoss", where);
  r.test_epoch = optional_whole(j, "testEpoch", where);
  if (j.contains("testConfusion") && !j["testConfusion"].is_null())
    r.test_confusion = confusion_from_json(j["testConfusion"], "testConfusion", where);
  r.stop_reason = json_field<std::string>(j, "stopReason", where);
  if (j.contains("steps")) r.steps = StepCurve::from_json(j["steps"], where + " steps");
  return r;
}

json run_history_json(const std::vector<RunRecord>& history) {
  json list = json::array();
  for (const RunRecord& r : history) list.push_back(r.to_json());
  return list;
}

std::vector<RunRecord> run_history_from_json(const json& j, const std::string& where) {
  require(j.is_array(), where, std::string("must be a list of runs, not ") + j.type_name());
  std::vector<RunRecord> history;
  for (size_t i = 0; i < j.size(); ++i)
    history.push_back(RunRecord::from_json(j[i], where + " [" + std::to_string(i) + "]"));
  return history;
}

// ---- [SECTION] ExperimentReport ----------------------------------------------------------------

namespace {

constexpr ExperimentRunStatus kRunStatuses[] = {
    ExperimentRunStatus::kRunning, ExperimentRunStatus::kFinished, ExperimentRunStatus::kFailed,
    ExperimentRunStatus::kUnfinished};

}  // namespace

json ExperimentRunReport::to_json() const {
  return {{"configuration", configuration},
          {"options", options.to_json()},
          {"repeat", repeat},
          {"seed", seed},
          {"parameters", parameters},
          {"macs", macs},
          {"step", step},
          {"epoch", epoch},
          {"progress", progress},
          {"finished", finished},
          {"failed", failed},
          {"stopReason", stop_reason},
          {"imagesPerSecond", images_per_second},
          {"seconds", seconds},
          {"bestValAcc", best_val_accuracy},
          {"testAcc", optional_or_null(test_accuracy)},
          {"testLoss", optional_or_null(test_loss)},
          {"testEpoch", optional_or_null(test_epoch)},
          {"status", experiment_run_status_name(status)},
          {"testConfusion",
           test_confusion.empty() ? json(nullptr) : confusion_json(test_confusion)},
          {"dataOrder", data_order},
          {"epochs", epochs_json(epochs)},
          {"stepsPerEpoch", steps_per_epoch},
          {"stepLoss", step_loss.to_json()}};
}

ExperimentRunReport ExperimentRunReport::from_json(const json& j, const std::string& where) {
  require(j.is_object(), where, "must be a JSON object");
  ExperimentRunReport r;
  r.configuration = json_field<std::string>(j, "configuration", where);
  r.options = options_from_json(j, where);
  r.repeat = json_field<int>(j, "repeat", where);
  r.seed = json_field<uint64_t>(j, "seed", where);
  r.parameters = json_field<size_t>(j, "parameters", where);
  r.macs = json_field<uint64_t>(j, "macs", where);
  r.step = json_field<int64_t>(j, "step", where);
  r.epoch = json_field<int>(j, "epoch", where);
  r.progress = json_field<double>(j, "progress", where);
  r.finished = json_field<bool>(j, "finished", where);
  r.failed = json_field<bool>(j, "failed", where);
  r.stop_reason = json_field<std::string>(j, "stopReason", where);
  r.images_per_second = json_field<double>(j, "imagesPerSecond", where);
  r.seconds = json_field<double>(j, "seconds", where);
  r.best_val_accuracy = json_field<double>(j, "bestValAcc", where);
  r.test_accuracy = optional_number(j, "testAcc", where);
  r.test_loss = optional_number(j, "testLoss", where);
  r.test_epoch = optional_whole(j, "testEpoch", where);
  const std::string status = json_field<std::string>(j, "status", where);
  bool known = false;
  for (ExperimentRunStatus s : kRunStatuses)
    if (status == experiment_run_status_name(s)) r.status = s, known = true;
  require(known, where,
          "field 'status' must be running, finished, failed or unfinished, not '" + status + "'");
  const json& confusion = field(j, "testConfusion", where);
  if (!confusion.is_null())
    r.test_confusion = confusion_from_json(confusion, "testConfusion", where);
  r.data_order = json_field<std::string>(j, "dataOrder", where);
  r.epochs = epochs_from_json(j, where);
  r.steps_per_epoch = json_field<size_t>(j, "stepsPerEpoch", where);
  r.step_loss = StepCurve::from_json(field(j, "stepLoss", where), where + " stepLoss");
  return r;
}

ExperimentSummaryRow ExperimentSummaryRow::of(const ConfigSummary& s) {
  ExperimentSummaryRow row;
  row.configuration = s.label;
  row.parameters = s.parameters;
  row.macs = s.macs;
  row.runs = s.runs;
  row.test_accuracy_mean = s.test_accuracy_mean;
  row.test_accuracy_std = s.test_accuracy_std;
  row.test_loss_mean = s.test_loss_mean;
  row.best_val_accuracy_mean = s.best_val_accuracy_mean;
  row.images_per_second = s.images_per_second;
  row.seconds = s.seconds;
  row.tested_epochs = tested_epochs_text(s.test_epochs);
  row.winner = s.winner;
  return row;
}

json ExperimentSummaryRow::to_json() const {
  return {{"configuration", configuration},
          {"parameters", parameters},
          {"macs", macs},
          {"runs", runs},
          {"test_accuracy_mean", test_accuracy_mean},
          {"test_accuracy_std", test_accuracy_std},
          {"test_loss_mean", test_loss_mean},
          {"best_val_accuracy_mean", best_val_accuracy_mean},
          {"images_per_second", images_per_second},
          {"seconds", seconds},
          {"tested_epochs", tested_epochs},
          {"winner", winner}};
}

ExperimentSummaryRow ExperimentSummaryRow::from_json(const json& j, const std::string& where) {
  require(j.is_object(), where, "must be a JSON object");
  ExperimentSummaryRow row;
  row.configuration = json_field<std::string>(j, "configuration", where);
  row.parameters = json_field<size_t>(j, "parameters", where);
  row.macs = json_field<uint64_t>(j, "macs", where);
  row.runs = json_field<int>(j, "runs", where);
  row.test_accuracy_mean = json_field<double>(j, "test_accuracy_mean", where);
  row.test_accuracy_std = json_field<double>(j, "test_accuracy_std", where);
  row.test_loss_mean = json_field<double>(j, "test_loss_mean", where);
  row.best_val_accuracy_mean = json_field<double>(j, "best_val_accuracy_mean", where);
  row.images_per_second = json_field<double>(j, "images_per_second", where);
  row.seconds = json_field<double>(j, "seconds", where);
  row.tested_epochs = json_field<std::string>(j, "tested_epochs", where);
  row.winner = json_field<bool>(j, "winner", where);
  return row;
}

json ExperimentReport::to_json() const {
  json run_list = json::array(), rows = json::array();
  for (const ExperimentRunReport& r : runs) run_list.push_back(r.to_json());
  for (const ExperimentSummaryRow& s : summary) rows.push_back(s.to_json());
  return {{"id", id},
          {"running", running},
          {"done", done},
          {"progress", progress},
          {"config", config.to_json()},
          {"runs", run_list},
          {"summary", rows},
          {"table", table},
          {"csv", csv},
          {"interpretation", interpretation},
          {"identicalDataOrder", identical_data_order}};
}

ExperimentReport ExperimentReport::from_json(const json& j, const std::string& where) {
  require(j.is_object(), where, "must be a JSON object");
  ExperimentReport x;
  x.id = json_field<int>(j, "id", where);
  x.running = json_field<bool>(j, "running", where);
  x.done = json_field<bool>(j, "done", where);
  x.progress = json_field<double>(j, "progress", where);
  x.config = ExperimentConfig::from_json(field(j, "config", where), where + " config");
  const json& run_list = list_field(j, "runs", where);
  for (size_t i = 0; i < run_list.size(); ++i)
    x.runs.push_back(
        ExperimentRunReport::from_json(run_list[i], where + " runs[" + std::to_string(i) + "]"));
  const json& rows = list_field(j, "summary", where);
  for (size_t i = 0; i < rows.size(); ++i)
    x.summary.push_back(
        ExperimentSummaryRow::from_json(rows[i], where + " summary[" + std::to_string(i) + "]"));
  x.table = json_field<std::string>(j, "table", where);
  x.csv = json_field<std::string>(j, "csv", where);
  x.interpretation = json_field<std::string>(j, "interpretation", where);
  x.identical_data_order = json_field<bool>(j, "identicalDataOrder", where);
  return x;
}

// ---- [SECTION] TestResults ---------------------------------------------------------------------

json TestResults::to_json() const {
  ConfusionCounts counts(static_cast<size_t>(metrics.classes()));
  for (int t = 0; t < metrics.classes(); ++t)
    for (int p = 0; p < metrics.classes(); ++p) counts[t].push_back(metrics.count(t, p));
  return {{"run", run},
          {"confusion", confusion_json(counts)},
          {"loss", finite_or_null(metrics.mean_loss())},
          {"accuracy", metrics.accuracy()},
          {"total", metrics.total()}};
}

TestResults TestResults::from_json(const json& j, const std::string& where) {
  require(j.is_object(), where, std::string("must be a JSON object, not ") + j.type_name());
  TestResults r;
  r.run = json_field<int>(j, "run", where);
  require(r.run >= 1, where, "field 'run' must be >= 1");
  const ConfusionCounts counts = confusion_from_json(field(j, "confusion", where), "confusion", where);
  require(!counts.empty(), where, "field 'confusion' must have at least one class");
  const double loss = number_or_nan(field(j, "loss", where), "loss", where);
  r.metrics = ConfusionMatrix::from_counts(counts, loss, where);
  require(json_field<size_t>(j, "total", where) == r.metrics.total(), where,
          "field 'total' does not match the confusion counts");
  require(std::fabs(json_field<double>(j, "accuracy", where) - r.metrics.accuracy()) < 1e-9, where,
          "field 'accuracy' does not match the confusion counts");
  return r;
}

}  // namespace cnnlab
