// Pack file reader and writer. Layout (little-endian), as documented in docs/pack-format.md:
//   0 magic "CNNLPACK" | 8 u32 version | 12 u32 header bytes (64) | 16 u32 channels |
//   20 u32 height | 24 u32 width | 28 u32 classes | 32 u32 train count | 36 u32 test count |
//   40 u32 text bytes | 44 u32 reserved (0) | 48 u64 file size | 56 u32 CRC-32 of [64, end) |
//   60 u32 CRC-32 of [0, 60)
//   64: text block: dataset name + '\n', then each class name + '\n'
//   then train labels (N_train), train pixels (N_train, C, H, W), test labels, test pixels.
#include "data/pack.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/error.h"
#include "core/io.h"

namespace cnnlab {

namespace {

constexpr char kMagic[8] = {'C', 'N', 'N', 'L', 'P', 'A', 'C', 'K'};

// Header + text block, and the payload pieces in file order.
struct Encoded {
  std::vector<uint8_t> head;  // header (64 bytes) + text block
  std::vector<std::pair<const uint8_t*, size_t>> pieces;  // head first, then labels/pixels
};

Encoded encode(const DataSource& data, const std::string& where) {
  const Dataset& train = data.train;
  const Dataset& test = data.test;
  train.validate(where + " (train split)");
  require(train.size() > 0, where, "cannot write a pack without training images");
  if (test.size() > 0 || !test.class_names.empty()) test.validate(where + " (test split)");
  if (test.size() > 0) {
    require(test.class_names == train.class_names, where,
            "train and test splits have different class names");
    require(test.channels == train.channels && test.height == train.height &&
                test.width == train.width,
            where, "train and test splits have different image shapes");
  }
  require(train.name.find('\n') == std::string::npos && train.name.find('\r') == std::string::npos,
          where, "dataset name contains a line break");
  require(train.size() <= 0xFFFFFFFFu && test.size() <= 0xFFFFFFFFu, where,
          "more than 2^32 - 1 images in a split");
  std::string text = train.name + "\n";
  for (const std::string& c : train.class_names) text += c + "\n";
  Encoded e;
  e.head.assign(kPackHeaderBytes + text.size(), 0);
  uint8_t* h = e.head.data();
  std::memcpy(h, kMagic, 8);
  store_le32(h + 8, kPackVersion);
  store_le32(h + 12, static_cast<uint32_t>(kPackHeaderBytes));
  store_le32(h + 16, static_cast<uint32_t>(train.channels));
  store_le32(h + 20, static_cast<uint32_t>(train.height));
  store_le32(h + 24, static_cast<uint32_t>(train.width));
  store_le32(h + 28, static_cast<uint32_t>(train.class_names.size()));
  store_le32(h + 32, static_cast<uint32_t>(train.size()));
  store_le32(h + 36, static_cast<uint32_t>(test.size()));
  store_le32(h + 40, static_cast<uint32_t>(text.size()));
  std::memcpy(h + kPackHeaderBytes, text.data(), text.size());
  e.pieces.push_back({e.head.data(), e.head.size()});
  for (const Dataset* d : {&train, &test}) {
    e.pieces.push_back({d->labels.data(), d->labels.size()});
    e.pieces.push_back({d->pixels.data(), d->pixels.size()});
  }
  uint64_t total = 0;
  for (const auto& p : e.pieces) total += p.second;
  store_le64(h + 48, total);
  uint32_t crc = crc32(h + kPackHeaderBytes, text.size());
  for (size_t i = 1; i < e.pieces.size(); ++i) crc = crc32(e.pieces[i].first, e.pieces[i].second, crc);
  store_le32(h + 56, crc);
  store_le32(h + 60, crc32(h, 60));
  return e;
}

}  // namespace

bool is_pack(const uint8_t* bytes, size_t size) {
  return size >= 8 && std::memcmp(bytes, kMagic, 8) == 0;
}

size_t pack_size(const DataSource& data) {
  size_t text = data.train.name.size() + 1;
  for (const std::string& c : data.train.class_names) text += c.size() + 1;
  return kPackHeaderBytes + text + data.train.labels.size() + data.train.pixels.size() +
         data.test.labels.size() + data.test.pixels.size();
}

std::vector<uint8_t> encode_pack(const DataSource& data) {
  const Encoded e = encode(data, "pack");
  std::vector<uint8_t> out;
  size_t total = 0;
  for (const auto& p : e.pieces) total += p.second;
  out.reserve(total);
  for (const auto& p : e.pieces) out.insert(out.end(), p.first, p.first + p.second);
  return out;
}

void write_pack(const std::string& path, const DataSource& data) {
  const Encoded e = encode(data, path);  // validates before any file is created
  write_file_atomic(path, e.pieces);
}

// ---- PackReader ----------------------------------------------------------------------------------

PackReader::PackReader(std::string where, uint64_t file_size)
    : where_(std::move(where)), file_size_(file_size) {
  head_.reserve(kPackHeaderBytes);
}

void PackReader::feed(const uint8_t* bytes, size_t size) {
  require(received_ + size <= file_size_, where_,
          "more bytes arrived than the " + std::to_string(file_size_) + " announced");
  received_ += size;
  // Header and text block: gathered (at most 64 bytes + the class names), then checked.
  while (size > 0 && !head_done_) {
    const size_t take = std::min(size, head_size_ - head_.size());
    head_.insert(head_.end(), bytes, bytes + take);
    bytes += take;
    size -= take;
    if (head_.size() == head_size_) parse_head();
  }
  // Labels and pixels: copied straight to their place in the dataset.
  while (size > 0) {
    const Region& r = regions_[region_];  // present: the header's file size bounds the bytes
    const size_t take = std::min(size, r.size - region_offset_);
    std::memcpy(r.dest + region_offset_, bytes, take);
    payload_crc_ = crc32(bytes, take, payload_crc_);
    region_offset_ += take;
    bytes += take;
    size -= take;
    if (region_offset_ == r.size) {
      ++region_;
      region_offset_ = 0;
    }
  }
}

void PackReader::parse_head() {
  const uint8_t* h = head_.data();
  if (head_size_ == kPackHeaderBytes) {
    require(is_pack(h, head_.size()), where_, "not a CNN Lab pack file (bad magic)");
    const uint32_t version = load_le32(h + 8);
    require(version != 0, where_, "corrupt pack header (version 0)");
    require(version <= kPackVersion, where_,
            "pack format version " + std::to_string(version) + " is newer than this build reads (" +
                std::to_string(kPackVersion) + "); update CNN Lab or re-create the pack");
    require(crc32(h, 60) == load_le32(h + 60), where_, "corrupt pack header (checksum mismatch)");
    require(load_le32(h + 12) == kPackHeaderBytes, where_, "corrupt pack header (header size)");
    const uint64_t channels = load_le32(h + 16), height = load_le32(h + 20),
                   width = load_le32(h + 24);
    const uint64_t classes = load_le32(h + 28), n_train = load_le32(h + 32),
                   n_test = load_le32(h + 36);
    const uint64_t text_bytes = load_le32(h + 40), file_size = load_le64(h + 48);
    require(channels == 1 || channels == 3, where_,
            "header field channels = " + std::to_string(channels) + " (must be 1 or 3)");
    require(height >= 1 && height <= 4096 && width >= 1 && width <= 4096, where_,
            "header fields height x width = " + std::to_string(height) + "x" +
                std::to_string(width) + " out of range");
    require(classes >= 1 && classes <= 256, where_,
            "header field classes = " + std::to_string(classes) + " (must be 1..256)");
    const uint64_t image = channels * height * width;
    const uint64_t expected = kPackHeaderBytes + text_bytes + (n_train + n_test) * (1 + image);
    require(file_size == expected, where_,
            "corrupt pack header (file size field " + std::to_string(file_size) +
                " disagrees with the " + std::to_string(expected) + " bytes its fields imply)");
    // The whole file's size is known: a header that promises more (or fewer) bytes than will
    // arrive is refused here, before its images are given any memory.
    require(file_size_ >= file_size, where_,
            "truncated pack file: " + std::to_string(file_size_) + " bytes, its header says " +
                std::to_string(file_size));
    require(file_size_ == file_size, where_,
            std::to_string(file_size_ - file_size) + " unexpected bytes after the end of the pack");
    expected_crc_ = load_le32(h + 56);
    head_size_ = static_cast<size_t>(kPackHeaderBytes + text_bytes);
    if (head_.size() < head_size_) return;  // the text block is still to come
  }
  // Text block: name, then one class name per line, each ending in '\n'.
  const uint64_t classes = load_le32(h + 28);
  const size_t text_bytes = head_size_ - kPackHeaderBytes;
  const char* text = reinterpret_cast<const char*>(h + kPackHeaderBytes);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i < text_bytes; ++i) {
    if (text[i] == '\n') {
      lines.emplace_back(text + start, i - start);
      start = i + 1;
    }
  }
  require(start == text_bytes && lines.size() == classes + 1, where_,
          "corrupt pack text block (expected the dataset name and " + std::to_string(classes) +
              " class names, one a line)");
  payload_crc_ = crc32(h + kPackHeaderBytes, text_bytes);
  Dataset* splits[2] = {&data_.train, &data_.test};
  const size_t counts[2] = {load_le32(h + 32), load_le32(h + 36)};
  for (int s = 0; s < 2; ++s) {
    Dataset& d = *splits[s];
    d.name = lines[0];
    d.class_names.assign(lines.begin() + 1, lines.end());
    d.channels = static_cast<int>(load_le32(h + 16));
    d.height = static_cast<int>(load_le32(h + 20));
    d.width = static_cast<int>(load_le32(h + 24));
    d.labels.resize(counts[s]);
    d.pixels.resize(counts[s] * d.image_bytes());
  }
  // File order: train labels, train pixels, test labels, test pixels (empty ones skipped, so a
  // region always has room for the next byte).
  for (Dataset* d : splits) {
    if (!d->labels.empty()) regions_.push_back({d->labels.data(), d->labels.size()});
    if (!d->pixels.empty()) regions_.push_back({d->pixels.data(), d->pixels.size()});
  }
  head_done_ = true;
  head_ = std::vector<uint8_t>();
}

