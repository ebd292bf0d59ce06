#include "lab/run_log.h"

#include <algorithm>
#include <cstdio>

namespace cnnlab {

namespace {

using json = nlohmann::json;

double number_or(const json& j, const char* key, double fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

std::vector<std::vector<size_t>> confusion_of(const json& j) {
  std::vector<std::vector<size_t>> rows;
  auto it = j.find("testConfusion");
  if (it == j.end() || !it->is_array()) return rows;
  for (const json& row : *it) {
    if (!row.is_array()) return {};
    std::vector<size_t> counts;
    for (const json& n : row) counts.push_back(n.is_number_unsigned() ? n.get<size_t>() : 0);
    rows.push_back(std::move(counts));
  }
  return rows;
}

// The run's settings from its configure() keys; unreadable ones keep the defaults.
SessionOptions options_of(const json& j) {
  SessionOptions o;
  auto it = j.find("options");
  if (it == j.end() || !it->is_object()) return o;
  try {
    o.merge(*it);
  } catch (const std::exception&) {
  }
  return o;
}

std::string csv_field(std::string text) {
  std::replace(text.begin(), text.end(), '"', '\'');
  return "\"" + text + "\"";
}

}  // namespace

// ---- RunLogEntry ---------------------------------------------------------------------------------

std::string RunLogEntry::model_text() const {
  if (options.model.rfind("mlp", 0) == 0) return options.model;
  const std::string k = std::to_string(options.preset.kernel);
  return options.model + " " + k + "x" + k;
}

std::string RunLogEntry::settings_text() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s lr %g, batch %d, patience %d%s, seed %llu",
                options.train.optimizer.kind.c_str(), options.train.optimizer.lr,
                options.train.batch_size, options.train.patience,
                options.train.patience == 0 ? " (off)" : "",
                static_cast<unsigned long long>(options.train.seed));
  return buf;
}

const char* RunLogEntry::status_name() const {
  return status == Status::kFinished ? "finished" : "unfinished";
}

json RunLogEntry::to_json() const {
  return {{"number", number},
          {"source", source},
          {"dataset", dataset},
          {"model", model_text()},
          {"settings", settings_text()},
          {"options", options.to_json()},
          {"epochs", epochs_run},
          {"testEpoch", test_epoch > 0 ? json(test_epoch) : json(nullptr)},
          {"status", status_name()},
          {"testAcc", test_accuracy >= 0 ? json(test_accuracy) : json(nullptr)},
          {"testLoss", test_loss >= 0 ? json(test_loss) : json(nullptr)},
          {"testConfusion", confusion.empty() ? json(nullptr) : json(confusion)},
          {"stopReason", stop_reason}};
}

// ---- RunLog --------------------------------------------------------------------------------------

void RunLog::add(RunLogEntry entry, const std::string& key) {
  logged_.insert(key);
  entry.number = next_number_++;
  entries_.push_back(std::move(entry));
}

size_t RunLog::add_history(const json& history, const std::string& dataset) {
  if (!history.is_array()) return 0;
  size_t added = 0;
  for (const json& record : history) {
    if (!record.is_object()) continue;
    const double accuracy = number_or(record, "testAcc", -1);
    if (accuracy < 0) continue;  // not finished, or not tested (a failure, no test split)
    const std::string key = "run:" + std::to_string(number_or(record, "run", 0)) + ":" +
                            record.value("options", json()).dump() + ":" +
                            std::to_string(accuracy);
    if (logged_.count(key)) continue;
    RunLogEntry e;
    e.source = "run " + std::to_string(static_cast<int>(number_or(record, "run", 0)));
    e.dataset = dataset;
    e.options = options_of(record);
    e.epochs_run = record.contains("epochs") && record["epochs"].is_array()
                       ? static_cast<int>(record["epochs"].size())
                       : 0;
    e.test_epoch = static_cast<int>(number_or(record, "testEpoch", 0));
    e.test_accuracy = accuracy;
    e.test_loss = number_or(record, "testLoss", -1);
    e.confusion = confusion_of(record);
    e.stop_reason = record.value("stopReason", std::string());
    add(std::move(e), key);
    ++added;
  }
  return added;
}

size_t RunLog::add_experiment(const json& experiment, const std::string& dataset) {
  if (!experiment.is_object() || !experiment.contains("runs")) return 0;
  const std::string id = std::to_string(static_cast<int>(number_or(experiment, "id", 0)));
  const bool running = experiment.value("running", false);
  size_t added = 0, index = 0;
  for (const json& run : experiment["runs"]) {
    const std::string key = "experiment:" + id + ":" + std::to_string(index++);
    if (!run.is_object() || logged_.count(key)) continue;
    const std::string status = run.value("status", std::string());
    const bool tested = number_or(run, "testAcc", -1) >= 0;
    // Finished runs once tested; runs stopped before their end once the experiment has stopped.
    if (!tested && !(status == "unfinished" && !running)) continue;
    RunLogEntry e;
    e.source = "experiment " + id + ": " + run.value("configuration", std::string()) + ", seed " +
               std::to_string(static_cast<unsigned long long>(number_or(run, "seed", 0)));
    e.dataset = dataset;
    e.options = options_of(run);
    e.epochs_run = static_cast<int>(number_or(run, "epoch", 0));
    e.status = tested ? RunLogEntry::Status::kFinished : RunLogEntry::Status::kUnfinished;
    e.test_epoch = static_cast<int>(number_or(run, "testEpoch", 0));
    e.test_accuracy = number_or(run, "testAcc", -1);
    e.test_loss = number_or(run, "testLoss", -1);
    e.confusion = confusion_of(run);
    e.stop_reason = run.value("stopReason", std::string());
    add(std::move(e), key);
    ++added;
  }
  return added;
}

void RunLog::clear() {
  if (entries_.empty()) return;
  undo_ = std::move(entries_);
  entries_.clear();
}

void RunLog::undo() {
  if (undo_.empty()) return;
  // Runs logged since the clear stay, after the restored ones (numbers keep the order).
  std::vector<RunLogEntry> restored = std::move(undo_);
  undo_.clear();
  restored.insert(restored.end(), entries_.begin(), entries_.end());
  entries_ = std::move(restored);
}

std::string RunLog::csv() const {
  std::string out =
      "number,source,dataset,model,settings,epochs,test_epoch,status,test_accuracy,test_loss,"
      "stop_reason\n";
  char buf[64];
  for (const RunLogEntry& e : entries_) {
    out += std::to_string(e.number) + "," + csv_field(e.source) + "," + csv_field(e.dataset) +
           "," + csv_field(e.model_text()) + "," + csv_field(e.settings_text()) + "," +
           std::to_string(e.epochs_run) + "," +
           (e.test_epoch > 0 ? std::to_string(e.test_epoch) : std::string()) + "," +
           e.status_name() + ",";
    if (e.test_accuracy >= 0) {
      std::snprintf(buf, sizeof buf, "%.6f,%.6f", e.test_accuracy, e.test_loss);
      out += buf;
    } else {
      out += ",";
    }
    out += "," + csv_field(e.stop_reason) + "\n";
  }
  return out;
}

json RunLog::to_json() const {
  json runs = json::array();
  for (const RunLogEntry& e : entries_) runs.push_back(e.to_json());
  return {{"format", "cnnlab-runs"}, {"version", 1}, {"runs", runs}};
}

}  // namespace cnnlab
