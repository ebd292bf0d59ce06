// Seeded, stratified train/validation split, class-balanced subsets, and per-channel
// standardisation statistics. All draws come from Rng::stream(seed, RngStream::kSplit), so the
// same seed gives the same split natively and in WebAssembly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/dataset.h"
#include "data/preprocess.h"

namespace cnnlab {

struct Split {
  std::vector<uint32_t> train, val;  // indices into a Dataset, each list ascending
};

// Per class: round(val_fraction * count) images go to val, chosen at random. val_fraction in
// [0, 1) (Error "val_fraction" otherwise). 0 gives an empty val list.
Split stratified_split(const Dataset& d, float val_fraction, uint64_t seed);
// How many of a class's class_size images that split sends to validation (the rounding above),
// for saying so before a dataset is split (the lab's subset menu).
size_t validation_count(size_t class_size, float val_fraction);

// per_class randomly chosen images of every class, kept in their original order. Error when
// per_class < 1 or larger than the smallest class (the message names that class).
Dataset balanced_subset(const Dataset& d, int per_class, uint64_t seed);
// The same as indices into d (ascending).
std::vector<uint32_t> balanced_subset_indices(const Dataset& d, int per_class, uint64_t seed);

// Per-channel mean and standard deviation of pixel / 255 over the images at `indices` (exact
// integer sums, so identical everywhere); standardize = true. A channel with zero spread gets
// std 1. Error when indices is empty or out of range.
Preprocess standardization_of(const Dataset& d, const std::vector<uint32_t>& indices);

}  // namespace cnnlab
