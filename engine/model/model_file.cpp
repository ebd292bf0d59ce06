// Model file reader and writer (layout in docs/model-format.md).
//
//   offset  size  field
//   0       8     magic "CNNLABMF"
//   8       4     format version (uint32 LE), currently 1
//   12      4     flags (uint32 LE), 0
//   16      8     header size H in bytes (uint64 LE)
//   24      8     tensor data size D in bytes (uint64 LE)
//   32      H     header: UTF-8 JSON object
//   32+H    D     float32 LE tensors, in the header's "tensors" order, each C-order
//   32+H+D  4     CRC-32 of bytes [0, 32+H+D)
#include "model/model_file.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "core/io.h"
#include "core/json_field.h"

namespace cnnlab {

namespace {

constexpr char kMagic[8] = {'C', 'N', 'N', 'L', 'A', 'B', 'M', 'F'};
constexpr size_t kFixedHeader = 32;
constexpr uint64_t kMaxSection = uint64_t(1) << 36;  // 64 GB: anything bigger is corrupt

// Appends n floats little-endian (byte order made explicit; correct on any host).
void put_floats(std::vector<uint8_t>& out, const float* x, size_t n) {
  const size_t at = out.size();
  out.resize(at + n * 4);
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &x[i], 4);
    store_le32(&out[at + i * 4], bits);
  }
}
void get_floats(float* x, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const uint32_t bits = load_le32(p + i * 4);
    std::memcpy(&x[i], &bits, 4);
  }
}

nlohmann::json shape_json(const Shape& s) {
  nlohmann::json a = nlohmann::json::array();
  for (int i = 0; i < s.rank; ++i) a.push_back(s[i]);
  return a;
}

std::string shape_text(const nlohmann::json& a) { return a.dump(); }

// The float as the double of its shortest round-trip decimal (0.001f -> 0.001, not
// 0.0010000000474974513), so headers read well and still give back the same float.
double tidy(float v) {
  char buf[32];
  for (int precision = 6; precision <= 9; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, static_cast<double>(v));
    if (std::strtof(buf, nullptr) == v) break;
  }
  return std::strtod(buf, nullptr);
}

// Snapshot tensors are named by their epoch and parameter: "snapshot.3.0.weight".
std::string snapshot_tensor_name(int epoch, const std::string& param) {
  return "snapshot." + std::to_string(epoch) + "." + param;
}

// The highest epoch a snapshot may have: the lab's limit on a run's epochs (docs/limits.md).
constexpr int kMaxSnapshotEpoch = 10000;

}  // namespace

nlohmann::json optimizer_config_to_json(const OptimizerConfig& c) {
  return {{"kind", c.kind},
          {"lr", tidy(c.lr)},
          {"momentum", tidy(c.momentum)},
          {"nesterov", c.nesterov},
          {"beta1", tidy(c.beta1)},
          {"beta2", tidy(c.beta2)},
          {"eps", tidy(c.eps)},
          {"weightDecay", tidy(c.weight_decay)},
          {"clipNorm", tidy(c.clip_norm)}};
}

OptimizerConfig optimizer_config_from_json(const nlohmann::json& j, const std::string& where) {
  OptimizerConfig c;
  require(j.is_object(), where, "optimizer must be a JSON object");
  c.kind = json_field<std::string>(j, "kind", where);
  c.lr = json_field<float>(j, "lr", where);
  c.momentum = json_field<float>(j, "momentum", where);
  c.nesterov = json_field<bool>(j, "nesterov", where);
  c.beta1 = json_field<float>(j, "beta1", where);
  c.beta2 = json_field<float>(j, "beta2", where);
  c.eps = json_field<float>(j, "eps", where);
  c.weight_decay = json_field<float>(j, renamed_key(j, "weightDecay", "weight_decay"), where);
  c.clip_norm = json_field<float>(j, renamed_key(j, "clipNorm", "clip_norm"), where);
  try {
    c.validate();
  } catch (const Error& e) {
    throw Error(where, e.what());
  }
  return c;
}

nlohmann::json preprocess_to_json(const Preprocess& p) {
  return {{"standardize", p.standardize},
          {"mean", {tidy(p.mean[0]), tidy(p.mean[1]), tidy(p.mean[2])}},
          {"std", {tidy(p.std[0]), tidy(p.std[1]), tidy(p.std[2])}}};
}

