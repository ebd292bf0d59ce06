// Feeds: a dataset report (lab/dataset_report.*: the class names, counts and sample images the
// trainer sends the app once data is loaded; binary, a JSON header then pixels) to
// decode_dataset_report. Limits: a header of at most 1 MB, sample images within the bytes
// received; run with -max_len=65536.
#include "fuzz_common.h"
#include "lab/dataset_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::refuse_cleanly([&] { cnnlab::decode_dataset_report(data, size, "fuzz report"); });
  return 0;
}
