// Core: Shape/Tensor basics, the portable RNG (fixed streams, shuffle, normal statistics,
// portable_log accuracy) and the thread pool.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <new>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/json_field.h"
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

// Running out of memory is an Error that says so, never a wrapped size or an abort. Under node the
// wasm heap's maximum (MAXIMUM_MEMORY=2GB) is really reached, and the heap works on afterwards.
TEST_CASE("A tensor too large for memory is a clear out-of-memory Error") {
  auto error_of = [](Shape shape) -> std::string {
    try {
      Tensor t(shape);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  const int big = 2147483647;
  CHECK(error_of(Shape{big, big, big, 4}).find("out of memory") != std::string::npos);
  CHECK(error_of(Shape{big, big, big, 0}) == "no error");  // empty, however large the others
#ifdef __EMSCRIPTEN__
  // 32-bit size_t: 2^32 elements and 2^32 bytes would wrap to empty or 0-byte buffers.
  CHECK(error_of(Shape{65536, 65536}).find("out of memory") != std::string::npos);
  CHECK(error_of(Shape{1 << 30}).find("out of memory") != std::string::npos);
  // 2 GB + alignment: more than the heap may ever grow to; the allocator returns null.
  CHECK(error_of(Shape{1 << 29}).find("out of memory allocating 2048 MB") != std::string::npos);
  // Containers get std::bad_alloc (C++ exceptions are on), which the tools and the worker catch.
  // (The buffer escapes through a volatile pointer, or the compiler may drop the allocation.)
  static float* volatile escaped = nullptr;
  auto container_of_2gb = [] {
    std::vector<float> v(size_t{1} << 29);
    escaped = v.data();
  };
  CHECK_THROWS_AS(container_of_2gb(), std::bad_alloc);
  const bool no_buffer = escaped == nullptr;
  CHECK(no_buffer);
  Tensor fine(Shape{1024, 1024});
  fine[fine.size() - 1] = 1.0f;
  CHECK(fine.size() == size_t{1} << 20);
#endif
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

// Where the build has threads (native, threaded wasm) two tasks really run at the same time on two
// threads: each waits until the other has started, so run one after the other they would time out.
TEST_CASE("ThreadPool of 2 runs two tasks at once on two threads where threads exist") {
  ThreadPool pool(2);
  if (!ThreadPool::threads_supported()) {
    CHECK(pool.threads() == 1);
    return;
  }
  REQUIRE(pool.threads() == 2);
  std::atomic<int> started{0};
  std::thread::id ids[2];
  bool met[2] = {false, false};
  for (int round = 0; round < 5; ++round) {
    started = 0;
    pool.parallel_for(2, [&](int t) {
      ids[t] = std::this_thread::get_id();
      ++started;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (started.load() < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
      met[t] = started.load() == 2;
    });
    CHECK(met[0]);
    CHECK(met[1]);
    const bool two_threads = ids[0] != ids[1];
    CHECK(two_threads);
  }
}

// Asking for more threads than the platform starts (wasm: more than its pre-started Web Workers,
// here with a second pool alive) gives a smaller pool that still runs every task, never a hang.
TEST_CASE("ThreadPool asked for more threads than available still runs every task") {
  ThreadPool first(2);
  ThreadPool big(16);
  CHECK(big.threads() >= 1);
  CHECK(big.threads() <= 16);
  for (ThreadPool* pool : {&first, &big}) {
    std::vector<std::atomic<int>> hits(101);
    pool->parallel_for(101, [&](int t) { hits[static_cast<size_t>(t)]++; });
    for (auto& h : hits) CHECK(h.load() == 1);
  }
}

TEST_CASE("json_field: a number its type cannot hold is refused naming the field, at the limits read") {
  // nlohmann would convert 4e21 to int with a plain cast (undefined behaviour; found by fuzzing
  // the lab's run reports): every reader of a JSON field refuses it instead.
  const nlohmann::json j = nlohmann::json::parse(
      R"({"big": 4.4e21, "int_max": 2147483647, "past_int": 2147483648, "neg": -1,
          "int_min": -2147483648.0, "float_big": 1e39, "half": 2.5})");
  auto error = [&](auto read) {
    try {
      read();
    } catch (const cnnlab::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error([&] { cnnlab::json_field<int>(j, "big", "r.json"); }) ==
        "r.json: field 'big' is out of range (4.4e+21)");
  CHECK(cnnlab::json_field<int>(j, "int_max", "r.json") == 2147483647);
  CHECK(error([&] { cnnlab::json_field<int>(j, "past_int", "r.json"); }) ==
        "r.json: field 'past_int' is out of range (2147483648)");
  CHECK(cnnlab::json_field<int>(j, "int_min", "r.json") == -2147483647 - 1);
  CHECK(error([&] { cnnlab::json_field<uint32_t>(j, "neg", "r.json"); }).find("out of range") !=
        std::string::npos);
  CHECK(cnnlab::json_field<int64_t>(j, "neg", "r.json") == -1);
  CHECK(error([&] { cnnlab::json_field<float>(j, "float_big", "r.json"); }).find("out of range") !=
        std::string::npos);
  CHECK(cnnlab::json_field<double>(j, "float_big", "r.json") == 1e39);
  CHECK(cnnlab::json_field<int>(j, "half", "r.json") == 2);  // truncated, as before
  // NaN and infinity cannot come from JSON text, only from a value built in memory: refused too.
  const nlohmann::json odd = {{"nan", NAN}, {"inf", -INFINITY}, {"list", {1.5, 1e39}},
                              {"ints", {1, 2, 1e300}}, {"words", {1, "two"}}};
  CHECK(error([&] { cnnlab::json_field<double>(odd, "nan", "r.json"); }) ==
        "r.json: field 'nan' is out of range (NaN)");
  CHECK(error([&] { cnnlab::json_field<float>(odd, "inf", "r.json"); }) ==
        "r.json: field 'inf' is out of range (-infinity)");
  // Lists of numbers are read item by item, the item named.
  CHECK(cnnlab::json_field<std::vector<double>>(odd, "list", "r.json") ==
        std::vector<double>{1.5, 1e39});
  CHECK(error([&] { cnnlab::json_field<std::vector<float>>(odd, "list", "r.json"); }) ==
        "r.json: field 'list' item 1 is out of range (1e+39)");
  CHECK(error([&] { cnnlab::json_field<std::vector<int>>(odd, "ints", "r.json"); }) ==
        "r.json: field 'ints' item 2 is out of range (1e+300)");
  CHECK(error([&] { cnnlab::json_field<std::vector<int>>(odd, "words", "r.json"); }) ==
        "r.json: field 'words' item 1 has the wrong type (string), a number is needed");
}
