// The pack: CNN Lab's own compact dataset file (class names, shapes, uint8 pixels and labels of
// both splits), versioned and CRC-32 checksummed. `cnnlab pack` writes it; the browser
// downloads it. Byte layout: docs/pack-format.md (little-endian, 64-byte header, text block,
// then labels and pixels per split; no compression, so a page can parse it in a few lines).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace cnnlab {

constexpr uint32_t kPackVersion = 1;
constexpr size_t kPackHeaderBytes = 64;

// Writes `data` (train non-empty; test may be empty; both with the same name, classes and
// shape) to `path` atomically: a temporary file renamed into place, so a failure leaves no
// partial file. Throws Error(path or field, ...) on invalid data or I/O failure.
void write_pack(const std::string& path, const DataSource& data);
// The same bytes in memory.
std::vector<uint8_t> encode_pack(const DataSource& data);
// Size in bytes of the pack of `data` (what encode_pack would return).
size_t pack_size(const DataSource& data);

// Reads and fully verifies a pack (magic, version, header and payload CRC-32, sizes, labels).
// Throws Error(path, ...) naming the problem: not a pack, newer version, truncated, checksum.
DataSource read_pack(const std::string& path);
DataSource read_pack_bytes(const uint8_t* bytes, size_t size, const std::string& where);

// True when the bytes start with the pack magic "CNNLPACK".
bool is_pack(const uint8_t* bytes, size_t size);

}  // namespace cnnlab
