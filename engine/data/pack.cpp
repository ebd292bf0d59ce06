// Pack file reader and writer. Layout (little-endian), as documented in docs/pack-format.md:
//   0 magic "CNNLPACK" | 8 u32 version | 12 u32 header bytes (64) | 16 u32 channels |
//   20 u32 height | 24 u32 width | 28 u32 classes | 32 u32 train count | 36 u32 test count |
//   40 u32 text bytes | 44 u32 reserved (0) | 48 u64 file size | 56 u32 CRC-32 of [64, end) |
//   60 u32 CRC-32 of [0, 60)
//   64: text block: dataset name + '\n', then each class name + '\n'
//   then train labels (N_train), train pixels (N_train, C, H, W), test labels, test pixels.
#include "data/pack.h"

#include <cstring>

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

DataSource read_pack_bytes(const uint8_t* bytes, size_t size, const std::string& where) {
  require(is_pack(bytes, size), where, "not a CNN Lab pack file (bad magic)");
  require(size >= kPackHeaderBytes, where,
          "truncated pack file: " + std::to_string(size) + " bytes, the header alone is 64");
  const uint8_t* h = bytes;
  const uint32_t version = load_le32(h + 8);
  require(version != 0, where, "corrupt pack header (version 0)");
  require(version <= kPackVersion, where,
          "pack format version " + std::to_string(version) + " is newer than this build reads (" +
              std::to_string(kPackVersion) + "); update CNN Lab or re-create the pack");
  require(crc32(h, 60) == load_le32(h + 60), where, "corrupt pack header (checksum mismatch)");
  require(load_le32(h + 12) == kPackHeaderBytes, where, "corrupt pack header (header size)");
  const uint64_t channels = load_le32(h + 16), height = load_le32(h + 20),
                 width = load_le32(h + 24);
  const uint64_t classes = load_le32(h + 28), n_train = load_le32(h + 32),
                 n_test = load_le32(h + 36);
  const uint64_t text_bytes = load_le32(h + 40), file_size = load_le64(h + 48);
  require(channels == 1 || channels == 3, where,
          "header field channels = " + std::to_string(channels) + " (must be 1 or 3)");
  require(height >= 1 && height <= 4096 && width >= 1 && width <= 4096, where,
          "header fields height x width = " + std::to_string(height) + "x" + std::to_string(width) +
              " out of range");
  require(classes >= 1 && classes <= 256, where,
          "header field classes = " + std::to_string(classes) + " (must be 1..256)");
  const uint64_t image = channels * height * width;
  const uint64_t expected = kPackHeaderBytes + text_bytes + (n_train + n_test) * (1 + image);
  require(file_size == expected, where, "corrupt pack header (file size field " +
                                            std::to_string(file_size) + " disagrees with the " +
                                            std::to_string(expected) + " bytes its fields imply)");
  require(size >= file_size, where,
          "truncated pack file: " + std::to_string(size) + " bytes, its header says " +
              std::to_string(file_size));
  require(size == file_size, where,
          std::to_string(size - file_size) + " unexpected bytes after the end of the pack");
  require(crc32(bytes + kPackHeaderBytes, size - kPackHeaderBytes) == load_le32(h + 56), where,
          "pack checksum mismatch: the data is corrupt (CRC-32 of the payload differs)");
  // Text block: name, then one class name per line, each ending in '\n'.
  const char* text = reinterpret_cast<const char*>(bytes + kPackHeaderBytes);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i < text_bytes; ++i) {
    if (text[i] == '\n') {
      lines.emplace_back(text + start, i - start);
      start = i + 1;
    }
  }
  require(start == text_bytes && lines.size() == classes + 1, where,
          "corrupt pack text block (expected the dataset name and " + std::to_string(classes) +
              " class names, one a line)");
  DataSource src;
  const uint8_t* p = bytes + kPackHeaderBytes + text_bytes;
  Dataset* splits[2] = {&src.train, &src.test};
  const uint64_t counts[2] = {n_train, n_test};
  for (int s = 0; s < 2; ++s) {
    Dataset& d = *splits[s];
    d.name = lines[0];
    d.class_names.assign(lines.begin() + 1, lines.end());
    d.channels = static_cast<int>(channels);
    d.height = static_cast<int>(height);
    d.width = static_cast<int>(width);
    const size_t n = static_cast<size_t>(counts[s]);
    d.labels.assign(p, p + n);
    p += n;
    d.pixels.assign(p, p + n * image);
    p += n * image;
    d.validate(where + (s == 0 ? " (train split)" : " (test split)"));
  }
  require(src.train.size() > 0, where, "empty dataset: the pack holds no training images");
  src.origin = where + " (pack file)";
  return src;
}

DataSource read_pack(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return read_pack_bytes(bytes.data(), bytes.size(), path);
}

}  // namespace cnnlab
