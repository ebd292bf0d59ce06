// Feeds: JSON text as lab settings (lab/session_options.*: links, <cnn-lab> attributes and the
// JavaScript API all reach SessionOptions::merge) and as an experiment's options
// (experiment_config_from_json, then ExperimentConfig::validate for 3x32x32, 10 classes), then
// the model those settings build (SessionOptions::spec). Limits: each option's own range (the
// option table), models under 100 million parameters, experiments within
// experiment_memory_limit(); run with -max_len=4096.
#include "fuzz_common.h"
#include "lab/session.h"
#include "lab/session_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j;
  if (!fuzz::parse_json(data, size, &j)) return 0;
  fuzz::refuse_cleanly([&] {
    cnnlab::SessionOptions options;
    options.merge(j);
    options.spec({3, 32, 32}, 10);
    cnnlab::SessionOptions::keys();
    cnnlab::SessionOptions again;
    again.merge(options.to_json());
    if (again.to_json() != options.to_json()) __builtin_trap();
  });
  fuzz::refuse_cleanly([&] {
    cnnlab::SessionOptions options;
    options.merge(j, cnnlab::OptionScope::kCommandLine);
  });
  fuzz::refuse_cleanly([&] {
    const cnnlab::ExperimentConfig config =
        cnnlab::experiment_config_from_json(j, cnnlab::SessionOptions());
    config.validate({3, 32, 32}, 10, cnnlab::experiment_memory_limit());
  });
  return 0;
}
