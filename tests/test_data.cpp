// Data pipeline: compression (CRC-32, gzip, inflate), tar listing, the loaders (CIFAR-10 binary
// folder and archive, image folder and archive, IDX plain and gzip), the pack format, stratified
// split, balanced subsets, standardisation, the Batcher (determinism, random access,
// augmentation), single-image decoding and resizing, and every bad input. All files are made by
// the test in a temporary folder (PNG/JPEG via Debian's stb_image_write, tar and gzip by the
// small writers below). With CNNLAB_CIFAR10 pointing at the real CIFAR-10 archive one extra case
// checks it.
//
// [SECTION] index
//   Helpers          temp folder, file writers, gzip/tar/PNG/IDX/CIFAR writers, synthetic data
//   Compression      crc32, gunzip, inflate_raw, tar
//   Loaders          CIFAR-10 binary, image folder, IDX, detection, bad input
//   Pack             round trip, size formula, bad input
//   Split            stratified split, balanced subset, standardisation, Preprocess
//   Batcher          order, random access, augmentation, bad input
//   Images           decode, crop, resize, channels
//   Real data        CNNLAB_CIFAR10
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/io.h"
#include "test_helpers.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "data/batcher.h"
#include "data/compression.h"
#include "data/dataset.h"
#include "data/image.h"
#include "data/loaders.h"
#include "data/pack.h"
#include "data/preprocess.h"
#include "data/split.h"
#include "data/tar.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

using namespace cnnlab;
using cnnlab::testing::contains;
using cnnlab::testing::error_of;
namespace fs = std::filesystem;

using cnnlab::testing::kCanWriteJpeg;

namespace {

// ---- [SECTION] Helpers ------------------------------------------------------------------------

using Bytes = std::vector<uint8_t>;

struct TempDir {
  fs::path path;
  TempDir() {
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path = fs::temp_directory_path() /
           ("cnnlab_test_data_" + std::to_string(static_cast<long long>(stamp)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& rel) const { return (path / rel).string(); }
};

void write_file(const std::string& path, const Bytes& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(f.good());
}

void write_text(const std::string& path, const std::string& text) {
  write_file(path, Bytes(text.begin(), text.end()));
}

Bytes read_file(const std::string& path) { return read_file_bytes(path); }

void put_le32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// gzip with stored (uncompressed) DEFLATE blocks: exercises framing and trailer checks.
Bytes gzip_stored(const Bytes& data) {
  Bytes out = {0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3};
  size_t pos = 0;
  do {
    const size_t n = std::min<size_t>(65535, data.size() - pos);
    const bool final_block = pos + n == data.size();
    out.push_back(final_block ? 1 : 0);
    out.push_back(static_cast<uint8_t>(n));
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(~n));
    out.push_back(static_cast<uint8_t>(~n >> 8));
    out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(pos),
               data.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
  } while (pos < data.size());
  put_le32(out, crc32(data.data(), data.size()));
  put_le32(out, static_cast<uint32_t>(data.size()));
  return out;
}

// Raw DEFLATE with Huffman coding (stb_image_write's zlib compressor minus its zlib framing).
Bytes deflate_raw(const Bytes& data) {
  int len = 0;
  unsigned char* z = stbi_zlib_compress(const_cast<unsigned char*>(data.data()),
                                        static_cast<int>(data.size()), &len, 8);
  REQUIRE(z != nullptr);
  Bytes out(z + 2, z + len - 4);  // drop the 2-byte header and the Adler-32
  STBIW_FREE(z);
  return out;
}

// gzip with a real compressed stream and a file name in the header (FNAME).
Bytes gzip_compressed(const Bytes& data) {
  Bytes out = {0x1F, 0x8B, 8, 0x08, 0, 0, 0, 0, 0, 3, 'x', '.', 't', 'a', 'r', 0};
  const Bytes body = deflate_raw(data);
  out.insert(out.end(), body.begin(), body.end());
  put_le32(out, crc32(data.data(), data.size()));
  put_le32(out, static_cast<uint32_t>(data.size()));
  return out;
}

// A tar archive writer: ustar headers, GNU 'L' records for names over 100 bytes.
struct TarWriter {
  Bytes out;
  void header(const std::string& name, size_t size, char type) {
    cnnlab::testing::append_ustar_header(out, name, size, type);
  }
  void body(const uint8_t* data, size_t size) {
    out.insert(out.end(), data, data + size);
    out.resize((out.size() + 511) / 512 * 512, 0);
  }
  void add(const std::string& name, const Bytes& data) {
    if (name.size() > 100) {
      header("././@LongLink", name.size() + 1, 'L');
      Bytes n(name.begin(), name.end());
      n.push_back(0);
      body(n.data(), n.size());
    }
    header(name, data.size(), '0');
    body(data.data(), data.size());
  }
  void add_dir(const std::string& name) { header(name, 0, '5'); }
  void add_pax_path(const std::string& path, const Bytes& data) {
    std::string record = " path=" + path + "\n";
    size_t len = record.size() + 2;
    if (std::to_string(len).size() + record.size() != len) ++len;
    const std::string full = std::to_string(len) + record;
    header("PaxHeaders/x", full.size(), 'x');
    body(reinterpret_cast<const uint8_t*>(full.data()), full.size());
    header("truncated-name", data.size(), '0');
    body(data.data(), data.size());
  }
  Bytes finish() {
    out.resize(out.size() + 1024, 0);
    return out;
  }
};

// Every regular file under `dir`, as a tar whose paths start with `top` ("top/...").
Bytes tar_of_folder(const std::string& dir, const std::string& top) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(fs::path(e.path()).lexically_relative(dir).generic_string());
  }
  std::sort(files.begin(), files.end());
  TarWriter tar;
  tar.add_dir(top + "/");
  for (const std::string& f : files) tar.add(top + "/" + f, read_file((fs::path(dir) / f).string()));
  return tar.finish();
}

void append_vec(std::vector<uint8_t>* out, const void* data, int size) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

// PNG (or JPEG) of planar (C, H, W) pixels.
Bytes encode_png(const Image& img) {
  std::vector<uint8_t> interleaved(img.pixels.size());
  const size_t plane = static_cast<size_t>(img.height) * img.width;
  for (size_t i = 0; i < plane; ++i) {
    for (int c = 0; c < img.channels; ++c) interleaved[i * img.channels + c] = img.pixels[c * plane + i];
  }
  Bytes out;
  stbi_write_png_to_func([](void* ctx, void* data, int size) { append_vec(static_cast<Bytes*>(ctx), data, size); },
                         &out, img.width, img.height, img.channels, interleaved.data(),
                         img.width * img.channels);
  REQUIRE(!out.empty());
  return out;
}

Bytes encode_jpeg(const Image& img) {
  std::vector<uint8_t> interleaved(img.pixels.size());
  const size_t plane = static_cast<size_t>(img.height) * img.width;
  for (size_t i = 0; i < plane; ++i) {
    for (int c = 0; c < img.channels; ++c) interleaved[i * img.channels + c] = img.pixels[c * plane + i];
  }
  Bytes out;
  stbi_write_jpg_to_func([](void* ctx, void* data, int size) { append_vec(static_cast<Bytes*>(ctx), data, size); },
                         &out, img.width, img.height, img.channels, interleaved.data(), 95);
  REQUIRE(!out.empty());
  return out;
}

Image random_image(Rng& rng, int channels, int height, int width, int lo = 0) {
  Image img;
  img.channels = channels;
  img.height = height;
  img.width = width;
  img.pixels.resize(static_cast<size_t>(channels) * height * width);
  for (uint8_t& p : img.pixels) p = static_cast<uint8_t>(lo + static_cast<int>(rng.below(static_cast<uint32_t>(256 - lo))));
  return img;
}

// A synthetic dataset: counts[c] images of class c, pixels from 1..255 (so zero padding shows).
Dataset synthetic(const std::vector<int>& counts, int channels = 3, int height = 6, int width = 5,
                  uint64_t seed = 7) {
  Dataset d;
  d.name = "synthetic";
  for (size_t c = 0; c < counts.size(); ++c) d.class_names.push_back("class" + std::to_string(c));
  d.channels = channels;
  d.height = height;
  d.width = width;
  Rng rng(seed, 99);
  // Interleave classes so images of one class are not contiguous.
  std::vector<int> left = counts;
  bool any = true;
  while (any) {
    any = false;
    for (size_t c = 0; c < counts.size(); ++c) {
      if (left[c] == 0) continue;
      --left[c];
      any = true;
      d.labels.push_back(static_cast<uint8_t>(c));
      for (size_t k = 0; k < d.image_bytes(); ++k) d.pixels.push_back(static_cast<uint8_t>(1 + rng.below(255)));
    }
  }
  return d;
}

void check_same_dataset(const Dataset& a, const Dataset& b) {
  CHECK(a.name == b.name);
  CHECK(a.class_names == b.class_names);
  CHECK(a.channels == b.channels);
  CHECK(a.height == b.height);
  CHECK(a.width == b.width);
  CHECK(a.labels == b.labels);
  CHECK(a.pixels == b.pixels);
}

// A fake CIFAR-10 binary folder: 5 training batches of 3 records and a test batch of 4.
// Returns the records' expected dataset.
DataSource write_fake_cifar(const std::string& dir, bool with_meta = true) {
  DataSource expect;
  for (Dataset* d : {&expect.train, &expect.test}) {
    d->name = "cifar10";
    d->class_names = cifar10_class_names();
    d->channels = 3;
    d->height = d->width = 32;
  }
  Rng rng(3, 4);
  auto batch = [&](Dataset& d, int records) {
    Bytes b;
    for (int r = 0; r < records; ++r) {
      const uint8_t label = static_cast<uint8_t>(rng.below(10));
      b.push_back(label);
      d.labels.push_back(label);
      for (int k = 0; k < 3072; ++k) {
        const uint8_t p = static_cast<uint8_t>(rng.next_u32());
        b.push_back(p);
        d.pixels.push_back(p);
      }
    }
    return b;
  };
  for (int i = 1; i <= 5; ++i) write_file(dir + "/data_batch_" + std::to_string(i) + ".bin", batch(expect.train, 3));
  write_file(dir + "/test_batch.bin", batch(expect.test, 4));
  if (with_meta) {
    std::string meta;
    for (const std::string& n : cifar10_class_names()) meta += n + "\n";
    write_text(dir + "/batches.meta.txt", meta + "\n");
  }
  return expect;
}

Bytes idx_file(const std::vector<uint32_t>& dims, const Bytes& data) {
  Bytes b = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(d >> (8 * i)));
  }
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

// Writes an IDX split pair (images gz or plain, labels the other way) and returns the dataset.
Dataset write_idx_split(const std::string& dir, const std::string& prefix, int n, bool images_gz,
                        Rng& rng) {
  Dataset d;
  d.channels = 1;
  d.height = 28;
  d.width = 28;
  for (int i = 0; i < n; ++i) {
    d.labels.push_back(static_cast<uint8_t>(i % 3));
    for (int k = 0; k < 28 * 28; ++k) d.pixels.push_back(static_cast<uint8_t>(rng.next_u32()));
  }
  const Bytes images = idx_file({static_cast<uint32_t>(n), 28, 28}, d.pixels);
  const Bytes labels = idx_file({static_cast<uint32_t>(n)}, d.labels);
  if (images_gz) {
    write_file(dir + "/" + prefix + "-images-idx3-ubyte.gz", gzip_compressed(images));
    write_file(dir + "/" + prefix + "-labels-idx1-ubyte", labels);
  } else {
    write_file(dir + "/" + prefix + "-images-idx3-ubyte", images);
    write_file(dir + "/" + prefix + "-labels-idx1-ubyte.gz", gzip_stored(labels));
  }
  return d;
}

