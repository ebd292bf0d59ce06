// Feeds: a lab model file (a model file whose training_state carries the lab's settings;
// lab/lab_model_file.*) through what Load model does: deserialize_model (CRC-32 made right
// first), LabModelState::from_training_state, options_for_model_file against a small 3x8x8,
// 3-class dataset (the seed's own shape), then copy_weights into a model built from the options.
// Limits: those of the model file (fuzz_model_file.cpp) and of SessionOptions' values; run with
// -max_len=262144.
#include "fuzz_common.h"
#include "lab/lab_model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> file = fuzz::with_model_checksum(data, size);
  fuzz::refuse_cleanly([&] {
    cnnlab::LoadedModel loaded = cnnlab::deserialize_model(file.data(), file.size(), "fuzz.cnnlab");
    cnnlab::LabModelState::from_training_state(loaded.info.training_state);
    cnnlab::Dataset train;
    train.name = "seed";
    train.class_names = {"a", "b", "c"};
    train.channels = 3;
    train.height = train.width = 8;
    const cnnlab::SessionOptions current;
    const cnnlab::SessionOptions options =
        cnnlab::options_for_model_file(current, loaded, train, "fuzz.cnnlab");
    cnnlab::Model model(options.spec({3, 8, 8}, 3), 1);
    cnnlab::copy_weights(*loaded.model, model, "fuzz.cnnlab");
  });
  return 0;
}
