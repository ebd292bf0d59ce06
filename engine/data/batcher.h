// Batcher: float mini-batches (B, C, H, W) from a uint8 Dataset, with seeded shuffling and
// optional augmentation. Every batch is a pure function of (seed, epoch, batch index): a paused
// run resumes with the same batches, two runs with one seed see the same order (the
// experiments compare kernel sizes on identical data), and nothing depends on which batches
// were asked for before.
//
//   order of epoch e: the indices shuffled by Rng(key(seed, e), kShuffle)  (Fisher-Yates)
//   augmentation of the image at position p of epoch e: Rng(key(seed, e, p), kAugment) draws
//     one flip bit, then dx, then dy uniformly in [-max_shift, max_shift] (always all three, so
//     turning flips on does not change the shifts). The image is mirrored left-right (if flip
//     is on and the bit is 1), then moved by (dx, dy) pixels with zero (black) pixels filling
//     the uncovered border, in uint8 space before preprocessing (like torchvision's padded
//     RandomCrop followed by Normalize).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/tensor.h"
#include "data/dataset.h"
#include "data/preprocess.h"

namespace cnnlab {

struct Augment {
  bool flip = false;  // random horizontal flip (p = 0.5)
  int max_shift = 0;  // random shift by up to this many pixels in x and y, zero padding
};

class Batcher {
 public:
  // `data` must outlive the Batcher. Errors: batch_size < 1 ("batch_size"), an index out of
  // range, max_shift < 0 or >= the image side ("max_shift"), more than 3 channels.
  Batcher(const Dataset& data, std::vector<uint32_t> indices, int batch_size, Preprocess pre,
          bool shuffle, Augment augment, uint64_t seed);

  size_t size() const { return indices_.size(); }
  int batch_size() const { return batch_size_; }
  // ceil(size / batch_size); the last batch may be smaller.
  size_t batches_per_epoch() const;
  // Number of images in batch b (b < batches_per_epoch()).
  size_t batch_length(size_t b) const;

  // x (B, C, H, W) floats, labels (B): batch `b` of epoch `epoch` (epoch >= 0,
  // b < batches_per_epoch(), Error otherwise). x keeps its buffer when it is large enough.
  void batch(Tensor& x, std::vector<int32_t>& labels, int epoch, size_t b) const;

  // The dataset indices of epoch `epoch` in the order batches take them.
  std::vector<uint32_t> epoch_order(int epoch) const;

 private:
  const Dataset& data_;
  std::vector<uint32_t> indices_;
  int batch_size_;
  Preprocess pre_;
  bool shuffle_;
  Augment augment_;
  uint64_t seed_;
  // The last epoch's order, so consecutive batches of one epoch shuffle only once. Behind a
  // pointer so the Batcher stays movable.
  struct OrderCache {
    std::mutex mutex;
    int epoch = -1;
    std::vector<uint32_t> order;
  };
  std::unique_ptr<OrderCache> cache_ = std::make_unique<OrderCache>();
};

}  // namespace cnnlab
