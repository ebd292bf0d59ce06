// The run fuzz_trainer_state resumes, and whose states make_seeds.cpp saves as its seeds: the
// cnn1 preset on the seeds' colour data (fuzz::tiny_data(3)), 3 epochs of batch 2, a third of the
// images for validation. One definition, so that the seeds are states of exactly that run.
#pragma once

#include "data/dataset.h"
#include "model/model.h"
#include "model/presets.h"
#include "train/trainer.h"

namespace fuzz {

inline cnnlab::Model trainer_state_model() {
  return cnnlab::Model(cnnlab::preset("cnn1", cnnlab::Shape{3, 8, 8}, 3, cnnlab::PresetOptions{}), 1);
}

inline cnnlab::TrainConfig trainer_state_config() {
  cnnlab::TrainConfig config;
  config.epochs = 3;
  config.batch_size = 2;
  config.val_fraction = 0.34f;
  return config;
}

}  // namespace fuzz
