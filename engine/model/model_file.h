// Model file (.cnnlab): a trained model saved whole — spec, preprocessing, class names, weights,
// and optionally the optimiser and the trainer's state for pause/resume. Versioned, CRC-32
// checksummed, written atomically (temp + rename). The byte layout is documented in
// docs/model-format.md; this is its one reader and one writer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/preprocess.h"
#include "model/model.h"
#include "optim/optimizer.h"

namespace cnnlab {

constexpr uint32_t kModelFileVersion = 1;
// The layout of the optional weight snapshots inside a model file (header field "snapshots":
// {"version", "epochs"}); a file whose snapshots are in another version is refused, naming it.
constexpr int kModelSnapshotsVersion = 1;
// At most this many snapshots in one file (a run's epochs; the lab keeps far fewer).
constexpr size_t kMaxModelSnapshots = 1000;

// The same network's weights at an earlier epoch (the lab's time-travel snapshots), saved in the
// model file when asked.
struct WeightSnapshot {
  int epoch = 0;                 // 0: before training; 0..10,000, ascending within a file
  nlohmann::json record;         // that epoch's figures as its writer spelled them; null for none
  std::vector<float> values;     // every parameter's values, Model::params() order
};

// Everything in a model file besides the spec and the tensors.
struct ModelFileInfo {
  std::vector<std::string> class_names;   // empty, or one per class
  Preprocess preprocess;                  // how pixels became inputs during training
  std::string dataset;                    // e.g. "cifar10", free text
  nlohmann::json training_state;          // opaque object filled by the trainer; null = none
  std::vector<WeightSnapshot> snapshots;  // empty: none (the usual file)
};

struct LoadedModel {
  std::unique_ptr<Model> model;           // weights as saved
  ModelFileInfo info;
  std::unique_ptr<Optimizer> optimizer;   // null when the file has no optimiser; else its config,
                                          // step count and (if saved) state tensors
};

// Writes `path` atomically. With an optimizer, its config and step count are saved, and its state
// tensors when it has any (after at least one step). Throws Error(path, ...) on failure.
void save_model_file(const std::string& path, const Model& model, const ModelFileInfo& info,
                     const Optimizer* optimizer = nullptr);
// Reads and checks everything (magic, version, sizes, checksum, header fields, spec, tensor
// names and shapes). Throws Error("model file <path>", what is wrong).
LoadedModel load_model_file(const std::string& path);

// The same in memory (the browser's download/upload). `where` names the source in errors.
std::vector<uint8_t> serialize_model(const Model& model, const ModelFileInfo& info,
                                     const Optimizer* optimizer = nullptr);
// With `into`: when the file's model has the same spec text, input shape, classes and seed as
// *into, its weights are read into *into in place (the result's model is then null: no
// allocation); otherwise a new model is made as without it. *into is changed only after the
// whole file has been checked (magic, sizes, checksum, header, tensor names and shapes).
LoadedModel deserialize_model(const uint8_t* data, size_t size, const std::string& where,
                              Model* into = nullptr);

// JSON forms used in the header (also handy for history files and the JS API). The optimiser's
// keys: kind, lr, momentum, nesterov, beta1, beta2, eps, weightDecay, clipNorm (SessionOptions'
// spelling); the reader also takes weight_decay and clip_norm, as files written before spelled them.
nlohmann::json optimizer_config_to_json(const OptimizerConfig& config);
// Throws Error(where, ...) naming the bad field.
OptimizerConfig optimizer_config_from_json(const nlohmann::json& j, const std::string& where);
nlohmann::json preprocess_to_json(const Preprocess& p);
Preprocess preprocess_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace cnnlab
