// IDX files, (Fashion-)MNIST style: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-...,
// each optionally gzipped (see loaders.h).
#include "data/loader_formats.h"

#include <cstring>

#include "core/error.h"
#include "data/compression.h"
#include "data/loaders.h"

namespace cnnlab {

const std::vector<std::string>& fashion_mnist_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                                 "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                                 "Bag",         "Ankle boot"};
  return names;
}

namespace loading {

namespace {

// The IDX file with stem `stem` ("train-images" + "-idx3-ubyte") in dir, plain or .gz.
const TreeFile* find_idx(const FileTree& tree, const std::string& dir,
                         const std::vector<std::string>& prefixes, const std::string& kind) {
  for (const std::string& prefix : prefixes) {
    for (const char* sep : {"-", "."}) {
      for (const char* gz : {"", ".gz"}) {
        if (const TreeFile* f = tree.find(join(dir, prefix + sep + kind + gz))) return f;
      }
    }
  }
  return nullptr;
}

// Decompressed (if gzip) contents of an IDX file, its dimensions checked.
std::vector<uint8_t> idx_contents(FileTree& tree, const TreeFile& f, int want_dims,
                                  std::vector<uint32_t>& dims) {
  auto raw = tree.bytes(f);
  std::vector<uint8_t> bytes = is_gzip(raw.first, raw.second)
                                   ? gunzip(raw.first, raw.second, f.where)
                                   : std::vector<uint8_t>(raw.first, raw.first + raw.second);
  require(bytes.size() >= 4 && bytes[0] == 0 && bytes[1] == 0, f.where,
          "not an IDX file (bad magic)");
  require(bytes[2] == 0x08, f.where, "IDX element type " + std::to_string(bytes[2]) +
                                         " is not unsigned byte (0x08)");
  require(bytes[3] == want_dims, f.where,
          "IDX file has " + std::to_string(bytes[3]) + " dimensions, expected " +
              std::to_string(want_dims));
  const size_t header = 4 + 4 * static_cast<size_t>(want_dims);
  require(bytes.size() >= header, f.where, "truncated IDX header");
  dims.clear();
  uint64_t count = 1;
  for (int i = 0; i < want_dims; ++i) {
    dims.push_back(load_be32(bytes.data() + 4 + 4 * i));
    count *= dims.back();
    require(count < (uint64_t{1} << 34), f.where, "IDX dimensions are implausibly large");
  }
  require(bytes.size() - header == count, f.where,
          "IDX data holds " + std::to_string(bytes.size() - header) + " bytes, its header says " +
              std::to_string(count) + " (truncated or corrupt)");
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
  return bytes;
}

void load_idx_split(FileTree& tree, const TreeFile& images_file, const TreeFile& labels_file,
                    Dataset& d) {
  std::vector<uint32_t> idims, ldims;
  d.pixels = idx_contents(tree, images_file, 3, idims);
  d.labels = idx_contents(tree, labels_file, 1, ldims);
  require(idims[0] == ldims[0], labels_file.where,
          std::to_string(ldims[0]) + " labels for " + std::to_string(idims[0]) + " images in " +
              images_file.where);
  require(idims[1] > 0 && idims[2] > 0 && idims[1] <= 4096 && idims[2] <= 4096,
          images_file.where, "image size out of range");
  d.channels = 1;
  d.height = static_cast<int>(idims[1]);
  d.width = static_cast<int>(idims[2]);
}

}  // namespace

DataSource load_idx(FileTree& tree, const std::string& dir) {
  const std::string folder_where = tree.archive ? tree.location : join(tree.location, dir);
  const TreeFile* files[4] = {
      find_idx(tree, dir, {"train"}, "images-idx3-ubyte"),
      find_idx(tree, dir, {"train"}, "labels-idx1-ubyte"),
      find_idx(tree, dir, {"t10k", "test"}, "images-idx3-ubyte"),
      find_idx(tree, dir, {"t10k", "test"}, "labels-idx1-ubyte")};
  const char* names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  for (int i = 0; i < 4; ++i) {
    require(files[i] != nullptr, folder_where,
            std::string("IDX folder is missing ") + names[i] + "[.gz]");
  }
  DataSource src;
  load_idx_split(tree, *files[0], *files[1], src.train);
  load_idx_split(tree, *files[2], *files[3], src.test);
  require(src.test.height == src.train.height && src.test.width == src.train.width,
          files[2]->where, "test images are " + std::to_string(src.test.width) + "x" +
                               std::to_string(src.test.height) + " but training images are " +
                               std::to_string(src.train.width) + "x" +
                               std::to_string(src.train.height));
  int max_label = 0;
  for (const Dataset* d : {&src.train, &src.test}) {
    for (uint8_t l : d->labels) max_label = std::max<int>(max_label, l);
  }
  // Fashion-MNIST and MNIST share file names and shapes; their first training labels differ.
  static const uint8_t kFashionStart[8] = {9, 0, 0, 3, 0, 2, 7, 2};
  static const uint8_t kMnistStart[8] = {5, 0, 4, 1, 9, 2, 1, 3};
  const bool full = src.train.size() == 60000 && src.test.size() == 10000;
  const bool starts_fashion =
      src.train.size() >= 8 && std::memcmp(src.train.labels.data(), kFashionStart, 8) == 0;
  const bool starts_mnist =
      src.train.size() >= 8 && std::memcmp(src.train.labels.data(), kMnistStart, 8) == 0;
  const std::string folder =
      tree.archive ? tree.name : folder_name(folder_where);
  std::string name = folder.empty() ? "idx" : folder;
  std::vector<std::string> classes;
  const bool is28 = src.train.height == 28 && src.train.width == 28 && max_label < 10;
  if (is28 && ((full && starts_fashion) || lower(folder_where).find("fashion") != std::string::npos)) {
    name = "fashion-mnist";
    classes = fashion_mnist_class_names();
  } else if (is28 && full && starts_mnist) {
    name = "mnist";
    for (int i = 0; i < 10; ++i) classes.push_back(std::to_string(i));
  } else {
    for (int i = 0; i <= max_label; ++i) classes.push_back(std::to_string(i));
  }
  for (Dataset* d : {&src.train, &src.test}) {
    d->name = name;
    d->class_names = classes;
  }
  src.origin = tree.location + " (IDX files)";
  require_not_empty(src, folder_where, "the IDX files hold no images");
  return src;
}

}  // namespace loading
}  // namespace cnnlab