// An image folder root/{train,test}/<class>/NNNN.png of 8x6 RGB images; returns the expected
// images per split in file-name order.
struct FolderSpec {
  std::vector<std::string> classes{"dog", "cat", "bird"};  // classes.txt order
  int train_per_class = 3, test_per_class = 2;
};

DataSource write_image_folder(const std::string& root, const FolderSpec& spec, bool classes_txt,
                              int channels = 3) {
  DataSource expect;
  std::vector<std::string> order = spec.classes;
  if (!classes_txt) std::sort(order.begin(), order.end());
  Rng rng(11, 12);
  // Files are read in sorted path order: class folders alphabetically, then file names.
  std::vector<std::string> folder_order = spec.classes;
  std::sort(folder_order.begin(), folder_order.end());
  for (int split = 0; split < 2; ++split) {
    Dataset& d = split == 0 ? expect.train : expect.test;
    d.name = fs::path(root).filename().string();
    d.class_names = order;
    d.channels = channels;
    d.height = 6;
    d.width = 8;
    const int per = split == 0 ? spec.train_per_class : spec.test_per_class;
    for (const std::string& c : folder_order) {
      const uint8_t label = static_cast<uint8_t>(std::find(order.begin(), order.end(), c) - order.begin());
      for (int i = 0; i < per; ++i) {
        Image img = random_image(rng, channels, 6, 8);
        char name[16];
        std::snprintf(name, sizeof name, "%04d.png", i);
        write_file(root + (split == 0 ? "/train/" : "/test/") + c + "/" + name, encode_png(img));
        d.labels.push_back(label);
        d.pixels.insert(d.pixels.end(), img.pixels.begin(), img.pixels.end());
      }
    }
  }
  if (classes_txt) {
    std::string text;
    for (const std::string& c : spec.classes) text += c + "\r\n";
    write_text(root + "/classes.txt", text);
  }
  return expect;
}

}  // namespace

// ---- [SECTION] Compression --------------------------------------------------------------------

TEST_CASE("crc32 matches the standard check value and chains") {
  const std::string s = "123456789";
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  CHECK(crc32(p, 9) == 0xCBF43926u);
  CHECK(crc32(p + 4, 5, crc32(p, 4)) == 0xCBF43926u);
  CHECK(crc32(p, 0) == 0u);
  Bytes big(1000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 7 + 3);
  uint32_t chained = 0;
  for (size_t i = 0; i < big.size(); i += 37) chained = crc32(big.data() + i, std::min<size_t>(37, big.size() - i), chained);
  CHECK(chained == crc32(big.data(), big.size()));
}

TEST_CASE("gunzip decodes stored and compressed streams and checks the trailer") {
  Rng rng(1, 2);
  Bytes data(200000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i % 251 < 100 ? rng.below(4) : i % 7);
  CHECK(gunzip(gzip_stored(data).data(), gzip_stored(data).size(), "x") == data);
  const Bytes gz = gzip_compressed(data);
  CHECK(gz.size() < data.size() / 2);
  CHECK(gunzip(gz.data(), gz.size(), "x") == data);
  const Bytes empty_gz = gzip_stored({});
  CHECK(gunzip(empty_gz.data(), empty_gz.size(), "x").empty());

  SUBCASE("CRC mismatch") {
    Bytes bad = gzip_stored(data);
    bad[100] ^= 0x40;
    const std::string msg = error_of([&] { gunzip(bad.data(), bad.size(), "data.gz"); });
    CHECK(contains(msg, "data.gz"));
    CHECK(contains(msg, "CRC"));
  }
  SUBCASE("truncated") {
    const Bytes cut(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2));
    const std::string msg = error_of([&] { gunzip(cut.data(), cut.size(), "data.gz"); });
    CHECK(contains(msg, "data.gz: truncated or corrupt"));
    const Bytes tiny(gz.begin(), gz.begin() + 12);
    CHECK(contains(error_of([&] { gunzip(tiny.data(), tiny.size(), "t.gz"); }), "truncated"));
  }
  SUBCASE("corrupt compressed data") {
    Bytes bad = gz;
    for (size_t i = 20; i < 60; ++i) bad[i] ^= 0xA5;
    CHECK(contains(error_of([&] { gunzip(bad.data(), bad.size(), "c.gz"); }), "c.gz"));
  }
  SUBCASE("bad magic and method") {
    Bytes bad = gz;
    bad[1] = 0x8C;
    CHECK(contains(error_of([&] { gunzip(bad.data(), bad.size(), "m.gz"); }), "bad magic"));
    bad = gz;
    bad[2] = 7;
    CHECK(contains(error_of([&] { gunzip(bad.data(), bad.size(), "m.gz"); }), "method"));
  }
}

TEST_CASE("inflate_raw returns exactly the expected size or an error") {
  Bytes data(5000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>((i * i) % 13);
  const Bytes z = deflate_raw(data);
  CHECK(inflate_raw(z.data(), z.size(), data.size(), "a.npy") == data);
  CHECK(contains(error_of([&] { inflate_raw(z.data(), z.size(), data.size() + 1, "a.npy"); }), "a.npy"));
  CHECK(contains(error_of([&] { inflate_raw(z.data(), z.size(), data.size() - 1, "a.npy"); }), "a.npy"));
}

TEST_CASE("tar listing: ustar, GNU long names, pax paths, corruption") {
  TarWriter tar;
  tar.add_dir("top/");
  tar.add("top/a.txt", {'h', 'i'});
  const std::string long_name = "top/" + std::string(120, 'n') + "/file.bin";
  tar.add(long_name, Bytes(700, 9));
  tar.add_pax_path("top/pax/named.bin", {1, 2, 3});
  tar.add("./top/empty", {});
  const Bytes archive = tar.finish();
  REQUIRE(looks_like_tar(archive.data(), archive.size()));
  const std::vector<TarEntry> entries = list_tar(archive.data(), archive.size(), "t.tar");
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].path == "top/a.txt");
  CHECK(entries[0].size == 2);
  CHECK(archive[entries[0].offset] == 'h');
  CHECK(entries[1].path == long_name);
  CHECK(entries[1].size == 700);
  CHECK(entries[2].path == "top/pax/named.bin");
  CHECK(archive[entries[2].offset + 2] == 3);
  CHECK(entries[3].path == "top/empty");

  Bytes bad = archive;
  bad[512 + 5] ^= 1;  // name of the second header: checksum no longer matches
  CHECK(contains(error_of([&] { list_tar(bad.data(), bad.size(), "t.tar"); }), "t.tar: corrupt tar header at offset 512"));
  const Bytes cut(archive.begin(), archive.begin() + 512 * 4 + 100);
  CHECK(contains(error_of([&] { list_tar(cut.data(), cut.size(), "t.tar"); }), "truncated"));
  const Bytes text(600, 'a');
  CHECK_FALSE(looks_like_tar(text.data(), text.size()));
}

// ---- [SECTION] Loaders ------------------------------------------------------------------------

TEST_CASE("CIFAR-10 binary folder and archive load identically") {
  TempDir tmp;
  const DataSource expect = write_fake_cifar(tmp / "cifar-10-batches-bin");
  const DataSource folder = load_data(tmp / "cifar-10-batches-bin");
  CHECK(folder.train.size() == 15);
  CHECK(folder.test.size() == 4);
  check_same_dataset(folder.train, expect.train);
  check_same_dataset(folder.test, expect.test);
  CHECK(contains(folder.origin, "CIFAR-10 binary folder"));
  // The parent folder is recognised too (the extracted archive).
  check_same_dataset(load_data(tmp.path.string()).train, expect.train);

  write_file(tmp / "cifar-10-binary.tar.gz", gzip_compressed(tar_of_folder(tmp / "cifar-10-batches-bin", "cifar-10-batches-bin")));
  const DataSource archive = load_data(tmp / "cifar-10-binary.tar.gz");
  check_same_dataset(archive.train, expect.train);
  check_same_dataset(archive.test, expect.test);
  CHECK(contains(archive.origin, "archive"));

  SUBCASE("default class names without batches.meta.txt") {
    fs::remove(tmp / "cifar-10-batches-bin/batches.meta.txt");
    CHECK(load_data(tmp / "cifar-10-batches-bin").train.class_names == cifar10_class_names());
  }
  SUBCASE("missing batch") {
    fs::remove(tmp / "cifar-10-batches-bin/data_batch_3.bin");
    const std::string msg = error_of([&] { load_data(tmp / "cifar-10-batches-bin"); });
    CHECK(contains(msg, "missing data_batch_3.bin"));
  }
  SUBCASE("truncated batch") {
    Bytes b = read_file(tmp / "cifar-10-batches-bin/data_batch_2.bin");
    b.resize(b.size() - 10);
    write_file(tmp / "cifar-10-batches-bin/data_batch_2.bin", b);
    const std::string msg = error_of([&] { load_data(tmp / "cifar-10-batches-bin"); });
    CHECK(contains(msg, "data_batch_2.bin"));
    CHECK(contains(msg, "3,073-byte records"));
  }
  SUBCASE("bad label") {
    Bytes b = read_file(tmp / "cifar-10-batches-bin/test_batch.bin");
    b[3073] = 12;
    write_file(tmp / "cifar-10-batches-bin/test_batch.bin", b);
    const std::string msg = error_of([&] { load_data(tmp / "cifar-10-batches-bin"); });
    CHECK(contains(msg, "test_batch.bin: record 1 has label 12"));
  }
  SUBCASE("bad class list") {
    write_text(tmp / "cifar-10-batches-bin/batches.meta.txt", "a\nb\n");
    CHECK(contains(error_of([&] { load_data(tmp / "cifar-10-batches-bin"); }), "batches.meta.txt"));
  }
}

TEST_CASE("image folder: classes.txt order, pixels exact, archive identical") {
  TempDir tmp;
  const std::string root = tmp / "pets";
  const DataSource expect = write_image_folder(root, FolderSpec{}, true);
  const DataSource src = load_data(root);
  CHECK(src.train.name == "pets");
  CHECK(src.train.class_names == std::vector<std::string>{"dog", "cat", "bird"});
  CHECK(src.train.size() == 9);
  CHECK(src.test.size() == 6);
  CHECK(src.train.channels == 3);
  CHECK(src.train.height == 6);
  CHECK(src.train.width == 8);
  check_same_dataset(src.train, expect.train);
  check_same_dataset(src.test, expect.test);
  CHECK(src.train.class_counts() == std::vector<size_t>{3, 3, 3});

  // As a .tar.gz whose top folder is pets/ (like cifar10-imagefolder.tar.gz), and as a .tar.
  const Bytes tar = tar_of_folder(root, "pets");
  write_file(tmp / "pets.tar.gz", gzip_compressed(tar));
  write_file(tmp / "pets.tar", tar);
  for (const std::string& archive : {tmp / "pets.tar.gz", tmp / "pets.tar"}) {
    const DataSource a = load_data(archive);
    check_same_dataset(a.train, expect.train);
    check_same_dataset(a.test, expect.test);
  }
  // From memory (what the browser hands over).
  const Bytes gz = read_file(tmp / "pets.tar.gz");
  check_same_dataset(load_data_bytes(gz.data(), gz.size(), "pets.tar.gz").train, expect.train);
  // The folder that contains pets/ works too.
  check_same_dataset(load_data(tmp.path.string()).test, expect.test);
}

