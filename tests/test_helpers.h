// Small helpers shared by the doctest suites that check error messages or make files by hand.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io.h"
#include "model/model.h"

namespace cnnlab::testing {

// The message of the cnnlab::Error that fn throws ("" when it throws none).
template <typename F>
std::string error_of(F&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The model's parameter of that name ("conv1.weight"), to set weights by hand; throws (failing
// the test case) when there is none.
inline Param* param(Model& m, const std::string& name) {
  for (Param* p : m.params()) {
    if (p->name == name) return p;
  }
  throw Error("test", "the model has no parameter " + name);
}

// A model file's bytes (docs/model-format.md) with its JSON header changed by edit: the section
// sizes and the CRC-32 made right again, so a reader sees a well-formed file, as another writer
// (an older version, a hand-made file) would have written it.
inline std::vector<uint8_t> with_model_header(const std::vector<uint8_t>& file,
                                              const std::function<void(nlohmann::json&)>& edit) {
  const size_t header_bytes = static_cast<size_t>(load_le64(&file[16]));
  const size_t data_bytes = static_cast<size_t>(load_le64(&file[24]));
  nlohmann::json header = nlohmann::json::parse(file.begin() + 32, file.begin() + 32 + header_bytes);
  edit(header);
  const std::string text = header.dump(1);
  const auto data = file.begin() + 32 + static_cast<std::ptrdiff_t>(header_bytes);
  std::vector<uint8_t> out;
  out.reserve(32 + text.size() + data_bytes + 4);
  out.insert(out.end(), file.begin(), file.begin() + 32);
  store_le64(&out[16], text.size());
  out.insert(out.end(), text.begin(), text.end());
  out.insert(out.end(), data, data + static_cast<std::ptrdiff_t>(data_bytes));
  const uint32_t crc = crc32(out.data(), out.size());
  out.resize(out.size() + 4);
  store_le32(&out[out.size() - 4], crc);
  return out;
}

}  // namespace cnnlab::testing
