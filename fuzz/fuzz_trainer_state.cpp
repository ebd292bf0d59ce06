// Feeds: JSON text as a run's saved training state (Trainer::state(): the training_state that
// `cnnlab train --out DIR` keeps for --resume; engine/train/trainer.*) to Trainer::restore on the
// seeds' small run (trainer_state_run.h), then two training steps from wherever it put the run,
// as --resume continues. Limits: every count a whole number within the run it resumes (epoch within its
// epochs, batch within an epoch's batches), sums finite and >= 0; run with -max_len=16384.
#include "fuzz_common.h"
#include "trainer_state_run.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const cnnlab::DataSource tiny = fuzz::tiny_data(3);
  nlohmann::json state;
  if (!fuzz::parse_json(data, size, &state)) return 0;
  fuzz::refuse_cleanly([&] {
    cnnlab::Model model = fuzz::trainer_state_model();
    cnnlab::Trainer trainer(model, tiny.train, fuzz::trainer_state_config(), nullptr);
    trainer.restore(state, "fuzz training state");
    for (int i = 0; i < 2 && trainer.step(); ++i) {
    }
  });
  return 0;
}