TEST_CASE("image folder: sorted folder names without classes.txt; gray images give 1 channel") {
  TempDir tmp;
  const DataSource expect = write_image_folder(tmp / "gray", FolderSpec{}, false, 1);
  const DataSource src = load_data(tmp / "gray");
  CHECK(src.train.class_names == std::vector<std::string>{"bird", "cat", "dog"});
  CHECK(src.train.channels == 1);
  check_same_dataset(src.train, expect.train);
  check_same_dataset(src.test, expect.test);
  // Hidden files (macOS ._ and .DS_Store) are ignored.
  write_text(tmp / "gray/train/cat/.DS_Store", "junk");
  CHECK(load_data(tmp / "gray").train.size() == 9);
}

TEST_CASE("image folder: JPEG images decode close to their source") {
  if (!kCanWriteJpeg) return;
  TempDir tmp;
  Rng rng(5, 6);
  Image smooth;
  smooth.channels = 3;
  smooth.height = smooth.width = 16;
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 16; ++y) {
      for (int x = 0; x < 16; ++x) smooth.pixels.push_back(static_cast<uint8_t>(40 + 8 * x + 4 * y + 20 * c));
    }
  }
  for (const char* split : {"train", "test"}) {
    write_file(tmp / (std::string("j/") + split + "/a/0.jpg"), encode_jpeg(smooth));
    write_file(tmp / (std::string("j/") + split + "/b/0.JPEG"), encode_jpeg(smooth));
  }
  const DataSource src = load_data(tmp / "j");
  REQUIRE(src.train.size() == 2);
  int worst = 0, total = 0;
  for (size_t i = 0; i < smooth.pixels.size(); ++i) {
    const int diff = std::abs(src.train.pixels[i] - smooth.pixels[i]);
    worst = std::max(worst, diff);
    total += diff;
  }
  CHECK(worst <= 24);
  CHECK(total <= 3 * static_cast<int>(smooth.pixels.size()));
}

TEST_CASE("image folder: 256 classes load; 257 class folders or classes.txt lines are refused") {
  // Labels are one byte. One small image per class and split keeps this fast.
  auto classes = [](int n) {
    FolderSpec spec;
    spec.classes.clear();
    for (int i = 0; i < n; ++i) spec.classes.push_back("c" + std::to_string(1000 + i));
    spec.train_per_class = spec.test_per_class = 1;
    return spec;
  };
  TempDir tmp;
  const DataSource expect = write_image_folder(tmp / "k256", classes(256), false, 1);
  const DataSource got = load_data(tmp / "k256");
  CHECK(got.train.class_names.size() == 256);
  CHECK(got.train.labels == expect.train.labels);
  CHECK(got.train.labels.back() == 255);
  write_image_folder(tmp / "k257", classes(257), false, 1);
  CHECK(contains(error_of([&] { load_data(tmp / "k257"); }), "more than 256 class folders in train/"));
  write_image_folder(tmp / "t257", classes(257), true, 1);
  CHECK(contains(error_of([&] { load_data(tmp / "t257"); }), "classes.txt: more than 256 classes"));
}

TEST_CASE("image folder: bad inputs name the file and the problem") {
  TempDir tmp;
  const std::string root = tmp / "cifar10";
  write_image_folder(root, FolderSpec{}, true);
  Rng rng(8, 9);

  SUBCASE("wrong size") {
    write_file(root + "/train/cat/0003.png", encode_png(random_image(rng, 3, 64, 64)));
    const std::string msg = error_of([&] { load_data(root); });
    CHECK(contains(msg, "cifar10/train/cat/0003.png: 64x64 but the other images are 8x6"));
    // The same inside an archive names the entry and the archive.
    write_file(tmp / "c.tar.gz", gzip_stored(tar_of_folder(root, "cifar10")));
    const std::string in_archive = error_of([&] { load_data(tmp / "c.tar.gz"); });
    CHECK(contains(in_archive, "cifar10/train/cat/0003.png (in "));
    CHECK(contains(in_archive, "64x64 but the other images are 8x6"));
  }
  SUBCASE("non-image file") {
    write_text(root + "/train/dog/notes.txt", "hello");
    const std::string msg = error_of([&] { load_data(root); });
    CHECK(contains(msg, "train/dog/notes.txt"));
    CHECK(contains(msg, "not an image"));
  }
  SUBCASE("corrupt image") {
    write_text(root + "/test/bird/0009.png", "not really a png");
    const std::string msg = error_of([&] { load_data(root); });
    CHECK(contains(msg, "test/bird/0009.png"));
    CHECK(contains(msg, "PNG or JPEG"));
  }
  SUBCASE("truncated image") {
    Bytes png = read_file(root + "/train/cat/0001.png");
    png.resize(png.size() / 2);
    write_file(root + "/train/cat/0001.png", png);
    CHECK(contains(error_of([&] { load_data(root); }), "train/cat/0001.png"));
  }
  SUBCASE("class folder not in classes.txt") {
    write_file(root + "/test/fish/0000.png", encode_png(random_image(rng, 3, 6, 8)));
    CHECK(contains(error_of([&] { load_data(root); }), "class folder 'fish' is not listed in classes.txt"));
  }
  SUBCASE("class in classes.txt without images") {
    write_text(root + "/classes.txt", "dog\ncat\nbird\nfish\n");
    CHECK(contains(error_of([&] { load_data(root); }), "class 'fish' has no images"));
  }
  SUBCASE("file outside a class folder") {
    write_file(root + "/train/0000.png", encode_png(random_image(rng, 3, 6, 8)));
    CHECK(contains(error_of([&] { load_data(root); }), "not inside a class folder"));
  }
  SUBCASE("no test split") {
    fs::remove_all(root + "/test");
    CHECK(contains(error_of([&] { load_data(root); }), "empty dataset: no test images"));
  }
  SUBCASE("corrupt archive") {
    Bytes gz = gzip_compressed(tar_of_folder(root, "cifar10"));
    gz[gz.size() / 2] ^= 0xFF;
    write_file(tmp / "c.tar.gz", gz);
    CHECK(contains(error_of([&] { load_data(tmp / "c.tar.gz"); }), "c.tar.gz"));
    gz = gzip_compressed(tar_of_folder(root, "cifar10"));
    gz.resize(gz.size() * 2 / 3);
    write_file(tmp / "c.tar.gz", gz);
    CHECK(contains(error_of([&] { load_data(tmp / "c.tar.gz"); }), "c.tar.gz: truncated or corrupt"));
  }
}

TEST_CASE("IDX folder: gzip and plain files, names from the folder or Fashion-MNIST") {
  TempDir tmp;
  Rng rng(21, 22);
  const Dataset train = write_idx_split(tmp / "digits", "train", 7, true, rng);
  const Dataset test = write_idx_split(tmp / "digits", "t10k", 5, false, rng);
  const DataSource src = load_data(tmp / "digits");
  CHECK(src.train.name == "digits");
  CHECK(src.train.class_names == std::vector<std::string>{"0", "1", "2"});
  CHECK(src.train.channels == 1);
  CHECK(src.train.height == 28);
  CHECK(src.train.width == 28);
  CHECK(src.train.pixels == train.pixels);
  CHECK(src.train.labels == train.labels);
  CHECK(src.test.pixels == test.pixels);
  CHECK(src.test.labels == test.labels);

  fs::rename(tmp / "digits", tmp / "fashion-mnist");
  const DataSource fashion = load_data(tmp / "fashion-mnist");
  CHECK(fashion.train.name == "fashion-mnist");
  CHECK(fashion.train.class_names == fashion_mnist_class_names());
  CHECK(fashion.test.class_names[9] == "Ankle boot");

  SUBCASE("label count mismatch") {
    write_file(tmp / "fashion-mnist/t10k-labels-idx1-ubyte.gz", gzip_stored(idx_file({4}, {0, 1, 2, 0})));
    CHECK(contains(error_of([&] { load_data(tmp / "fashion-mnist"); }), "4 labels for 5 images"));
  }
  SUBCASE("truncated data") {
    Bytes b = read_file(tmp / "fashion-mnist/t10k-images-idx3-ubyte");
    b.resize(b.size() - 3);
    write_file(tmp / "fashion-mnist/t10k-images-idx3-ubyte", b);
    CHECK(contains(error_of([&] { load_data(tmp / "fashion-mnist"); }), "t10k-images-idx3-ubyte: IDX data holds"));
  }
  SUBCASE("bad magic") {
    write_file(tmp / "fashion-mnist/t10k-labels-idx1-ubyte.gz", gzip_stored({1, 2, 3, 4, 5}));
    CHECK(contains(error_of([&] { load_data(tmp / "fashion-mnist"); }), "not an IDX file"));
  }
  SUBCASE("missing file") {
    fs::remove(tmp / "fashion-mnist/t10k-labels-idx1-ubyte.gz");
    CHECK(contains(error_of([&] { load_data(tmp / "fashion-mnist"); }), "missing t10k-labels-idx1-ubyte"));
  }
}

TEST_CASE("load_data: unknown formats and missing paths") {
  TempDir tmp;
  write_text(tmp / "notes.txt", "just text, nothing else");
  CHECK(contains(error_of([&] { load_data(tmp / "notes.txt"); }), "unknown dataset format"));
  CHECK(contains(error_of([&] { load_data(tmp / "missing.pack"); }), "missing.pack: no such file"));
  write_file(tmp / "empty.bin", {});
  CHECK(contains(error_of([&] { load_data(tmp / "empty.bin"); }), "empty"));
  fs::create_directories(tmp / "empty_folder");
  CHECK(contains(error_of([&] { load_data(tmp / "empty_folder"); }), "empty folder"));
  write_text(tmp / "other/readme.md", "x");
  CHECK(contains(error_of([&] { load_data(tmp / "other"); }), "unknown dataset format"));
  write_file(tmp / "text.gz", gzip_stored(Bytes(1000, 'a')));
  CHECK(contains(error_of([&] { load_data(tmp / "text.gz"); }), "does not hold a tar archive"));
}

// ---- [SECTION] Pack ---------------------------------------------------------------------------

