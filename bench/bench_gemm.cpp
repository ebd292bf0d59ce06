// bench_gemm: GFLOP/s of every GEMM variant compiled in this build (variants.h) on the shapes the
// `cnn` preset's layers produce at batch 64 (im2col + one GEMM per batch), and a square 512 case,
// with 1 and 2 threads (one thread only where the build has no threads, e.g. node).
//
// Usage: bench_gemm [--seconds S] [--variant NAME] [--shape SUBSTRING] [--threads T] [--cpu-time]
//   --cpu-time divides by the process CPU time instead of wall time (per-core speed on a machine
//   busy with other work; with T threads it reports T times the per-thread rate).
//   native:  build-x/bench/bench_gemm
//   node:    node build-x-wasm/bench/bench_gemm.js
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/thread_pool.h"
#include "kernels/variants.h"

using namespace cnnlab;
using namespace cnnlab::kernels;

namespace {

struct Shape {
  const char* name;
  int M, N, K;
  bool trans_a, trans_b, accumulate;
};

// The products of one training step of `cnn` at batch 64 (P = output plane):
//   forward  yt (Co, B*P) = W (Co, C*k*k) @ col (C*k*k, B*P)
//   weights  dW (Co, C*k*k) += dyt (Co, B*P) @ col^T          (trans_b)
//   input    dcol (C*k*k, B*P) = W^T @ dyt                     (trans_a)
//   dense    y = x @ w^T (trans_b); dw += dy^T @ x (trans_a); dx = dy @ w
const Shape kShapes[] = {
    {"conv1 k3 fwd    ", 32, 65536, 27, false, false, false},
    {"conv1 k3 dW     ", 32, 27, 65536, false, true, true},
    {"conv2 k3 fwd    ", 64, 16384, 288, false, false, false},
    {"conv2 k3 dW     ", 64, 288, 16384, false, true, true},
    {"conv2 k3 dcol   ", 288, 16384, 64, true, false, false},
    {"conv1 k5 fwd    ", 32, 65536, 75, false, false, false},
    {"conv2 k5 fwd    ", 64, 16384, 800, false, false, false},
    {"conv2 k5 dW     ", 64, 800, 16384, false, true, true},
    {"conv2 k5 dcol   ", 800, 16384, 64, true, false, false},
    {"conv2 k7 fwd    ", 64, 16384, 1568, false, false, false},
    {"conv2 k7 dcol   ", 1568, 16384, 64, true, false, false},
    {"dense1 fwd      ", 64, 128, 4096, false, true, false},
    {"dense1 dw       ", 128, 4096, 64, true, false, true},
    {"dense1 dx       ", 64, 4096, 128, false, false, false},
    {"square 512      ", 512, 512, 512, false, false, false},
};

bool g_cpu_time = false;

double now_seconds() {
  if (g_cpu_time) return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 0.25;
  std::string only_variant, only_shape;
  int only_threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_gemm: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--seconds") seconds = std::atof(next().c_str());
    else if (arg == "--variant") only_variant = next();
    else if (arg == "--shape") only_shape = next();
    else if (arg == "--threads") only_threads = std::atoi(next().c_str());
    else if (arg == "--cpu-time") g_cpu_time = true;
    else {
      std::fprintf(stderr,
                   "usage: bench_gemm [--seconds S] [--variant NAME] [--shape TEXT] [--threads T] [--cpu-time]\n");
      return 2;
    }
  }
  int count = 0;
  const GemmVariant* variants = gemm_variants(&count);
  std::printf("bench_gemm: dispatch uses %s (%s)\n", active_kernel_set().gemm_name,
              active_kernel_set().name);
  std::vector<int> thread_counts = {1};
  if (ThreadPool::threads_supported()) thread_counts.push_back(2);
  if (only_threads > 0) thread_counts = {only_threads};

  std::printf("%-17s %5s %6s %6s %3s", "shape", "M", "N", "K", "op");
  for (int v = 0; v < count; ++v) {
    if (!only_variant.empty() && only_variant != variants[v].name) continue;
    // The slow scalar reference is only timed on request.
    if (only_variant.empty() && std::strcmp(variants[v].name, "gemm_scalar") == 0) continue;
    for (int t : thread_counts) std::printf(" %16s/%dt", variants[v].name, t);
  }
  std::printf("   (GFLOP/s)\n");

  Rng rng = Rng::stream(1, RngStream::kInit);
  for (const Shape& s : kShapes) {
    if (!only_shape.empty() && std::string(s.name).find(only_shape) == std::string::npos) continue;
    std::vector<float> A(static_cast<size_t>(s.M) * s.K), B(static_cast<size_t>(s.K) * s.N),
        C(static_cast<size_t>(s.M) * s.N, 0.0f);
    for (auto& x : A) x = rng.uniform(-1.0f, 1.0f);
    for (auto& x : B) x = rng.uniform(-1.0f, 1.0f);
    std::printf("%-17s %5d %6d %6d  %c%c", s.name, s.M, s.N, s.K, s.trans_a ? 'T' : 'N',
                s.trans_b ? 'T' : 'N');
    const double flops = 2.0 * s.M * s.N * s.K;
    for (int v = 0; v < count; ++v) {
      if (!only_variant.empty() && only_variant != variants[v].name) continue;
      if (only_variant.empty() && std::strcmp(variants[v].name, "gemm_scalar") == 0) continue;
      for (int t : thread_counts) {
        ThreadPool pool(t);
        auto run = [&] {
          gemm_parallel(variants[v].fn, C.data(), A.data(), B.data(), s.M, s.N, s.K, s.trans_a,
                        s.trans_b, s.accumulate, &pool);
        };
        run();  // warm-up: page in C, fill the packing buffers
        int reps = 0;
        const double start = now_seconds();
        double elapsed = 0.0;
        do {
          run();
          ++reps;
          elapsed = now_seconds() - start;
        } while (elapsed < seconds);
        // CPU time counts every thread: scale back to the rate the t threads deliver together.
        const double rate = flops * reps / elapsed * 1e-9 * (g_cpu_time ? t : 1);
        std::printf(" %19.1f", rate);
        std::fflush(stdout);
      }
    }
    std::printf("\n");
  }
  return 0;
}
