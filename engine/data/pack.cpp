// Pack file reader and writer. Layout (little-endian), as documented in docs/pack-format.md:
//   0 magic "CNNLPACK" | 8 u32 version | 12 u32 header bytes (64) | 16 u32 channels |
//   20 u32 height | 24 u32 width | 28 u32 classes | 32 u32 train count | 36 u32 test count |
//   40 u32 text bytes | 44 u8 codec, 45 u8 quality, 46 u16 shared bytes (version 1: all 0) |
//   48 u64 file size | 56 u32 CRC-32 of [64, end) | 60 u32 CRC-32 of [0, 60)
//   64: text block: dataset name + '\n', then each class name + '\n'
//   raw:  then train labels (N_train), train pixels (N_train, C, H, W), test labels, test pixels.
//   jpeg: then the JPEG header every image shares (S bytes), then per split: labels (N),
//         image sizes (N u32), each image's own JPEG bytes (appended to the shared header, a
//         complete JPEG).
//
// [SECTION] index: Writer | PackReader: header | PackReader: payload | Reading a file
#include "data/pack.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>

#include "core/error.h"
#include "core/io.h"
#include "data/image.h"

#define STBI_NO_STDIO
#include <stb_image.h>

namespace cnnlab {

namespace {

constexpr char kMagic[8] = {'C', 'N', 'N', 'L', 'P', 'A', 'C', 'K'};
// The smallest possible own part of a JPEG image: its end-of-image marker.
constexpr uint64_t kMinJpegPartBytes = 2;

const char* split_name(int split) { return split == 0 ? "train" : "test"; }

// ---- [SECTION] Writer ----------------------------------------------------------------------------

// Header + text block (+ shared JPEG header), and the payload pieces in file order.
struct Encoded {
  std::vector<uint8_t> head;  // header (64 bytes) + text block
  std::vector<uint8_t> shared;  // JPEG: the header every image shares
  std::vector<uint8_t> images[2];  // JPEG: per split, the size table then the images' own bytes
  std::vector<std::pair<const uint8_t*, size_t>> pieces;  // head first, then the payload
};

// End of a JPEG's header: the byte after its start-of-scan segment (the entropy-coded data
// follows). Segments: FF marker, u16 big-endian length that counts itself.
size_t jpeg_scan_start(const std::vector<uint8_t>& jpeg) {
  size_t at = 2;  // after the start-of-image marker FF D8
  while (at + 4 <= jpeg.size() && jpeg[at] == 0xFF) {
    const uint8_t marker = jpeg[at + 1];
    at += 2 + ((size_t{jpeg[at + 2]} << 8) | jpeg[at + 3]);
    if (marker == 0xDA) return std::min(at, jpeg.size());
  }
  throw Error("jpeg", "the encoder wrote no start-of-scan segment");
}

// Every image as JPEG; the longest header all share (at most up to the scan) is stored once.
void encode_jpeg_images(const DataSource& data, int quality, Encoded& e) {
  require(quality >= 1 && quality <= 100, "--quality", "JPEG quality must be 1..100");
  const Dataset* splits[2] = {&data.train, &data.test};
  std::vector<std::vector<uint8_t>> jpegs[2];
  for (int s = 0; s < 2; ++s) {
    const Dataset& d = *splits[s];
    jpegs[s].reserve(d.size());
    for (size_t i = 0; i < d.size(); ++i)
      jpegs[s].push_back(encode_jpeg(d.pixels.data() + i * d.image_bytes(), d.channels, d.height,
                                     d.width, quality));
  }
  const std::vector<uint8_t>& first = jpegs[0].front();
  size_t shared = jpeg_scan_start(first);
  for (const auto& split : jpegs)
    for (const auto& jpeg : split) {
      size_t same = 0;
      while (same < shared && same < jpeg.size() && jpeg[same] == first[same]) ++same;
      shared = same;
    }
  require(shared <= 0xFFFF, "jpeg", "the JPEG header is larger than 65,535 bytes");
  e.shared.assign(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(shared));
  for (int s = 0; s < 2; ++s) {
    std::vector<uint8_t>& out = e.images[s];
    out.resize(4 * jpegs[s].size());
    for (size_t i = 0; i < jpegs[s].size(); ++i) {
      const std::vector<uint8_t>& jpeg = jpegs[s][i];
      store_le32(out.data() + 4 * i, static_cast<uint32_t>(jpeg.size() - shared));
      out.insert(out.end(), jpeg.begin() + static_cast<std::ptrdiff_t>(shared), jpeg.end());
    }
  }
}

Encoded encode(const DataSource& data, const PackEncoding& encoding, const std::string& where) {
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
  const bool jpeg = encoding.codec == PackCodec::kJpeg;
  std::string text = train.name + "\n";
  for (const std::string& c : train.class_names) text += c + "\n";
  Encoded e;
  if (jpeg) encode_jpeg_images(data, encoding.quality, e);
  e.head.assign(kPackHeaderBytes + text.size(), 0);
  uint8_t* h = e.head.data();
  std::memcpy(h, kMagic, 8);
  store_le32(h + 8, jpeg ? 2 : 1);  // raw packs stay version 1: every reader reads them
  store_le32(h + 12, static_cast<uint32_t>(kPackHeaderBytes));
  store_le32(h + 16, static_cast<uint32_t>(train.channels));
  store_le32(h + 20, static_cast<uint32_t>(train.height));
  store_le32(h + 24, static_cast<uint32_t>(train.width));
  store_le32(h + 28, static_cast<uint32_t>(train.class_names.size()));
  store_le32(h + 32, static_cast<uint32_t>(train.size()));
  store_le32(h + 36, static_cast<uint32_t>(test.size()));
  store_le32(h + 40, static_cast<uint32_t>(text.size()));
  if (jpeg) {
    h[44] = static_cast<uint8_t>(PackCodec::kJpeg);
    h[45] = static_cast<uint8_t>(encoding.quality);
    h[46] = static_cast<uint8_t>(e.shared.size() & 0xFF);
    h[47] = static_cast<uint8_t>(e.shared.size() >> 8);
  }
  std::memcpy(h + kPackHeaderBytes, text.data(), text.size());
  e.pieces.push_back({e.head.data(), e.head.size()});
  if (jpeg) e.pieces.push_back({e.shared.data(), e.shared.size()});
  const Dataset* splits[2] = {&train, &test};
  for (int s = 0; s < 2; ++s) {
    const Dataset& d = *splits[s];
    e.pieces.push_back({d.labels.data(), d.labels.size()});
    if (jpeg)
      e.pieces.push_back({e.images[s].data(), e.images[s].size()});
    else
      e.pieces.push_back({d.pixels.data(), d.pixels.size()});
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

std::vector<uint8_t> encode_pack(const DataSource& data, const PackEncoding& encoding) {
  const Encoded e = encode(data, encoding, "pack");
  std::vector<uint8_t> out;
  size_t total = 0;
  for (const auto& p : e.pieces) total += p.second;
  out.reserve(total);
  for (const auto& p : e.pieces) out.insert(out.end(), p.first, p.first + p.second);
  return out;
}

void write_pack(const std::string& path, const DataSource& data, const PackEncoding& encoding) {
  const Encoded e = encode(data, encoding, path);  // validates before any file is created
  write_file_atomic(path, e.pieces);
}

// ---- [SECTION] PackReader: header ----------------------------------------------------------------

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
  // The payload, section by section (the header's file size bounds the bytes, so a section is
  // always there for them).
  while (size > 0) {
    const Section& section = sections_[section_];
    const size_t take = static_cast<size_t>(std::min<uint64_t>(size, section.size - section_offset_));
    payload_crc_ = crc32(bytes, take, payload_crc_);
    consume(bytes, take);
    section_offset_ += take;
    bytes += take;
    size -= take;
    if (section_offset_ == section.size) section_done();
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
    // Version 1 has no codec fields (its bytes 44..47 are reserved): always raw.
    const uint8_t codec = version >= 2 ? h[44] : 0;
    require(codec <= static_cast<uint8_t>(PackCodec::kJpeg), where_,
            "unknown image codec " + std::to_string(codec) + " (this build reads 0 raw, 1 jpeg)");
    codec_ = static_cast<PackCodec>(codec);
    const uint64_t shared = version >= 2 ? (uint64_t{h[47]} << 8) | h[46] : 0;
    const uint64_t image = channels * height * width, images = n_train + n_test;
    if (codec_ == PackCodec::kRaw) {
      require(shared == 0, where_, "corrupt pack header (shared JPEG bytes in a raw pack)");
      const uint64_t expected = kPackHeaderBytes + text_bytes + images * (1 + image);
      require(file_size == expected, where_,
              "corrupt pack header (file size field " + std::to_string(file_size) +
                  " disagrees with the " + std::to_string(expected) + " bytes its fields imply)");
    } else {
      quality_ = h[45];
      require(quality_ >= 1 && quality_ <= 100 && shared >= 4, where_,
              "corrupt pack header (JPEG quality " + std::to_string(quality_) + ", shared header " +
                  std::to_string(shared) + " bytes)");
      // Each image takes at least its label, its size and its end-of-image marker.
      const uint64_t least =
          kPackHeaderBytes + text_bytes + shared + images * (1 + 4 + kMinJpegPartBytes);
      require(file_size >= least, where_,
              "corrupt pack header (file size field " + std::to_string(file_size) +
                  " is less than the " + std::to_string(least) + " bytes its fields imply)");
      require(images * image <= kPackMaxJpegExpansion * file_size, where_,
              "corrupt pack header (" + std::to_string(images) + " images of " +
                  std::to_string(channels) + "x" + std::to_string(height) + "x" +
                  std::to_string(width) + " would decode to more than " +
                  std::to_string(kPackMaxJpegExpansion) + " times the file's " +
                  std::to_string(file_size) + " bytes)");
    }
    // The whole file's size is known: a header that promises more (or fewer) bytes than will
    // arrive is refused here, before its images are given any memory.
    require(file_size_ >= file_size, where_,
            "truncated pack file: " + std::to_string(file_size_) + " bytes, its header says " +
                std::to_string(file_size));
    require(file_size_ == file_size, where_,
            std::to_string(file_size_ - file_size) + " unexpected bytes after the end of the pack");
    expected_crc_ = load_le32(h + 56);
    shared_.resize(static_cast<size_t>(shared));
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
  // File order (empty sections skipped, so a section always has room for the next byte):
  // raw: train labels, train pixels, test labels, test pixels; jpeg: the shared header, then per
  // split labels, size table, images (their size is known once the size table is in).
  if (codec_ == PackCodec::kJpeg) sections_.push_back({Part::kShared, 0, shared_.size()});
  for (int s = 0; s < 2; ++s) {
    const Dataset& d = *splits[s];
    if (d.labels.empty()) continue;
    sections_.push_back({Part::kLabels, s, d.labels.size()});
    if (codec_ == PackCodec::kRaw) {
      sections_.push_back({Part::kPixels, s, d.pixels.size()});
    } else {
      sections_.push_back({Part::kSizes, s, 4 * uint64_t{d.labels.size()}});
      sections_.push_back({Part::kImages, s, 0});
    }
  }
  payload_end_ = head_size_;
  for (const Section& section : sections_) payload_end_ += section.size;
  head_done_ = true;
  head_ = std::vector<uint8_t>();
}

// ---- [SECTION] PackReader: payload ---------------------------------------------------------------

std::string PackReader::image_name(int split, size_t index) const {
  return "image " + std::to_string(index) + " of the " + split_name(split) + " split";
}

void PackReader::consume(const uint8_t* bytes, size_t size) {
  const Section& section = sections_[section_];
  Dataset& d = section.split == 0 ? data_.train : data_.test;
  switch (section.part) {
    case Part::kShared:
      std::memcpy(shared_.data() + section_offset_, bytes, size);
      return;
    case Part::kLabels:
      std::memcpy(d.labels.data() + section_offset_, bytes, size);
      return;
    case Part::kPixels:
      std::memcpy(d.pixels.data() + section_offset_, bytes, size);
      return;
    case Part::kSizes:
      sizes_.insert(sizes_.end(), bytes, bytes + size);
      return;
    case Part::kImages:
      // Image after image: each complete one is decoded at once (shared header + own bytes).
      while (size > 0) {
        const uint64_t own = load_le32(sizes_.data() + 4 * image_index_);
        const size_t take = static_cast<size_t>(std::min<uint64_t>(size, own - image_offset_));
        image_.insert(image_.end(), bytes, bytes + take);
        image_offset_ += take;
        bytes += take;
        size -= take;
        if (image_offset_ == own) {
          decode_image_part(image_.data(), image_.size());
          image_.resize(shared_.size());
          image_offset_ = 0;
          ++image_index_;
        }
      }
      return;
  }
}

void PackReader::section_done() {
  Section& section = sections_[section_];
  const Dataset& d = section.split == 0 ? data_.train : data_.test;
  if (section.part == Part::kShared) {
    require(shared_[0] == 0xFF && shared_[1] == 0xD8 && shared_[2] == 0xFF, where_,
            "corrupt pack: the JPEG header its images share is not a JPEG's");
    image_ = shared_;
  } else if (section.part == Part::kSizes) {
    // The split's image sizes: each possible, and together exactly what the file has room for.
    const std::string table = std::string("image size table of the ") + split_name(section.split) +
                              " split";
    uint64_t total = 0;
    for (size_t i = 0; i < d.labels.size(); ++i) {
      const uint64_t own = load_le32(sizes_.data() + 4 * i);
      require(own >= kMinJpegPartBytes && shared_.size() + own <= kMaxImageFileBytes, where_,
              table + ": " + image_name(section.split, i) + " claims an impossible " +
                  std::to_string(own) + " bytes");
      total += own;
    }
    sections_[section_ + 1].size = total;
    payload_end_ += total;  // now every section's size is known but a later split's images
    const bool last = section.split == 1 || data_.test.size() == 0;
    const uint64_t later_least = last ? 0 : data_.test.size() * kMinJpegPartBytes;
    require(last ? payload_end_ == file_size_ : payload_end_ + later_least <= file_size_, where_,
            table + ": its images add up to " + std::to_string(total) +
                " bytes, which does not fit the file's " + std::to_string(file_size_));
    image_index_ = 0;
    image_offset_ = 0;
  } else if (section.part == Part::kImages) {
    sizes_ = std::vector<uint8_t>();
  }
  ++section_;
  section_offset_ = 0;
}

void PackReader::decode_image_part(const uint8_t* jpeg, size_t size) {
  const Section& section = sections_[section_];
  Dataset& d = section.split == 0 ? data_.train : data_.test;
  const std::string name = image_name(section.split, image_index_);
  // The size the JPEG claims is checked before it is decoded (stb_image would otherwise give a
  // corrupt image claiming 16384 x 16384 pixels a gigabyte). A gray pack's images may be stored
  // with colour components (stb_image_write always writes three): stb_image then gives their
  // luma plane as it is. A colour pack needs colour images.
  const auto shape = [&](int channels, int height, int width) {
    require(channels == d.channels && height == d.height && width == d.width, where_,
            name + " decodes to " + std::to_string(channels) + "x" + std::to_string(height) +
                "x" + std::to_string(width) + ", the pack's images are " +
                std::to_string(d.channels) + "x" + std::to_string(d.height) + "x" +
                std::to_string(d.width));
  };
  int width = 0, height = 0, components = 0;
  const int length = static_cast<int>(size);
  std::string problem;  // read_image_info also checks what stb_image does not (image.h)
  if (!read_image_info(jpeg, size, &width, &height, &components, &problem))
    throw Error(where_, name + ": corrupt image (" + problem + ")");
  shape(d.channels == 1 ? 1 : components, height, width);
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(jpeg, length, &width, &height, &components, d.channels),
      stbi_image_free);
  if (!pixels)
    throw Error(where_, name + ": corrupt image (" + stbi_failure_reason() + ")");
  shape(d.channels == 1 ? 1 : components, height, width);
  // (H, W, C) interleaved -> (C, H, W) planes, in place in the dataset.
  const size_t plane = static_cast<size_t>(height) * static_cast<size_t>(width);
  const size_t c_count = static_cast<size_t>(d.channels);
  uint8_t* dest = d.pixels.data() + image_index_ * d.image_bytes();
  const stbi_uc* src = pixels.get();
  for (size_t c = 0; c < c_count; ++c)
    for (size_t i = 0; i < plane; ++i) dest[c * plane + i] = src[i * c_count + c];
}

DataSource PackReader::finish() {
  if (!head_done_) {
    require(received_ >= 8 && is_pack(head_.data(), head_.size()), where_,
            "not a CNN Lab pack file (bad magic)");
    require(received_ >= kPackHeaderBytes, where_,
            "truncated pack file: " + std::to_string(received_) + " bytes, the header alone is 64");
  }
  if (received_ != file_size_ || !head_done_) {
    std::string inside;
    if (head_done_ && section_ < sections_.size() && sections_[section_].part == Part::kImages)
      inside = " (it ends inside " + image_name(sections_[section_].split, image_index_) + ")";
    throw Error(where_, "truncated pack file: " + std::to_string(received_) +
                            " bytes, its header says " + std::to_string(file_size_) + inside);
  }
  require(payload_crc_ == expected_crc_, where_,
          "pack checksum mismatch: the data is corrupt (CRC-32 of the payload differs)");
  data_.train.validate(where_ + " (train split)");
  data_.test.validate(where_ + " (test split)");
  require(data_.train.size() > 0, where_, "empty dataset: the pack holds no training images");
  data_.origin = where_ + " (pack file)";
  return std::move(data_);
}

// ---- [SECTION] Reading a file --------------------------------------------------------------------

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
