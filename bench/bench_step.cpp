// bench_step: one training step (and one inference pass) of the `cnn` preset at batch 64 made
// only of kernel calls, in the order and chunking the layers use (im2col + one GEMM per chunk of
// at most 8 MB of columns), timed per kernel family. Shows where a step's time goes without the
// model code, for each build's dispatched variant set.
//
// Usage: bench_step [--kernel K] [--threads T] [--steps S] [--batch B] [--cpu-time 1] [--column-kb KB]
//                   [--threaded-kernels 0|1]
//   --threaded-kernels 0: im2col, col2im, regrouping, pooling and ReLU on one thread (default 1:
//   their ThreadPool overloads).
//   --column-kb: im2col chunk budget (Conv2D uses 8192 KB).
//   --cpu-time 1 measures process CPU time instead of wall time: with one thread, the speed of an
//   otherwise idle core on a busy machine.
//   native: build-x/bench/bench_step --kernel 3 --threads 2
//   node:   node build-x-wasm/bench/bench_step.js --kernel 3
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "kernels/variants.h"

using namespace cnnlab;
using namespace cnnlab::kernels;

namespace {

enum Family { kIm2col, kGemm, kCol2im, kRegroup, kRelu, kPool, kDense, kLoss, kAdam, kFamilies };
const char* kFamilyNames[kFamilies] = {"im2col", "conv gemm", "col2im", "regroup", "relu",
                                       "pool",   "dense",     "loss",   "adam"};
double g_time[kFamilies];

bool g_cpu_time = false;
bool g_threaded_kernels = true;  // pass the pool to the memory-bound kernels too
size_t g_column_budget = 8u << 20;  // bytes of im2col columns per chunk, as Conv2D

double now() {
  if (g_cpu_time) return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename F>
void timed(Family f, F&& fn) {
  const double t0 = now();
  fn();
  g_time[f] += now() - t0;
}

std::vector<float> random_vector(size_t n, Rng& rng, float scale) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.uniform(-scale, scale);
  return v;
}

struct Conv {
  int cin, cout, size, k;  // square input size, same padding, stride 1
  std::vector<float> w, b, dw, db, mw, vw, mb, vb;
  ConvGeometry geometry(int images) const {
    ConvGeometry g{};
    g.batch = images;
    g.channels = cin;
    g.height = g.width = size;
    g.kernel_h = g.kernel_w = k;
    g.stride = 1;
    g.pad_top = g.pad_left = (k - 1) / 2;
    g.out_h = g.out_w = size;
    return g;
  }
  int chunk(int batch) const {
    const size_t per_image = static_cast<size_t>(cin) * k * k * size * size * sizeof(float);
    return static_cast<int>(std::min<size_t>(std::max<size_t>(1, g_column_budget / per_image), batch));
  }
};

struct Dense {
  int in, out;
  std::vector<float> w, b, dw, db, mw, vw, mb, vb;
};

void adam(std::vector<float>& w, std::vector<float>& m, std::vector<float>& v,
          const std::vector<float>& g) {
  adam_update(w.data(), m.data(), v.data(), g.data(), w.size(), 1e-3f, 0.9f, 0.999f, 1e-7f, 0.1f,
              0.001f, 0.0f, 0.0f);
}

}  // namespace

