// A dataset the student brings (data/loaders.h, load_upload_bytes; lab/trainer_host.h,
// TrainerHost::load_upload): image-folder archives in their layouts, every image fitted to the
// input, the pack the page caches, the archive limits at and one past each, and every refusal
// leaving the dataset and the runs as they were.
//
// [SECTION] Helpers   [SECTION] Layouts   [SECTION] Refusals   [SECTION] Limits
// [SECTION] The trainer host
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io.h"
#include "core/rng.h"
#include "data/compression.h"
#include "data/image.h"
#include "data/loaders.h"
#include "data/pack.h"
#include "lab/trainer_host.h"
#include "test_helpers.h"

using namespace cnnlab;
using cnnlab::testing::contains;
using cnnlab::testing::error_of;


namespace {

// ---- [SECTION] Helpers ------------------------------------------------------------------------

using Bytes = std::vector<uint8_t>;

// A ustar archive in memory: folders ('5') and files ('0'), names up to 100 bytes.
struct UploadTar {
  Bytes out;
  void header(const std::string& name, size_t size, char type) {
    REQUIRE(name.size() <= 100);
    cnnlab::testing::append_ustar_header(out, name, size, type);
  }
  UploadTar& file(const std::string& name, const Bytes& data) {
    header(name, data.size(), '0');
    out.insert(out.end(), data.begin(), data.end());
    out.resize((out.size() + 511) / 512 * 512, 0);
    return *this;
  }
  UploadTar& folder(const std::string& name) {
    header(name + "/", 0, '5');
    return *this;
  }
  Bytes finish() const {
    Bytes b = out;
    b.resize(b.size() + 1024, 0);
    return b;
  }
};

// gzip with stored DEFLATE blocks (a valid .tar.gz, no compressor needed).
Bytes upload_gzip(const Bytes& data) {
  Bytes out = {0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3};
  size_t pos = 0;
  do {
    const size_t n = std::min<size_t>(65535, data.size() - pos);
    out.push_back(pos + n == data.size() ? 1 : 0);
    out.push_back(static_cast<uint8_t>(n));
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(~n));
    out.push_back(static_cast<uint8_t>(~n >> 8));
    out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(pos),
               data.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
  } while (pos < data.size());
  const uint32_t crc = crc32(data.data(), data.size());
  const uint32_t size = static_cast<uint32_t>(data.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(size >> (8 * i)));
  return out;
}

// A picture of one flat colour (C, H, W) with a little noise, so classes differ by colour.
Image flat_picture(Rng& rng, int channels, int height, int width, uint8_t level) {
  Image img{channels, height, width, std::vector<uint8_t>(static_cast<size_t>(channels) * height * width)};
  for (uint8_t& p : img.pixels) p = static_cast<uint8_t>(level + rng.below(8));
  return img;
}

Bytes png_of(const Image& img) { return encode_png(img.pixels.data(), img.channels, img.height, img.width); }

const UploadInput kColour32;  // 32x32 colour, the default

// ---- [SECTION] Layouts ------------------------------------------------------------------------

TEST_CASE("upload: <class>/* under one top folder, PNG and JPEG of mixed sizes and modes, fit 32x32 with a stratified test split") {
  Rng rng(5, 1);
  UploadTar tar;
  tar.folder("pets").folder("pets/cat").folder("pets/dog");
  for (int i = 0; i < 10; ++i) {
    // cat: dark colour PNGs of varied sizes; dog: light JPEGs, some of them grey.
    tar.file("pets/cat/" + std::to_string(i) + ".png", png_of(flat_picture(rng, 3, 20 + i, 40, 30)));
    const Image dog = flat_picture(rng, i % 2 ? 1 : 3, 50, 30 + 3 * i, 220);
    tar.file("pets/dog/" + std::to_string(i) + (cnnlab::testing::kCanWriteJpeg ? ".JPG" : ".png"),
             cnnlab::testing::kCanWriteJpeg ? encode_jpeg(dog.pixels.data(), dog.channels, dog.height, dog.width, 90)
                                 : png_of(dog));
  }
  tar.file("pets/.DS_Store", Bytes{1, 2, 3}).file("__MACOSX/pets/._x", Bytes{4});
  tar.file("pets/classes.txt", Bytes{'d', 'o', 'g', '\n', 'c', 'a', 't', '\n'});
  const Bytes archive = tar.finish();
  const DataSource src = load_upload_bytes(archive.data(), archive.size(), "pets.tar", kColour32);
  CHECK(src.train.name == "pets");
  CHECK(src.train.class_names == std::vector<std::string>{"cat", "dog"});
  CHECK(src.train.channels == 3);
  CHECK(src.train.height == 32);
  CHECK(src.train.width == 32);
  // round(0.2 * 10) = 2 test images of each class.
  CHECK(src.train.size() == 16);
  CHECK(src.test.size() == 4);
  CHECK(src.test.class_counts() == std::vector<size_t>{2, 2});
  // Every pixel of a cat is dark, of a dog light (grey JPEGs copied to R, G, B).
  for (size_t i = 0; i < src.train.size(); ++i) {
    const uint8_t* p = src.train.image(i);
    const bool dog = src.train.labels[i] == 1;
    for (size_t k = 0; k < src.train.image_bytes(); ++k) {
      if (dog ? p[k] < 190 : p[k] > 60) FAIL("image " << i << " pixel " << k << " is " << int(p[k]));
    }
  }
  // The same split on every load (the page reloads it from its pack, but a second upload of the
  // same archive must not shuffle train and test).
  const DataSource again = load_upload_bytes(archive.data(), archive.size(), "pets.tar", kColour32);
  CHECK(again.test.pixels == src.test.pixels);
  // The pack the page caches reads back bit for bit.
  const Bytes pack = encode_pack(src);
  const DataSource back = load_upload_bytes(pack.data(), pack.size(), "pets.pack", kColour32);
  CHECK(back.train.pixels == src.train.pixels);
  CHECK(back.test.labels == src.test.labels);
  CHECK(back.train.class_names == src.train.class_names);
}