Preprocess preprocess_from_json(const nlohmann::json& j, const std::string& file) {
  const std::string where = file + " preprocess";
  require(j.is_object(), where, "must be a JSON object");
  Preprocess p;
  p.standardize = json_field<bool>(j, "standardize", where);
  // Each value a finite float (json_field refuses NaN, infinity and 1e39 naming the item).
  const auto mean = json_field<std::vector<float>>(j, "mean", where);
  const auto std = json_field<std::vector<float>>(j, "std", where);
  require(mean.size() == 3, where, "field 'mean' needs 3 values, has " + std::to_string(mean.size()));
  require(std.size() == 3, where, "field 'std' needs 3 values, has " + std::to_string(std.size()));
  for (size_t c = 0; c < 3; ++c) {
    // Statistics of pixel / 255 (split.cpp's standardization): a mean in [0, 1], a standard
    // deviation in (1e-6, 0.5] or 1 for a constant channel. Dividing by a std of 1e-30 would
    // make every input infinite, so only what such pixels can have is taken.
    require(mean[c] >= 0.0f && mean[c] <= 1.0f, where,
            "field 'mean' item " + std::to_string(c) + " must be in [0, 1], got " +
                j.at("mean").at(c).dump());
    require(std[c] >= 1e-6f && std[c] <= 1.0f, where,
            "field 'std' item " + std::to_string(c) + " must be in [1e-6, 1], got " +
                j.at("std").at(c).dump());
    p.mean[c] = mean[c];
    p.std[c] = std[c];
  }
  return p;
}

std::vector<uint8_t> serialize_model(const Model& model, const ModelFileInfo& info,
                                     const Optimizer* optimizer) {
  require(info.class_names.empty() ||
              static_cast<int>(info.class_names.size()) == model.num_classes(),
          "model file", "has " + std::to_string(info.class_names.size()) +
                            " class names for a model with " +
                            std::to_string(model.num_classes()) + " classes");
  require(info.training_state.is_null() || info.training_state.is_object(), "model file",
          "training_state must be a JSON object");
  nlohmann::json tensors = nlohmann::json::array();
  std::vector<const Tensor*> data;
  for (const Param* p : model.params()) {
    tensors.push_back({{"name", p->name}, {"shape", shape_json(p->value.shape())}});
    data.push_back(&p->value);
  }
  nlohmann::json opt = nullptr;
  if (optimizer) {
    opt = optimizer_config_to_json(optimizer->config());
    opt["step"] = optimizer->step_count();
    const std::vector<Tensor>& state = optimizer->state_tensors();
    const std::vector<std::string> slots = optimizer->slot_names();
    const std::vector<const Param*> params = model.params();
    const bool has_state = state.size() == params.size() * slots.size() && !state.empty();
    opt["hasState"] = has_state;
    if (has_state)
      for (size_t i = 0; i < params.size(); ++i)
        for (size_t s = 0; s < slots.size(); ++s) {
          const Tensor& t = state[i * slots.size() + s];
          tensors.push_back(
              {{"name", "optimizer." + params[i]->name + "." + slots[s]},
               {"shape", shape_json(t.shape())}});
          data.push_back(&t);
        }
  }
  // Snapshots: the same parameters again per kept epoch, after everything else.
  nlohmann::json snapshots = nullptr;
  if (!info.snapshots.empty()) {
    require(info.snapshots.size() <= kMaxModelSnapshots, "model file",
            std::to_string(info.snapshots.size()) + " snapshots; at most " +
                std::to_string(kMaxModelSnapshots));
    nlohmann::json epochs = nlohmann::json::array();
    int previous = -1;
    for (const WeightSnapshot& s : info.snapshots) {
      require(s.epoch > previous && s.epoch <= kMaxSnapshotEpoch, "model file",
              "snapshot epochs must ascend from 0 to " + std::to_string(kMaxSnapshotEpoch) +
                  ", got " + std::to_string(s.epoch) + " after " + std::to_string(previous));
      require(s.values.size() == model.parameter_count(), "model file",
              "the snapshot of epoch " + std::to_string(s.epoch) + " has " +
                  std::to_string(s.values.size()) + " values for a model with " +
                  std::to_string(model.parameter_count()) + " parameters");
      previous = s.epoch;
      epochs.push_back({{"epoch", s.epoch}, {"record", s.record}});
      for (const Param* p : model.params())
        tensors.push_back({{"name", snapshot_tensor_name(s.epoch, p->name)},
                           {"shape", shape_json(p->value.shape())}});
    }
    snapshots = {{"version", kModelSnapshotsVersion}, {"epochs", epochs}};
  }
  const Shape& in = model.input_shape();
  nlohmann::json header = {
      {"format", "cnnlab-model"},
      {"spec", model.spec().text()},
      {"input", {in[0], in[1], in[2]}},
      {"classes", model.num_classes()},
      {"class_names", info.class_names},
      {"seed", model.seed()},
      {"parameters", model.parameter_count()},
      {"preprocess", preprocess_to_json(info.preprocess)},
      {"dataset", info.dataset},
      {"training_state", info.training_state},
      {"optimizer", opt},
      {"tensors", tensors},
  };
  if (!snapshots.is_null()) header["snapshots"] = snapshots;
  const std::string text = header.dump(1);
  size_t data_bytes = 0;
  for (const Tensor* t : data) data_bytes += t->size() * 4;
  for (const WeightSnapshot& s : info.snapshots) data_bytes += s.values.size() * 4;

  std::vector<uint8_t> out(kFixedHeader);
  out.reserve(kFixedHeader + text.size() + data_bytes + 4);
  std::memcpy(out.data(), kMagic, 8);
  store_le32(&out[8], kModelFileVersion);
  store_le32(&out[12], 0);
  store_le64(&out[16], text.size());
  store_le64(&out[24], data_bytes);
  out.insert(out.end(), text.begin(), text.end());
  for (const Tensor* t : data) put_floats(out, t->data(), t->size());
  for (const WeightSnapshot& s : info.snapshots) put_floats(out, s.values.data(), s.values.size());
  const uint32_t crc = crc32(out.data(), out.size());
  out.resize(out.size() + 4);
  store_le32(&out[out.size() - 4], crc);
  return out;
}