TEST_CASE("pack round trip is bit-identical, from file and from memory") {
  TempDir tmp;
  DataSource src;
  src.train = synthetic({4, 3, 5}, 3, 7, 5);
  src.test = synthetic({2, 2, 2}, 3, 7, 5, 8);
  src.train.name = src.test.name = "tiny set";
  write_pack(tmp / "tiny.pack", src);
  const Bytes bytes = read_file(tmp / "tiny.pack");
  // Size formula of docs/pack-format.md: 64 + text + N * (1 + C*H*W).
  const size_t text = std::string("tiny set\nclass0\nclass1\nclass2\n").size();
  CHECK(bytes.size() == 64 + text + (12 + 6) * (1 + 3 * 7 * 5));
  CHECK(bytes.size() == pack_size(src));
  CHECK(encode_pack(src) == bytes);
  CHECK(std::memcmp(bytes.data(), "CNNLPACK", 8) == 0);
  // The CIFAR-10 example of docs/pack-format.md: 1,000 train + 2,000 test images.
  DataSource cifar;
  for (auto* split : {&cifar.train, &cifar.test}) {
    split->name = "cifar10";
    split->class_names = cifar10_class_names();
    split->channels = 3;
    split->height = split->width = 32;
  }
  cifar.train.labels.resize(1000);
  cifar.train.pixels.resize(1000 * 3072);
  cifar.test.labels.resize(2000);
  cifar.test.pixels.resize(2000 * 3072);
  CHECK(pack_size(cifar) == 9219132);

  for (const DataSource& back : {read_pack(tmp / "tiny.pack"), load_data(tmp / "tiny.pack"),
                                 read_pack_bytes(bytes.data(), bytes.size(), "mem")}) {
    check_same_dataset(back.train, src.train);
    check_same_dataset(back.test, src.test);
  }
  CHECK(contains(read_pack(tmp / "tiny.pack").origin, "pack"));
  // Writing the loaded pack again gives the same bytes.
  write_pack(tmp / "again.pack", read_pack(tmp / "tiny.pack"));
  CHECK(read_file(tmp / "again.pack") == bytes);

  // A pack from an image folder: load -> pack -> load is lossless.
  const DataSource folder = write_image_folder(tmp / "pets", FolderSpec{}, true);
  write_pack(tmp / "pets.pack", load_data(tmp / "pets"));
  const DataSource packed = load_data(tmp / "pets.pack");
  check_same_dataset(packed.train, folder.train);
  check_same_dataset(packed.test, folder.test);
}

TEST_CASE("pack: bad input is refused with a clear message") {
  TempDir tmp;
  DataSource src;
  src.train = synthetic({3, 3});
  src.test = synthetic({1, 1});
  write_pack(tmp / "p.pack", src);
  const Bytes good = read_file(tmp / "p.pack");
  auto read_modified = [&](const Bytes& b) {
    return error_of([&] { read_pack_bytes(b.data(), b.size(), "p.pack"); });
  };

  Bytes b = good;
  b[good.size() - 5] ^= 0x10;
  CHECK(contains(read_modified(b), "p.pack: pack checksum mismatch"));
  b = good;
  b.resize(good.size() - 100);
  CHECK(contains(read_modified(b), "truncated pack file"));
  b = good;
  b.resize(40);
  CHECK(contains(read_modified(b), "truncated pack file"));
  b = good;
  b.push_back(0);
  CHECK(contains(read_modified(b), "unexpected bytes after the end"));
  b = good;
  b[8] = 3;  // version 3
  CHECK(contains(read_modified(b), "pack format version 3 is newer"));
  b = good;
  b[0] = 'X';
  CHECK(contains(read_modified(b), "bad magic"));
  b = good;
  b[20] = 99;  // height, header checksum no longer matches
  CHECK(contains(read_modified(b), "corrupt pack header"));
  // A label out of range with consistent checksums (a buggy writer) is still refused.
  b = good;
  const size_t text = 64 + std::string("synthetic\nclass0\nclass1\n").size();
  b[text] = 7;
  const uint32_t crc = crc32(b.data() + 64, b.size() - 64);
  for (int i = 0; i < 4; ++i) b[56 + static_cast<size_t>(i)] = static_cast<uint8_t>(crc >> (8 * i));
  const uint32_t hcrc = crc32(b.data(), 60);
  for (int i = 0; i < 4; ++i) b[60 + static_cast<size_t>(i)] = static_cast<uint8_t>(hcrc >> (8 * i));
  CHECK(contains(read_modified(b), "label 7"));
}

TEST_CASE("PackReader: a pack fed in pieces of any size reads as the whole file does") {
  DataSource src;
  src.train = synthetic({4, 3, 5}, 3, 7, 5);
  src.test = synthetic({2, 2, 2}, 3, 7, 5, 8);
  const std::vector<uint8_t> bytes = encode_pack(src);
  // 1 byte at a time, pieces that straddle the header, the text block and the split boundaries,
  // and the whole file at once.
  for (size_t piece : {size_t(1), size_t(7), size_t(63), size_t(64), size_t(65), size_t(100),
                       bytes.size()}) {
    CAPTURE(piece);
    PackReader reader("pieces.pack", bytes.size());
    for (size_t at = 0; at < bytes.size(); at += piece)
      reader.feed(bytes.data() + at, std::min(piece, bytes.size() - at));
    CHECK(reader.received() == bytes.size());
    const DataSource back = reader.finish();
    check_same_dataset(back.train, src.train);
    check_same_dataset(back.test, src.test);
    CHECK(back.origin == "pieces.pack (pack file)");
  }
  // A pack without test images: the empty split is skipped, nothing is written past the end.
  DataSource no_test;
  no_test.train = synthetic({2, 1});
  const std::vector<uint8_t> small = encode_pack(no_test);
  PackReader reader("small.pack", small.size());
  for (uint8_t b : small) reader.feed(&b, 1);
  const DataSource back = reader.finish();
  check_same_dataset(back.train, no_test.train);
  CHECK(back.test.size() == 0);
}

TEST_CASE("PackReader: bad streams are refused before memory is given to them") {
  DataSource src;
  src.train = synthetic({3, 3});
  src.test = synthetic({1, 1});
  const std::vector<uint8_t> good = encode_pack(src);
  auto error_after = [](const std::vector<uint8_t>& b, uint64_t announced, size_t fed) {
    return error_of([&] {
      PackReader reader("s.pack", announced);
      reader.feed(b.data(), fed);
      reader.finish();
    });
  };
  // Fewer bytes arrive than announced: refused at finish, naming both counts.
  CHECK(contains(error_after(good, good.size(), good.size() - 3),
                 "truncated pack file: " + std::to_string(good.size() - 3) + " bytes"));
  CHECK(contains(error_after(good, good.size(), 30), "truncated pack file: 30 bytes"));
  CHECK(contains(error_after(good, good.size(), 0), "bad magic"));
  // More bytes than announced.
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  CHECK(contains(error_after(longer, good.size(), longer.size()), "more bytes arrived"));
  // A header promising far more images than the file holds (consistent fields and checksum, as a
  // hostile file would have) is refused as soon as the header is in, before any allocation.
  std::vector<uint8_t> hostile(good.begin(), good.begin() + 64);
  store_le32(hostile.data() + 32, 0xFFFFFFF0u);  // train count
  const uint64_t text = load_le32(hostile.data() + 40);
  const uint64_t image = uint64_t(load_le32(hostile.data() + 16)) * load_le32(hostile.data() + 20) *
                         load_le32(hostile.data() + 24);
  const uint64_t n_test = load_le32(hostile.data() + 36);
  store_le64(hostile.data() + 48, 64 + text + (0xFFFFFFF0u + n_test) * (1 + image));
  store_le32(hostile.data() + 60, crc32(hostile.data(), 60));
  PackReader reader("hostile.pack", good.size());
  CHECK(contains(error_of([&] { reader.feed(hostile.data(), 64); }), "truncated pack file"));
}

// ---- [SECTION] Pack with JPEG images ------------------------------------------------------------

// Smooth synthetic pictures (gradients and a disc, different per image): what JPEG is made for,
// so the decoded pixels must come back close.
Dataset smooth_pictures(const std::vector<int>& counts, int channels = 3, int height = 32,
                        int width = 32) {
  Dataset d = synthetic(counts, channels, height, width);
  for (size_t i = 0; i < d.size(); ++i) {
    uint8_t* image = d.pixels.data() + i * d.image_bytes();
    const double cx = 8 + double(i % 5) * 3, cy = 10 + double(i % 3) * 4, r = 5 + double(i % 4);
    for (int c = 0; c < channels; ++c)
      for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
          const bool disc = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
          const double v = 40 + 3.0 * x + 2.0 * y * (c + 1) + double(i % 7) * 10 + (disc ? 60 : 0);
          image[(size_t(c) * height + y) * width + x] = static_cast<uint8_t>(std::min(v, 255.0));
        }
  }
  return d;
}

// Where image `index` of the training split's own JPEG bytes start in a JPEG pack, and its size.
std::pair<size_t, size_t> jpeg_part(const std::vector<uint8_t>& pack, size_t index) {
  const size_t n_train = load_le32(pack.data() + 32);
  const size_t shared = pack[46] | (size_t{pack[47]} << 8);
  const size_t table = 64 + load_le32(pack.data() + 40) + shared + n_train;
  size_t at = table + 4 * n_train;
  for (size_t i = 0; i < index; ++i) at += load_le32(pack.data() + table + 4 * i);
  return {at, load_le32(pack.data() + table + 4 * index)};
}

// Both checksums made right again after an edit (what a buggy writer, not a bad disk, gives).
void fix_pack_checksums(std::vector<uint8_t>& b) {
  store_le32(b.data() + 56, crc32(b.data() + 64, b.size() - 64));
  store_le32(b.data() + 60, crc32(b.data(), 60));
}

TEST_CASE("pack: images of 4,096 px a side and 256 classes read; one more is refused by its field") {
  // At the limits (docs/limits.md): a gray 4096x1 and 1x4096 image, and 256 classes, read back.
  DataSource src;
  src.train = synthetic({1, 1}, 1, 4096, 1);
  CHECK(read_pack_bytes(encode_pack(src).data(), encode_pack(src).size(), "tall.pack").train.height == 4096);
  src.train = synthetic({1, 1}, 1, 1, 4096);
  const Bytes wide = encode_pack(src);
  CHECK(read_pack_bytes(wide.data(), wide.size(), "wide.pack").train.width == 4096);
  src.train = synthetic(std::vector<int>(256, 1), 1, 2, 2);
  const Bytes many = encode_pack(src);
  CHECK(read_pack_bytes(many.data(), many.size(), "many.pack").train.class_names.size() == 256);
  // One past: the header field is named, whatever else the header says.
  Bytes b = wide;
  store_le32(b.data() + 24, 4097);
  fix_pack_checksums(b);
  CHECK(contains(error_of([&] { read_pack_bytes(b.data(), b.size(), "wide.pack"); }),
                 "wide.pack: header fields height x width = 1x4097 out of range"));
  b = many;
  store_le32(b.data() + 28, 257);
  fix_pack_checksums(b);
  CHECK(contains(error_of([&] { read_pack_bytes(b.data(), b.size(), "many.pack"); }),
                 "many.pack: header field classes = 257 (must be 1..256)"));
}

