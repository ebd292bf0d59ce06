// Dataset: a labelled set of uint8 images in memory, (N, C, H, W), and DataSource: the train and
// test splits of one source. Pixels stay uint8 (a quarter of float memory; the browser holds
// CIFAR-10 in 180 MB instead of 720 MB); Batcher converts mini-batches to floats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cnnlab {

struct Dataset {
  std::string name;                      // "cifar10", "fashion-mnist", folder name, ...
  std::vector<std::string> class_names;  // label order
  int channels = 0, height = 0, width = 0;
  std::vector<uint8_t> pixels;  // (N, C, H, W) uint8
  std::vector<uint8_t> labels;  // (N), each < class_names.size()

  size_t size() const { return labels.size(); }
  size_t image_bytes() const {
    return static_cast<size_t>(channels) * static_cast<size_t>(height) *
           static_cast<size_t>(width);
  }
  // (C, H, W) of image i.
  const uint8_t* image(size_t i) const { return pixels.data() + i * image_bytes(); }
  // Number of images per class, (class_names.size()).
  std::vector<size_t> class_counts() const;

  // Throws Error(where, ...) unless the fields are consistent: 1 or 3 channels, positive sizes,
  // 1..256 unique non-empty class names without newlines, pixels.size() == N * C * H * W, every
  // label < number of classes. Empty datasets pass (loaders check emptiness themselves).
  void validate(const std::string& where) const;
};

struct DataSource {
  Dataset train, test;
  std::string origin;  // path + format, for messages: "data/cifar.pack (pack file)"
};

// A dataset with d's name, classes and shape and no images.
Dataset empty_like(const Dataset& d);

// The images at `indices` (in that order), with the same name, classes and shape. Indices must
// be < d.size() (Error otherwise).
Dataset select(const Dataset& d, const std::vector<uint32_t>& indices);

// The ten CIFAR-10 class names in label order (airplane ... truck).
const std::vector<std::string>& cifar10_class_names();

}  // namespace cnnlab
