// Training curves as CSV (see history_csv.h).
#include "train/history_csv.h"

#include <cmath>
#include <cstdio>

namespace cnnlab {

namespace {

std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  char text[40];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

std::string csv_text(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string history_csv(const std::vector<HistoryCsvRun>& runs) {
  std::string out =
      "run,label,epoch,trainLoss,trainAcc,valLoss,valAcc,imagesPerSecond,seconds,testAcc,"
      "testLoss,testEpoch\n";
  for (const HistoryCsvRun& run : runs) {
    const std::string id = std::to_string(run.run);
    const std::string label = csv_text(run.label);
    for (size_t i = 0; i < run.epochs.size(); ++i) {
      const EpochRecord& e = run.epochs[i];
      // The test figures go on the tested epoch's row (the last one when it is unknown).
      const bool last = run.test_epoch > 0 ? e.epoch == run.test_epoch : i + 1 == run.epochs.size();
      out += id + "," + label + "," + std::to_string(e.epoch) + "," + csv_number(e.train_loss) +
             "," + csv_number(e.train_accuracy) + "," + csv_number(e.val_loss) + "," +
             csv_number(e.val_accuracy) + "," + csv_number(e.images_per_second) + "," +
             csv_number(e.train_seconds) + "," + (last ? csv_number(run.test_accuracy) : "") +
             "," + (last ? csv_number(run.test_loss) : "") + "," +
             (last && run.test_epoch > 0 ? std::to_string(run.test_epoch) : "") + "\n";
    }
  }
  return out;
}

}  // namespace cnnlab
