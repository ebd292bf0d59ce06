// Dataset loaders: the one place that recognises a dataset's format (see loaders.h) and hands it
// to the loader of that format (loader_formats.h): packs, tar and gzip archives, folders.
#include "data/loaders.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/io.h"
#include "data/compression.h"
#include "data/loader_formats.h"
#include "data/pack.h"
#include "data/tar.h"

namespace cnnlab {

namespace fs = std::filesystem;
using namespace loading;

namespace {

const char* kFormats =
    "expected a CIFAR-10 binary folder or archive (data_batch_1.bin ...), an image folder or its "
    ".tar.gz (train/<class>/*.png|jpg), an IDX folder (train-images-idx3-ubyte ...) or a pack "
    "file";

DataSource load_tree(FileTree& tree) {
  // CIFAR-10 binary: the shallowest data_batch_1.bin.
  const TreeFile* cifar = nullptr;
  const TreeFile* idx = nullptr;
  for (const TreeFile& f : tree.files) {
    const std::string base = base_name(f.rel);
    const size_t depth = std::count(f.rel.begin(), f.rel.end(), '/');
    if (base == "data_batch_1.bin" &&
        (!cifar || depth < static_cast<size_t>(std::count(cifar->rel.begin(), cifar->rel.end(), '/')))) {
      cifar = &f;
    }
    if ((base.rfind("train-images-idx3-ubyte", 0) == 0 ||
         base.rfind("train-images.idx3-ubyte", 0) == 0) &&
        (!idx || depth < static_cast<size_t>(std::count(idx->rel.begin(), idx->rel.end(), '/')))) {
      idx = &f;
    }
  }
  if (cifar) return load_cifar_binary(tree, dir_name(cifar->rel));
  std::string root;
  if (find_image_folder_root(tree, root)) return load_image_folder(tree, root);
  if (idx) return load_idx(tree, dir_name(idx->rel));
  throw Error(tree.location, std::string("unknown dataset format: ") + kFormats);
}

DataSource load_archive_bytes(const uint8_t* tar, size_t size, const std::string& where) {
  FileTree tree = tree_of_tar(tar, size, where);
  require(!tree.files.empty(), where, "empty archive");
  return load_tree(tree);
}

}  // namespace

DataSource load_data_bytes(const uint8_t* bytes, size_t size, const std::string& where) {
  require(size > 0, where, "empty file");
  if (is_pack(bytes, size)) return read_pack_bytes(bytes, size, where);
  if (is_gzip(bytes, size)) {
    const std::vector<uint8_t> tar = gunzip(bytes, size, where);
    require(looks_like_tar(tar.data(), tar.size()), where,
            std::string("a gzip file that does not hold a tar archive: ") + kFormats);
    return load_archive_bytes(tar.data(), tar.size(), where);
  }
  if (looks_like_tar(bytes, size)) return load_archive_bytes(bytes, size, where);
  throw Error(where, std::string("unknown dataset format: ") + kFormats);
}

std::string UploadInput::label() const {
  return std::to_string(height) + "x" + std::to_string(width) + (channels == 1 ? " grey" : " colour");
}

void UploadInput::validate(const std::string& where) const {
  require(channels == 1 || channels == 3, where,
          "input channels must be 1 (grey) or 3 (colour), not " + std::to_string(channels));
  require(height >= 8 && height <= 256 && width >= 8 && width <= 256, where,
          "input size must be 8..256 pixels a side, not " + std::to_string(height) + "x" +
              std::to_string(width));
}

void check_upload_archive(uint64_t files, uint64_t expanded_bytes, const std::string& where) {
  require(files <= kMaxUploadFiles, where,
          "holds " + std::to_string(files) + " files, more than the " +
              std::to_string(kMaxUploadFiles) + " an uploaded dataset may have");
  require(expanded_bytes <= kMaxUploadExpandedBytes, where,
          "expands to " + std::to_string(expanded_bytes) + " bytes, more than the 500 MB (" +
              std::to_string(kMaxUploadExpandedBytes) +
              " bytes) an uploaded dataset may unpack to");
}

DataSource load_upload_bytes(const uint8_t* bytes, size_t size, const std::string& name,
                             const UploadInput& input, const UploadProgress& progress) {
  input.validate(name);
  require(size > 0, name, "empty file (0 bytes)");
  require(size <= kMaxUploadArchiveBytes, name,
          std::to_string(size) + " bytes, larger than the 500 MB (" +
              std::to_string(kMaxUploadArchiveBytes) + " bytes) an uploaded dataset may be");
  if (is_pack(bytes, size)) return read_pack_bytes(bytes, size, name);
  const char* kUploadFormats =
      "expected a .zip, .tar or .tar.gz of an image folder (<class>/*.png|jpg, or "
      "train/<class>/... and test/<class>/...) or a .pack";
  std::vector<uint8_t> expanded;
  const uint8_t* tar = bytes;
  size_t tar_size = size;
  if (is_gzip(bytes, size)) {
    // The size trailer (the last 4 bytes: the expanded size mod 2^32) is checked before anything
    // is inflated; gunzip then inflates into exactly that many bytes and refuses a stream that
    // makes more, so a bomb whose real size wraps past 4 GB is refused too.
    require(size >= 18, name, "truncated gzip file");
    const uint32_t claimed = load_le32(bytes + size - 4);
    check_upload_archive(0, claimed, name);
    expanded = gunzip(bytes, size, name);
    require(looks_like_tar(expanded.data(), expanded.size()), name,
            std::string("a gzip file that does not hold a tar archive: ") + kUploadFormats);
    tar = expanded.data();
    tar_size = expanded.size();
  } else {
    require(looks_like_tar(bytes, size), name,
            std::string("neither a readable archive nor a pack (corrupt, or another format): ") +
                kUploadFormats);
  }
  FileTree tree = tree_of_tar(tar, tar_size, name);
  uint64_t total = 0;
  for (const TreeFile& f : tree.files) total += f.size;
  check_upload_archive(tree.files.size(), total, name);
  require(!tree.files.empty(), name, std::string("empty archive: ") + kUploadFormats);
  return load_image_upload(tree, input, progress);
}

DataSource load_data(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  require(!ec && fs::exists(st), path, "no such file or directory");
  if (fs::is_directory(st)) {
    FileTree tree = tree_of_directory(path);
    require(!tree.files.empty(), path, std::string("empty folder: ") + kFormats);
    return load_tree(tree);
  }
  std::vector<uint8_t> bytes = read_file_bytes(path);
  if (is_gzip(bytes.data(), bytes.size())) {
    std::vector<uint8_t> tar = gunzip(bytes.data(), bytes.size(), path);
    std::vector<uint8_t>().swap(bytes);  // free the compressed copy before decoding
    require(looks_like_tar(tar.data(), tar.size()), path,
            std::string("a gzip file that does not hold a tar archive: ") + kFormats);
    return load_archive_bytes(tar.data(), tar.size(), path);
  }
  return load_data_bytes(bytes.data(), bytes.size(), path);
}

}  // namespace cnnlab
