// Learning-rate schedules: the rate the optimiser uses at each training step, from the base rate
// (OptimizerConfig::lr) and the step's place in the run. A pure function of the global step, so a
// paused run resumes on the same curve and two runs with one configuration use the same rates.
//
//   constant  lr at every step (the default: results are those of a run without a schedule)
//   step      lr * gamma^floor(epoch / step_epochs), epoch = step / steps_per_epoch (0-based):
//             the rate drops by the factor gamma every step_epochs epochs
//   cosine    min_lr + (lr - min_lr) * (1 + cos(pi * step / total_steps)) / 2, per step, with
//             total_steps = epochs * steps_per_epoch: from lr at the first step down towards
//             min_lr at the end of the run (the last step's rate is just above min_lr)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cnnlab {

enum class LrScheduleKind { kConstant, kStep, kCosine };

// "constant", "step", "cosine": the names of the option table, the files and the page.
const char* lr_schedule_name(LrScheduleKind kind);
// The kind of a name; false for an unknown name (kind unchanged).
bool lr_schedule_from_name(const std::string& name, LrScheduleKind* kind);
// Every name, in menu order.
const std::vector<std::string>& lr_schedule_names();

struct LrSchedule {
  LrScheduleKind kind = LrScheduleKind::kConstant;
  int step_epochs = 10;  // step: epochs between drops, >= 1
  float gamma = 0.1f;    // step: factor of each drop, in (0, 1]
  float min_lr = 0.0f;   // cosine: the floor the rate approaches, >= 0 and below the base rate

  // Throws Error(key, why) naming the field by its option key (lrStepEpochs, lrGamma, lrMin);
  // base_lr is the optimiser's rate (lrMin must be below it for cosine).
  void validate(float base_lr) const;
  bool operator==(const LrSchedule& o) const;
};

// The rate of the update at 0-based global step `step` (steps_per_epoch >= 1, epochs >= 1).
// Always > 0 for a valid schedule and base_lr > 0.
float scheduled_lr(const LrSchedule& schedule, float base_lr, int64_t step,
                   int64_t steps_per_epoch, int epochs);

}  // namespace cnnlab
