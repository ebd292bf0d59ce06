// cnnlab pack: converts any supported source into a pack file (optionally a class-balanced
// subset), the compact format the browser downloads (docs/pack-format.md). Images are stored as
// JPEG by default (--raw: lossless); --verify reads the pack back as the page does and reports
// its decode time and how close the decoded pixels are to the source (PSNR).
#include <chrono>
#include <cstdio>
#include <memory>

#include "common.h"
#include "core/error.h"
#include "core/io.h"
#include "data/image.h"
#include "data/pack.h"
#include "data/split.h"

namespace cnnlab::cli {

namespace {

// Reads the written pack in 64 KiB pieces through PackReader (what the page's worker does with a
// download), timing it, and compares the decoded pixels with the source's.
void verify_pack(const std::string& path, const DataSource& source) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  const auto start = std::chrono::steady_clock::now();
  PackReader reader(path, bytes.size());
  constexpr size_t kPiece = 64 * 1024;
  for (size_t at = 0; at < bytes.size(); at += kPiece)
    reader.feed(bytes.data() + at, std::min(kPiece, bytes.size() - at));
  const DataSource back = reader.finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  require(back.train.labels == source.train.labels && back.test.labels == source.test.labels,
          path, "read back with different labels than were written");
  std::printf("read back in %.2f s (%zu images, 64 KiB pieces through PackReader)\n", seconds,
              back.train.size() + back.test.size());
  std::printf("PSNR of the decoded pixels: train %.2f dB, test %.2f dB\n",
              pixel_psnr(back.train.pixels.data(), source.train.pixels.data(), source.train.pixels.size()),
              back.test.size() > 0 ? pixel_psnr(back.test.pixels.data(), source.test.pixels.data(), source.test.pixels.size()) : 0.0);
}

}  // namespace

void add_pack_command(CLI::App& app) {
  struct Options {
    std::string data, out;
    int train_per_class = 0, test_per_class = 0;
    uint64_t seed = 42;
    bool raw = false, verify = false, quiet = false;
    int quality = kPackDefaultJpegQuality;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("pack", "Write a data source (or a balanced subset) as a pack file");
  cmd->add_option("--data", o->data, "Data source")->required();
  cmd->add_option("--out", o->out, "Pack file to write")->required();
  add_per_class_options(*cmd, &o->train_per_class, &o->test_per_class);
  cmd->add_option("--seed", o->seed, "Seed of the subset draw, >= 0")
      ->capture_default_str()
      ->check(whole_number(0, 9007199254740991));
  cmd->add_flag("--raw", o->raw,
                "Store the pixels raw (lossless, version 1 format) instead of as JPEG");
  cmd->add_option("--quality", o->quality, "JPEG quality 1..100 (lower: smaller, less faithful)")
      ->capture_default_str()
      ->check(whole_number(1, 100));
  cmd->add_flag("--verify", o->verify,
                "Read the written pack back: print its decode time and the PSNR of its decoded "
                "pixels against the source");
  cmd->add_flag("--quiet", o->quiet, "No status output");
  cmd->callback([o] {
    DataSource d = load_data_reporting(o->data, o->quiet);
    if (o->train_per_class > 0) d.train = balanced_subset(d.train, o->train_per_class, o->seed);
    if (o->test_per_class > 0) d.test = balanced_subset(d.test, o->test_per_class, o->seed);
    const PackEncoding encoding = o->raw ? PackEncoding::raw() : PackEncoding::jpeg(o->quality);
    write_pack(o->out, d, encoding);
    if (!o->quiet) {
      const std::string how = o->raw ? std::string("raw pixels")
                                     : "JPEG quality " + std::to_string(o->quality);
      std::fprintf(stderr, "Wrote %s: %zu training and %zu test images, %s\n", o->out.c_str(),
                   d.train.size(), d.test.size(), how.c_str());
    }
    if (o->verify) {
      std::printf("%s: %llu bytes (raw: %zu bytes)\n", o->out.c_str(),
                  static_cast<unsigned long long>(file_size_of(o->out)), pack_size(d));
      verify_pack(o->out, d);
    }
  });
}

}  // namespace cnnlab::cli
