// Feeds: a PNG or JPEG (engine/data/image.*, stb_image) to decode_image, then
// fit_image_to_input(3, 32, 32) as `cnnlab predict` and the lab's photo upload do. Limits:
// files up to 20 MB (kMaxImageFileBytes), 8000 px a side (kMaxImageSide), checked from the
// header before stb_image allocates; run with -max_len=65536 and -malloc_limit_mb=1024 (an
// 8000x8000 RGB picture is 192 MB, within the limit).
#include "data/image.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::refuse_cleanly([&] {
    const cnnlab::Image image = cnnlab::decode_image(data, size, "fuzz.img");
    cnnlab::fit_image_to_input(image, 3, 32, 32);
  });
  return 0;
}
