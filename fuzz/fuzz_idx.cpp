// Feeds: an IDX dataset folder ((Fashion-)MNIST style; engine/data/loader_idx.cpp) to load_idx:
// the input's parts (fuzz_common.h's separator) are train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each plain or
// gzip. Limits: element type unsigned byte, 3 / 1 dimensions, at most 2^34 elements, images
// 1..4096 px a side, data exactly what the header says; run with -max_len=65536.
#include "data/loader_formats.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<fuzz::Part> parts = fuzz::split_parts(data, size);
  static const char* const kNames[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  cnnlab::loading::FileTree tree;
  tree.location = "fuzz-idx";
  tree.name = "fuzz-idx";
  for (size_t i = 0; i < parts.size() && i < 4; ++i) {
    cnnlab::loading::TreeFile f;
    f.rel = kNames[i];
    f.where = std::string("fuzz-idx/") + kNames[i];
    f.data = parts[i].first;
    f.size = parts[i].second;
    tree.files.push_back(f);
  }
  std::sort(tree.files.begin(), tree.files.end(),
            [](const auto& a, const auto& b) { return a.rel < b.rel; });
  fuzz::refuse_cleanly([&] { cnnlab::loading::load_idx(tree, ""); });
  return 0;
}
