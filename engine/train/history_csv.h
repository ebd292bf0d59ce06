// Training curves as CSV, one row per epoch of each run: the command line's history.csv and the
// app's "export curves" (exportCurves('csv')) are this one writer.
//
//   run,label,epoch,trainLoss,trainAcc,valLoss,valAcc,imagesPerSecond,seconds,testAcc,testLoss
//
// Numbers with 9 significant digits; an unknown value (NaN: no validation split, not evaluated)
// is an empty field; testAcc/testLoss only on each run's last epoch row; a label with a comma,
// quote or newline is quoted (RFC 4180).
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "train/trainer.h"

namespace cnnlab {

struct HistoryCsvRun {
  int run = 1;        // 1-based run number
  std::string label;  // what was trained, e.g. "cnn k=3"
  std::vector<EpochRecord> epochs;
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();  // NaN: not evaluated
  double test_loss = std::numeric_limits<double>::quiet_NaN();
};

// The header line and one row per epoch of every run, in order.
std::string history_csv(const std::vector<HistoryCsvRun>& runs);

}  // namespace cnnlab
