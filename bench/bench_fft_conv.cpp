// bench_fft_conv: does FFT convolution pay off for the `cnn` preset's second convolution (batch 64,
// 32 -> 64 channels, 16x16 maps, stride 1, `same`, k = 3, 5, 7)? A measured prototype of the
// forward pass, timed against the engine's dispatched implicit GEMM (conv2d_forward_implicit) on
// the same shapes and thread count, and checked against it (max relative difference).
//
// The method: each input map and each kernel zero-padded to N x N (N = 32 >= 16 + k - 1, so the
// circular correlation equals the linear one), a real 2-D FFT each (32 x 17 bins), then per bin
// one real GEMM of the complex product Y = X conj(W) summed over input channels:
//   [Yr Yi] (B x 2Co) = [Xr Xi] (B x 2C) @ [[Wr, -Wi], [Wi, Wr]] (2C x 2Co)
// with the engine's GEMM, then an inverse FFT per output map (only the rows the output needs).
// The FFTs run on L maps at once, one per SIMD lane (GCC/Clang vector extensions: 16 lanes with
// AVX-512, 8 with AVX2, 4 in wasm SIMD128), so the same code is the native and the wasm version.
// Threads split the maps (transforms) and the bins (products): never a summed dimension.
//
// A prototype to measure with, not a kernel: it allocates its frequency-domain buffers
// (kernels 2C x 2Co, inputs B x 2C, outputs B x 2Co floats per bin: ~45 MB at k-independent
// N = 32) and handles only this geometry (channels multiples of the lane count, square maps).
//
//   native: build/bench/bench_fft_conv [--seconds S] [--threads T] [--kernel K]
//   node:   node --no-experimental-fetch build-wasm/bench/bench_fft_conv.js
// Timing: the implicit GEMM and the FFT version are called in turn (a b a b ...) for S seconds
// (default 1) and the medians of each and of the pairs' ratios printed, as the machine is shared.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "kernels/vector_lanes.h"

using namespace cnnlab;
using namespace cnnlab::kernels;

namespace {

// One map per SIMD lane (kernels/vector_lanes.h).
constexpr int kLanes = kVectorLanes;
using Vec = VectorF;
inline void store(float* p, Vec v) { store_vector(p, v); }
inline Vec load(const float* p) { return load_vector(p); }

constexpr int kN = 32;               // FFT side
constexpr int kLogN = 5;
constexpr int kHalf = kN / 2 + 1;    // real FFT: bins 0..N/2 of the last axis
constexpr int kBins = kN * kHalf;    // 544

struct Twiddles {
  float cos_[kN / 2], sin_[kN / 2];
  int reverse[kN];
  Twiddles() {
    for (int i = 0; i < kN / 2; ++i) {
      cos_[i] = static_cast<float>(std::cos(2.0 * M_PI * i / kN));
      sin_[i] = static_cast<float>(-std::sin(2.0 * M_PI * i / kN));  // e^{-2 pi i k / N}
    }
    for (int i = 0; i < kN; ++i) {
      int r = 0;
      for (int b = 0; b < kLogN; ++b) r |= ((i >> b) & 1) << (kLogN - 1 - b);
      reverse[i] = r;
    }
  }
};
const Twiddles kTw;

// In-place radix-2 FFT of 32 complex points per lane; input in bit-reversed order.
// inverse: conjugate twiddles (unscaled).
__attribute__((noinline)) void fft32(Vec* re, Vec* im, bool inverse) {
  for (int len = 2; len <= kN; len <<= 1) {
    const int half = len / 2, step = kN / len;
    for (int start = 0; start < kN; start += len)
      for (int k = 0; k < half; ++k) {
        const float c = kTw.cos_[k * step], s = inverse ? -kTw.sin_[k * step] : kTw.sin_[k * step];
        Vec& ar = re[start + k];
        Vec& ai = im[start + k];
        Vec& br = re[start + k + half];
        Vec& bi = im[start + k + half];
        const Vec tr = br * c - bi * s, ti = br * s + bi * c;
        br = ar - tr;
        bi = ai - ti;
        ar = ar + tr;
        ai = ai + ti;
      }
  }
}

// Forward real 2-D FFT of L maps (lanes) of rows x cols (<= N) placed at the origin of N x N.
// in(r, c) gives the Vec of pixel (r, c). out_re/out_im: [ky][kx], kBins Vecs each.
template <typename In>
void rfft2(Vec* out_re, Vec* out_im, int rows, int cols, In in) {
  Vec re[kN], im[kN];
  Vec rows_re[kN][kHalf], rows_im[kN][kHalf];
  const Vec zero = {};
  for (int r = 0; r < rows; ++r) {
    for (int i = 0; i < kN; ++i) {
      const int j = kTw.reverse[i];
      re[i] = j < cols ? in(r, j) : zero;
      im[i] = zero;
    }
    fft32(re, im, false);
    for (int kx = 0; kx < kHalf; ++kx) {
      rows_re[r][kx] = re[kx];
      rows_im[r][kx] = im[kx];
    }
  }
  for (int kx = 0; kx < kHalf; ++kx) {
    for (int i = 0; i < kN; ++i) {
      const int j = kTw.reverse[i];
      re[i] = j < rows ? rows_re[j][kx] : zero;
      im[i] = j < rows ? rows_im[j][kx] : zero;
    }
    fft32(re, im, false);
    for (int ky = 0; ky < kN; ++ky) {
      out_re[ky * kHalf + kx] = re[ky];
      out_im[ky * kHalf + kx] = im[ky];
    }
  }
}

// Inverse of rfft2 for the output rows/cols wanted: out(i, j) for i, j in [0, size) gets the
// circular result at ((i - shift) mod N, (j - shift) mod N), scaled by 1 / N^2.
template <typename Out>
void irfft2(const Vec* in_re, const Vec* in_im, int size, int shift, Out out) {
  Vec re[kN], im[kN];
  Vec cols_re[kN][kHalf], cols_im[kN][kHalf];  // [y][kx] after the column pass
  for (int kx = 0; kx < kHalf; ++kx) {
    for (int i = 0; i < kN; ++i) {
      const int j = kTw.reverse[i];
      re[i] = in_re[j * kHalf + kx];
      im[i] = in_im[j * kHalf + kx];
    }
    fft32(re, im, true);
    for (int i = 0; i < size; ++i) {
      const int y = (i - shift + kN) % kN;
      cols_re[y][kx] = re[y];
      cols_im[y][kx] = im[y];
    }
  }
  const float scale = 1.0f / (kN * kN);
  for (int i = 0; i < size; ++i) {
    const int y = (i - shift + kN) % kN;
    // Hermitian completion of the row: bin N - kx = conj(bin kx).
    for (int k = 0; k < kN; ++k) {
      const int j = kTw.reverse[k];
      if (j < kHalf) {
        re[k] = cols_re[y][j];
        im[k] = cols_im[y][j];
      } else {
        re[k] = cols_re[y][kN - j];
        im[k] = -cols_im[y][kN - j];
      }
    }
    fft32(re, im, true);
    for (int j = 0; j < size; ++j) out(i, j, re[(j - shift + kN) % kN] * scale);
  }
}

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
// Time per phase of FftConv::forward (kernel transforms, input transforms, per-bin products,
// inverse transforms), summed over `calls`; printed as means beside each row.
double phase_ms[4] = {};
int calls = 0;

struct FftConv {
  int B, C, Co, H, K;
  std::vector<float> wbin, xbin, ybin;  // [bin][2C][2Co], [bin][B][2C], [bin][B][2Co]
  FftConv(int b, int c, int co, int h, int k)
      : B(b), C(c), Co(co), H(h), K(k), wbin(size_t(kBins) * 2 * c * 2 * co),
        xbin(size_t(kBins) * b * 2 * c), ybin(size_t(kBins) * b * 2 * co) {}

