// Feeds: a CIFAR-10 binary folder (engine/data/loader_cifar10.cpp) to load_cifar_binary: the
// input's parts (fuzz_common.h's separator) are batches.meta.txt, then data_batch_1..5.bin, then
// test_batch.bin (fewer parts: the missing files are missing). Records are 1 label byte + 3,072
// pixel bytes; labels 0..9; ten class names. Seeds are tiny hand-made records (never bytes of
// CIFAR-10 itself); run with -max_len=65536.
#include "data/loader_formats.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<fuzz::Part> parts = fuzz::split_parts(data, size);
  static const char* const kNames[7] = {"batches.meta.txt", "data_batch_1.bin", "data_batch_2.bin",
                                        "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
                                        "test_batch.bin"};
  cnnlab::loading::FileTree tree;
  tree.location = "fuzz-cifar";
  tree.name = "fuzz-cifar";
  for (size_t i = 0; i < parts.size() && i < 7; ++i) {
    cnnlab::loading::TreeFile f;
    f.rel = kNames[i];
    f.where = std::string("fuzz-cifar/") + kNames[i];
    f.data = parts[i].first;
    f.size = parts[i].second;
    tree.files.push_back(f);
  }
  std::sort(tree.files.begin(), tree.files.end(),
            [](const auto& a, const auto& b) { return a.rel < b.rel; });
  fuzz::refuse_cleanly([&] { cnnlab::loading::load_cifar_binary(tree, ""); });
  return 0;
}
