// bench_gemm: GFLOP/s of every GEMM variant compiled in this build (variants.h) on the shapes the
// `cnn` preset's layers produce at batch 64 (im2col + one GEMM per batch), and a square 512 case,
// with 1 and 2 threads (one thread only where the build has no threads, e.g. node).
//
// Usage: bench_gemm [--seconds S] [--variant NAME] [--shape SUBSTRING] [--threads T] [--cpu-time] [--mean]
//                   [--column-kb KB]   (im2col chunk budget; Conv2D uses 8192)
//   Each cell is the BEST rate of the repeated runs within S seconds (like timeit's minimum), so a
//   machine shared with other work still shows what the kernel can do; --mean reports the mean.
//   --cpu-time divides by the process CPU time instead of wall time (per-core speed on a machine
//   busy with other work; with T threads it reports T times the per-thread rate).
//   native:  build-x/bench/bench_gemm
//   node:    node build-x-wasm/bench/bench_gemm.js
#include <algorithm>
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
  int plane;  // conv shapes: output plane P; N (or K for dW) = images per chunk * P
};

// The products of one training step of `cnn` at batch 64 (P = output plane), as Conv2D issues
// them: im2col over a chunk of images whose columns fit the column budget, then
//   forward  yt (Co, n*P) = W (Co, C*k*k) @ col (C*k*k, n*P)
//   weights  dW (Co, C*k*k) += dyt (Co, n*P) @ col^T          (trans_b)
//   input    dcol (C*k*k, n*P) = W^T @ dyt                     (trans_a)
//   dense    y = x @ w^T (trans_b); dw += dy^T @ x (trans_a); dx = dy @ w
// The 0 in N or K below is replaced by n*P for the chosen column budget.
const Shape kShapes[] = {
    {"conv1 k3 fwd", 32, 0, 27, false, false, false, 1024},
    {"conv1 k3 dW", 32, 27, 0, false, true, true, 1024},
    {"conv2 k3 fwd", 64, 0, 288, false, false, false, 256},
    {"conv2 k3 dW", 64, 288, 0, false, true, true, 256},
    {"conv2 k3 dcol", 288, 0, 64, true, false, false, 256},
    {"conv1 k5 fwd", 32, 0, 75, false, false, false, 1024},
    {"conv2 k5 fwd", 64, 0, 800, false, false, false, 256},
    {"conv2 k5 dW", 64, 800, 0, false, true, true, 256},
    {"conv2 k5 dcol", 800, 0, 64, true, false, false, 256},
    {"conv2 k7 fwd", 64, 0, 1568, false, false, false, 256},
    {"conv2 k7 dcol", 1568, 0, 64, true, false, false, 256},
    {"dense1 fwd", 64, 128, 4096, false, true, false, 0},
    {"dense1 dw", 128, 4096, 64, true, false, true, 0},
    {"dense1 dx", 64, 4096, 128, false, false, false, 0},
    {"square 512", 512, 512, 512, false, false, false, 0},
};

bool g_cpu_time = false;
size_t g_column_budget = 8u << 20;  // bytes of im2col columns per chunk, as Conv2D
bool g_mean = false;

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
    else if (arg == "--mean") g_mean = true;
    else if (arg == "--column-kb") g_column_budget = static_cast<size_t>(std::atol(next().c_str())) << 10;
    else {
      std::fprintf(stderr,
                   "usage: bench_gemm [--seconds S] [--variant NAME] [--shape TEXT] [--threads T] [--cpu-time] [--mean] [--column-kb KB]\n");
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
  for (Shape s : kShapes) {
    if (s.plane > 0) {
      // Images per chunk: the column matrix (K_conv, n*P) must fit the budget, at most the batch.
      const int k_conv = s.trans_b ? s.N : (s.trans_a ? s.M : s.K);
      const size_t per_image = static_cast<size_t>(k_conv) * s.plane * sizeof(float);
      const int images = static_cast<int>(std::min<size_t>(64, std::max<size_t>(1, g_column_budget / per_image)));
      (s.N == 0 ? s.N : s.K) = images * s.plane;
    }
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
        double elapsed = 0.0, best = 1e30;
        do {
          const double t0 = now_seconds();
          run();
          const double t1 = now_seconds();
          if (t1 - t0 > 0.0) best = std::min(best, t1 - t0);
          ++reps;
          elapsed = t1 - start;
        } while (elapsed < seconds || reps < 3);
        // CPU time counts every thread: scale back to the rate the t threads deliver together.
        const double per_run = g_mean ? elapsed / reps : best;
        const double rate = flops / per_run * 1e-9 * (g_cpu_time ? t : 1);
        std::printf(" %19.1f", rate);
        std::fflush(stdout);
      }
    }
    std::printf("\n");
  }
  return 0;
}
