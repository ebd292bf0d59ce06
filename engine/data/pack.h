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
// Both read through PackReader: the file is never held in memory beside its dataset.
DataSource read_pack(const std::string& path);
DataSource read_pack_bytes(const uint8_t* bytes, size_t size, const std::string& where);

// A pack read as it arrives in pieces (a file read in chunks, a download handed over piece by
// piece), each piece copied straight into the dataset it describes: the peak memory is the
// dataset plus one piece, never the file and its dataset side by side (in a browser's wasm heap,
// which never shrinks, that difference stays for the life of the page).
//
//   PackReader reader(where, file_size);
//   reader.feed(piece, n); ...         // in file order, any sizes
//   DataSource data = reader.finish();
//
// The constructor takes the file's total size so the header is checked against it before any
// dataset memory is reserved (a corrupt or hostile header claiming billions of images is refused
// as truncated, never allocated). feed() throws Error(where, ...) as soon as the header or the
// text block is known to be bad; finish() checks completeness, the payload CRC-32 and the labels.
// After an Error the reader is unusable (start a new one). Messages are read_pack_bytes' own.
class PackReader {
 public:
  PackReader(std::string where, uint64_t file_size);
  void feed(const uint8_t* bytes, size_t size);
  DataSource finish();
  uint64_t received() const { return received_; }

 private:
  void parse_head();  // header + text block complete: check them, size the two splits

  struct Region {  // where the next payload bytes go, in file order
    uint8_t* dest;
    size_t size;
  };
  std::string where_;
  uint64_t file_size_;
  uint64_t received_ = 0;
  std::vector<uint8_t> head_;  // the header, then the text block, while they arrive
  size_t head_size_ = kPackHeaderBytes;  // header + text block, once the header is known
  bool head_done_ = false;
  uint32_t payload_crc_ = 0;  // running CRC-32 of [64, received)
  uint32_t expected_crc_ = 0;
  DataSource data_;
  std::vector<Region> regions_;  // train labels, train pixels, test labels, test pixels
  size_t region_ = 0, region_offset_ = 0;
};

// True when the bytes start with the pack magic "CNNLPACK".
bool is_pack(const uint8_t* bytes, size_t size);

}  // namespace cnnlab
