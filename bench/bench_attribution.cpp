// bench_attribution: how long one attribution map of one image takes for each preset (the lab's
// Inside the network > Where it looks, and the experiment's side-by-side column), and how much
// memory 10 per-epoch snapshots of each preset take in the lab's SnapshotStore.
//
// Usage: bench_attribution [--repeats R]      (default 5; the median of R timed runs per map,
//                                             after one untimed warm-up)
//   native: build/bench/bench_attribution
//   node:   node build-wasm/bench/bench_attribution.js   (the engine the page runs, one thread)
// Random weights (a preset's initialisation, seed 1) and one random 3x32x32 image: the time of a
// map does not depend on what the weights learned. Methods as the lab computes them: gradient
// (one backward pass), SmoothGrad (20 noisy copies), Grad-CAM (one backward pass to the last conv
// layer), occlusion (8x8 patch, stride 4: 49 forward passes).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/rng.h"
#include "lab/attribution.h"
#include "lab/snapshot_store.h"
#include "model/model.h"
#include "model/presets.h"

using namespace cnnlab;

namespace {

struct PresetCase {
  const char* label;
  const char* name;
  int kernel;  // 0: the preset's own
};

double median_ms(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--repeats") == 0) repeats = std::max(1, std::atoi(argv[i + 1]));
  }
  const Shape input{3, 32, 32};
  const PresetCase cases[] = {{"mlp", "mlp", 0},
                              {"cnn k=3", "cnn", 3},
                              {"cnn k=5", "cnn", 5},
                              {"cnn k=7", "cnn", 7},
                              {"vgg", "vgg", 0}};
  struct Method {
    const char* label;
    AttributionOptions options;
  };
  std::vector<Method> methods(4);
  methods[0].label = "gradient";
  methods[1].label = "SmoothGrad x20";
  methods[1].options.smooth_samples = 20;
  methods[2].label = "Grad-CAM";
  methods[2].options.method = AttributionMethod::kGradCam;
  methods[3].label = "occlusion 8/4";
  methods[3].options.method = AttributionMethod::kOcclusion;

  Rng rng(7);
  std::vector<float> image(input.count());
  for (float& v : image) v = rng.uniform();

  std::printf("milliseconds per map (median of %d), memory of 10 snapshots\n", repeats);
  std::printf("%-10s %10s", "preset", "params");
  for (const Method& m : methods) std::printf(" %15s", m.label);
  std::printf(" %16s\n", "10 snapshots");
  for (const PresetCase& c : cases) {
    const ModelSpec spec = c.kernel > 0 ? preset(c.name, c.kernel, input) : preset(c.name, input);
    Model model(spec, 1);
    std::printf("%-10s %10zu", c.label, model.parameter_count());
    for (const Method& m : methods) {
      std::vector<double> ms;
      for (int r = 0; r <= repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        try {
          compute_attribution(model, image.data(), input, m.options);
        } catch (const std::exception&) {
          ms.clear();  // Grad-CAM of an MLP: refused
          break;
        }
        const double t =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (r > 0) ms.push_back(t);  // the first run warms up (allocations, caches)
      }
      if (ms.empty()) std::printf(" %15s", "-");
      else std::printf(" %15.1f", median_ms(ms));
    }
    SnapshotStore store(size_t{1} << 30);
    for (int epoch = 0; epoch < 10; ++epoch) store.add(1, epoch, std::nullopt, model);
    std::printf(" %13.1f MB\n", static_cast<double>(store.bytes()) / (1 << 20));
  }
  return 0;
}