  void forward(float* y, const float* x, const float* w, const float* bias, ThreadPool* pool) {
    double t0 = now();
    const int HW = H * H, KK = K * K, pad = K / 2;
    const size_t wstride = size_t(2 * C) * 2 * Co, xstride = size_t(B) * 2 * C,
                 ystride = size_t(B) * 2 * Co;
    // Kernels: lanes = L consecutive output channels of one input channel.
    const int wgroups = C * (Co / kLanes);
    pool->parallel_for(wgroups, [&](int g) {
      const int c = g / (Co / kLanes), o0 = (g % (Co / kLanes)) * kLanes;
      thread_local std::vector<Vec> re(kBins), im(kBins);
      rfft2(re.data(), im.data(), K, K, [&](int r, int col) {
        Vec v = {};
        for (int l = 0; l < kLanes; ++l) v[l] = w[(size_t(o0 + l) * C + c) * KK + r * K + col];
        return v;
      });
      for (int f = 0; f < kBins; ++f) {
        float* m = wbin.data() + f * wstride;
        const Vec minus_im = -im[f];
        store(m + size_t(c) * 2 * Co + o0, re[f]);
        store(m + size_t(C + c) * 2 * Co + o0, im[f]);
        store(m + size_t(c) * 2 * Co + Co + o0, minus_im);
        store(m + size_t(C + c) * 2 * Co + Co + o0, re[f]);
      }
    });
    phase_ms[0] += (now() - t0) * 1e3; t0 = now();
    // Inputs: lanes = L consecutive channels of one image.
    const int xgroups = B * (C / kLanes);
    pool->parallel_for(xgroups, [&](int g) {
      const int b = g / (C / kLanes), c0 = (g % (C / kLanes)) * kLanes;
      thread_local std::vector<Vec> re(kBins), im(kBins);
      const float* xb = x + (size_t(b) * C + c0) * HW;
      rfft2(re.data(), im.data(), H, H, [&](int r, int col) {
        Vec v = {};
        for (int l = 0; l < kLanes; ++l) v[l] = xb[size_t(l) * HW + r * H + col];
        return v;
      });
      for (int f = 0; f < kBins; ++f) {
        float* row = xbin.data() + f * xstride + size_t(b) * 2 * C;
        store(row + c0, re[f]);
        store(row + C + c0, im[f]);
      }
    });
    phase_ms[1] += (now() - t0) * 1e3; t0 = now();
    // Products: one GEMM per bin, bins split across threads.
    pool->parallel_for(kBins, [&](int f) {
      gemm(ybin.data() + f * ystride, xbin.data() + f * xstride, wbin.data() + f * wstride, B,
           2 * Co, 2 * C, false, false, false, nullptr);
    });
    phase_ms[2] += (now() - t0) * 1e3; t0 = now();
    // Outputs: lanes = L consecutive output channels of one image.
    const int ygroups = B * (Co / kLanes);
    pool->parallel_for(ygroups, [&](int g) {
      const int b = g / (Co / kLanes), o0 = (g % (Co / kLanes)) * kLanes;
      thread_local std::vector<Vec> re(kBins), im(kBins);
      for (int f = 0; f < kBins; ++f) {
        const float* row = ybin.data() + f * ystride + size_t(b) * 2 * Co;
        re[f] = load(row + o0);
        im[f] = load(row + Co + o0);
      }
      float* yb = y + (size_t(b) * Co + o0) * HW;
      irfft2(re.data(), im.data(), H, pad, [&](int i, int j, Vec v) {
        for (int l = 0; l < kLanes; ++l) yb[size_t(l) * HW + i * H + j] = v[l] + bias[o0 + l];
      });
    });
    phase_ms[3] += (now() - t0) * 1e3;
    ++calls;
  }
};

// Times a and b in turn (a b a b ...) for at least `seconds`: the machine's speed drifts (it is
// shared), so each pair is compared in its own moment. Returns the medians of a's and b's times
// (ms) and of the ratios a / b.
struct Paired {
  double a_ms, b_ms, ratio;
};
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
template <typename A, typename B>
Paired paired_ms(A&& a, B&& b, double seconds) {
  a();
  b();
  std::vector<double> ta, tb, ratios;
  const double t_end = now() + seconds;
  do {
    double t0 = now();
    a();
    ta.push_back((now() - t0) * 1e3);
    t0 = now();
    b();
    tb.push_back((now() - t0) * 1e3);
    ratios.push_back(ta.back() / tb.back());
  } while (now() < t_end || ta.size() < 3);
  return {median(ta), median(tb), median(ratios)};
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1.0;
  std::vector<int> threads = {1}, kernels = {3, 5, 7};
  if (ThreadPool::threads_supported()) threads.push_back(2);
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--seconds") seconds = std::atof(argv[i + 1]);
    else if (arg == "--threads") threads = {std::atoi(argv[i + 1])};
    else if (arg == "--kernel") kernels = {std::atoi(argv[i + 1])};
  }
  const int B = 64, C = 32, Co = 64, H = 16;
  std::printf("bench_fft_conv: conv2 of cnn (B %d, %d -> %d channels, %dx%d, same), %d lanes, "
              "FFT %dx%d; medians of calls taken in turn for %.1f s\n", B, C, Co, H, H, kLanes, kN, kN, seconds);
  std::printf("%3s %7s %14s %10s %8s %12s\n", "k", "threads", "implicit ms", "fft ms", "imp/fft",
              "max rel diff");
  Rng rng(3);
  std::vector<float> x(size_t(B) * C * H * H);
  for (auto& v : x) v = rng.uniform() * 2 - 1;
  for (int K : kernels) {
    std::vector<float> w(size_t(Co) * C * K * K), bias(Co);
    for (auto& v : w) v = (rng.uniform() * 2 - 1) * 0.1f;
    for (auto& v : bias) v = rng.uniform();
    const ConvGeometry g{B, C, H, H, K, K, 1, K / 2, K / 2, H, H};
    std::vector<float> y_ref(size_t(B) * Co * H * H), y_fft(y_ref.size());
    std::vector<float> scratch(conv_implicit_scratch_floats(g, Co));
    FftConv fft(B, C, Co, H, K);
    for (int t : threads) {
      ThreadPool pool(t);
      const Paired p = paired_ms(
          [&] {
            conv2d_forward_implicit(y_ref.data(), scratch.data(), x.data(), w.data(), bias.data(),
                                    g, Co, &pool);
          },
          [&] { fft.forward(y_fft.data(), x.data(), w.data(), bias.data(), &pool); }, seconds);
      double max_diff = 0, max_ref = 0;
      for (size_t i = 0; i < y_ref.size(); ++i) {
        max_diff = std::max(max_diff, double(std::fabs(y_fft[i] - y_ref[i])));
        max_ref = std::max(max_ref, double(std::fabs(y_ref[i])));
      }
      std::printf("%3d %7d %14.2f %10.2f %8.2f %12.1e   (mean ms: kernels %.2f, inputs %.2f, "
                  "products %.2f, outputs %.2f)\n", K, t, p.a_ms, p.b_ms, p.ratio, max_diff / max_ref, phase_ms[0] / calls,
                  phase_ms[1] / calls, phase_ms[2] / calls, phase_ms[3] / calls);
      std::fill(phase_ms, phase_ms + 4, 0.0);
      calls = 0;
    }
  }
  return 0;
}
