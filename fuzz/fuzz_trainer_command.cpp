// Feeds: JSON text as a command to the trainer (lab/trainer_command.*: what the app posts to the
// Web Worker) to TrainerCommand::from_json; a command that reads must write back the same JSON.
// Limits: a known type, options only where the type takes them; run with -max_len=4096.
#include "fuzz_common.h"
#include "lab/trainer_command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j;
  if (!fuzz::parse_json(data, size, &j)) return 0;
  fuzz::refuse_cleanly([&] {
    const cnnlab::TrainerCommand command = cnnlab::TrainerCommand::from_json(j, "fuzz command");
    const cnnlab::TrainerCommand again =
        cnnlab::TrainerCommand::from_json(command.to_json(), "fuzz command");
    if (again.type != command.type) __builtin_trap();
  });
  return 0;
}
