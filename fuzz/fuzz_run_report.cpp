// Feeds: JSON text to every reader of lab/run_report.* (a run's record and the run history, an
// epoch, a step curve, an experiment's run, summary row and report, test results: the history
// and experiment figures the worker sends and the lab saves); each record that reads writes back
// JSON that reads again. Limits: fields of their types; run with -max_len=16384.
#include "fuzz_common.h"
#include "lab/run_report.h"

namespace {

template <class T>
void round_trip(const nlohmann::json& j) {
  fuzz::refuse_cleanly([&] {
    const T value = T::from_json(j, "fuzz");
    T::from_json(value.to_json(), "fuzz again");
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j;
  if (!fuzz::parse_json(data, size, &j)) return 0;
  round_trip<cnnlab::RunRecord>(j);
  round_trip<cnnlab::StepCurve>(j);
  round_trip<cnnlab::ExperimentRunReport>(j);
  round_trip<cnnlab::ExperimentSummaryRow>(j);
  round_trip<cnnlab::ExperimentReport>(j);
  round_trip<cnnlab::TestResults>(j);
  fuzz::refuse_cleanly([&] {
    const cnnlab::EpochRecord e = cnnlab::epoch_report_from_json(j, "fuzz");
    cnnlab::epoch_report_from_json(cnnlab::epoch_report_json(e), "fuzz again");
  });
  fuzz::refuse_cleanly([&] {
    const auto history = cnnlab::run_history_from_json(j, "fuzz");
    cnnlab::run_history_from_json(cnnlab::run_history_json(history), "fuzz again");
  });
  return 0;
}
