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
