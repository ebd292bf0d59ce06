// Feeds: JSON text as a trainer report (lab/trainer_report.*: what the Web Worker posts back to
// the app: state, steps, history, experiment, a live-matrix cell) to TrainerReport::from_json,
// which refuses bad messages one by one; a report that reads writes back JSON that reads again.
// The same text as an experiment's epoch note (ExperimentEpochNote, posted beside its weights).
// Limits: fields of their types; run with -max_len=16384.
#include "fuzz_common.h"
#include "lab/trainer_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j;
  if (!fuzz::parse_json(data, size, &j)) return 0;
  fuzz::refuse_cleanly([&] {
    std::vector<std::string> refused;
    const cnnlab::TrainerReport report = cnnlab::TrainerReport::from_json(j, "fuzz report", &refused);
    std::vector<std::string> refused_again;
    cnnlab::TrainerReport::from_json(report.to_json(), "fuzz report", &refused_again);
    if (!refused_again.empty()) __builtin_trap();
  });
  fuzz::refuse_cleanly([&] {
    const cnnlab::ExperimentEpochNote note =
        cnnlab::ExperimentEpochNote::from_json(j, "fuzz epoch note");
    const cnnlab::ExperimentEpochNote again =
        cnnlab::ExperimentEpochNote::from_json(note.to_json(), "fuzz epoch note");
    if (again.config != note.config || again.epoch != note.epoch) __builtin_trap();
  });
  return 0;
}
