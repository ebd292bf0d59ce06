// Feeds: model spec text (engine/model/spec.*: "conv2d 32 k=3 pad=same; relu; ...") to
// parse_model_spec for a 3x32x32 input with 10 classes and a 1x28x28 input with any classes, and
// every spec that parses back through its canonical text(), which must parse to the same spec.
// Limits: at most 100 million parameters (kMaxModelParameters), numbers within int; run with
// -max_len=4096.
#include "fuzz_common.h"
#include "model/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (int shape = 0; shape < 2; ++shape) {
    const cnnlab::Shape input = shape == 0 ? cnnlab::Shape{3, 32, 32} : cnnlab::Shape{1, 28, 28};
    const int classes = shape == 0 ? 10 : 0;
    fuzz::refuse_cleanly([&] {
      const cnnlab::ModelSpec spec = cnnlab::parse_model_spec(text, input, classes);
      const cnnlab::ModelSpec again = cnnlab::parse_model_spec(spec.text(), input, classes);
      if (again != spec) __builtin_trap();
    });
  }
  return 0;
}
