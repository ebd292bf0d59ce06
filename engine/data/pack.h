// The pack: CNN Lab's own compact dataset file (class names, shapes, uint8 pixels and labels of
// both splits), versioned and CRC-32 checksummed. `cnnlab pack` writes it; the browser
// downloads it. Byte layout: docs/pack-format.md (little-endian, 64-byte header, text block,
// then labels and images per split). Images are stored raw (version 1, a few typed-array views
// in any language) or as JPEG (version 2, codec jpeg: about a sixth of the bytes, decoded by
// PackReader image by image as the pieces of a download arrive).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace cnnlab {

constexpr uint32_t kPackVersion = 2;  // the newest version this build reads and writes
constexpr size_t kPackHeaderBytes = 64;

// How a pack stores its images (header byte 44). Raw packs are written as version 1 (readable by
// every CNN Lab), JPEG packs as version 2.
enum class PackCodec : uint8_t { kRaw = 0, kJpeg = 1 };
// JPEG quality of `cnnlab pack` and the site's packs: the smallest full CIFAR-10 pack within
// the size target whose decoded pixels stay close to the originals (docs/pack-format.md gives
// its PSNR and sizes, from `cnnlab pack --verify`).
constexpr int kPackDefaultJpegQuality = 90;
// A JPEG pack may not promise more decoded pixel bytes than this many times its file size, so a
// corrupt or hostile header cannot make a small file claim gigabytes (real packs: under 10).
constexpr uint64_t kPackMaxJpegExpansion = 64;

struct PackEncoding {
  PackCodec codec = PackCodec::kRaw;
  int quality = 0;  // JPEG quality 1..100 (kJpeg only)
  static PackEncoding raw() { return {}; }
  static PackEncoding jpeg(int quality = kPackDefaultJpegQuality) {
    return {PackCodec::kJpeg, quality};
  }
};

// Writes `data` (train non-empty; test may be empty; both with the same name, classes and
// shape) to `path` atomically: a temporary file renamed into place, so a failure leaves no
// partial file. Throws Error(path or field, ...) on invalid data or I/O failure. The default
// encoding is raw: lossless, byte for byte the version 1 format.
void write_pack(const std::string& path, const DataSource& data, const PackEncoding& encoding = {});
// The same bytes in memory.
std::vector<uint8_t> encode_pack(const DataSource& data, const PackEncoding& encoding = {});
// Size in bytes of the raw pack of `data` (what encode_pack would return for a raw encoding).
size_t pack_size(const DataSource& data);

// Reads and fully verifies a pack (magic, version, header and payload CRC-32, sizes, labels, and
// for JPEG packs every image's decoding and shape). Throws Error(path, ...) naming the problem:
// not a pack, newer version, truncated, checksum, or the image (its index and split) that is
// corrupt, cut short, of an impossible size or of the wrong shape.
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
// as truncated, never allocated). JPEG images are decoded by feed() as soon as each one is
// complete, so decoding overlaps the download. feed() throws Error(where, ...) as soon as the
// header, the text block, an image size table or an image is known to be bad; finish() checks
// completeness, the payload CRC-32 and the labels. After an Error the reader is unusable (start a
// new one). Messages are read_pack_bytes' own.
class PackReader {
 public:
  PackReader(std::string where, uint64_t file_size);
  void feed(const uint8_t* bytes, size_t size);
  DataSource finish();
  uint64_t received() const { return received_; }
  PackCodec codec() const { return codec_; }  // once the header has arrived
  int jpeg_quality() const { return quality_; }

 private:
  void parse_head();  // header + text block complete: check them, size the two splits
  void consume(const uint8_t* bytes, size_t size);  // payload bytes of the current section
  void section_done();  // the current section is complete: check it, move to the next
  void decode_image_part(const uint8_t* part, size_t size);  // the next JPEG image, complete
  std::string image_name(int split, size_t index) const;  // "image 7 of the training split"

  enum class Part { kShared, kLabels, kPixels, kSizes, kImages };
  struct Section {  // the payload in file order: where the next bytes go
    Part part;
    int split;      // 0 train, 1 test
    uint64_t size;  // bytes (kImages: known once the split's size table is in)
  };
  std::string where_;
  uint64_t file_size_;
  uint64_t received_ = 0;
  std::vector<uint8_t> head_;  // the header, then the text block, while they arrive
  size_t head_size_ = kPackHeaderBytes;  // header + text block, once the header is known
  bool head_done_ = false;
  uint32_t payload_crc_ = 0;  // running CRC-32 of [64, received)
  uint32_t expected_crc_ = 0;
  PackCodec codec_ = PackCodec::kRaw;
  int quality_ = 0;
  DataSource data_;
  std::vector<Section> sections_;
  size_t section_ = 0;
  uint64_t section_offset_ = 0;
  uint64_t payload_end_ = 0;  // file offset where the sections known so far end
  // JPEG: the header shared by every image (tables, size; up to the scan), the current split's
  // image sizes (the size table as it arrives, then one u32 each), and the image being gathered
  // (shared header + its own bytes) when it spans pieces.
  std::vector<uint8_t> shared_;
  std::vector<uint8_t> sizes_;
  std::vector<uint8_t> image_;
  size_t image_index_ = 0;
  uint64_t image_offset_ = 0;  // bytes of the current image received
};

// True when the bytes start with the pack magic "CNNLPACK".
bool is_pack(const uint8_t* bytes, size_t size);

}  // namespace cnnlab