TEST_CASE("upload: decoding reports its progress, decoded of total images, up to the last") {
  Rng rng(6, 1);
  UploadTar tar;
  for (int i = 0; i < 120; ++i)
    tar.file(std::string(i % 2 ? "dark/" : "light/") + std::to_string(i) + ".png",
             png_of(flat_picture(rng, 3, 12, 12, i % 2 ? 30 : 220)));
  const Bytes archive = tar.finish();
  std::vector<std::pair<size_t, size_t>> heard;
  const DataSource src = load_upload_bytes(archive.data(), archive.size(), "shades.tar", kColour32,
                                           [&](size_t decoded, size_t total) {
                                             heard.emplace_back(decoded, total);
                                           });
  CHECK(src.train.size() + src.test.size() == 120);
  // The first image, every 2nd (120 / 50) and the last: in order, each of 120.
  REQUIRE(heard.size() == 61);
  CHECK(heard.front() == std::make_pair(size_t{1}, size_t{120}));
  CHECK(heard.back() == std::make_pair(size_t{120}, size_t{120}));
  for (size_t i = 1; i < heard.size(); ++i) {
    CHECK(heard[i].first > heard[i - 1].first);
    CHECK(heard[i].second == 120);
  }
  // A pack holds no encoded images: nothing to report.
  const Bytes pack = encode_pack(src);
  heard.clear();
  load_upload_bytes(pack.data(), pack.size(), "shades.pack", kColour32,
                    [&](size_t decoded, size_t total) { heard.emplace_back(decoded, total); });
  CHECK(heard.empty());
}

TEST_CASE("upload: train/ and test/ as given in a .tar.gz without a top folder, fit 28x28 grey") {
  Rng rng(6, 1);
  UploadTar tar;
  for (const char* split : {"train", "test"}) {
    for (int i = 0; i < 3; ++i) {
      tar.file(std::string(split) + "/circle/" + std::to_string(i) + ".png", png_of(flat_picture(rng, 3, 64, 48, 10)));
      tar.file(std::string(split) + "/square/" + std::to_string(i) + ".png", png_of(flat_picture(rng, 1, 28, 28, 200)));
      tar.file(std::string(split) + "/star/" + std::to_string(i) + ".png", png_of(flat_picture(rng, 3, 100, 100, 120)));
    }
  }
  const Bytes gz = upload_gzip(tar.finish());
  UploadInput grey;
  grey.channels = 1;
  grey.height = grey.width = 28;
  const DataSource src = load_upload_bytes(gz.data(), gz.size(), "shapes.tar.gz", grey);
  CHECK(src.train.name == "shapes");
  CHECK(src.train.class_names == std::vector<std::string>{"circle", "square", "star"});
  CHECK(src.train.channels == 1);
  CHECK(src.train.height == 28);
  CHECK(src.train.size() == 9);
  CHECK(src.test.size() == 9);
  CHECK(src.test.class_counts() == std::vector<size_t>{3, 3, 3});
  CHECK(src.origin == "shapes.tar.gz (28x28 grey)");
  // Input sizes outside 8..256 or channels other than 1 and 3 are refused.
  UploadInput odd;
  odd.channels = 2;
  CHECK(contains(error_of([&] { load_upload_bytes(gz.data(), gz.size(), "shapes.tar.gz", odd); }),
                 "input channels must be 1 (grey) or 3 (colour)"));
}