TEST_CASE("IDX: a header claiming 4 billion images is refused before any image memory") {
  TempDir tmp;
  fs::create_directories(tmp / "idx");
  const uint32_t n = 0xFFFFFFFFu;
  write_file(tmp / "idx/train-images-idx3-ubyte", idx_file({n, 28, 28}, Bytes(100, 1)));
  write_file(tmp / "idx/train-labels-idx1-ubyte", idx_file({n}, Bytes(100, 1)));
  write_file(tmp / "idx/t10k-images-idx3-ubyte", idx_file({1, 28, 28}, Bytes(784, 1)));
  write_file(tmp / "idx/t10k-labels-idx1-ubyte", idx_file({1}, Bytes(1, 1)));
  CHECK(contains(error_of([&] { load_data(tmp / "idx"); }), "train-images-idx3-ubyte"));
  CHECK(contains(error_of([&] { load_data(tmp / "idx"); }), "implausibly large"));
}

TEST_CASE("JPEG pack: labels exact, pixels close, a sixth of the raw size or less") {
  TempDir tmp;
  DataSource src;
  src.train = smooth_pictures({6, 5, 5});
  src.test = smooth_pictures({3, 3, 2});
  write_pack(tmp / "jpeg.pack", src, PackEncoding::jpeg(90));
  const Bytes bytes = read_file(tmp / "jpeg.pack");
  CHECK(std::memcmp(bytes.data(), "CNNLPACK", 8) == 0);
  CHECK(load_le32(bytes.data() + 8) == 2);  // version 2: the codec fields
  CHECK(bytes[44] == 1);                    // codec jpeg
  CHECK(bytes[45] == 90);                   // quality
  CHECK(bytes.size() * 4 < pack_size(src));
  CHECK(encode_pack(src, PackEncoding::jpeg(90)) == bytes);  // deterministic
  // A raw pack is still version 1, byte for byte what earlier builds wrote.
  CHECK(load_le32(encode_pack(src).data() + 8) == 1);

  for (const DataSource& back : {read_pack(tmp / "jpeg.pack"), load_data(tmp / "jpeg.pack")}) {
    CHECK(back.train.name == src.train.name);
    CHECK(back.train.class_names == src.train.class_names);
    CHECK(back.train.labels == src.train.labels);
    CHECK(back.test.labels == src.test.labels);
    REQUIRE(back.train.pixels.size() == src.train.pixels.size());
    REQUIRE(back.test.pixels.size() == src.test.pixels.size());
    const double train_psnr = pixel_psnr(back.train.pixels.data(), src.train.pixels.data(),
                                         src.train.pixels.size());
    const double test_psnr =
        pixel_psnr(back.test.pixels.data(), src.test.pixels.data(), src.test.pixels.size());
    CAPTURE(train_psnr);
    CAPTURE(test_psnr);
    CHECK(train_psnr > 34.0);
    CHECK(test_psnr > 34.0);
    CHECK(back.train.pixels != src.train.pixels);  // lossy: the check above is not vacuous
  }
  // Lower quality: smaller file, farther pixels.
  const std::vector<uint8_t> low = encode_pack(src, PackEncoding::jpeg(30));
  CHECK(low.size() < bytes.size());
  const DataSource low_back = read_pack_bytes(low.data(), low.size(), "low");
  CHECK(pixel_psnr(low_back.train.pixels.data(), src.train.pixels.data(),
                   src.train.pixels.size()) <
        pixel_psnr(read_pack(tmp / "jpeg.pack").train.pixels.data(), src.train.pixels.data(),
                   src.train.pixels.size()));
  // Gray images, a split without test images, a size no multiple of 8.
  DataSource gray;
  gray.train = smooth_pictures({2, 2}, 1, 28, 28);
  const std::vector<uint8_t> g = encode_pack(gray, PackEncoding::jpeg(90));
  const DataSource gray_back = read_pack_bytes(g.data(), g.size(), "gray");
  CHECK(gray_back.train.channels == 1);
  CHECK(gray_back.train.labels == gray.train.labels);
  CHECK(gray_back.test.size() == 0);
  CHECK(pixel_psnr(gray_back.train.pixels.data(), gray.train.pixels.data(),
                   gray.train.pixels.size()) > 34.0);
}

TEST_CASE("JPEG pack: fed in pieces of any size it reads as the whole file does") {
  DataSource src;
  src.train = smooth_pictures({4, 3, 5});
  src.test = smooth_pictures({2, 2, 2});
  const std::vector<uint8_t> bytes = encode_pack(src, PackEncoding::jpeg(80));
  const DataSource whole = read_pack_bytes(bytes.data(), bytes.size(), "whole");
  for (size_t piece : {size_t(1), size_t(7), size_t(64), size_t(333), size_t(4096), bytes.size()}) {
    CAPTURE(piece);
    PackReader reader("pieces.pack", bytes.size());
    for (size_t at = 0; at < bytes.size(); at += piece)
      reader.feed(bytes.data() + at, std::min(piece, bytes.size() - at));
    CHECK(reader.codec() == PackCodec::kJpeg);
    CHECK(reader.jpeg_quality() == 80);
    const DataSource back = reader.finish();
    check_same_dataset(back.train, whole.train);
    check_same_dataset(back.test, whole.test);
  }
}

TEST_CASE("JPEG pack: bad images are refused naming the image") {
  DataSource src;
  src.train = smooth_pictures({3, 3});
  src.test = smooth_pictures({1, 1});
  const std::vector<uint8_t> good = encode_pack(src, PackEncoding::jpeg(90));
  auto read_modified = [](const std::vector<uint8_t>& b) {
    return error_of([&] { read_pack_bytes(b.data(), b.size(), "j.pack"); });
  };
  CHECK(read_modified(good).empty());

  // Corrupt: image 4's entropy-coded data replaced by ones (no Huffman code of the standard
  // tables), checksums made consistent so only the decoder can notice.
  std::vector<uint8_t> b = good;
  const auto [at, size] = jpeg_part(good, 4);
  for (size_t i = 0; i + 2 < size; i += 2) {
    b[at + i] = 0xFF;
    b[at + i + 1] = 0x00;  // a stuffed 0xFF: eight one bits
  }
  fix_pack_checksums(b);
  std::string e = read_modified(b);
  CHECK(contains(e, "j.pack: image 4 of the train split: corrupt image"));

  // Truncated mid-image: the stream stops inside image 2 (the download broke off).
  const auto [at2, size2] = jpeg_part(good, 2);
  e = error_of([&, at2 = at2, size2 = size2] {
    PackReader reader("cut.pack", good.size());
    reader.feed(good.data(), at2 + size2 / 2);
    reader.finish();
  });
  CHECK(contains(e, "truncated pack file"));
  CHECK(contains(e, "it ends inside image 2 of the train split"));
  // ... and a file that is shorter than its header says is refused before any image.
  CHECK(contains(read_modified(std::vector<uint8_t>(good.begin(), good.begin() + at2 + 5)),
                 "truncated pack file"));

  // Impossible sizes: an image of 1 byte, and sizes that add up to more than the file holds.
  const size_t table = jpeg_part(good, 0).first - 4 * src.train.size();
  b = good;
  store_le32(b.data() + table + 4 * 3, 1);
  fix_pack_checksums(b);
  CHECK(contains(read_modified(b), "image 3 of the train split claims an impossible 1 bytes"));
  b = good;
  store_le32(b.data() + table + 4 * 1, load_le32(b.data() + table + 4) + 100000);
  fix_pack_checksums(b);
  CHECK(contains(read_modified(b), "image size table of the train split"));
  CHECK(contains(read_modified(b), "does not fit"));
  // One image with its shared header at most 20 MB: at the limit the size is possible (and then
  // refused only because this small file cannot hold it), one byte more is impossible.
  const size_t shared = good[46] | (size_t{good[47]} << 8);
  b = good;
  store_le32(b.data() + table + 4 * 2, static_cast<uint32_t>(kMaxImageFileBytes - shared));
  fix_pack_checksums(b);
  CHECK(contains(read_modified(b), "does not fit"));
  store_le32(b.data() + table + 4 * 2, static_cast<uint32_t>(kMaxImageFileBytes - shared + 1));
  fix_pack_checksums(b);
  CHECK(contains(read_modified(b), "image 2 of the train split claims an impossible " +
                                       std::to_string(kMaxImageFileBytes - shared + 1) + " bytes"));

  // A header claiming far more images than a JPEG pack of its size can hold.
  b = good;
  store_le32(b.data() + 32, 1000000);
  fix_pack_checksums(b);
  CHECK(contains(read_modified(b), "corrupt pack header"));
  // An unknown codec.
  b = good;
  b[44] = 7;
  fix_pack_checksums(b);
  CHECK(contains(read_modified(b), "unknown image codec 7"));
}

TEST_CASE("JPEG pack: an image of the wrong shape is refused naming it") {
  // Written with an image of a different size than the header says: the images share less of
  // their header, each is a valid JPEG, and the reader must notice the shape.
  const int channels = 3;
  for (const int side : {16, 40}) {
    CAPTURE(side);
    DataSource src;
    src.train = smooth_pictures({2, 2});
    DataSource odd;
    odd.train = smooth_pictures({1}, channels, side, side);
    const std::vector<uint8_t> good = encode_pack(src, PackEncoding::jpeg(90));
    // Re-assemble the pack with image 3 replaced: shared header = longest common prefix.
    std::vector<std::vector<uint8_t>> jpegs;
    for (size_t i = 0; i < src.train.size(); ++i)
      jpegs.push_back(i == 3 ? encode_jpeg(odd.train.pixels.data(), channels, side, side, 90)
                             : encode_jpeg(src.train.pixels.data() + i * src.train.image_bytes(),
                                           3, 32, 32, 90));
    size_t shared = jpegs[0].size();
    for (const auto& j : jpegs) {
      size_t same = 0;
      while (same < shared && same < j.size() && j[same] == jpegs[0][same]) ++same;
      shared = same;
    }
    const size_t text = load_le32(good.data() + 40);
    std::vector<uint8_t> b(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(64 + text));
    b[46] = static_cast<uint8_t>(shared & 0xFF);
    b[47] = static_cast<uint8_t>(shared >> 8);
    b.insert(b.end(), jpegs[0].begin(), jpegs[0].begin() + static_cast<std::ptrdiff_t>(shared));
    b.insert(b.end(), src.train.labels.begin(), src.train.labels.end());
    for (const auto& j : jpegs) {
      uint8_t size[4];
      store_le32(size, static_cast<uint32_t>(j.size() - shared));
      b.insert(b.end(), size, size + 4);
    }
    for (const auto& j : jpegs) b.insert(b.end(), j.begin() + static_cast<std::ptrdiff_t>(shared), j.end());
    store_le64(b.data() + 48, b.size());
    fix_pack_checksums(b);
    const std::string e = error_of([&] { read_pack_bytes(b.data(), b.size(), "odd.pack"); });
    CHECK(contains(e, "odd.pack: image 3 of the train split decodes to " +
                          std::to_string(channels) + "x" + std::to_string(side) + "x" +
                          std::to_string(side) + ", the pack's images are 3x32x32"));
  }
}

