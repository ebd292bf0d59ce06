// .npz weights, PyTorch-compatible: one array per parameter named "<i>.weight" / "<i>.bias", where
// i is the layer's 0-based position counting EVERY layer (activations, pooling, dropout, flatten
// included), exactly as torch.nn.Sequential numbers modules built from the same list. Conv weights
// [out, in, kh, kw], dense [out, in], biases [out]; float32 '<f4', C order. So in PyTorch:
//   model.load_state_dict({k: torch.from_numpy(v) for k, v in np.load("w.npz").items()})
// Reads numpy.savez (stored) and numpy.savez_compressed (deflate) files, zip64 extras included;
// writes stored zips.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model.h"

namespace cnnlab {

// One array of an .npz as stored (not converted).
struct NpzArray {
  std::string name;            // without ".npy"
  std::string descr;           // numpy dtype string, e.g. "<f4"
  bool fortran_order = false;
  std::vector<int64_t> shape;  // () for a scalar
  std::vector<uint8_t> data;   // raw element bytes, count * item size
};

// Writes every parameter of model (atomically). Throws Error(path, ...) on failure.
void export_npz(const std::string& path, const Model& model);
std::vector<uint8_t> npz_bytes(const Model& model);

// Replaces the model's weights with the file's. All-or-nothing: every parameter must be present
// with the exact shape, dtype '<f4' and C order, and no other arrays may be present; otherwise
// Error("npz file <path>", ...) names the array and the problem, and the model is unchanged.
void import_npz(const std::string& path, Model& model);
void import_npz_bytes(const uint8_t* data, size_t size, Model& model, const std::string& where);

// Low level: every array of a zip of .npy files (stored or deflate). Throws Error(where, ...) on a
// truncated or corrupt zip, an unsupported compression method, a CRC mismatch or a bad .npy.
std::vector<NpzArray> read_npz(const uint8_t* data, size_t size, const std::string& where);

}  // namespace cnnlab