// ---- [SECTION] Refusals -----------------------------------------------------------------------

TEST_CASE("upload: each bad archive is refused naming the file and the reason") {
  Rng rng(7, 1);
  const Bytes png = png_of(flat_picture(rng, 3, 8, 8, 50));
  auto two_classes = [&] {
    UploadTar tar;
    for (int i = 0; i < 3; ++i) {
      tar.file("toys/car/" + std::to_string(i) + ".png", png);
      tar.file("toys/doll/" + std::to_string(i) + ".png", png);
    }
    return tar;
  };
  auto refusal = [&](const Bytes& bytes, const std::string& name) {
    return error_of([&] { load_upload_bytes(bytes.data(), bytes.size(), name, kColour32); });
  };
  SUBCASE("a non-image inside") {
    const std::string e = refusal(two_classes().file("toys/car/notes.txt", Bytes{'h', 'i'}).finish(), "toys.tar");
    CHECK(contains(e, "toys/car/notes.txt (in toys.tar)"));
    CHECK(contains(e, "is not an image"));
  }
  SUBCASE("a corrupt image") {
    const std::string e = refusal(two_classes().file("toys/doll/bad.png", Bytes{'n', 'o', 'p', 'e'}).finish(), "toys.tar");
    CHECK(contains(e, "toys/doll/bad.png (in toys.tar)"));
    CHECK(contains(e, "PNG or JPEG"));
  }
  SUBCASE("an empty image file") {
    CHECK(contains(refusal(two_classes().file("toys/doll/zero.png", Bytes{}).finish(), "toys.tar"),
                   "toys/doll/zero.png (in toys.tar): empty file"));
  }
  SUBCASE("a class with no images") {
    const std::string e = refusal(two_classes().folder("toys/robot").finish(), "toys.tar");
    CHECK(contains(e, "toys/robot/ (in toys.tar)"));
    CHECK(contains(e, "class folder 'robot' has no images"));
  }
  SUBCASE("a single class") {
    UploadTar tar;
    for (int i = 0; i < 3; ++i) tar.file("cats/" + std::to_string(i) + ".png", png);
    CHECK(contains(refusal(tar.finish(), "cats.tar"), "only one class ('cats'): a classifier needs at least 2"));
  }
  SUBCASE("an image outside a class folder") {
    CHECK(contains(refusal(two_classes().file("stray.png", png).finish(), "toys.tar"),
                   "stray.png (in toys.tar): is not inside a class folder"));
  }
  SUBCASE("a folder inside a class folder") {
    CHECK(contains(refusal(two_classes().file("toys/car/old/1.png", png).finish(), "toys.tar"),
                   "is in a folder inside a class folder"));
  }
  SUBCASE("a test class without training images") {
    UploadTar tar;
    for (int i = 0; i < 2; ++i) {
      tar.file("train/a/" + std::to_string(i) + ".png", png).file("train/b/" + std::to_string(i) + ".png", png);
    }
    tar.file("test/c/0.png", png);
    CHECK(contains(refusal(tar.finish(), "abc.tar"), "class folder 'test/c' has no training images"));
  }
  SUBCASE("too few images for a test split") {
    UploadTar tar;
    tar.file("a/0.png", png).file("b/0.png", png);
    CHECK(contains(refusal(tar.finish(), "tiny.tar"), "too few images to set a test split aside"));
  }
  SUBCASE("a corrupt or truncated archive, another format, nothing") {
    Bytes tar = two_classes().finish();
    Bytes flipped = tar;
    flipped[512 + (png.size() + 511) / 512 * 512 + 10] ^= 0xFF;  // inside the second header
    CHECK(contains(refusal(flipped, "toys.tar"), "toys.tar: corrupt tar header"));
    const Bytes cut(tar.begin(), tar.begin() + 700);
    CHECK(contains(refusal(cut, "toys.tar"), "toys.tar: truncated tar archive"));
    Bytes gz = upload_gzip(tar);
    gz.resize(gz.size() - 100);
    CHECK(contains(refusal(gz, "toys.tar.gz"), "toys.tar.gz"));
    CHECK(contains(refusal(png, "photo.png"), "photo.png: neither a readable archive nor a pack"));
    CHECK(contains(refusal(Bytes{}, "empty.zip"), "empty.zip: empty file"));
    CHECK(contains(refusal(UploadTar().finish(), "none.tar"), "none.tar"));
  }
}

// ---- [SECTION] Limits -------------------------------------------------------------------------