TEST_CASE("write_pack leaves no partial file on failure") {
  TempDir tmp;
  DataSource src;
  src.train = synthetic({2, 2});
  src.test = synthetic({1, 1});
  write_pack(tmp / "keep.pack", src);
  const Bytes before = read_file(tmp / "keep.pack");

  DataSource bad = src;
  bad.train.labels[1] = 5;  // only 2 classes
  CHECK(contains(error_of([&] { write_pack(tmp / "keep.pack", bad); }), "label 5"));
  bad = src;
  bad.test.class_names = {"x", "y"};
  CHECK(contains(error_of([&] { write_pack(tmp / "new.pack", bad); }), "different class names"));
  bad = src;
  bad.train.pixels.pop_back();
  CHECK(!error_of([&] { write_pack(tmp / "new.pack", bad); }).empty());
  bad = src;
  bad.train = synthetic({});
  bad.train.class_names = {"a"};
  CHECK(contains(error_of([&] { write_pack(tmp / "new.pack", bad); }), "without training images"));
  CHECK(!error_of([&] { write_pack(tmp / "no/such/folder/x.pack", src); }).empty());

  CHECK(read_file(tmp / "keep.pack") == before);
  CHECK_FALSE(fs::exists(tmp / "new.pack"));
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(tmp.path)) files += e.is_regular_file();
  CHECK(files == 1);  // no temporary files left behind
}

// ---- [SECTION] Split --------------------------------------------------------------------------

TEST_CASE("stratified_split keeps class proportions, is seeded and exhaustive") {
  const Dataset d = synthetic({50, 30, 20, 7});
  const Split s = stratified_split(d, 0.1f, 42);
  std::vector<size_t> val_counts(4, 0);
  for (uint32_t i : s.val) ++val_counts[d.labels[i]];
  CHECK(val_counts == std::vector<size_t>{5, 3, 2, 1});  // round(0.1 * n) per class
  std::vector<uint32_t> all = s.train;
  all.insert(all.end(), s.val.begin(), s.val.end());
  std::sort(all.begin(), all.end());
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
  CHECK(all.size() == d.size());
  CHECK(std::is_sorted(s.train.begin(), s.train.end()));
  CHECK(std::is_sorted(s.val.begin(), s.val.end()));

  const Split again = stratified_split(d, 0.1f, 42);
  CHECK(again.train == s.train);
  CHECK(again.val == s.val);
  CHECK(stratified_split(d, 0.1f, 43).val != s.val);
  // The validation indices are spread out, not the first images of each class.
  const Split big = stratified_split(synthetic({500, 500}), 0.2f, 1);
  CHECK(big.val.size() == 200);
  CHECK(big.val.back() > 800);

  CHECK(stratified_split(d, 0.0f, 1).val.empty());
  CHECK(stratified_split(d, 0.0f, 1).train.size() == d.size());
  for (float bad : {1.0f, -0.1f, 1.5f, std::nanf("")}) {
    CHECK(contains(error_of([&] { stratified_split(d, bad, 1); }), "val_fraction"));
  }
}

TEST_CASE("balanced_subset takes N per class, seeded") {
  const Dataset d = synthetic({12, 9, 15});
  const Dataset sub = balanced_subset(d, 4, 5);
  CHECK(sub.size() == 12);
  CHECK(sub.class_counts() == std::vector<size_t>{4, 4, 4});
  CHECK(sub.class_names == d.class_names);
  // Every chosen image is one of d's images with its label.
  const std::vector<uint32_t> idx = balanced_subset_indices(d, 4, 5);
  for (size_t k = 0; k < idx.size(); ++k) {
    CHECK(sub.labels[k] == d.labels[idx[k]]);
    CHECK(std::memcmp(sub.image(k), d.image(idx[k]), d.image_bytes()) == 0);
  }
  check_same_dataset(balanced_subset(d, 4, 5), sub);
  CHECK(balanced_subset_indices(d, 4, 6) != idx);
  CHECK(balanced_subset(d, 9, 1).size() == 27);

  const std::string msg = error_of([&] { balanced_subset(d, 10, 1); });
  CHECK(contains(msg, "per_class"));
  CHECK(contains(msg, "class1: 9 images"));
  CHECK(contains(error_of([&] { balanced_subset(d, 0, 1); }), "per_class"));
}

TEST_CASE("standardization_of computes per-channel mean and std of pixel / 255") {
  Dataset d;
  d.name = "s";
  d.class_names = {"a"};
  d.channels = 2;
  d.height = 1;
  d.width = 2;
  // image 0: ch0 {0, 255}, ch1 {51, 51}; image 1: ch0 {255, 255}, ch1 {102, 0}
  d.pixels = {0, 255, 51, 51, 255, 255, 102, 0};
  d.labels = {0, 0};
  const Preprocess pre = standardization_of(d, {0, 1});
  CHECK(pre.standardize);
  CHECK(pre.mean[0] == doctest::Approx(0.75));
  CHECK(pre.std[0] == doctest::Approx(std::sqrt(0.1875)));
  CHECK(pre.mean[1] == doctest::Approx(0.2));
  CHECK(pre.std[1] == doctest::Approx(std::sqrt(0.02)));
  const Preprocess only_first = standardization_of(d, {0});
  CHECK(only_first.mean[0] == doctest::Approx(0.5));
  CHECK(only_first.std[1] == 1.0f);  // constant channel: std 1, not a division by zero
  CHECK(!error_of([&] { standardization_of(d, {}); }).empty());
  CHECK(!error_of([&] { standardization_of(d, {2}); }).empty());

  // Applied: the standardised values of the selection have mean 0 and std 1.
  float out[8];
  pre.apply(out, d.image(0), 2, 2);
  pre.apply(out + 4, d.image(1), 2, 2);
  const double m0 = (out[0] + out[1] + out[4] + out[5]) / 4.0;
  const double v0 = (out[0] * out[0] + out[1] * out[1] + out[4] * out[4] + out[5] * out[5]) / 4.0 - m0 * m0;
  CHECK(m0 == doctest::Approx(0.0).epsilon(1e-5));
  CHECK(v0 == doctest::Approx(1.0).epsilon(1e-4));
  // Default preprocessing: pixel / 255.
  Preprocess plain;
  plain.apply(out, d.image(0), 2, 2);
  CHECK(out[0] == 0.0f);
  CHECK(out[1] == 1.0f);
  CHECK(out[2] == doctest::Approx(0.2f));
}

// ---- [SECTION] Batcher ------------------------------------------------------------------------

namespace {

// The dataset index each image of a batch came from (images are unique random pixels).
std::vector<uint32_t> sources_of(const Dataset& d, const Tensor& x) {
  std::vector<uint32_t> found;
  const size_t bytes = d.image_bytes();
  for (int k = 0; k < x.dim(0); ++k) {
    uint32_t match = UINT32_MAX;
    for (size_t i = 0; i < d.size() && match == UINT32_MAX; ++i) {
      bool same = true;
      for (size_t j = 0; j < bytes && same; ++j) {
        same = std::lround(x[k * bytes + j] * 255.0f) == d.image(i)[j];
      }
      if (same) match = static_cast<uint32_t>(i);
    }
    found.push_back(match);
  }
  return found;
}

}  // namespace

TEST_CASE("Batcher: epochs are seeded permutations, batches are pure functions") {
  const Dataset d = synthetic({9, 8, 6});
  std::vector<uint32_t> indices;
  for (uint32_t i = 0; i < d.size(); i += 1) {
    if (i != 4) indices.push_back(i);  // 22 images
  }
  const Batcher batcher(d, indices, 5, Preprocess{}, true, Augment{}, 77);
  CHECK(batcher.size() == 22);
  CHECK(batcher.batches_per_epoch() == 5);
  CHECK(batcher.batch_length(4) == 2);

  Tensor x;
  std::vector<int32_t> labels;
  std::vector<uint32_t> seen;
  for (size_t b = 0; b < 5; ++b) {
    batcher.batch(x, labels, 0, b);
    CHECK(x.shape() == Shape{b == 4 ? 2 : 5, 3, 6, 5});
    const std::vector<uint32_t> src = sources_of(d, x);
    for (size_t k = 0; k < src.size(); ++k) {
      REQUIRE(src[k] != UINT32_MAX);
      CHECK(labels[k] == d.labels[src[k]]);
    }
    seen.insert(seen.end(), src.begin(), src.end());
  }
  CHECK(seen == batcher.epoch_order(0));
  CHECK(seen != indices);  // shuffled
  std::sort(seen.begin(), seen.end());
  CHECK(seen == indices);  // a permutation
  CHECK(batcher.epoch_order(1) != batcher.epoch_order(0));
  CHECK(Batcher(d, indices, 5, Preprocess{}, true, Augment{}, 78).epoch_order(0) != batcher.epoch_order(0));
  CHECK(Batcher(d, indices, 5, Preprocess{}, false, Augment{}, 77).epoch_order(3) == indices);

  // Random access: the same (epoch, batch) gives the same floats whatever came before, and a
  // second Batcher with the same seed agrees.
  Tensor first, again;
  std::vector<int32_t> l1, l2;
  batcher.batch(first, l1, 3, 2);
  batcher.batch(again, l2, 1, 4);
  batcher.batch(again, l2, 0, 0);
  batcher.batch(again, l2, 3, 2);
  CHECK(again.shape() == first.shape());
  CHECK(std::equal(first.data(), first.data() + first.size(), again.data()));
  CHECK(l1 == l2);
  const Batcher twin(d, indices, 5, Preprocess{}, true, Augment{}, 77);
  twin.batch(again, l2, 3, 2);
  CHECK(std::equal(first.data(), first.data() + first.size(), again.data()));

  CHECK(contains(error_of([&] { batcher.batch(x, labels, 0, 5); }), "out of range"));
  CHECK(contains(error_of([&] { batcher.batch(x, labels, -1, 0); }), "epoch"));
  CHECK(contains(error_of([&] { Batcher(d, indices, 0, Preprocess{}, true, Augment{}, 1); }), "batch_size"));
  CHECK(!error_of([&] { Batcher(d, {0, 99}, 4, Preprocess{}, true, Augment{}, 1); }).empty());
  Augment too_far;
  too_far.max_shift = 5;
  CHECK(contains(error_of([&] { Batcher(d, indices, 4, Preprocess{}, true, too_far, 1); }), "max_shift"));
}

TEST_CASE("Batcher: preprocessing is applied to every pixel") {
  const Dataset d = synthetic({3}, 3, 2, 2);
  Preprocess pre;
  pre.standardize = true;
  pre.mean = {0.5f, 0.25f, 0.0f};
  pre.std = {0.5f, 0.25f, 2.0f};
  const Batcher batcher(d, {0, 1, 2}, 3, pre, false, Augment{}, 1);
  Tensor x;
  std::vector<int32_t> labels;
  batcher.batch(x, labels, 0, 0);
  for (size_t i = 0; i < 3; ++i) {
    for (int c = 0; c < 3; ++c) {
      for (int p = 0; p < 4; ++p) {
        const float v = d.image(i)[c * 4 + p] / 255.0f;
        CHECK(x[i * 12 + c * 4 + p] == doctest::Approx((v - pre.mean[c]) / pre.std[c]).epsilon(1e-5));
      }
    }
  }
}

