// Feeds: an .npz (a zip of .npy arrays, stored or deflate; engine/model/npz.*) to read_npz, which
// inflates deflate entries with inflate_raw (engine/data/compression.*), then import_npz_bytes
// into the seed's model (conv2d 4 k=3; relu; maxpool2d 2; flatten; dense 3 on 3x8x8), as
// `cnnlab npz import` does. Limits: entry sizes under 2 GB and within what the zip can hold,
// every array '<f4', C order, the exact shapes; run with -max_len=65536 (the seed is ~2 kB).
#include "fuzz_common.h"
#include "model/npz.h"
#include "model/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static cnnlab::Model* model = new cnnlab::Model(
      cnnlab::parse_model_spec("conv2d 4 k=3; relu; maxpool2d 2; flatten; dense 3", {3, 8, 8}), 1);
  fuzz::refuse_cleanly([&] { cnnlab::read_npz(data, size, "fuzz.npz"); });
  fuzz::refuse_cleanly([&] { cnnlab::import_npz_bytes(data, size, *model, "fuzz.npz"); });
  return 0;
}
