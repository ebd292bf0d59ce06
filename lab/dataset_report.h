// DatasetReport: what the app is told about a dataset the trainer has loaded — exactly what the
// Data, Inside and Evaluation panels display, never the training pixels. The trainer (a Web Worker
// in the page, or in-process on the desktop) owns the dataset; the app owns this report.
//
//   trainer: DataSource (train + test, uint8 (N, C, H, W))
//       -> make_dataset_report()      counts, training labels, sample images, class means,
//                                     pixel histogram, and the whole test split
//       -> encode_dataset_report()    one byte buffer, handed to the app once
//   app:    decode_dataset_report()  -> DataState (app/app_state.h)
//
// For the full CIFAR-10 training set this is about 31 MB (the test split) instead of 184 MB.
//
// Byte layout (little-endian), read and written only here:
//   "CNNLDREP"  u32 version  u32 header_bytes  header (JSON text: name, origin, classes,
//   channels, height, width, trainCount, sampleCount, testCount)
//   train labels (trainCount)  sample labels (sampleCount)  sample pixels (sampleCount, C, H, W)
//   class means float32 (classes, C, H, W)  pixel histogram float32 (C, 256)
//   test labels (testCount)  test pixels (testCount, C, H, W)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace cnnlab {

constexpr uint32_t kDatasetReportVersion = 1;

struct DatasetReport {
  std::string origin;                     // where it came from: URL or path + format
  Dataset train;                          // the training split's name, class names, shape and
                                          // labels (the split counts are made from these); NO
                                          // pixels: they stay with the trainer
  Dataset samples;                        // the first samples-per-class training images of each
                                          // class, in file order (no RNG: the same grid each time)
  std::vector<float> class_means;         // (classes, C, H, W), 0..255, over the training split
  std::vector<float> pixel_histogram;     // (C, 256): fraction of training pixel values
  Dataset test;                           // the whole test split (Inside, Evaluation)
};

// The report of `data` with up to samples_per_class sample images per class.
DatasetReport make_dataset_report(const DataSource& data, int samples_per_class = 24);

std::vector<uint8_t> encode_dataset_report(const DatasetReport& report);
// Throws Error(where, ...) naming what is wrong: not a report, another version, truncated, sizes
// or labels that do not agree.
DatasetReport decode_dataset_report(const uint8_t* bytes, size_t size, const std::string& where);

}  // namespace cnnlab
