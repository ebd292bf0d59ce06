// SessionOptions: every model and training setting of a lab session, under one spelling — the
// JSON keys below, used by the JavaScript API, links, the trainer's commands and the lab model
// file alike. Defined in session.cpp (merge, to_json, spec).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tensor.h"
#include "model/presets.h"
#include "model/spec.h"
#include "train/trainer.h"

namespace cnnlab {

// What configure() accepts. JSON keys (camelCase, as the JS API): model, kernel, filters, dense,
// dropout, blocks, pooling, stride, epochs, batch, lr, optimizer, momentum, weightDecay, seed,
// augment (bool: flips + 2 px shifts), valFraction, patience, standardize. Unknown keys and
// invalid values are refused with an Error naming the key and why.
struct SessionOptions {
  std::string model = "cnn";
  PresetOptions preset;
  TrainConfig train;

  // Applies the keys of j over *this (others unchanged). Throws Error("option <key>", why).
  void merge(const nlohmann::json& j);
  nlohmann::json to_json() const;
  // The model spec for the data's shape and classes (Error when impossible).
  ModelSpec spec(const Shape& input, int classes) const;
  static const std::vector<std::string>& keys();
};

}  // namespace cnnlab
