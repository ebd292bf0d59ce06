// Training curves as CSV, one row per epoch of each run: the command line's history.csv and the
// app's "export curves" (exportCurves('csv')) are this one writer.
//
//   run,label,epoch,trainLoss,trainAcc,valLoss,valAcc,imagesPerSecond,seconds,testAcc,testLoss,
//   testEpoch
//
// Numbers with 9 significant digits; an unknown value (NaN: no validation split, not evaluated)
// is an empty field; testAcc, testLoss and testEpoch only on the row of the epoch whose weights
// were tested (the scoring rule's epoch, Trainer::scoring_epoch; the last row when unknown); a
// label with a comma, quote or newline is quoted (RFC 4180).
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
  int test_epoch = 0;  // the epoch whose weights were tested (0: unknown or not tested)
};

// The header line and one row per epoch of every run, in order.
std::string history_csv(const std::vector<HistoryCsvRun>& runs);

}  // namespace cnnlab
