// Shared by the fuzz targets (fuzz_*.cpp): what a clean refusal is, inputs split into several
// files, JSON text, and checksums made right so the fuzzer reaches the fields behind them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io.h"
#include "core/rng.h"
#include "data/dataset.h"

namespace fuzz {

// Runs fn. A cnnlab::Error is the parser refusing the input with a message, the expected outcome
// for most inputs; any other exception escapes, and libFuzzer reports it as a finding (a parser
// must say what is wrong with the file, never let a library's exception or a crash through).
template <class F>
void refuse_cleanly(F&& fn) {
  try {
    fn();
  } catch (const cnnlab::Error&) {
  }
}

// Several files in one input (a folder of IDX or CIFAR-10 files): the parts between separators.
// The separator is in the targets' dictionaries, so the fuzzer adds and removes files.
constexpr const char kPartSeparator[] = "\n--cnnlab-fuzz-part--\n";

using Part = std::pair<const uint8_t*, size_t>;
inline std::vector<Part> split_parts(const uint8_t* data, size_t size) {
  const size_t sep = std::strlen(kPartSeparator);
  std::vector<Part> parts;
  size_t start = 0;
  for (size_t i = 0; i + sep <= size;) {
    if (std::memcmp(data + i, kPartSeparator, sep) == 0) {
      parts.emplace_back(data + start, i - start);
      i += sep;
      start = i;
    } else {
      ++i;
    }
  }
  parts.emplace_back(data + start, size - start);
  return parts;
}

// The input as JSON text; false when it is not JSON (nlohmann's parser is not ours to fuzz: the
// messages come from it already parsed).
inline bool parse_json(const uint8_t* data, size_t size, nlohmann::json* out) {
  *out = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  return !out->is_discarded();
}

// A pack (docs/pack-format.md) with its header CRC-32 (bytes [0, 60) at 60) and payload CRC-32
// (bytes [64, end) at 56) made right, as any writer would: a mutated byte then reaches the
// field it changed instead of stopping at the checksum (wrong checksums are tested in
// tests/test_data.cpp).
inline std::vector<uint8_t> with_pack_checksums(const uint8_t* data, size_t size) {
  std::vector<uint8_t> b(data, data + size);
  if (b.size() >= 64) {
    cnnlab::store_le32(&b[56], cnnlab::crc32(b.data() + 64, b.size() - 64));
    cnnlab::store_le32(&b[60], cnnlab::crc32(b.data(), 60));
  }
  return b;
}

// A model file (docs/model-format.md) with its trailing CRC-32 of everything before it made
// right, for the same reason.
inline std::vector<uint8_t> with_model_checksum(const uint8_t* data, size_t size) {
  std::vector<uint8_t> b(data, data + size);
  if (b.size() >= 36) cnnlab::store_le32(&b[b.size() - 4], cnnlab::crc32(b.data(), b.size() - 4));
  return b;
}

// The seeds' data (make_seeds.cpp) and the fuzzed trainer's: 3 classes of (channels, 8, 8)
// images, 6 training and 3 test images of seeded noise.
inline cnnlab::DataSource tiny_data(int channels) {
  cnnlab::DataSource src;
  cnnlab::Rng rng(7);
  for (cnnlab::Dataset* d : {&src.train, &src.test}) {
    d->name = "seed";
    d->class_names = {"a", "b", "c"};
    d->channels = channels;
    d->height = d->width = 8;
    const int n = d == &src.train ? 6 : 3;
    for (int i = 0; i < n; ++i) {
      d->labels.push_back(static_cast<uint8_t>(i % 3));
      for (size_t k = 0; k < d->image_bytes(); ++k) d->pixels.push_back(static_cast<uint8_t>(rng.next_u32()));
    }
  }
  src.origin = "seed";
  return src;
}

}  // namespace fuzz
