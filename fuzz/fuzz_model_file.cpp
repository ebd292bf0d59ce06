// Feeds: a model file (.cnnlab; engine/model/model_file.*, docs/model-format.md) to
// deserialize_model, its trailing CRC-32 made right first (fuzz_common.h); when it loads, its
// weights once more into a model of the same spec (the in-place path the lab takes). Limits: each
// section under 64 GB and within the file, the spec under 100 million parameters
// (kMaxModelParameters); run with -max_len=262144 (the seed model is ~20 kB).
#include "fuzz_common.h"
#include "model/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> file = fuzz::with_model_checksum(data, size);
  fuzz::refuse_cleanly([&] {
    cnnlab::LoadedModel loaded = cnnlab::deserialize_model(file.data(), file.size(), "fuzz.cnnlab");
    if (loaded.model) {
      cnnlab::deserialize_model(file.data(), file.size(), "fuzz.cnnlab", loaded.model.get());
    }
  });
  return 0;
}
