// Small helpers shared by the doctest suites that check error messages or make files by hand.
#pragma once

#include <cstring>

#include <cstdio>

#include <algorithm>

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

// One 512-byte ustar header appended to out: name (at most 100 bytes here; longer names are the
// caller's GNU 'L' record), size, type ('0' file, '5' folder, 'L', 'x'), mode 0644, checksum.
inline void append_ustar_header(std::vector<uint8_t>& out, const std::string& name, size_t size,
                                char type) {
  uint8_t h[512] = {};
  std::memcpy(h, name.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(reinterpret_cast<char*>(h + 100), 8, "%07o", 0644);
  std::snprintf(reinterpret_cast<char*>(h + 108), 8, "%07o", 0);
  std::snprintf(reinterpret_cast<char*>(h + 116), 8, "%07o", 0);
  std::snprintf(reinterpret_cast<char*>(h + 124), 12, "%011llo",
                static_cast<unsigned long long>(size));
  std::snprintf(reinterpret_cast<char*>(h + 136), 12, "%011o", 0);
  std::memset(h + 148, ' ', 8);
  h[156] = static_cast<uint8_t>(type);
  std::memcpy(h + 257, "ustar\0" "00", 8);
  unsigned sum = 0;
  for (uint8_t c : h) sum += c;
  std::snprintf(reinterpret_cast<char*>(h + 148), 8, "%06o", sum);
  out.insert(out.end(), h, h + 512);
}

// stb_image_write's JPEG writer left-shifts negative ints (undefined before C++20), which the
// sanitizer build aborts on: tests that write JPEGs write PNGs there instead (JPEG decoding is
// still checked under the sanitizers by test_data's CIFAR-10 case, whose images are all JPEG).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kCanWriteJpeg = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
inline constexpr bool kCanWriteJpeg = false;
#else
inline constexpr bool kCanWriteJpeg = true;
#endif
#else
inline constexpr bool kCanWriteJpeg = true;
#endif

}  // namespace cnnlab::testing