DataSource PackReader::finish() {
  if (!head_done_) {
    require(received_ >= 8 && is_pack(head_.data(), head_.size()), where_,
            "not a CNN Lab pack file (bad magic)");
    require(received_ >= kPackHeaderBytes, where_,
            "truncated pack file: " + std::to_string(received_) + " bytes, the header alone is 64");
  }
  require(received_ == file_size_ && head_done_, where_,
          "truncated pack file: " + std::to_string(received_) + " bytes, its header says " +
              std::to_string(file_size_));
  require(payload_crc_ == expected_crc_, where_,
          "pack checksum mismatch: the data is corrupt (CRC-32 of the payload differs)");
  data_.train.validate(where_ + " (train split)");
  data_.test.validate(where_ + " (test split)");
  require(data_.train.size() > 0, where_, "empty dataset: the pack holds no training images");
  data_.origin = where_ + " (pack file)";
  return std::move(data_);
}

DataSource read_pack_bytes(const uint8_t* bytes, size_t size, const std::string& where) {
  PackReader reader(where, size);
  reader.feed(bytes, size);
  return reader.finish();
}

DataSource read_pack(const std::string& path) {
  PackReader reader(path, file_size_of(path));
  for_each_file_chunk(path, [&](const uint8_t* bytes, size_t size) { reader.feed(bytes, size); });
  return reader.finish();
}

}  // namespace cnnlab
