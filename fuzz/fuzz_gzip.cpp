// Feeds: a gzip file (engine/data/compression.*: gunzip's header fields FEXTRA, FNAME,
// FCOMMENT, FHCRC, the DEFLATE stream, the CRC-32 and size trailer), and the same bytes after the
// first two as a raw DEFLATE stream of the size the first two give (inflate_raw, as zip entries
// use it). Limits: output under 2 GB and at most 1032x the compressed size (DEFLATE's own
// ceiling), so a short file cannot claim gigabytes; run with -max_len=65536.
#include "data/compression.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::refuse_cleanly([&] { cnnlab::gunzip(data, size, "fuzz.gz"); });
  if (size >= 2) {
    const size_t expected = static_cast<size_t>(data[0]) | static_cast<size_t>(data[1]) << 8;
    fuzz::refuse_cleanly([&] { cnnlab::inflate_raw(data + 2, size - 2, expected, "fuzz.zip entry"); });
  }
  return 0;
}