TEST_CASE("Batcher augmentation: flips mirror, shifts move pixels and pad zeros, draws are keyed") {
  const Dataset d = synthetic({40}, 2, 6, 7);
  std::vector<uint32_t> indices(d.size());
  for (uint32_t i = 0; i < indices.size(); ++i) indices[i] = i;
  const int C = 2, H = 6, W = 7;
  // Value of image i at (c, y, x) after mirror (optional) and shift (dx, dy), 0 outside.
  auto expected = [&](size_t i, bool flip, int dx, int dy, int c, int y, int x) -> int {
    const int ys = y - dy, xs = x - dx;
    if (ys < 0 || ys >= H || xs < 0 || xs >= W) return 0;
    return d.image(i)[(c * H + ys) * W + (flip ? W - 1 - xs : xs)];
  };
  auto matches = [&](const float* got, size_t i, bool flip, int dx, int dy) {
    for (int c = 0; c < C; ++c) {
      for (int y = 0; y < H; ++y) {
        for (int x = 0; x < W; ++x) {
          if (std::lround(got[(c * H + y) * W + x] * 255.0f) != expected(i, flip, dx, dy, c, y, x)) return false;
        }
      }
    }
    return true;
  };

  SUBCASE("flip only") {
    Augment aug;
    aug.flip = true;
    const Batcher batcher(d, indices, 40, Preprocess{}, false, aug, 3);
    Tensor x;
    std::vector<int32_t> labels;
    batcher.batch(x, labels, 0, 0);
    int flipped = 0, kept = 0;
    for (size_t i = 0; i < 40; ++i) {
      const float* img = x.data() + i * d.image_bytes();
      const bool as_is = matches(img, i, false, 0, 0), mirrored = matches(img, i, true, 0, 0);
      CHECK((as_is || mirrored));
      kept += as_is;
      flipped += mirrored;
    }
    CHECK(flipped >= 8);
    CHECK(kept >= 8);
  }
  SUBCASE("shift only, and both") {
    for (bool flip : {false, true}) {
      Augment aug;
      aug.flip = flip;
      aug.max_shift = 2;
      const Batcher batcher(d, indices, 40, Preprocess{}, false, aug, 4);
      Tensor x;
      std::vector<int32_t> labels;
      batcher.batch(x, labels, 1, 0);
      std::set<std::pair<int, int>> shifts;
      for (size_t i = 0; i < 40; ++i) {
        const float* img = x.data() + i * d.image_bytes();
        bool found = false;
        for (int dy = -2; dy <= 2 && !found; ++dy) {
          for (int dx = -2; dx <= 2 && !found; ++dx) {
            for (bool f : {false, true}) {
              if ((f && !flip) || found) continue;
              if (matches(img, i, f, dx, dy)) {
                found = true;
                shifts.insert({dx, dy});
              }
            }
          }
        }
        CHECK(found);
      }
      CHECK(shifts.size() >= 8);  // many of the 25 shifts occur
      // A shifted image has zeros exactly where nothing moved in (pixels are >= 1 otherwise).
      bool some_zero = false;
      for (size_t j = 0; j < x.size(); ++j) some_zero |= x[j] == 0.0f;
      CHECK(some_zero);
    }
  }
  SUBCASE("draws depend on (epoch, position), not on the call history") {
    Augment aug;
    aug.flip = true;
    aug.max_shift = 2;
    const Batcher a(d, indices, 8, Preprocess{}, true, aug, 9);
    const Batcher b(d, indices, 8, Preprocess{}, true, aug, 9);
    Tensor xa, xb;
    std::vector<int32_t> la, lb;
    a.batch(xa, la, 2, 3);
    b.batch(xb, lb, 0, 1);
    b.batch(xb, lb, 5, 4);
    b.batch(xb, lb, 2, 3);
    CHECK(std::equal(xa.data(), xa.data() + xa.size(), xb.data()));
    a.batch(xb, lb, 3, 3);  // another epoch: different draws (and order)
    CHECK_FALSE(std::equal(xa.data(), xa.data() + xa.size(), xb.data()));
  }
}

// ---- [SECTION] Images -------------------------------------------------------------------------

TEST_CASE("decode_image: PNG exact, gray, alpha over white, JPEG close, errors") {
  Rng rng(31, 32);
  const Image rgb = random_image(rng, 3, 5, 9);
  const Bytes png = encode_png(rgb);
  const Image back = decode_image(png.data(), png.size(), "a.png");
  CHECK(back.channels == 3);
  CHECK(back.height == 5);
  CHECK(back.width == 9);
  CHECK(back.pixels == rgb.pixels);

  const Image gray = random_image(rng, 1, 4, 4);
  const Bytes gpng = encode_png(gray);
  CHECK(decode_image(gpng.data(), gpng.size(), "g.png").pixels == gray.pixels);

  Image rgba;
  rgba.channels = 4;
  rgba.height = 1;
  rgba.width = 2;
  // pixel 0: red, opaque; pixel 1: black, fully transparent -> white
  rgba.pixels = {255, 0, 0, 0, 0, 0, 255, 0};
  const Bytes apng = encode_png(rgba);
  const Image over_white = decode_image(apng.data(), apng.size(), "a.png");
  CHECK(over_white.channels == 3);
  CHECK(over_white.pixels == std::vector<uint8_t>{255, 255, 0, 255, 0, 255});

  TempDir tmp;
  if (kCanWriteJpeg) {
    write_file(tmp / "photo.jpg", encode_jpeg(rgb));
    const Image jpeg = load_image(tmp / "photo.jpg");
    CHECK(jpeg.channels == 3);
    CHECK(jpeg.width == 9);
  }

  const std::string text = "hello, not an image";
  CHECK(contains(error_of([&] { decode_image(reinterpret_cast<const uint8_t*>(text.data()), text.size(), "up.bin"); }),
                 "up.bin: not a PNG or JPEG image"));
  const Bytes half(png.begin(), png.begin() + static_cast<std::ptrdiff_t>(png.size() / 2));
  CHECK(contains(error_of([&] { decode_image(half.data(), half.size(), "half.png"); }), "half.png: corrupt image"));
  CHECK(contains(error_of([&] { decode_image(png.data(), 0, "e.png"); }), "empty"));
  const Bytes wide = encode_png(Image{1, 1, 8001, std::vector<uint8_t>(8001, 7)});
  CHECK(contains(error_of([&] { decode_image(wide.data(), wide.size(), "w.png"); }), "8000 px limit"));
  CHECK(contains(error_of([&] { load_image(tmp / "nope.png"); }), "no such file"));
}

TEST_CASE("decode_image: an image file of 20 MB decodes; one byte more is refused") {
  // A small PNG padded to the size with a private ancillary chunk ("pdNg": a decoder skips it),
  // placed after IHDR as the PNG spec allows.
  Rng rng(41, 42);
  const Image img = random_image(rng, 3, 4, 6);
  const Bytes png = encode_png(img);
  auto padded_to = [&](size_t total) {
    const size_t after_ihdr = 8 + 12 + 13;  // signature, IHDR chunk (13 bytes of data)
    const size_t data = total - png.size() - 12;
    Bytes out(png.begin(), png.begin() + static_cast<std::ptrdiff_t>(after_ihdr));
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(data >> shift));
    for (char c : std::string("pdNg")) out.push_back(static_cast<uint8_t>(c));
    out.resize(out.size() + data + 4, 0);  // data, then a CRC nobody checks
    out.insert(out.end(), png.begin() + static_cast<std::ptrdiff_t>(after_ihdr), png.end());
    REQUIRE(out.size() == total);
    return out;
  };
  const Bytes at_limit = padded_to(kMaxImageFileBytes);
  CHECK(decode_image(at_limit.data(), at_limit.size(), "big.png").pixels == img.pixels);
  const Bytes past = padded_to(kMaxImageFileBytes + 1);
  CHECK(error_of([&] { decode_image(past.data(), past.size(), "big.png"); }) ==
        "big.png: image file is 20971521 bytes, larger than the 20 MB limit (20971520 bytes)");
  // An image folder names such a file and refuses it too.
  TempDir tmp;
  const std::string root = tmp / "big";
  write_image_folder(root, FolderSpec{}, true);
  write_file(root + "/train/cat/big.png", past);
  CHECK(contains(error_of([&] { load_data(root); }),
                 "big.png: image file is 20971521 bytes, larger than the 20 MB limit"));
}

TEST_CASE("decode_image: a JPEG Huffman table of more than 256 codes is refused before stb_image") {
  // stb_image would build the table past its 257-entry arrays (found by fuzz_image). A real JPEG
  // with its first DHT table's counts raised to 16 x 255 codes is refused naming the table.
  Rng rng(5, 6);
  Bytes jpeg = cnnlab::encode_jpeg(random_image(rng, 3, 8, 8).pixels.data(), 3, 8, 8, 90);
  size_t dht = 0;
  for (size_t i = 2; i + 1 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC4) {
      dht = i;
      break;
    }
  }
  REQUIRE(dht > 0);
  for (size_t k = 0; k < 16; ++k) jpeg[dht + 5 + k] = 255;
  const std::string e = error_of([&] { decode_image(jpeg.data(), jpeg.size(), "bad.jpg"); });
  CHECK(contains(e, "bad.jpg: corrupt image (Huffman table 0 at byte "));
  CHECK(contains(e, "lists 4080 codes, JPEG allows at most 256)"));
  int w = 0, h = 0, c = 0;
  std::string problem;
  CHECK_FALSE(read_image_info(jpeg.data(), jpeg.size(), &w, &h, &c, &problem));
  CHECK(contains(problem, "4080 codes"));
  // At the limit and one past it, in a hand-made DHT segment: 256 codes pass this check (stb_image
  // then reports the missing frame), 257 are refused.
  for (const int codes : {256, 257}) {
    CAPTURE(codes);
    Bytes file = {0xFF, 0xD8, 0xFF, 0xC4};
    const size_t length = 2 + 17 + static_cast<size_t>(codes);
    file.push_back(static_cast<uint8_t>(length >> 8));
    file.push_back(static_cast<uint8_t>(length));
    file.push_back(0x00);  // class 0 (DC), table 0
    for (int i = 0; i < 16; ++i) file.push_back(i < 15 ? 0 : 255);
    file[file.size() - 2] = static_cast<uint8_t>(codes - 255);  // 16-bit codes: the rest
    for (int i = 0; i < codes; ++i) file.push_back(static_cast<uint8_t>(i));
    file.push_back(0xFF);
    file.push_back(0xD9);
    problem.clear();
    CHECK_FALSE(read_image_info(file.data(), file.size(), &w, &h, &c, &problem));
    CHECK(contains(problem, "codes, JPEG allows at most 256") == (codes == 257));
  }
  // A table cut short by the end of the file: stb_image reads the missing bytes as 0 and still
  // builds what the counts present list (found by fuzz_image after the check above).
  const Bytes cut = {0xFF, 0xD8, 0xFF, 0xC4, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255};
  problem.clear();
  CHECK_FALSE(read_image_info(cut.data(), cut.size(), &w, &h, &c, &problem));
  CHECK(contains(problem, "lists 510 codes"));
}

