#include "lab/run_log.h"

#include <algorithm>
#include <cstdio>

#include "model/presets.h"

namespace cnnlab {

namespace {

using json = nlohmann::json;

std::string csv_field(std::string text) {
  std::replace(text.begin(), text.end(), '"', '\'');
  return "\"" + text + "\"";
}

}  // namespace

// ---- RunLogEntry ---------------------------------------------------------------------------------

std::string RunLogEntry::source_text() const {
  return run > 0 ? "training run " + std::to_string(run) : source;
}

std::string RunLogEntry::model_text() const { return options.model_label(); }

std::string RunLogEntry::settings_text() const {
  // The optimiser's extras and the schedule only when they are not the defaults, so the usual
  // line stays short.
  const TrainConfig& t = options.train;
  std::string text = t.optimizer.kind;
  char buf[96];
  if (t.optimizer.kind == "sgd") {
    std::snprintf(buf, sizeof buf, " momentum %g%s", static_cast<double>(t.optimizer.momentum),
                  t.optimizer.nesterov ? " Nesterov" : "");
    text += buf;
  }
  std::snprintf(buf, sizeof buf, " lr %g", static_cast<double>(t.optimizer.lr));
  text += buf;
  if (t.lr_schedule.kind != LrScheduleKind::kConstant) text += " (" + lr_schedule_text(t.lr_schedule) + ")";
  if (t.optimizer.weight_decay > 0) {
    std::snprintf(buf, sizeof buf, ", weight decay %g", static_cast<double>(t.optimizer.weight_decay));
    text += buf;
  }
  if (t.optimizer.clip_norm > 0) {
    std::snprintf(buf, sizeof buf, ", clip %g", static_cast<double>(t.optimizer.clip_norm));
    text += buf;
  }
  std::snprintf(buf, sizeof buf, ", batch %d, patience %d%s", t.batch_size, t.patience,
                t.patience == 0 ? " (off)" : "");
  text += buf;
  if (t.augment.flip || t.augment.max_shift > 0) text += ", augment " + augment_text(t.augment);
  return text + ", seed " + std::to_string(t.seed);
}

const char* RunLogEntry::status_name() const {
  return status == Status::kFinished ? "finished" : "unfinished";
}

json RunLogEntry::to_json() const {
  return {{"number", number},
          {"source", source},
          {"run", run > 0 ? json(run) : json(nullptr)},
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

size_t RunLog::add_history(const std::vector<RunRecord>& history, const std::string& dataset) {
  size_t added = 0;
  for (const RunRecord& record : history) {
    // Not finished, or not tested (a failure, no test split).
    if (!record.test_accuracy || *record.test_accuracy < 0) continue;
    const std::string key = "run:" + std::to_string(record.run) + ":" +
                            record.options.to_json().dump() + ":" +
                            std::to_string(*record.test_accuracy);
    if (logged_.count(key)) continue;
    RunLogEntry e;
    e.source = "run " + std::to_string(record.run);
    e.run = record.run;
    e.dataset = dataset;
    e.options = record.options;
    e.epochs_run = static_cast<int>(record.epochs.size());
    e.test_epoch = record.test_epoch.value_or(0);
    e.test_accuracy = *record.test_accuracy;
    e.test_loss = record.test_loss.value_or(-1);
    e.confusion = record.test_confusion;
    e.stop_reason = record.stop_reason;
    add(std::move(e), key);
    ++added;
  }
  return added;
}

size_t RunLog::add_experiment(const ExperimentReport& experiment, const std::string& dataset) {
  const std::string id = std::to_string(experiment.id);
  size_t added = 0, index = 0;
  for (const ExperimentRunReport& run : experiment.runs) {
    const std::string key = "experiment:" + id + ":" + std::to_string(index++);
    if (logged_.count(key)) continue;
    const bool tested = run.test_accuracy && *run.test_accuracy >= 0;
    // Finished runs once tested; runs stopped before their end once the experiment has stopped.
    if (!tested && !(run.status == ExperimentRunStatus::kUnfinished && !experiment.running))
      continue;
    RunLogEntry e;
    e.source = "experiment " + id + ": " + run.configuration + ", seed " +
               std::to_string(static_cast<unsigned long long>(run.seed));
    e.dataset = dataset;
    e.options = run.options;
    e.epochs_run = run.epoch;
    e.status = tested ? RunLogEntry::Status::kFinished : RunLogEntry::Status::kUnfinished;
    e.test_epoch = run.test_epoch.value_or(0);
    e.test_accuracy = run.test_accuracy.value_or(-1);
    e.test_loss = run.test_loss.value_or(-1);
    e.confusion = run.test_confusion;
    e.stop_reason = run.stop_reason;
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
