// Batcher (see batcher.h for the exact random derivations).
#include "data/batcher.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/rng.h"

namespace cnnlab {

namespace {

uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A generator for one (epoch[, position]) of a purpose, independent of every other key.
Rng keyed_rng(uint64_t seed, RngStream purpose, uint64_t a, uint64_t b) {
  uint64_t h = mix64(seed + 0x9E3779B97F4A7C15ull);
  h = mix64(h ^ (a + 1) * 0xD6E8FEB86659FD93ull);
  h = mix64(h ^ (b + 1) * 0xA0761D6478BD642Full);
  return Rng::stream(h, purpose);
}

}  // namespace

Batcher::Batcher(const Dataset& data, std::vector<uint32_t> indices, int batch_size,
                 Preprocess pre, bool shuffle, Augment augment, uint64_t seed)
    : data_(data),
      indices_(std::move(indices)),
      batch_size_(batch_size),
      pre_(pre),
      shuffle_(shuffle),
      augment_(augment),
      seed_(seed) {
  require(batch_size >= 1, "batch_size", "must be at least 1, got " + std::to_string(batch_size));
  require(data.channels >= 1 && data.channels <= 3, "dataset " + data.name,
          "batches need 1 to 3 channels, the images have " + std::to_string(data.channels));
  require(augment.max_shift >= 0 && augment.max_shift < std::min(data.height, data.width),
          "max_shift", "must be in [0, " + std::to_string(std::min(data.height, data.width)) +
                           "), got " + std::to_string(augment.max_shift));
  for (uint32_t i : indices_) {
    require(i < data.size(), "dataset " + data.name,
            "batch index " + std::to_string(i) + " is out of range (" +
                std::to_string(data.size()) + " images)");
  }
}

size_t Batcher::batches_per_epoch() const {
  return (indices_.size() + static_cast<size_t>(batch_size_) - 1) / static_cast<size_t>(batch_size_);
}

size_t Batcher::batch_length(size_t b) const {
  const size_t begin = b * static_cast<size_t>(batch_size_);
  return begin >= indices_.size() ? 0 : std::min(static_cast<size_t>(batch_size_), indices_.size() - begin);
}

std::vector<uint32_t> Batcher::epoch_order(int epoch) const {
  require(epoch >= 0, "epoch", "must be >= 0, got " + std::to_string(epoch));
  std::vector<uint32_t> order = indices_;
  if (shuffle_) {
    Rng rng = keyed_rng(seed_, RngStream::kShuffle, static_cast<uint64_t>(epoch), 0);
    rng.shuffle(order);
  }
  return order;
}

void Batcher::batch(Tensor& x, std::vector<int32_t>& labels, int epoch, size_t b) const {
  require(epoch >= 0, "epoch", "must be >= 0, got " + std::to_string(epoch));
  require(b < batches_per_epoch(), "batch",
          "index " + std::to_string(b) + " is out of range (" +
              std::to_string(batches_per_epoch()) + " batches per epoch)");
  const size_t n = batch_length(b);
  const size_t first = b * static_cast<size_t>(batch_size_);
  std::vector<uint32_t> chosen(n);
  {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    if (cache_->epoch != epoch) {
      cache_->order = epoch_order(epoch);
      cache_->epoch = epoch;
    }
    std::copy(cache_->order.begin() + static_cast<std::ptrdiff_t>(first),
              cache_->order.begin() + static_cast<std::ptrdiff_t>(first + n), chosen.begin());
  }
  const int C = data_.channels, H = data_.height, W = data_.width;
  const size_t plane = static_cast<size_t>(H) * static_cast<size_t>(W);
  const size_t image = data_.image_bytes();
  x.resize(Shape{static_cast<int>(n), C, H, W});
  labels.resize(n);
  const bool augment = augment_.flip || augment_.max_shift > 0;
  std::vector<uint8_t> moved(augment ? image : 0);  // (C, H, W) augmented copy
  for (size_t k = 0; k < n; ++k) {
    const uint8_t* src = data_.image(chosen[k]);
    labels[k] = data_.labels[chosen[k]];
    if (augment) {
      Rng rng = keyed_rng(seed_, RngStream::kAugment, static_cast<uint64_t>(epoch), first + k);
      const bool flip_bit = (rng.next_u32() & 1u) != 0;
      const uint32_t range = static_cast<uint32_t>(2 * augment_.max_shift + 1);
      const int dx = static_cast<int>(rng.below(range)) - augment_.max_shift;
      const int dy = static_cast<int>(rng.below(range)) - augment_.max_shift;
      const bool flip = augment_.flip && flip_bit;
      // moved(c, y, x) = src(c, y - dy, x') with x' = x - dx, mirrored when flipping; 0 outside.
      std::fill(moved.begin(), moved.end(), uint8_t{0});
      for (int c = 0; c < C; ++c) {
        const uint8_t* sp = src + static_cast<size_t>(c) * plane;
        uint8_t* dp = moved.data() + static_cast<size_t>(c) * plane;
        for (int y = std::max(0, dy); y < std::min(H, H + dy); ++y) {
          const uint8_t* srow = sp + static_cast<size_t>(y - dy) * W;
          uint8_t* drow = dp + static_cast<size_t>(y) * W;
          for (int xo = std::max(0, dx); xo < std::min(W, W + dx); ++xo) {
            const int xs = xo - dx;
            drow[xo] = srow[flip ? W - 1 - xs : xs];
          }
        }
      }
      src = moved.data();
    }
    pre_.apply(x.data() + k * image, src, C, plane);
  }
}

}  // namespace cnnlab