TEST_CASE("decode_image: a JPEG scan naming a Huffman table the file never defines is refused") {
  // stb_image would decode the scan with an uninitialised table: an assertion in a debug build,
  // different pixels on each read otherwise (found by fuzz_image and fuzz_pack). A real JPEG
  // decodes; the same file with its first component's AC table changed to an undefined one, or
  // to an id past JPEG's four, is refused naming the scan and the table.
  Rng rng(9, 10);
  const Bytes jpeg = cnnlab::encode_jpeg(random_image(rng, 3, 8, 8).pixels.data(), 3, 8, 8, 90);
  size_t sos = 0;
  for (size_t i = 2; i + 1 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) {
      sos = i;
      break;
    }
  }
  REQUIRE(sos > 0);
  REQUIRE(jpeg[sos + 4] == 3);  // three components, each (id, DC table << 4 | AC table)
  int w = 0, h = 0, c = 0;
  std::string problem;
  CHECK(read_image_info(jpeg.data(), jpeg.size(), &w, &h, &c, &problem));
  CHECK(decode_image(jpeg.data(), jpeg.size(), "good.jpg").width == 8);
  for (const uint8_t ac_table : {2, 5}) {
    CAPTURE(ac_table);
    Bytes bad = jpeg;
    bad[sos + 6] = static_cast<uint8_t>((bad[sos + 6] & 0xF0) | ac_table);
    const std::string e = error_of([&] { decode_image(bad.data(), bad.size(), "bad.jpg"); });
    CHECK(contains(e, "bad.jpg: corrupt image (the scan at byte " + std::to_string(sos) +
                          " uses AC Huffman table " + std::to_string(ac_table) +
                          ", which the file does not define before it)"));
  }
  // The DC table likewise.
  Bytes bad = jpeg;
  bad[sos + 8] = static_cast<uint8_t>(0x30 | (bad[sos + 8] & 0x0F));
  problem.clear();
  CHECK_FALSE(read_image_info(bad.data(), bad.size(), &w, &h, &c, &problem));
  CHECK(contains(problem, "uses DC Huffman table 3"));
}

TEST_CASE("decode_image: a PNG chunk claiming more bytes than the file has is refused before stb_image") {
  // stb_image would reserve the claimed size first (found by fuzz_tar: 1.6 GB for a 1 kB file).
  Rng rng(7, 8);
  const Bytes png = encode_png(random_image(rng, 3, 4, 4));
  size_t idat = 0;
  for (size_t i = 8; i + 8 <= png.size(); ++i) {
    if (std::memcmp(png.data() + i + 4, "IDAT", 4) == 0) {
      idat = i;
      break;
    }
  }
  REQUIRE(idat > 0);
  const size_t left = png.size() - idat - 8;
  for (const size_t claimed : {left - 4, left + 1}) {  // the chunk's data + CRC fill the rest
    CAPTURE(claimed);
    Bytes b = png;
    for (int k = 0; k < 4; ++k) b[idat + k] = static_cast<uint8_t>(claimed >> (24 - 8 * k));
    const std::string e = error_of([&] { decode_image(b.data(), b.size(), "big.png"); });
    CHECK(contains(e, "claims " + std::to_string(claimed) + " bytes") == (claimed > left));
  }
  Bytes huge = png;
  huge[idat] = 0x61;  // 1.6 GB
  CHECK(contains(error_of([&] { decode_image(huge.data(), huge.size(), "big.png"); }),
                 "big.png: corrupt image (PNG chunk 'IDAT' at byte " + std::to_string(idat) + " claims"));
}

TEST_CASE("decode_image: an empty PNG IDAT chunk before any image data is refused, one after it is read") {
  // stb_image would copy the empty chunk into an image buffer it has not reserved yet (a null
  // pointer; found by fuzz_image).
  Rng rng(7, 8);
  const Bytes png = encode_png(random_image(rng, 3, 4, 4));
  size_t idat = 0;
  for (size_t i = 8; i + 8 <= png.size(); ++i) {
    if (std::memcmp(png.data() + i + 4, "IDAT", 4) == 0) {
      idat = i;
      break;
    }
  }
  REQUIRE(idat > 0);
  const size_t idat_length = static_cast<size_t>(png[idat]) << 24 | static_cast<size_t>(png[idat + 1]) << 16 |
                             static_cast<size_t>(png[idat + 2]) << 8 | png[idat + 3];
  REQUIRE(idat_length > 0);
  // An empty IDAT: length 0, the type, the CRC-32 of the type.
  const uint8_t type[4] = {'I', 'D', 'A', 'T'};
  Bytes empty = {0, 0, 0, 0, 'I', 'D', 'A', 'T', 0, 0, 0, 0};
  const uint32_t crc = crc32(type, 4);
  for (int k = 0; k < 4; ++k) empty[8 + k] = static_cast<uint8_t>(crc >> (24 - 8 * k));
  Bytes before = png;
  before.insert(before.begin() + static_cast<std::ptrdiff_t>(idat), empty.begin(), empty.end());
  CHECK(error_of([&] { decode_image(before.data(), before.size(), "empty.png"); }) ==
        "empty.png: corrupt image (PNG chunk 'IDAT' at byte " + std::to_string(idat) +
            " is empty and comes before any image data)");
  Bytes after = png;
  const size_t next = idat + 12 + idat_length;
  after.insert(after.begin() + static_cast<std::ptrdiff_t>(next), empty.begin(), empty.end());
  const Image a = decode_image(after.data(), after.size(), "after.png");
  const Image p = decode_image(png.data(), png.size(), "plain.png");
  CHECK(a.pixels == p.pixels);
}

TEST_CASE("center_crop_square, resize_image and convert_channels") {
  Image img;
  img.channels = 1;
  img.height = 2;
  img.width = 5;
  img.pixels = {0, 1, 2, 3, 4, 10, 11, 12, 13, 14};
  const Image sq = center_crop_square(img);
  CHECK(sq.height == 2);
  CHECK(sq.width == 2);
  CHECK(sq.pixels == std::vector<uint8_t>{1, 2, 11, 12});

  // Shrinking averages areas: 4x4 -> 2x2 gives the mean of each 2x2 block.
  Image four;
  four.channels = 1;
  four.height = four.width = 4;
  four.pixels = {0, 10, 100, 100, 20, 30, 100, 100, 0, 0, 200, 0, 0, 4, 0, 0};
  const Image two = resize_image(four, 2, 2);
  CHECK(two.pixels == std::vector<uint8_t>{15, 100, 1, 50});
  // 3 -> 2 (non-integer factor): each output pixel covers 1.5 inputs.
  Image row;
  row.channels = 1;
  row.height = 1;
  row.width = 3;
  row.pixels = {0, 100, 200};
  CHECK(resize_image(row, 1, 2).pixels == std::vector<uint8_t>{33, 167});
  // Enlarging interpolates bilinearly between pixel centres and clamps at the edges.
  Image pair;
  pair.channels = 1;
  pair.height = 1;
  pair.width = 2;
  pair.pixels = {0, 200};
  CHECK(resize_image(pair, 1, 4).pixels == std::vector<uint8_t>{0, 50, 150, 200});
  // A constant image stays constant at any size; a photo-sized image shrinks to 32x32.
  Image flat{3, 37, 53, std::vector<uint8_t>(3 * 37 * 53, 77)};
  for (auto hw : {std::make_pair(32, 32), std::make_pair(80, 90), std::make_pair(5, 100)}) {
    const Image r = resize_image(flat, hw.first, hw.second);
    CHECK(r.channels == 3);
    CHECK(r.height == hw.first);
    CHECK(r.width == hw.second);
    CHECK(std::all_of(r.pixels.begin(), r.pixels.end(), [](uint8_t v) { return v == 77; }));
  }
  CHECK(!error_of([&] { resize_image(flat, 0, 4); }).empty());

  Image color{3, 1, 2, {255, 0, 0, 255, 0, 0}};  // red, green
  const Image g = convert_channels(color, 1);
  CHECK(g.pixels == std::vector<uint8_t>{76, 150});
  const Image c3 = convert_channels(g, 3);
  CHECK(c3.pixels == std::vector<uint8_t>{76, 150, 76, 150, 76, 150});
  CHECK(!error_of([&] { convert_channels(color, 2); }).empty());
}

TEST_CASE("fit_image_to_input: central crop to the target's aspect, then area-averaged resize") {
  // 4x6 gray photo -> 2x2: the central 4x4 (columns 1..4; column 5's 100 must not leak in), then
  // each output pixel is the mean of a 2x2 block. By hand:
  //   (10+20+70+80)/4 = 45, (30+40+90+100)/4 = 65, (0+0+200+200)/4 = 100, (0+0+200+200)/4 = 100
  Image photo{1, 4, 6, {0,   10,  20,  30,  40,  50,   //
                        60,  70,  80,  90,  100, 110,  //
                        0,   0,   0,   0,   0,   0,    //
                        200, 200, 200, 200, 200, 100}};
  const Image two = fit_image_to_input(photo, 1, 2, 2);
  CHECK(two.channels == 1);
  CHECK(two.height == 2);
  CHECK(two.width == 2);
  CHECK(two.pixels == std::vector<uint8_t>{45, 65, 100, 100});
  // A wide RGB strip (red, green, blue) to one 3-channel pixel: the central column, green.
  Image strip{3, 1, 3, {255, 0, 0, 0, 255, 0, 0, 0, 255}};
  CHECK(fit_image_to_input(strip, 3, 1, 1).pixels == std::vector<uint8_t>{0, 255, 0});
  // Gray photo for a colour model: copied to R, G, B. A tall photo for a wide target: the central
  // rows (1..2 of 4 for 1x2), each output the mean of a 2x2 block: (60+72+0+0)/4, (80+92)/4.
  const Image rgb = fit_image_to_input(two, 3, 2, 2);
  CHECK(rgb.pixels == std::vector<uint8_t>{45, 65, 100, 100, 45, 65, 100, 100, 45, 65, 100, 100});
  Image tall{1, 4, 4, {1, 1, 1, 1,  60, 72, 80, 92,  0, 0, 0, 0,  9, 9, 9, 9}};
  CHECK(fit_image_to_input(tall, 1, 1, 2).pixels == std::vector<uint8_t>{33, 43});
  // A photo-sized constant image stays constant; bad targets are Errors.
  Image big{3, 300, 500, std::vector<uint8_t>(3 * 300 * 500, 200)};
  const Image small = fit_image_to_input(big, 3, 32, 32);
  CHECK(small.height == 32);
  CHECK(std::all_of(small.pixels.begin(), small.pixels.end(), [](uint8_t v) { return v == 200; }));
  CHECK(!error_of([&] { fit_image_to_input(big, 3, 0, 32); }).empty());
  CHECK(!error_of([&] { fit_image_to_input(big, 2, 32, 32); }).empty());
}

// ---- [SECTION] Real data ----------------------------------------------------------------------

TEST_CASE("real CIFAR-10 (CNNLAB_CIFAR10)") {
  const char* path = std::getenv("CNNLAB_CIFAR10");
  if (!path || !*path) return;
  const DataSource src = load_data(path);
  CHECK(src.train.size() == 50000);
  CHECK(src.test.size() == 10000);
  CHECK(src.train.channels == 3);
  CHECK(src.train.height == 32);
  CHECK(src.train.width == 32);
  CHECK(src.train.class_names == cifar10_class_names());
  CHECK(src.train.class_counts() == std::vector<size_t>(10, 5000));
  CHECK(src.test.class_counts() == std::vector<size_t>(10, 1000));
}
