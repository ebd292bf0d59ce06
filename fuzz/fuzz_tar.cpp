// Feeds: a .tar or .tar.gz dataset archive (engine/data/tar.*: ustar headers, GNU long names,
// pax paths; gzip around it) to list_tar and then load_data_bytes, which finds the format inside
// (an image folder, CIFAR-10 binary batches, IDX files) and loads it, as `cnnlab train --data
// x.tar.gz` and the lab's own-data upload do. Limits: header checksums and sizes within the
// archive, images at most 20 MB and 8000 px a side; run with -max_len=262144.
#include "data/compression.h"
#include "data/loaders.h"
#include "data/tar.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::refuse_cleanly([&] {
    if (cnnlab::is_gzip(data, size)) {
      const std::vector<uint8_t> tar = cnnlab::gunzip(data, size, "fuzz.tar.gz");
      cnnlab::list_tar(tar.data(), tar.size(), "fuzz.tar.gz");
    } else {
      cnnlab::list_tar(data, size, "fuzz.tar");
    }
  });
  fuzz::refuse_cleanly([&] { cnnlab::load_data_bytes(data, size, "fuzz.tar"); });
  return 0;
}
