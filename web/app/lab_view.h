// LabView: what the result panels (Inside the network, Evaluation) read — the latest weights and
// the latest test results — wherever training runs. On the desktop the Session runs in this
// process and the view points into it; in the browser training runs in a Web Worker and the view
// points at a copy of the worker's model, rebuilt from its snapshots (model file bytes).
//
// Panels never train and never own these: they compare the version counters with the ones they
// last drew to know when to recompute (feature maps, galleries).
#pragma once

#include <cstdint>
#include <vector>

#include "data/preprocess.h"
#include "model/model.h"
#include "train/metrics.h"

namespace cnnlab {

// The running experiment's weights (Experiments panel: one test image's maps per configuration).
struct ExperimentWeights {
  int id = 0;                   // Session::experiment_id() they belong to (0: none)
  std::vector<Model*> models;   // per configuration (its first repeat); null until received
  Preprocess preprocess;        // the same for every run of an experiment
  uint64_t version = 0;         // increases whenever any of them changes
};

struct LabView {
  Model* model = nullptr;          // latest weights; null before any model exists. Panels may
                                   // call predict() on it between frames (never during a step).
  Preprocess preprocess;           // how the model's inputs were made from pixels
  uint64_t weights_version = 0;    // increases whenever the weights (or the model) change

  const ConfusionMatrix* test_metrics = nullptr;         // null until the run was evaluated
  const std::vector<float>* test_probabilities = nullptr;  // (N, K) over data.dataset.test
  uint64_t test_version = 0;       // increases when new test results arrive

  ExperimentWeights experiment;    // the experiment's models
};

}  // namespace cnnlab
