// Feeds: JSON text as a run's saved training state (Trainer::state(): the training_state that
// `cnnlab train --out DIR` keeps for --resume; engine/train/trainer.*) to Trainer::restore on the
// seeds' small model and data, then two training steps from wherever it put the run, as --resume
// continues. Limits: every count a whole number within the run it resumes (epoch within its
// epochs, batch within an epoch's batches), sums finite and >= 0; run with -max_len=16384.
#include "fuzz_common.h"
#include "model/model.h"
#include "model/presets.h"
#include "train/trainer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const cnnlab::DataSource tiny = fuzz::tiny_data(3);
  nlohmann::json state;
  if (!fuzz::parse_json(data, size, &state)) return 0;
  fuzz::refuse_cleanly([&] {
    cnnlab::Model model(cnnlab::preset("cnn1", cnnlab::Shape{3, 8, 8}, 3, cnnlab::PresetOptions{}), 1);
    cnnlab::TrainConfig config;
    config.epochs = 3;
    config.batch_size = 2;
    config.val_fraction = 0.34f;
    cnnlab::Trainer trainer(model, tiny.train, config, nullptr);
    trainer.restore(state, "fuzz training state");
    for (int i = 0; i < 2 && trainer.step(); ++i) {
    }
  });
  return 0;
}