void save_model_file(const std::string& path, const Model& model, const ModelFileInfo& info,
                     const Optimizer* optimizer) {
  std::vector<uint8_t> bytes;
  try {
    bytes = serialize_model(model, info, optimizer);
  } catch (const Error& e) {
    throw Error("model file " + path, e.problem());
  }
  write_file_atomic(path, {{bytes.data(), bytes.size()}});
}

LoadedModel deserialize_model(const uint8_t* bytes, size_t size, const std::string& where,
                              Model* into) {
  require(size > 0, where, "the file is empty");
  require(size >= 8 || std::memcmp(bytes, kMagic, size) != 0, where,
          "truncated: " + std::to_string(size) + " bytes");
  require(size >= 8 && std::memcmp(bytes, kMagic, 8) == 0, where,
          "not a CNN Lab model file (bad magic)");
  require(size >= kFixedHeader + 4, where, "truncated: " + std::to_string(size) + " bytes");
  const uint32_t version = load_le32(bytes + 8);
  require(version <= kModelFileVersion, where,
          "format version " + std::to_string(version) + " is newer than this program supports (" +
              std::to_string(kModelFileVersion) + "); update CNN Lab");
  require(version >= 1, where, "unknown format version 0");
  const uint64_t header_bytes = load_le64(bytes + 16), data_bytes = load_le64(bytes + 24);
  require(header_bytes <= kMaxSection && data_bytes <= kMaxSection && data_bytes % 4 == 0, where,
          "corrupt section sizes");
  const uint64_t expected = kFixedHeader + header_bytes + data_bytes + 4;
  require(size >= expected, where,
          "truncated: " + std::to_string(size) + " bytes, expected " + std::to_string(expected));
  require(size == expected, where,
          std::to_string(size - expected) + " unexpected bytes after the end of the model");
  const size_t body = static_cast<size_t>(expected - 4);
  require(crc32(bytes, body) == load_le32(bytes + body), where,
          "checksum mismatch: the file is corrupt");

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes + kFixedHeader, bytes + kFixedHeader + header_bytes);
  } catch (const nlohmann::json::exception&) {
    throw Error(where, "header is not valid JSON");
  }
  // Compared as JSON: a "format" that is not text (an array, a number) is a wrong format, not a
  // library exception (json::value would throw its own type_error for it).
  require(header.is_object() && header.contains("format") && header.at("format") == "cnnlab-model",
          where, "header is not a cnnlab-model header (field 'format' must be \"cnnlab-model\")");
  const auto input = json_field<std::vector<int>>(header, "input", where);
  require(input.size() == 3, where, "header field 'input' must be [channels, height, width]");
  const int classes = json_field<int>(header, "classes", where);
  const std::string spec_text = json_field<std::string>(header, "spec", where);
  ModelSpec spec;
  try {
    spec = parse_model_spec(spec_text, Shape{input[0], input[1], input[2]}, classes);
  } catch (const Error& e) {
    throw Error(where, "model spec: " + std::string(e.what()));
  }

  LoadedModel out;
  out.info.class_names = json_field<std::vector<std::string>>(header, "class_names", where);
  require(out.info.class_names.empty() || static_cast<int>(out.info.class_names.size()) == classes,
          where, "class_names has " + std::to_string(out.info.class_names.size()) +
                     " entries for " + std::to_string(classes) + " classes");
  out.info.preprocess = preprocess_from_json(header.value("preprocess", nlohmann::json()), where);
  out.info.dataset = json_field<std::string>(header, "dataset", where);
  out.info.training_state = header.value("training_state", nlohmann::json());
  require(out.info.training_state.is_null() || out.info.training_state.is_object(), where,
          "training_state must be an object");
  const uint64_t seed = json_field<uint64_t>(header, "seed", where);
  const nlohmann::json tensors = header.value("tensors", nlohmann::json());
  require(tensors.is_array(), where, "header field 'tensors' is missing");
  // The parameters' names and shapes follow from the spec: check them before allocating the
  // model, so a corrupt header cannot make us allocate a huge model for nothing.
  {
    size_t t = 0;
    Shape current = spec.input;
    for (size_t i = 0; i < spec.layers.size(); ++i) {
      const LayerSpec& l = spec.layers[i];
      if (l.kind == LayerKind::kConv2D || l.kind == LayerKind::kDense) {
        const Shape weight = l.kind == LayerKind::kConv2D
                                 ? Shape{l.units, current[0], l.kernel, l.kernel}
                                 : Shape{l.units, current[0]};
        for (const auto& [suffix, shape] : {std::make_pair(".weight", weight),
                                            std::make_pair(".bias", Shape{l.units})}) {
          const std::string name = std::to_string(i) + suffix;
          require(t < tensors.size(), where, "tensor '" + name + "' is missing");
          const std::string got = json_field<std::string>(tensors[t], "name", where);
          require(got == name, where,
                  "tensor " + std::to_string(t) + " is '" + got + "', expected '" + name + "'");
          const nlohmann::json got_shape = tensors[t].value("shape", nlohmann::json());
          require(got_shape == shape_json(shape), where,
                  "tensor " + name + " has shape " + shape_text(got_shape) +
                      ", the model needs " + shape_text(shape_json(shape)));
          ++t;
        }
      }
      current = layer_output_shape(l, current);
    }
  }
  // The same model as `into`: its weights are overwritten in place (the tensors' names and
  // shapes, checked above against the spec, are then exactly its parameters').
  const bool in_place = into != nullptr && into->spec().text() == spec_text &&
                        into->input_shape() == spec.input &&
                        into->num_classes() == classes && into->seed() == seed;
  if (!in_place) out.model = std::make_unique<Model>(spec, seed);
  Model& model = in_place ? *into : *out.model;

  // Expected tensors: the model's parameters, then the optimiser's state if present.
  std::vector<std::pair<std::string, Tensor*>> targets;
  for (Param* p : model.params()) targets.emplace_back(p->name, &p->value);
  const nlohmann::json opt = header.value("optimizer", nlohmann::json());
  if (!opt.is_null()) {
    out.optimizer = make_optimizer(optimizer_config_from_json(opt, where + " optimizer"));
    const int64_t steps = json_field<int64_t>(opt, "step", where);
    require(steps >= 0, where, "optimizer step must be >= 0");
    out.optimizer->set_step_count(steps);
    if (json_field<bool>(opt, renamed_key(opt, "hasState", "has_state"), where))
      for (auto& [name, tensor] : out.optimizer->state(model.params()))
        targets.emplace_back("optimizer." + name, tensor);
  }
  // Snapshots (optional): their epochs and records, then the parameters' names again per epoch.
  const nlohmann::json snapshots = header.value("snapshots", nlohmann::json());
  std::vector<std::string> snapshot_names;  // tensor names, in order
  if (!snapshots.is_null()) {
    const std::string what = where + " snapshots";
    require(snapshots.is_object(), what, "must be a JSON object");
    const int version = json_field<int>(snapshots, "version", what);
    require(version == kModelSnapshotsVersion, what,
            "are in format version " + std::to_string(version) + "; this program reads version " +
                std::to_string(kModelSnapshotsVersion));
    const nlohmann::json epochs = snapshots.value("epochs", nlohmann::json());
    require(epochs.is_array(), what, "field 'epochs' must be a list");
    require(!epochs.empty() && epochs.size() <= kMaxModelSnapshots, what,
            "lists " + std::to_string(epochs.size()) + " epochs; 1.." +
                std::to_string(kMaxModelSnapshots) + " are allowed");
    int previous = -1;
    for (const nlohmann::json& e : epochs) {
      require(e.is_object(), what, "every entry of 'epochs' must be an object");
      const int epoch = json_field<int>(e, "epoch", what);
      require(epoch > previous && epoch <= kMaxSnapshotEpoch, what,
              "epochs must ascend from 0 to " + std::to_string(kMaxSnapshotEpoch) + ", got " +
                  std::to_string(epoch) + " after " + std::to_string(previous));
      previous = epoch;
      WeightSnapshot snapshot;
      snapshot.epoch = epoch;
      snapshot.record = e.value("record", nlohmann::json());
      require(snapshot.record.is_null() || snapshot.record.is_object(), what,
              "the record of epoch " + std::to_string(epoch) + " must be an object or null");
      out.info.snapshots.push_back(std::move(snapshot));
      for (Param* p : model.params()) snapshot_names.push_back(snapshot_tensor_name(epoch, p->name));
    }
  }
  require(tensors.size() == targets.size() + snapshot_names.size(), where,
          "has " + std::to_string(tensors.size()) + " tensors, the model needs " +
              std::to_string(targets.size() + snapshot_names.size()));
  // Every name, shape and size first; then the copy (so a refused file changes nothing).
  uint64_t total = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string name = json_field<std::string>(tensors[i], "name", where);
    const auto shape = json_field<std::vector<int>>(tensors[i], "shape", where);
    const Tensor& t = *targets[i].second;
    require(name == targets[i].first, where,
            "tensor " + std::to_string(i) + " is '" + name + "', expected '" + targets[i].first +
                "'");
    nlohmann::json expected_shape = shape_json(t.shape());
    require(nlohmann::json(shape) == expected_shape, where,
            "tensor " + name + " has shape " + shape_text(nlohmann::json(shape)) +
                ", the model needs " + shape_text(expected_shape));
    total += static_cast<uint64_t>(t.size()) * 4;
  }
  // Each snapshot tensor has its parameter's name after "snapshot.<epoch>." and its shape.
  const std::vector<Param*> params = model.params();
  for (size_t i = 0; i < snapshot_names.size(); ++i) {
    const nlohmann::json& t = tensors[targets.size() + i];
    const std::string name = json_field<std::string>(t, "name", where);
    require(name == snapshot_names[i], where,
            "tensor " + std::to_string(targets.size() + i) + " is '" + name + "', expected '" +
                snapshot_names[i] + "'");
    const nlohmann::json expected_shape = shape_json(params[i % params.size()]->value.shape());
    require(t.value("shape", nlohmann::json()) == expected_shape, where,
            "tensor " + name + " has shape " + shape_text(t.value("shape", nlohmann::json())) +
                ", the model needs " + shape_text(expected_shape));
  }
  total += static_cast<uint64_t>(out.info.snapshots.size()) *
           static_cast<uint64_t>(model.parameter_count()) * 4;
  require(total <= data_bytes, where, "tensor data is shorter than the header says");
  require(total == data_bytes, where, "tensor data is longer than the header says");
  uint64_t offset = kFixedHeader + header_bytes;
  for (auto& [name, tensor] : targets) {
    get_floats(tensor->data(), bytes + offset, tensor->size());
    offset += static_cast<uint64_t>(tensor->size()) * 4;
  }
  // Checked against the data's size above, so these allocations are bounded by the file's.
  for (WeightSnapshot& snapshot : out.info.snapshots) {
    snapshot.values.resize(model.parameter_count());
    get_floats(snapshot.values.data(), bytes + offset, snapshot.values.size());
    offset += static_cast<uint64_t>(snapshot.values.size()) * 4;
  }
  return out;
}

LoadedModel load_model_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return deserialize_model(bytes.data(), bytes.size(), "model file " + path);
}

}  // namespace cnnlab
