// CIFAR-10 binary batches: data_batch_1..5.bin and test_batch.bin, records of 1 label byte + 3,072
// pixel bytes (planes R, G, B), batches.meta.txt with the class names (see loaders.h).
#include "data/loader_formats.h"

#include <cstring>

#include "core/error.h"

namespace cnnlab {
namespace loading {

namespace {

constexpr size_t kCifarRecord = 1 + 3 * 32 * 32;

void append_cifar_batch(Dataset& d, const uint8_t* data, size_t size, const std::string& where) {
  require(size > 0, where, "empty CIFAR-10 batch file");
  require(size % kCifarRecord == 0, where,
          "size " + std::to_string(size) + " bytes is not a whole number of 3,073-byte records "
          "(1 label + 3,072 pixels): truncated or not a CIFAR-10 batch");
  const size_t n = size / kCifarRecord;
  const size_t old = d.labels.size();
  d.labels.resize(old + n);
  d.pixels.resize((old + n) * (kCifarRecord - 1));
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* rec = data + i * kCifarRecord;
    require(rec[0] < 10, where,
            "record " + std::to_string(i) + " has label " + std::to_string(rec[0]) +
                " (CIFAR-10 labels are 0..9)");
    d.labels[old + i] = rec[0];
    std::memcpy(d.pixels.data() + (old + i) * (kCifarRecord - 1), rec + 1, kCifarRecord - 1);
  }
}

}  // namespace

DataSource load_cifar_binary(FileTree& tree, const std::string& dir) {
  const std::string folder_where =
      tree.archive ? (dir.empty() ? tree.location : dir + " (in " + tree.location + ")")
                   : join(tree.location, dir);
  DataSource src;
  std::vector<std::string> names = cifar10_class_names();
  if (const TreeFile* meta = tree.find(join(dir, "batches.meta.txt"))) {
    auto b = tree.bytes(*meta);
    names = text_lines(b.first, b.second);
    require(names.size() == 10, meta->where,
            "expected the 10 CIFAR-10 class names, one a line, found " +
                std::to_string(names.size()));
  }
  for (Dataset* d : {&src.train, &src.test}) {
    d->name = "cifar10";
    d->class_names = names;
    d->channels = 3;
    d->height = d->width = 32;
  }
  for (int b = 1; b <= 5; ++b) {
    const std::string file = "data_batch_" + std::to_string(b) + ".bin";
    const TreeFile* f = tree.find(join(dir, file));
    require(f != nullptr, folder_where, "CIFAR-10 binary folder is missing " + file);
    auto bytes = tree.bytes(*f);
    append_cifar_batch(src.train, bytes.first, bytes.second, f->where);
  }
  const TreeFile* test = tree.find(join(dir, "test_batch.bin"));
  require(test != nullptr, folder_where, "CIFAR-10 binary folder is missing test_batch.bin");
  auto bytes = tree.bytes(*test);
  append_cifar_batch(src.test, bytes.first, bytes.second, test->where);
  src.train.validate(folder_where);
  src.origin = tree.location + (tree.archive ? " (CIFAR-10 binary archive)" : " (CIFAR-10 binary folder)");
  return src;
}

}  // namespace loading
}  // namespace cnnlab