TEST_CASE("upload limits: 200,000 files, 500 MB expanded and 100 classes pass; one more is refused") {
  CHECK_NOTHROW(check_upload_archive(kMaxUploadFiles, kMaxUploadExpandedBytes, "a.zip"));
  CHECK(contains(error_of([] { check_upload_archive(200001, 0, "a.zip"); }),
                 "a.zip: holds 200001 files, more than the 200000"));
  CHECK(contains(error_of([] { check_upload_archive(1, 524288001, "a.zip"); }),
                 "a.zip: expands to 524288001 bytes, more than the 500 MB (524288000 bytes)"));
  // A .tar.gz bomb is refused from its size trailer, before anything is inflated: at the limit
  // the trailer passes (and this small file is then refused as corrupt by gunzip's own ratio
  // check), one byte past it the limit names itself.
  Bytes gz = upload_gzip(UploadTar().file("a/0.png", Bytes(10, 1)).finish());
  auto set_trailer = [&](uint32_t size) {
    for (int i = 0; i < 4; ++i) gz[gz.size() - 4 + static_cast<size_t>(i)] = static_cast<uint8_t>(size >> (8 * i));
  };
  set_trailer(524288000);
  std::string e = error_of([&] { load_upload_bytes(gz.data(), gz.size(), "bomb.tar.gz", kColour32); });
  CHECK(!contains(e, "500 MB"));
  CHECK(contains(e, "bomb.tar.gz"));
  set_trailer(524288001);
  CHECK(contains(error_of([&] { load_upload_bytes(gz.data(), gz.size(), "bomb.tar.gz", kColour32); }),
                 "bomb.tar.gz: expands to 524288001 bytes, more than the 500 MB"));
  // 100 classes load, 101 are refused.
  Rng rng(9, 1);
  const Bytes png = png_of(flat_picture(rng, 3, 8, 8, 50));
  auto classes = [&](int n) {
    UploadTar tar;
    for (int c = 0; c < n; ++c) {
      for (int i = 0; i < 3; ++i) tar.file("k" + std::to_string(100 + c) + "/" + std::to_string(i) + ".png", png);
    }
    return tar.finish();
  };
  const Bytes hundred = classes(100);
  CHECK(load_upload_bytes(hundred.data(), hundred.size(), "k.tar", kColour32).train.class_names.size() == 100);
  const Bytes more = classes(101);
  CHECK(contains(error_of([&] { load_upload_bytes(more.data(), more.size(), "k.tar", kColour32); }),
                 "101 class folders, more than the 100"));
}

// ---- [SECTION] The trainer host ---------------------------------------------------------------

TEST_CASE("TrainerHost::load_upload: the dataset and its pack, reported once; a refusal changes nothing") {
  Rng rng(11, 1);
  UploadTar good;
  for (int i = 0; i < 5; ++i) {
    good.file("sky/" + std::to_string(i) + ".png", png_of(flat_picture(rng, 3, 12, 12, 20)));
    good.file("sea/" + std::to_string(i) + ".png", png_of(flat_picture(rng, 3, 12, 12, 200)));
  }
  const Bytes archive = good.finish();
  TrainerHost host(1);
  host.load_upload(archive.data(), archive.size(), "views.tar", kColour32);
  CHECK(host.poll(0.0, true).dataset_due);
  CHECK(host.session().data().train.class_names == std::vector<std::string>{"sea", "sky"});
  // The pack is the dataset the trainer holds.
  const DataSource packed = read_pack_bytes(host.upload_pack().data(), host.upload_pack().size(), "views.pack");
  CHECK(packed.train.pixels == host.session().data().train.pixels);
  CHECK(packed.test.labels == host.session().data().test.labels);
  host.release_upload_pack();
  CHECK(host.upload_pack().empty());

  // Train a step: a run exists. Then a refused upload: same data, same run, no report, no pack.
  host.handle(TrainerCommand::from_json(nlohmann::json{{"type", "configure"}, {"options", {{"model", "mlp-small"}, {"batch", 4}}}}, "cmd"));
  host.handle(TrainerCommand::from_json(nlohmann::json{{"type", "step"}}, "cmd"));
  while (host.tick(0.05)) {
  }
  host.poll(1.0, true);
  const size_t runs = host.session().history().size();
  const Bytes pixels = host.session().data().train.pixels;
  const Bytes bad = UploadTar().file("one/0.png", png_of(flat_picture(rng, 3, 8, 8, 1))).finish();
  CHECK(contains(error_of([&] { host.load_upload(bad.data(), bad.size(), "one.tar", kColour32); }),
                 "only one class"));
  CHECK(!host.poll(2.0, true).dataset_due);
  CHECK(host.session().data().train.pixels == pixels);
  CHECK(host.session().history().size() == runs);
  CHECK(host.upload_pack().empty());
}

}  // namespace
