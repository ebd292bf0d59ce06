// Feeds: a .tar or .tar.gz dataset archive (engine/data/tar.*: ustar headers, GNU long names,
// pax paths; gzip around it) to list_tar and then load_data_bytes, which finds the format inside
// (an image folder, CIFAR-10 binary batches, IDX files) and loads it, as `cnnlab train --data
// x.tar.gz` does, and to load_upload_bytes, the lab's "Load dataset" (any image-folder layout,
// every image fitted to 32x32 colour or 28x28 grey). Limits: header checksums and sizes within
// the archive, images at most 20 MB and 8000 px a side, an upload's 500 MB expanded, 200,000
// files and 2..100 classes; run with -max_len=262144.
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
  fuzz::refuse_cleanly([&] {
    cnnlab::UploadInput input;
    if (size > 0 && (data[size - 1] & 1)) input = {1, 28, 28};  // the grey input too
    cnnlab::load_upload_bytes(data, size, "fuzz.tar", input);
  });
  return 0;
}
