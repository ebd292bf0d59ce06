// Learning-rate schedules (see lr_schedule.h).
#include "optim/lr_schedule.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace cnnlab {

namespace {

std::string schedule_number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

const char* lr_schedule_name(LrScheduleKind kind) {
  switch (kind) {
    case LrScheduleKind::kConstant: return "constant";
    case LrScheduleKind::kStep: return "step";
    case LrScheduleKind::kCosine: return "cosine";
  }
  return "constant";
}

const std::vector<std::string>& lr_schedule_names() {
  static const std::vector<std::string> names = {"constant", "step", "cosine"};
  return names;
}

bool lr_schedule_from_name(const std::string& name, LrScheduleKind* kind) {
  for (LrScheduleKind k : {LrScheduleKind::kConstant, LrScheduleKind::kStep, LrScheduleKind::kCosine})
    if (name == lr_schedule_name(k)) {
      *kind = k;
      return true;
    }
  return false;
}

void LrSchedule::validate(float base_lr) const {
  require(step_epochs >= 1 && step_epochs <= 10000, "lrStepEpochs",
          "must be a whole number of epochs between 1 and 10000, got " +
              std::to_string(step_epochs));
  require(std::isfinite(gamma) && gamma > 0.0f && gamma <= 1.0f, "lrGamma",
          "must be a number in (0, 1] (the factor the rate is multiplied by), got " +
              schedule_number_text(gamma));
  require(std::isfinite(min_lr) && min_lr >= 0.0f, "lrMin",
          "must be a number >= 0, got " + schedule_number_text(min_lr));
  require(kind != LrScheduleKind::kCosine || min_lr < base_lr, "lrMin",
          "the cosine schedule goes from the learning rate down to lrMin, so lrMin must be below "
          "the learning rate " + schedule_number_text(base_lr) + ", got " +
              schedule_number_text(min_lr));
}

bool LrSchedule::operator==(const LrSchedule& o) const {
  return kind == o.kind && step_epochs == o.step_epochs && gamma == o.gamma && min_lr == o.min_lr;
}

float scheduled_lr(const LrSchedule& s, float base_lr, int64_t step, int64_t steps_per_epoch,
                   int epochs) {
  steps_per_epoch = std::max<int64_t>(steps_per_epoch, 1);
  step = std::max<int64_t>(step, 0);
  double lr = base_lr;
  switch (s.kind) {
    case LrScheduleKind::kConstant:
      break;
    case LrScheduleKind::kStep: {
      // gamma^drops by repeated multiplication (no pow: the same on every C library); drops is
      // at most epochs (10000).
      const int64_t drops = (step / steps_per_epoch) / std::max(s.step_epochs, 1);
      for (int64_t i = 0; i < drops && lr > 0.0; ++i) lr *= s.gamma;
      break;
    }
    case LrScheduleKind::kCosine: {
      const double total = static_cast<double>(steps_per_epoch) * std::max(epochs, 1);
      const double t = std::min(static_cast<double>(step) / total, 1.0);
      const double pi = std::acos(-1.0);
      lr = s.min_lr + (static_cast<double>(base_lr) - s.min_lr) * 0.5 * (1.0 + std::cos(pi * t));
      break;
    }
  }
  // Many drops of a small gamma (or the cosine's end with lrMin 0) can round to 0 in float; the
  // optimiser needs a rate > 0, and the smallest one still means "no more learning".
  return std::max(static_cast<float>(lr), FLT_MIN);
}

}  // namespace cnnlab
