// Rng: the one seeded random generator of the engine (PCG32, O'Neill 2014).
//
// Why our own and not <random>: std::uniform_*_distribution, std::normal_distribution and
// std::shuffle are implementation-defined, so libstdc++ (native) and libc++ (Emscripten) would
// give different weights and batch orders from the same seed. Everything here uses only integer
// arithmetic and correctly rounded IEEE operations (+ - * / sqrt), so the same seed gives
// bit-identical streams natively and in WebAssembly.
//
// Independent streams: Rng::stream(seed, RngStream::kInit) etc. derive a generator per purpose,
// so drawing more dropout masks never changes the shuffle order or the initial weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cnnlab {

enum class RngStream : uint64_t {
  kInit = 1,      // weight initialisation
  kShuffle = 2,   // mini-batch order
  kSplit = 3,     // train/validation split and subsets
  kDropout = 4,   // dropout masks
  kAugment = 5,   // flips and shifts
};

class Rng {
 public:
  explicit Rng(uint64_t seed = 0, uint64_t sequence = 0);
  static Rng stream(uint64_t seed, RngStream purpose) {
    return Rng(seed, static_cast<uint64_t>(purpose));
  }

  uint32_t next_u32();
  // Uniform integer in [0, bound) without modulo bias (Lemire's method). bound > 0.
  uint32_t below(uint32_t bound);
  // Uniform float in [0, 1) with 24 random bits.
  float uniform();
  // Uniform float in [lo, hi).
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Standard normal (Marsaglia polar method with a platform-independent log).
  float normal();

  // Fisher-Yates shuffle of v, identical on every platform.
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      size_t j = below(static_cast<uint32_t>(i));
      T tmp = v[i - 1];
      v[i - 1] = v[j];
      v[j] = tmp;
    }
  }

  // Full generator state, for pause/resume.
  uint64_t state() const { return state_; }
  uint64_t increment() const { return inc_; }
  void set_state(uint64_t state, uint64_t increment) {
    state_ = state;
    inc_ = increment;
    has_spare_ = false;
  }

 private:
  uint64_t state_ = 0;
  uint64_t inc_ = 0;
  bool has_spare_ = false;
  float spare_ = 0.0f;
};

// Natural logarithm from +, -, *, / only, so results are bit-identical across C libraries.
// Accurate to about 1e-15 relative for x > 0 (double precision).
double portable_log(double x);

}  // namespace cnnlab
