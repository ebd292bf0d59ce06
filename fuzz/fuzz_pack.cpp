// Feeds: a pack file (engine/data/pack.*, docs/pack-format.md) to read_pack_bytes, and the same
// bytes to a PackReader in pieces of varying sizes, as a download arrives. Checksums are made
// right first (fuzz_common.h). Both must agree: one accepting what the other refuses is a
// finding. Limits: 1..4096 px a side, 1..256 classes, the header checked against the file's size
// before any image memory is reserved, a JPEG pack promising at most 64x its size in pixels;
// run with -max_len=65536 (seeds are a few kB).
#include <cstdio>

#include "data/pack.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> pack = fuzz::with_pack_checksums(data, size);
  bool whole_ok = false, pieces_ok = false;
  std::string whole_error, pieces_error;
  cnnlab::DataSource whole, pieces;
  try {
    whole = cnnlab::read_pack_bytes(pack.data(), pack.size(), "fuzz.pack");
    whole_ok = true;
  } catch (const cnnlab::Error& e) {
    whole_error = e.what();
  }
  try {
    cnnlab::PackReader reader("fuzz.pack", pack.size());
    // Piece sizes 1..97 from the bytes themselves, so a finding replays the same way.
    uint32_t state = cnnlab::crc32(pack.data(), pack.size()) | 1u;
    size_t pos = 0;
    while (pos < pack.size()) {
      state = state * 1664525u + 1013904223u;
      const size_t n = std::min<size_t>(pack.size() - pos, 1 + (state >> 16) % 97);
      reader.feed(pack.data() + pos, n);
      pos += n;
    }
    pieces = reader.finish();
    pieces_ok = true;
  } catch (const cnnlab::Error& e) {
    pieces_error = e.what();
  }
  if (whole_ok != pieces_ok) {
    std::fprintf(stderr, "whole file: %s\nin pieces: %s\n", whole_ok ? "read" : whole_error.c_str(),
                 pieces_ok ? "read" : pieces_error.c_str());
    __builtin_trap();
  }
  if (whole_ok && (whole.train.pixels != pieces.train.pixels ||
                   whole.test.labels != pieces.test.labels)) {
    __builtin_trap();
  }
  return 0;
}
