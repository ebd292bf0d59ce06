// Core I/O: whole-file reading and atomic writing with errors that name the file, CRC-32, and
// the fixed byte orders the file formats use (pack, model file, .npz, gzip: little-endian;
// IDX: big-endian). Every reader and writer of a binary format takes these from here.
//
// [SECTION] Files       read_file_bytes, file_size_of, for_each_file_chunk, write_file_atomic
// [SECTION] CRC-32      crc32
// [SECTION] Byte order  load_le*/store_le*/append_le, load_be32 (explicit, correct on any host)
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace cnnlab {

// ---- [SECTION] Files ---------------------------------------------------------------------------
// The whole file. Throws Error(path, ...) when it is missing, a directory or unreadable.
std::vector<uint8_t> read_file_bytes(const std::string& path);
// Its size in bytes, with the same errors.
uint64_t file_size_of(const std::string& path);
// Reads the file front to back in pieces of at most 1 MB, handing each to fn(bytes, size): for
// readers that parse as they go and never need the whole file in memory at once.
void for_each_file_chunk(const std::string& path,
                         const std::function<void(const uint8_t*, size_t)>& fn);

// Writes the concatenation of `pieces` (pointer, size) to `path` atomically: the bytes go to a
// temporary file beside the target, which is renamed over it only once everything is written,
// so a failure (full disk, bad input found midway) never leaves a partial file behind.
// Throws Error(path, ...) on failure, after removing the temporary file.
void write_file_atomic(const std::string& path,
                       const std::vector<std::pair<const uint8_t*, size_t>>& pieces);

// ---- [SECTION] CRC-32 --------------------------------------------------------------------------
// CRC-32 as in gzip, zip and PNG (IEEE 802.3 polynomial, reflected, initial and final xor
// 0xFFFFFFFF). Chainable: crc32(b, nb, crc32(a, na)) == crc32 of a followed by b; seed 0 starts.
uint32_t crc32(const uint8_t* data, size_t size, uint32_t seed = 0);

// ---- [SECTION] Byte order ----------------------------------------------------------------------
// Unsigned little-endian integer of `bytes` (1..8) bytes at p.
inline uint64_t load_le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}
inline uint64_t load_le64(const uint8_t* p) { return load_le(p, 8); }
inline uint32_t load_be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | static_cast<uint32_t>(p[3]);
}

// The low `bytes` (1..8) bytes of v, little-endian, at p.
inline void store_le(uint8_t* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void store_le32(uint8_t* p, uint32_t v) { store_le(p, v, 4); }
inline void store_le64(uint8_t* p, uint64_t v) { store_le(p, v, 8); }
// Appends the low `bytes` bytes of v, little-endian.
inline void append_le(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace cnnlab
