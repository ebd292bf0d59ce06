// main() for a fuzz target built without libFuzzer (the asan build's fuzz_replay_* tests):
// runs LLVMFuzzerTestOneInput once on every file named, and on every file in every folder named
// (sorted), exactly as libFuzzer would replay them, and prints how many it ran. A crash or
// sanitizer report fails the test; a folder that does not exist is skipped (a target with no
// committed regression inputs yet).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg = argv[i];
    if (fs::is_directory(arg)) {
      for (const auto& e : fs::directory_iterator(arg)) {
        if (e.is_regular_file()) files.push_back(e.path().string());
      }
    } else if (fs::is_regular_file(arg)) {
      files.push_back(arg.string());
    }
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    const std::vector<uint8_t> bytes = cnnlab::read_file_bytes(f);
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::printf("%s: replayed %zu inputs\n", argc > 0 ? argv[0] : "replay", files.size());
  return files.empty() ? 1 : 0;
}
