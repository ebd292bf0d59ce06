// Core: Shape/Tensor basics, the portable RNG (fixed streams, shuffle, normal statistics,
// portable_log accuracy) and the thread pool.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/thread_pool.h"

using namespace cnnlab;

TEST_CASE("Tensor is zero-filled, 64-byte aligned and reshapes by count") {
  Tensor t(Shape{2, 3, 4, 5});
  CHECK(t.size() == 120);
  CHECK(reinterpret_cast<uintptr_t>(t.data()) % 64 == 0);
  CHECK(std::all_of(t.data(), t.data() + t.size(), [](float v) { return v == 0.0f; }));
  t.reshape(Shape{2, 60});
  CHECK(t.shape() == Shape{2, 60});
  CHECK_THROWS_AS(t.reshape(Shape{7, 7}), Error);
  CHECK(Shape{64, 3, 32, 32}.str() == "(64, 3, 32, 32)");
  Tensor copy = t;
  copy[0] = 5.0f;
  CHECK(t[0] == 0.0f);
}

TEST_CASE("Rng streams are fixed for a seed and independent per purpose") {
  Rng a = Rng::stream(42, RngStream::kInit), b = Rng::stream(42, RngStream::kInit);
  Rng c = Rng::stream(42, RngStream::kShuffle);
  int differing = 0;
  for (int i = 0; i < 100; ++i) {
    uint32_t x = a.next_u32();
    CHECK(x == b.next_u32());
    differing += x != c.next_u32();
  }
  CHECK(differing > 95);
  // Pinned value: a change here changes every seeded result (weights, batch order) — on purpose
  // only. The same value must come out natively and in WebAssembly.
  Rng pinned(1234, 0);
  CHECK(pinned.next_u32() == 1743963765u);
  CHECK(pinned.next_u32() == 855022737u);
  float u = pinned.uniform(), n = pinned.normal();
  uint32_t u_bits, n_bits;
  std::memcpy(&u_bits, &u, 4);
  std::memcpy(&n_bits, &n, 4);
  CHECK(u_bits == 0x3ee234bau);  // 0.441808522
  CHECK(n_bits == 0xbf854173u);  // -1.04105985
  CHECK(pinned.below(1000) == 371u);
}

TEST_CASE("Rng::below is in range and roughly uniform; shuffle is a permutation") {
  Rng r(7);
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 100000; ++i) counts[r.below(10)]++;
  for (int c : counts) CHECK(std::abs(c - 10000) < 500);
  std::vector<int> v(1000);
  std::iota(v.begin(), v.end(), 0);
  r.shuffle(v);
  CHECK(!std::is_sorted(v.begin(), v.end()));
  std::sort(v.begin(), v.end());
  for (int i = 0; i < 1000; ++i) CHECK(v[i] == i);
}

TEST_CASE("Rng normal has mean 0 and variance 1; uniform is in [0,1)") {
  Rng r(3);
  double sum = 0, sum2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    double x = r.normal();
    sum += x;
    sum2 += x * x;
  }
  CHECK(std::abs(sum / n) < 0.01);
  CHECK(std::abs(sum2 / n - 1.0) < 0.02);
  for (int i = 0; i < 10000; ++i) {
    float u = r.uniform();
    CHECK((u >= 0.0f && u < 1.0f));
  }
}

TEST_CASE("portable_log matches std::log closely") {
  for (double x : {1e-300, 1e-10, 0.001, 0.5, 0.7071, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300}) {
    CHECK(portable_log(x) == doctest::Approx(std::log(x)).epsilon(1e-14));
  }
  CHECK(portable_log(1.0) == 0.0);
  CHECK(std::isnan(portable_log(-1.0)));
}

TEST_CASE("ThreadPool runs every task exactly once, repeatedly") {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (int round = 0; round < 50; ++round) {
      std::vector<std::atomic<int>> hits(37);
      pool.parallel_for(37, [&](int t) { hits[static_cast<size_t>(t)]++; });
      for (auto& h : hits) CHECK(h.load() == 1);
    }
  }
  CHECK_THROWS_AS(ThreadPool(0), Error);
}