int main(int argc, char** argv) {
  int kernel = 3, threads = ThreadPool::threads_supported() ? 2 : 1, steps = 10, batch = 64;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "usage: bench_step [--kernel K] [--threads T] [--steps S] [--batch B]\n");
      return 2;
    }
    const int value = std::atoi(argv[++i]);
    if (arg == "--kernel") kernel = value;
    else if (arg == "--threads") threads = value;
    else if (arg == "--steps") steps = value;
    else if (arg == "--batch") batch = value;
    else if (arg == "--cpu-time") g_cpu_time = value != 0;
    else if (arg == "--threaded-kernels") g_threaded_kernels = value != 0;
    else if (arg == "--column-kb") g_column_budget = static_cast<size_t>(value) << 10;
    else {
      std::fprintf(stderr, "bench_step: unknown option %s\n", arg.c_str());
      return 2;
    }
  }
  ThreadPool pool(threads);
  ThreadPool* kpool = nullptr;  // pool for the memory-bound kernels (set after parsing)
  Rng rng = Rng::stream(7, RngStream::kInit);
  const int B = batch;
  Conv c1{3, 32, 32, kernel, {}, {}, {}, {}, {}, {}, {}, {}};
  Conv c2{32, 64, 16, kernel, {}, {}, {}, {}, {}, {}, {}, {}};
  Dense d1{64 * 8 * 8, 128, {}, {}, {}, {}, {}, {}, {}, {}};
  Dense d2{128, 10, {}, {}, {}, {}, {}, {}, {}, {}};
  for (Conv* c : {&c1, &c2}) {
    const size_t n = static_cast<size_t>(c->cout) * c->cin * c->k * c->k;
    c->w = random_vector(n, rng, std::sqrt(6.0f / (c->cin * c->k * c->k)));
    c->b.assign(c->cout, 0.0f);
    c->dw.assign(n, 0.0f);
    c->db.assign(c->cout, 0.0f);
    c->mw = c->vw = c->dw;
    c->mb = c->vb = c->db;
  }
  for (Dense* d : {&d1, &d2}) {
    const size_t n = static_cast<size_t>(d->in) * d->out;
    d->w = random_vector(n, rng, std::sqrt(6.0f / d->in));
    d->b.assign(d->out, 0.0f);
    d->dw.assign(n, 0.0f);
    d->db.assign(d->out, 0.0f);
    d->mw = d->vw = d->dw;
    d->mb = d->vb = d->db;
  }
  const size_t col_floats = std::max(
      static_cast<size_t>(c1.cin * kernel * kernel) * c1.chunk(B) * 1024,
      static_cast<size_t>(c2.cin * kernel * kernel) * c2.chunk(B) * 256);
  std::vector<float> col(col_floats), yt(static_cast<size_t>(64) * B * 1024);
  std::vector<float> x = random_vector(static_cast<size_t>(B) * 3 * 1024, rng, 1.0f);
  std::vector<float> a1(static_cast<size_t>(B) * 32 * 1024), r1(a1.size()), p1(a1.size() / 4);
  std::vector<float> a2(static_cast<size_t>(B) * 64 * 256), r2(a2.size()), p2(a2.size() / 4);
  std::vector<int32_t> arg1(p1.size()), arg2(p2.size());
  std::vector<float> h1(static_cast<size_t>(B) * 128), hr(h1.size()), logits(B * 10), probs(B * 10),
      losses(B), dlogits(B * 10), dhr(h1.size()), dh1(h1.size()), dp2(p2.size()), dr2(r2.size()),
      da2(a2.size()), dp1(p1.size()), dr1(r1.size()), da1(a1.size());
  std::vector<int32_t> labels(B);
  for (int i = 0; i < B; ++i) labels[i] = static_cast<int32_t>(rng.below(10));

  auto conv_forward = [&](Conv& c, std::vector<float>& y, const std::vector<float>& in) {
    const int chunk = c.chunk(B), plane = c.size * c.size, K = c.cin * c.k * c.k;
    for (int b0 = 0; b0 < B; b0 += chunk) {
      const int n = std::min(chunk, B - b0);
      const ConvGeometry g = c.geometry(n);
      timed(kIm2col, [&] { im2col(col.data(), in.data() + b0 * c.cin * plane, g, kpool); });
      timed(kGemm, [&] {
        gemm(yt.data(), c.w.data(), col.data(), c.cout, n * plane, K, false, false, false, &pool);
      });
      timed(kRegroup, [&] {
        conv_output_from_gemm(y.data() + b0 * c.cout * plane, yt.data(), c.b.data(), n, c.cout,
                              plane, kpool);
      });
    }
  };
  auto conv_backward = [&](Conv& c, std::vector<float>* dx, const std::vector<float>& dy,
                           const std::vector<float>& in) {
    const int chunk = c.chunk(B), plane = c.size * c.size, K = c.cin * c.k * c.k;
    for (int b0 = 0; b0 < B; b0 += chunk) {
      const int n = std::min(chunk, B - b0);
      const ConvGeometry g = c.geometry(n);
      timed(kIm2col, [&] { im2col(col.data(), in.data() + b0 * c.cin * plane, g, kpool); });
      timed(kRegroup, [&] {
        conv_grad_to_gemm(yt.data(), c.db.data(), dy.data() + b0 * c.cout * plane, n, c.cout,
                          plane, kpool);
      });
      timed(kGemm, [&] {
        gemm(c.dw.data(), yt.data(), col.data(), c.cout, K, n * plane, false, true, true, &pool);
      });
      if (dx) {
        timed(kGemm, [&] {
          gemm(col.data(), c.w.data(), yt.data(), K, n * plane, c.cout, true, false, false, &pool);
        });
        timed(kCol2im, [&] { col2im(dx->data() + b0 * c.cin * plane, col.data(), g, kpool); });
      }
    }
  };
  auto forward = [&] {
    conv_forward(c1, a1, x);
    timed(kRelu, [&] { relu_forward(r1.data(), a1.data(), a1.size(), kpool); });
    timed(kPool, [&] { maxpool2d_forward(p1.data(), arg1.data(), r1.data(), B, 32, 32, 32, 2, 2, 16, 16, kpool); });
    conv_forward(c2, a2, p1);
    timed(kRelu, [&] { relu_forward(r2.data(), a2.data(), a2.size(), kpool); });
    timed(kPool, [&] { maxpool2d_forward(p2.data(), arg2.data(), r2.data(), B, 64, 16, 16, 2, 2, 8, 8, kpool); });
    timed(kDense, [&] { dense_forward(h1.data(), p2.data(), d1.w.data(), d1.b.data(), B, d1.in, d1.out, &pool); });
    timed(kRelu, [&] { relu_forward(hr.data(), h1.data(), h1.size(), kpool); });
    timed(kDense, [&] { dense_forward(logits.data(), hr.data(), d2.w.data(), d2.b.data(), B, d2.in, d2.out, &pool); });
    timed(kLoss, [&] { softmax_xent_forward(probs.data(), losses.data(), logits.data(), labels.data(), B, 10); });
  };
  auto train_step = [&] {
    forward();
    timed(kLoss, [&] { softmax_xent_backward(dlogits.data(), probs.data(), labels.data(), B, 10); });
    timed(kDense, [&] {
      dense_backward(dhr.data(), d2.dw.data(), d2.db.data(), dlogits.data(), hr.data(), d2.w.data(), B, d2.in, d2.out, &pool);
    });
    timed(kRelu, [&] { relu_backward(dh1.data(), dhr.data(), hr.data(), hr.size(), kpool); });
    timed(kDense, [&] {
      dense_backward(dp2.data(), d1.dw.data(), d1.db.data(), dh1.data(), p2.data(), d1.w.data(), B, d1.in, d1.out, &pool);
    });
    timed(kPool, [&] { maxpool2d_backward(dr2.data(), dp2.data(), arg2.data(), B, 64, 16, 16, 8, 8, kpool); });
    timed(kRelu, [&] { relu_backward(da2.data(), dr2.data(), r2.data(), r2.size(), kpool); });
    conv_backward(c2, &dp1, da2, p1);
    timed(kPool, [&] { maxpool2d_backward(dr1.data(), dp1.data(), arg1.data(), B, 32, 32, 32, 16, 16, kpool); });
    timed(kRelu, [&] { relu_backward(da1.data(), dr1.data(), r1.data(), r1.size(), kpool); });
    conv_backward(c1, nullptr, da1, x);
    timed(kAdam, [&] {
      for (Conv* c : {&c1, &c2}) {
        adam(c->w, c->mw, c->vw, c->dw);
        adam(c->b, c->mb, c->vb, c->db);
        std::fill(c->dw.begin(), c->dw.end(), 0.0f);
        std::fill(c->db.begin(), c->db.end(), 0.0f);
      }
      for (Dense* d : {&d1, &d2}) {
        adam(d->w, d->mw, d->vw, d->dw);
        adam(d->b, d->mb, d->vb, d->db);
        std::fill(d->dw.begin(), d->dw.end(), 0.0f);
        std::fill(d->db.begin(), d->db.end(), 0.0f);
      }
    });
  };

  if (g_threaded_kernels) kpool = &pool;
  std::printf("bench_step: cnn k=%d batch %d, %d thread(s)%s, kernels: %s%s\n", kernel,
              B, pool.threads(), kpool ? "" : " (memory-bound kernels on one)", variant_name(),
              g_cpu_time ? ", CPU time" : "");
  train_step();  // warm-up
  std::fill(g_time, g_time + kFamilies, 0.0);
  double t0 = now(), best_step = 1e30;
  for (int s = 0; s < steps; ++s) {
    const double s0 = now();
    train_step();
    best_step = std::min(best_step, now() - s0);
  }
  const double train_time = now() - t0;
  // The best single step shows the speed of an idle machine when others share it.
  std::printf("train: %.1f images/s (%.2f ms/step); best step %.1f images/s\n",
              steps * B / train_time, 1e3 * train_time / steps, B / best_step);
  for (int f = 0; f < kFamilies; ++f)
    std::printf("  %-10s %7.2f ms/step  %5.1f %%\n", kFamilyNames[f], 1e3 * g_time[f] / steps,
                100.0 * g_time[f] / train_time);
  t0 = now();
  best_step = 1e30;
  for (int s = 0; s < steps; ++s) {
    const double s0 = now();
    forward();
    best_step = std::min(best_step, now() - s0);
  }
  const double infer_time = now() - t0;
  std::printf("infer: %.1f images/s (%.2f ms/batch); best batch %.1f images/s\n",
              steps * B / infer_time, 1e3 * infer_time / steps, B / best_step);
  return 0;
}
