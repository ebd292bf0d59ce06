// Stratified split, balanced subsets, standardisation statistics (see split.h).
#include "data/split.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/rng.h"

namespace cnnlab {

namespace {

// Indices of each class, ascending.
std::vector<std::vector<uint32_t>> indices_by_class(const Dataset& d) {
  std::vector<std::vector<uint32_t>> by_class(d.class_names.size());
  for (size_t i = 0; i < d.size(); ++i) {
    require(d.labels[i] < by_class.size(), "dataset " + d.name,
            "image " + std::to_string(i) + " has label " + std::to_string(d.labels[i]) +
                " beyond the " + std::to_string(by_class.size()) + " classes");
    by_class[d.labels[i]].push_back(static_cast<uint32_t>(i));
  }
  return by_class;
}

// Subsets draw from their own sequence so that a subset and a split made with one seed are not
// the same shuffles.
constexpr uint64_t kSubsetSequence = static_cast<uint64_t>(RngStream::kSplit) + 0x100;

}  // namespace

size_t validation_count(size_t class_size, float val_fraction) {
  return static_cast<size_t>(
      std::floor(static_cast<double>(val_fraction) * static_cast<double>(class_size) + 0.5));
}

Split stratified_split(const Dataset& d, float val_fraction, uint64_t seed) {
  require(val_fraction >= 0.0f && val_fraction < 1.0f, "val_fraction",
          "must be in [0, 1), got " + std::to_string(val_fraction));
  Rng rng = Rng::stream(seed, RngStream::kSplit);
  Split split;
  for (std::vector<uint32_t>& members : indices_by_class(d)) {
    const size_t n_val = validation_count(members.size(), val_fraction);
    rng.shuffle(members);
    split.val.insert(split.val.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(n_val));
    split.train.insert(split.train.end(), members.begin() + static_cast<std::ptrdiff_t>(n_val), members.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.val.begin(), split.val.end());
  return split;
}

std::vector<uint32_t> balanced_subset_indices(const Dataset& d, int per_class, uint64_t seed) {
  require(per_class >= 1, "per_class", "must be at least 1, got " + std::to_string(per_class));
  std::vector<std::vector<uint32_t>> by_class = indices_by_class(d);
  require(!by_class.empty(), "dataset " + d.name, "has no classes");
  size_t smallest = 0;
  for (size_t c = 1; c < by_class.size(); ++c) {
    if (by_class[c].size() < by_class[smallest].size()) smallest = c;
  }
  require(static_cast<size_t>(per_class) <= by_class[smallest].size(), "per_class",
          std::to_string(per_class) + " is larger than the smallest class of " + d.name + " (" +
              d.class_names[smallest] + ": " + std::to_string(by_class[smallest].size()) +
              " images)");
  Rng rng(seed, kSubsetSequence);
  std::vector<uint32_t> chosen;
  chosen.reserve(by_class.size() * static_cast<size_t>(per_class));
  for (std::vector<uint32_t>& members : by_class) {
    rng.shuffle(members);
    chosen.insert(chosen.end(), members.begin(), members.begin() + per_class);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

Dataset balanced_subset(const Dataset& d, int per_class, uint64_t seed) {
  return select(d, balanced_subset_indices(d, per_class, seed));
}

Preprocess standardization_of(const Dataset& d, const std::vector<uint32_t>& indices) {
  require(!indices.empty(), "standardization", "no images to compute statistics from");
  require(d.channels >= 1 && d.channels <= 3, "standardization",
          "images must have 1 to 3 channels");
  const size_t plane = static_cast<size_t>(d.height) * static_cast<size_t>(d.width);
  uint64_t sum[3] = {0, 0, 0}, sum_sq[3] = {0, 0, 0};
  for (uint32_t i : indices) {
    require(i < d.size(), "standardization",
            "index " + std::to_string(i) + " is out of range (" + std::to_string(d.size()) +
                " images)");
    const uint8_t* img = d.image(i);
    for (int c = 0; c < d.channels; ++c) {
      const uint8_t* p = img + static_cast<size_t>(c) * plane;
      uint64_t s = 0, s2 = 0;
      for (size_t k = 0; k < plane; ++k) {
        s += p[k];
        s2 += static_cast<uint64_t>(p[k]) * p[k];
      }
      sum[c] += s;
      sum_sq[c] += s2;
    }
  }
  Preprocess pre;
  pre.standardize = true;
  const double count = static_cast<double>(indices.size()) * static_cast<double>(plane);
  for (int c = 0; c < d.channels; ++c) {
    const double mean = static_cast<double>(sum[c]) / count;
    const double var = std::max(0.0, static_cast<double>(sum_sq[c]) / count - mean * mean);
    const double sd = std::sqrt(var) / 255.0;
    pre.mean[static_cast<size_t>(c)] = static_cast<float>(mean / 255.0);
    pre.std[static_cast<size_t>(c)] = sd > 1e-6 ? static_cast<float>(sd) : 1.0f;
  }
  return pre;
}

}  // namespace cnnlab
